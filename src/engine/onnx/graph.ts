import type { Precision, RrdbArch } from '../../shared/model.js'
import { RDBS, RDB_CONVS, bodyConv, upConv } from '../arch/rrdbnet.js'
import type { StateDict } from '../weights/tensor.js'
import { toHalfBytes } from './fp16.js'
import { AttributeType, DataType, encodeModel } from './proto.js'
import type { AttributeMessage, NodeMessage, TensorMessage, ValueInfoMessage } from './proto.js'

export const OPSET = 17
const IR_VERSION = 8
export const INPUT_NAME = 'input'
export const OUTPUT_NAME = 'output'

function floatBytes(data: Float32Array): Uint8Array {
  return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
}

function ints(name: string, values: number[]): AttributeMessage {
  return { name, type: AttributeType.INTS, ints: values }
}
function int(name: string, value: number): AttributeMessage {
  return { name, type: AttributeType.INT, i: value }
}
function float(name: string, value: number): AttributeMessage {
  return { name, type: AttributeType.FLOAT, f: value }
}
function text(name: string, value: string): AttributeMessage {
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) }
}

/** Accumulates nodes and initializers; every intermediate value gets a fresh name. */
class GraphBuilder {
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

function tensorInfo(name: string, elemType: number, dims: Array<string | number>): ValueInfoMessage {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }))
  return { name, type: { tensorType: { elemType, shape: { dim } } } }
}

class RrdbGraph {
  private readonly g: GraphBuilder

  constructor(
    private readonly weights: StateDict,
    precision: Precision,
  ) {
    this.g = new GraphBuilder(precision)
    this.g.weight('residual_scale', [], new Float32Array([0.2]))
    this.g.floats32('upsample_scales', [1, 1, 2, 2])
  }

  get builder(): GraphBuilder {
    return this.g
  }

  conv(name: string, x: string): string {
    const w = this.weights.get(`${name}.weight`)!
    const b = this.weights.get(`${name}.bias`)!
    this.g.weight(`${name}.weight`, w.shape, w.data)
    this.g.weight(`${name}.bias`, b.shape, b.data)
    const attrs = [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])]
    return this.g.op('Conv', [x, `${name}.weight`, `${name}.bias`], attrs, name)
  }

  lrelu(x: string): string {
    return this.g.op('LeakyRelu', [x], [float('alpha', 0.2)])
  }

  /** x + 0.2 · y: the residual scaling of every RDB and RRDB. */
  scaledAdd(x: string, y: string): string {
    return this.g.op('Add', [x, this.g.op('Mul', [y, 'residual_scale'])])
  }

  rdb(block: number, rdb: number, x: string): string {
    const features = [x]
    for (const c of RDB_CONVS) {
      const input = features.length === 1 ? x : this.g.op('Concat', [...features], [int('axis', 1)])
      const out = this.conv(bodyConv(block, rdb, c), input)
      if (c === 5) return this.scaledAdd(x, out)
      features.push(this.lrelu(out))
    }
    throw new Error('unreachable')
  }

  rrdb(block: number, x: string): string {
    let y = x
    for (const r of RDBS) y = this.rdb(block, r, y)
    return this.scaledAdd(x, y)
  }

  upsample(x: string): string {
    // Resize nearest with asymmetric/floor coordinates is exactly torch's F.interpolate(mode='nearest').
    return this.g.op(
      'Resize',
      [x, '', 'upsample_scales'],
      [
        text('mode', 'nearest'),
        text('coordinate_transformation_mode', 'asymmetric'),
        text('nearest_mode', 'floor'),
      ],
    )
  }

  /**
   * PyTorch's pixel_unshuffle orders channels as c·r² + i·r + j; ONNX SpaceToDepth uses (i·r + j)·C + c,
   * so it is spelled out as reshape [N, C, H/r, r, W/r, r] → transpose → reshape [N, C·r², H/r, W/r].
   */
  pixelUnshuffle(x: string, r: number, channels: number): string {
    const g = this.g
    const n = g.op('Shape', [x], [int('start', 0), int('end', 1)])
    const h = g.op('Shape', [x], [int('start', 2), int('end', 3)])
    const w = g.op('Shape', [x], [int('start', 3), int('end', 4)])
    g.int64s('unshuffle_factor', [r])
    g.int64s('unshuffle_channels', [channels])
    g.int64s('unshuffle_channels_out', [channels * r * r])
    const hr = g.op('Div', [h, 'unshuffle_factor'])
    const wr = g.op('Div', [w, 'unshuffle_factor'])
    const split = g.op(
      'Concat',
      [n, 'unshuffle_channels', hr, 'unshuffle_factor', wr, 'unshuffle_factor'],
      [int('axis', 0)],
    )
    const merged = g.op('Concat', [n, 'unshuffle_channels_out', hr, wr], [int('axis', 0)])
    const six = g.op('Reshape', [x, split])
    const moved = g.op('Transpose', [six], [ints('perm', [0, 1, 3, 5, 2, 4])])
    return g.op('Reshape', [moved, merged])
  }
}

export interface BuildOptions {
  precision?: Precision
  metadata?: Record<string, string>
}

/** Builds an RRDBNet ModelProto (opset 17, dynamic batch/height/width) from canonical weights. */
export function buildRrdbOnnx(arch: RrdbArch, weights: StateDict, options: BuildOptions = {}): Uint8Array {
  const precision = options.precision ?? 'fp32'
  const net = new RrdbGraph(weights, precision)
  const g = net.builder
  let x = precision === 'fp16' ? g.op('Cast', [INPUT_NAME], [int('to', DataType.FLOAT16)]) : INPUT_NAME
  if (arch.unshuffle > 1) x = net.pixelUnshuffle(x, arch.unshuffle, arch.inChannels)
  const first = net.conv('conv_first', x)
  let trunk = first
  for (let b = 0; b < arch.nb; b++) trunk = net.rrdb(b, trunk)
  let feat = g.op('Add', [first, net.conv('conv_body', trunk)])
  for (let u = 0; u < arch.upsamples; u++) feat = net.lrelu(net.conv(upConv(u), net.upsample(feat)))
  let out = net.conv('conv_last', net.lrelu(net.conv('conv_hr', feat)))
  if (precision === 'fp16') out = g.op('Cast', [out], [int('to', DataType.FLOAT)])
  g.nodes.push({ opType: 'Identity', input: [out], output: [OUTPUT_NAME], name: OUTPUT_NAME })

  const scaleDim = (d: string): string => (arch.scale === 1 ? d : `${d}*${arch.scale}`)
  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'enhance',
    producerVersion: '1',
    graph: {
      name: 'RRDBNet',
      node: g.nodes,
      initializer: g.initializers,
      input: [tensorInfo(INPUT_NAME, DataType.FLOAT, ['batch', arch.inChannels, 'height', 'width'])],
      output: [
        tensorInfo(OUTPUT_NAME, DataType.FLOAT, [
          'batch',
          arch.outChannels,
          scaleDim('height'),
          scaleDim('width'),
        ]),
      ],
    },
    metadataProps: Object.entries({ ...archMetadata(arch), precision, ...options.metadata }).map(
      ([key, value]) => ({
        key,
        value,
      }),
    ),
  })
}

export function archMetadata(arch: RrdbArch): Record<string, string> {
  return { 'enhance.arch': JSON.stringify(arch) }
}
