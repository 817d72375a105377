import protobuf from 'protobufjs'
import { EnhanceError } from '../../shared/errors.js'
import { ONNX_SCHEMA } from './schema.js'

/** Plain shapes of the ONNX messages we write and read (int64 fields as numbers, bytes as Uint8Array). */
export interface TensorMessage {
  name: string
  dims: number[]
  dataType: number
  rawData?: Uint8Array
  floatData?: number[]
  int64Data?: number[]
  int32Data?: number[]
  externalData?: Array<{ key: string; value: string }>
  /** 1 = EXTERNAL: the data lives in another file, named by `externalData`. */
  dataLocation?: number
}

export interface AttributeMessage {
  name: string
  type: number
  f?: number
  i?: number
  s?: Uint8Array
  ints?: number[]
  floats?: number[]
  t?: TensorMessage
  tensors?: TensorMessage[]
  g?: GraphMessage
  graphs?: GraphMessage[]
}

export interface NodeMessage {
  input: string[]
  output: string[]
  name?: string
  opType: string
  domain?: string
  attribute?: AttributeMessage[]
}

export interface ValueInfoMessage {
  name: string
  type: { tensorType: { elemType: number; shape: { dim: Array<{ dimValue?: number; dimParam?: string }> } } }
}

export interface GraphMessage {
  name: string
  node: NodeMessage[]
  initializer: TensorMessage[]
  input: ValueInfoMessage[]
  output: ValueInfoMessage[]
}

export interface ModelMessage {
  irVersion: number
  opsetImport: Array<{ domain: string; version: number }>
  producerName: string
  producerVersion: string
  graph: GraphMessage
  metadataProps?: Array<{ key: string; value: string }>
}

export const DataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10 } as const
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const

let modelType: protobuf.Type | undefined

function ModelProto(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_SCHEMA, { keepCase: false }).root.lookupType('onnx.ModelProto')
  return modelType
}

export function encodeModel(model: ModelMessage): Uint8Array {
  const type = ModelProto()
  return type.encode(type.fromObject(model)).finish()
}

export function decodeModel(bytes: Uint8Array): ModelMessage {
  const type = ModelProto()
  let message: protobuf.Message
  try {
    message = type.decode(bytes)
  } catch {
    throw new EnhanceError(
      'CORRUPT_CHECKPOINT',
      'The .onnx file is damaged: it does not decode as an ONNX model.',
    )
  }
  const model = type.toObject(message, { longs: Number, arrays: true, defaults: false }) as ModelMessage
  if (!model.graph || !Array.isArray(model.graph.node) || model.graph.node.length === 0) {
    throw new EnhanceError('CORRUPT_CHECKPOINT', 'The .onnx file holds no graph.')
  }
  if (usesExternalData(model.graph, 0)) {
    throw new EnhanceError(
      'UNSAFE_CHECKPOINT',
      'This .onnx file reads its weights from other files on disk, which Enhance never allows. ' +
        'Use a self-contained .onnx file (weights inside it), or the .pth / .safetensors it came from.',
    )
  }
  return model
}

const MAX_GRAPH_DEPTH = 8

/**
 * Whether any tensor (initializer, Constant attribute, or one in a subgraph) points at external
 * data. Refused outright, so a model file can never make ONNX Runtime open a path it names.
 */
function usesExternalData(graph: GraphMessage, depth: number): boolean {
  if (depth > MAX_GRAPH_DEPTH) return true
  const external = (t: TensorMessage | undefined): boolean =>
    !!t && (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0)
  if ((graph.initializer ?? []).some(external)) return true
  return (graph.node ?? []).some((node) =>
    (node.attribute ?? []).some(
      (a) =>
        external(a.t) ||
        (a.tensors ?? []).some(external) ||
        (a.g !== undefined && usesExternalData(a.g, depth + 1)) ||
        (a.graphs ?? []).some((g) => usesExternalData(g, depth + 1)),
    ),
  )
}
