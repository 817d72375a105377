import type { ModelArch, Precision, RrdbArch } from '../../shared/model.js'
import { RDBS, RDB_CONVS, bodyConv, upConv } from '../arch/rrdbnet.js'
import type { StateDict } from '../weights/tensor.js'
import { GraphBuilder, encodeNetwork, float, graphInput, int, ints, nearestUpsample } from './builder.js'
import type { BuildOptions } from './builder.js'
import { buildCompactOnnx } from './compact-graph.js'

export { INPUT_NAME, OUTPUT_NAME, OPSET, archMetadata } from './builder.js'
export type { BuildOptions } from './builder.js'

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
    return nearestUpsample(this.g, x, 'upsample_scales')
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
  const net = new RrdbGraph(weights, options.precision ?? 'fp32')
  const g = net.builder
  let x = graphInput(g, options.precision ?? 'fp32')
  if (arch.unshuffle > 1) x = net.pixelUnshuffle(x, arch.unshuffle, arch.inChannels)
  const first = net.conv('conv_first', x)
  let trunk = first
  for (let b = 0; b < arch.nb; b++) trunk = net.rrdb(b, trunk)
  let feat = g.op('Add', [first, net.conv('conv_body', trunk)])
  for (let u = 0; u < arch.upsamples; u++) feat = net.lrelu(net.conv(upConv(u), net.upsample(feat)))
  const out = net.conv('conv_last', net.lrelu(net.conv('conv_hr', feat)))
  return encodeNetwork('RRDBNet', arch, g, out, options)
}

/** The ONNX graph of any supported architecture (opset 17, dynamic batch/height/width). */
export function buildOnnx(arch: ModelArch, weights: StateDict, options: BuildOptions = {}): Uint8Array {
  return arch.arch === 'compact'
    ? buildCompactOnnx(arch, weights, options)
    : buildRrdbOnnx(arch, weights, options)
}
