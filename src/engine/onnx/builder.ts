import type { ModelArch, Precision } from '../../shared/model.js'
import { toHalfBytes } from './fp16.js'
import type { ActivationPlan } from './int8.js'
import { AttributeType, DataType, encodeModel } from './proto.js'
import type { AttributeMessage, NodeMessage, TensorMessage, ValueInfoMessage } from './proto.js'

export const OPSET = 17
const IR_VERSION = 8
export const INPUT_NAME = 'input'
export const OUTPUT_NAME = 'output'

/** The floats' own bytes, not a copy: every platform Enhance runs on is little-endian, as ONNX stores. */
function floatBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

export function ints(name: string, values: number[]): AttributeMessage {
  return { name, type: AttributeType.INTS, ints: values }
}
export function int(name: string, value: number): AttributeMessage {
  return { name, type: AttributeType.INT, i: value }
}
export function float(name: string, value: number): AttributeMessage {
  return { name, type: AttributeType.FLOAT, f: value }
}
export function text(name: string, value: string): AttributeMessage {
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) }
}

/** Accumulates nodes and initializers; every intermediate value gets a fresh name. */
export class GraphBuilder {
  readonly nodes: NodeMessage[] = []
  readonly initializers: TensorMessage[] = []
  private counter = 0

  constructor(private readonly precision: Precision) {}

  private fresh(hint: string): string {
    return `${hint}_${this.counter++}`
  }

  op(opType: string, input: string[], attribute: AttributeMessage[] = [], hint = opType): string {
    const output = this.fresh(hint)
    this.nodes.push({ opType, input, output: [output], name: output, attribute })
    return output
  }

  /** A float initializer in the graph's precision (weights, biases, the 0.2 residual scale). */
  weight(name: string, dims: number[], data: Float32Array): string {
    const half = this.precision === 'fp16'
    this.initializers.push({
      name,
      dims,
      dataType: half ? DataType.FLOAT16 : DataType.FLOAT,
      rawData: half ? toHalfBytes(data) : floatBytes(data),
    })
    return name
  }

  int64s(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: DataType.INT64, int64Data: values })
    return name
  }

  floats32(name: string, values: number[]): string {
    this.initializers.push({ name, dims: [values.length], dataType: DataType.FLOAT, floatData: values })
    return name
  }
}

export function tensorInfo(name: string, elemType: number, dims: Array<string | number>): ValueInfoMessage {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }))
  return { name, type: { tensorType: { elemType, shape: { dim } } } }
}

/** `ranges` (int8) and `probe` (calibration outputs) apply to RRDBNet graphs in float32. */
export interface BuildOptions extends ActivationPlan {
  precision?: Precision
  metadata?: Record<string, string>
}

export function archMetadata(arch: ModelArch): Record<string, string> {
  return { 'enhance.arch': JSON.stringify(arch) }
}

/** The graph's input in the graph's precision (a Cast in front for float16). */
export function graphInput(g: GraphBuilder, precision: Precision): string {
  return precision === 'fp16' ? g.op('Cast', [INPUT_NAME], [int('to', DataType.FLOAT16)]) : INPUT_NAME
}

/** Ends the graph at `out` and encodes it (opset 17, dynamic batch/height/width, float32 in and out). */
export function encodeNetwork(
  name: string,
  arch: ModelArch,
  g: GraphBuilder,
  out: string,
  options: BuildOptions,
  probes?: ReadonlyMap<string, string>,
): Uint8Array {
  const precision = options.precision ?? 'fp32'
  const last = precision === 'fp16' ? g.op('Cast', [out], [int('to', DataType.FLOAT)]) : out
  g.nodes.push({ opType: 'Identity', input: [last], output: [OUTPUT_NAME], name: OUTPUT_NAME })
  const scaleDim = (d: string): string => (arch.scale === 1 ? d : `${d}*${arch.scale}`)
  return encodeGraph(
    name,
    g,
    [tensorInfo(INPUT_NAME, DataType.FLOAT, ['batch', arch.inChannels, 'height', 'width'])],
    [
      tensorInfo(OUTPUT_NAME, DataType.FLOAT, [
        'batch',
        arch.outChannels,
        scaleDim('height'),
        scaleDim('width'),
      ]),
      // calibration: each probed activation as an extra output named by its key
      ...[...(probes ?? [])].map(([name, value]) => {
        g.nodes.push({ opType: 'Identity', input: [value], output: [name], name })
        return tensorInfo(name, DataType.FLOAT, ['batch', 'channels', 'h', 'w'])
      }),
    ],
    { ...archMetadata(arch), precision, ...options.metadata },
  )
}

/** A graph of `g`'s nodes and initializers as an ONNX model (opset 17). */
export function encodeGraph(
  name: string,
  g: GraphBuilder,
  input: ValueInfoMessage[],
  output: ValueInfoMessage[],
  metadata: Record<string, string> = {},
): Uint8Array {
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'enhance',
    producerVersion: '1',
    graph: { name, node: g.nodes, initializer: g.initializers, input, output },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  })
}

/** Resize nearest with asymmetric/floor coordinates is exactly torch's F.interpolate(mode='nearest'). */
export function nearestUpsample(g: GraphBuilder, x: string, scales: string): string {
  return g.op(
    'Resize',
    [x, '', scales],
    [
      text('mode', 'nearest'),
      text('coordinate_transformation_mode', 'asymmetric'),
      text('nearest_mode', 'floor'),
    ],
  )
}
