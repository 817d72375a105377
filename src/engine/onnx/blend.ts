import { EnhanceError } from '../../shared/errors.js'
import { halfToFloat } from '../weights/tensor.js'
import { lerp } from '../interpolate.js'
import { toHalfBytes } from './fp16.js'
import { DataType, decodeModel, encodeModel } from './proto.js'
import type { ModelMessage, TensorMessage } from './proto.js'

function incompatible(detail: string): EnhanceError {
  return new EnhanceError(
    'INCOMPATIBLE_MODELS',
    `These two ONNX models cannot be blended: ${detail}. Both must be the same network with different weights.`,
  )
}

/** Float data of an initializer, whichever field holds it. */
export function initializerFloats(t: TensorMessage): Float32Array | null {
  const raw = t.rawData
  if (t.dataType === DataType.FLOAT) {
    if (raw && raw.byteLength)
      return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
    return Float32Array.from(t.floatData ?? [])
  }
  if (t.dataType === DataType.FLOAT16 && raw) {
    const bits = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
    return Float32Array.from(bits, halfToFloat)
  }
  return null
}

function graphSignature(model: ModelMessage): string {
  const nodes = model.graph.node.map((n) => [n.opType, n.input, n.output, n.attribute ?? []])
  return JSON.stringify(nodes)
}

function blendInitializer(a: TensorMessage, b: TensorMessage, realism: number): TensorMessage {
  if (a.dataType !== b.dataType || a.dims.join('×') !== b.dims.join('×')) {
    throw incompatible(`initializer "${a.name}" differs in type or shape`)
  }
  const fa = initializerFloats(a)
  const fb = initializerFloats(b)
  if (!fa || !fb) {
    if (JSON.stringify(a) !== JSON.stringify(b))
      throw incompatible(`non-float initializer "${a.name}" differs`)
    return a
  }
  const mixed = lerp(fa, fb, realism)
  const rawData = a.dataType === DataType.FLOAT16 ? toHalfBytes(mixed) : new Uint8Array(mixed.buffer)
  return { name: a.name, dims: a.dims, dataType: a.dataType, rawData }
}

/** Network interpolation for two .onnx files of one graph: every float initializer is blended. */
export function blendOnnx(aBytes: Uint8Array, bBytes: Uint8Array, realism: number): Uint8Array {
  const a = decodeModel(aBytes)
  const b = decodeModel(bBytes)
  if (graphSignature(a) !== graphSignature(b)) throw incompatible('their graphs differ')
  const others = new Map(b.graph.initializer.map((t) => [t.name, t]))
  if (others.size !== a.graph.initializer.length) throw incompatible('they have different initializers')
  const initializer = a.graph.initializer.map((t) => {
    const other = others.get(t.name)
    if (!other) throw incompatible(`initializer "${t.name}" exists in only one of them`)
    return blendInitializer(t, other, realism)
  })
  return encodeModel({ ...a, graph: { ...a.graph, initializer } })
}
