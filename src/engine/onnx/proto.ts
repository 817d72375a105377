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
}

export interface AttributeMessage {
  name: string
  type: number
  f?: number
  i?: number
  s?: Uint8Array
  ints?: number[]
  floats?: number[]
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

export const DataType = { FLOAT: 1, INT64: 7, FLOAT16: 10 } as const
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
  return model
}
