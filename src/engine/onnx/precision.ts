import type { Precision } from '../../shared/model.js'
import { DataType, decodeModel } from './proto.js'

const STORED_AS: ReadonlyMap<number, Precision> = new Map([
  [DataType.INT8, 'int8'],
  [DataType.UINT8, 'int8'],
  [DataType.FLOAT16, 'fp16'],
])

/** The arithmetic a ready .onnx file was written in, read from its weights: a copy reports what it holds. */
export function storedPrecision(bytes: Uint8Array): Precision {
  const types = new Set(decodeModel(bytes).graph.initializer.map((t) => t.dataType))
  for (const [type, precision] of STORED_AS) if (types.has(type)) return precision
  return 'fp32'
}
