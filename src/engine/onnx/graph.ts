import type { ModelArch, Precision, RrdbArch } from '../../shared/model.js'
import { RDBS, RDB_CONVS, bodyConv, upConv } from '../arch/rrdbnet.js'
import type { StateDict } from '../weights/tensor.js'
import { GraphBuilder, encodeNetwork, float, graphInput, int, ints, nearestUpsample } from './builder.js'
import type { BuildOptions } from './builder.js'
import { buildCompactOnnx } from './compact-graph.js'
import { ActivationQuantiser } from './int8.js'
import type { ActivationPlan } from './int8.js'

export { INPUT_NAME, OUTPUT_NAME, OPSET, archMetadata } from './builder.js'
export type { BuildOptions } from './builder.js'

class RrdbGraph {
  private readonly g: GraphBuilder
  readonly q: ActivationQuantiser

  constructor(
    private readonly weights: StateDict,
    precision: Precision,
    plan: ActivationPlan,
  ) {
    this.g = new GraphBuilder(precision)
    this.q = new ActivationQuantiser(this.g, plan)
    this.g.weight('residual_scale', [], new Float32Array([0.2]))
    this.g.floats32('upsample_scales', [1, 1, 2, 2])
  }

  get builder(): GraphBuilder {
    return this.g
  }

  /** A 3×3 convolution; int8 when its input is quantised and its output has a range. */
  conv(name: string, x: string): string {
    const w = this.weights.get(`${name}.weight`)!
    const b = this.weights.get(`${name}.bias`)!
    const attrs = [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])]
    const input = this.q.input(x, `${name}:in`)
    const inputKey = this.q.keyOfValue(input)
    if (inputKey && this.q.range(`${name}:out`)) {
      const { weight, bias } = this.q.convWeights(name, w, b.data, this.q.range(inputKey)!)
      return this.q.at(this.g.op('Conv', [input, weight, bias], attrs, name), `${name}:out`)
    }
    this.g.weight(`${name}.weight`, w.shape, w.data)
    this.g.weight(`${name}.bias`, b.shape, b.data)
    return this.q.at(this.g.op('Conv', [input, `${name}.weight`, `${name}.bias`], attrs, name), `${name}:out`)
  }

  /** LeakyReLU(0.2) after convolution `name`, quantised at `<name>:act` when the plan has it. */
  lrelu(x: string, name: string): string {
    return this.q.at(this.g.op('LeakyRelu', [x], [float('alpha', 0.2)]), `${name}:act`)
  }

  /** x + 0.2 · y: the residual scaling of every RDB and RRDB. */
  scaledAdd(x: string, y: string): string {
    return this.g.op('Add', [x, this.g.op('Mul', [y, 'residual_scale'])])
  }

  /** The residual's own x stays float32; the dense connections see it quantised, once. */
  rdb(block: number, rdb: number, x: string): string {
    const quantised = this.q.at(x, `${bodyConv(block, rdb, 1)}:in`)
    const features = [quantised]
    for (const c of RDB_CONVS) {
      const input = features.length === 1 ? quantised : this.g.op('Concat', [...features], [int('axis', 1)])
      const out = this.conv(bodyConv(block, rdb, c), input)
      if (c === 5) return this.scaledAdd(x, out)
      features.push(this.lrelu(out, bodyConv(block, rdb, c)))
    }
    throw new Error('unreachable')
  }

  rrdb(block: number, x: string): string {
    let y = x
    for (const r of RDBS) y = this.rdb(block, r, y)
    return this.scaledAdd(x, y)
  }

  /** Nearest ×2 copies values, so a quantised input keeps its range through it (a uint8 Resize). */
  upsample(x: string, name: string): string {
    const input = this.q.input(x, `${name}:in`)
    const key = this.q.keyOfValue(input)
    const y = nearestUpsample(this.g, input, 'upsample_scales')
    return key ? this.q.at(y, key) : y
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

/** Builds an RRDBNet ModelProto from canonical weights. */
function buildRrdbOnnx(arch: RrdbArch, weights: StateDict, options: BuildOptions): Uint8Array {
  const net = new RrdbGraph(weights, options.precision ?? 'fp32', options)
  const g = net.builder
  let x = graphInput(g, options.precision ?? 'fp32')
  if (arch.unshuffle > 1) x = net.pixelUnshuffle(x, arch.unshuffle, arch.inChannels)
  const first = net.conv('conv_first', x)
  let trunk = first
  for (let b = 0; b < arch.nb; b++) trunk = net.rrdb(b, trunk)
  let feat = g.op('Add', [first, net.conv('conv_body', trunk)])
  for (let u = 0; u < arch.upsamples; u++) {
    const name = upConv(u)
    feat = net.lrelu(net.conv(name, net.upsample(feat, name)), name)
  }
  const out = net.conv('conv_last', net.lrelu(net.conv('conv_hr', feat), 'conv_hr'))
  return encodeNetwork('RRDBNet', arch, g, out, options, net.q.probes)
}

/** The ONNX graph of any supported architecture (opset 17, dynamic batch/height/width). */
export function buildOnnx(arch: ModelArch, weights: StateDict, options: BuildOptions = {}): Uint8Array {
  return arch.arch === 'compact'
    ? buildCompactOnnx(arch, weights, options)
    : buildRrdbOnnx(arch, weights, options)
}
