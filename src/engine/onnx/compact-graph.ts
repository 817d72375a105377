import type { CompactArch } from '../../shared/model.js'
import { compactLayers } from '../arch/compact.js'
import type { StateDict } from '../weights/tensor.js'
import { GraphBuilder, encodeNetwork, graphInput, int, ints, nearestUpsample, text } from './builder.js'
import type { BuildOptions } from './builder.js'

/**
 * SRVGGNetCompact: conv → per-channel PReLU (slopes C×1×1 so they broadcast over N×C×H×W), repeated,
 * a last conv to out·s² channels, pixel shuffle, plus the nearest-upsampled input. ONNX DepthToSpace in
 * CRD mode reads channel c·s² + i·s + j into (c, y·s + i, x·s + j), which is PyTorch's pixel_shuffle.
 */
export function buildCompactOnnx(arch: CompactArch, weights: StateDict, options: BuildOptions): Uint8Array {
  const g = new GraphBuilder(options.precision ?? 'fp32')
  const input = graphInput(g, options.precision ?? 'fp32')
  let x = input
  for (const layer of compactLayers(arch)) {
    const w = weights.get(`${layer.name}.weight`)!
    if (layer.kind === 'prelu') {
      g.weight(`${layer.name}.weight`, [arch.numFeat, 1, 1], w.data)
      x = g.op('PRelu', [x, `${layer.name}.weight`], [], layer.name)
      continue
    }
    const b = weights.get(`${layer.name}.bias`)!
    g.weight(`${layer.name}.weight`, w.shape, w.data)
    g.weight(`${layer.name}.bias`, b.shape, b.data)
    const attrs = [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])]
    x = g.op('Conv', [x, `${layer.name}.weight`, `${layer.name}.bias`], attrs, layer.name)
  }
  if (arch.scale === 1) return encodeNetwork('SRVGGNetCompact', arch, g, g.op('Add', [x, input]), options)
  const shuffled = g.op('DepthToSpace', [x], [int('blocksize', arch.scale), text('mode', 'CRD')])
  g.floats32('upsample_scales', [1, 1, arch.scale, arch.scale])
  const base = nearestUpsample(g, input, 'upsample_scales')
  return encodeNetwork('SRVGGNetCompact', arch, g, g.op('Add', [shuffled, base]), options)
}
