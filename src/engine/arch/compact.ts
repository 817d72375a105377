import type { CompactArch } from '../../shared/model.js'
import type { StateDict } from '../weights/tensor.js'

/**
 * Real-ESRGAN's SRVGGNetCompact keeps its layers in one `body` list: conv, PReLU, then `numConv` × (conv,
 * PReLU), then the last conv to out·s² channels. Its keys are `body.<index>.weight|bias`; PReLU has a
 * per-channel `weight` only.
 */
export function compactLayer(index: number): string {
  return `body.${index}`
}

export function looksCompact(keys: Set<string>): boolean {
  return keys.has('body.0.weight') && keys.has('body.0.bias') && !keys.has('body.0.rdb1.conv1.weight')
}

export interface CompactLayer {
  name: string
  kind: 'conv' | 'prelu'
  /** Conv: [out, in, 3, 3] and [out]; PReLU: [channels]. */
  shapes: { weight: number[]; bias?: number[] }
}

/** Every layer in forward order with the shapes its parameters must have. */
export function compactLayers(arch: CompactArch): CompactLayer[] {
  const conv = (index: number, out: number, input: number): CompactLayer => ({
    name: compactLayer(index),
    kind: 'conv',
    shapes: { weight: [out, input, 3, 3], bias: [out] },
  })
  const prelu = (index: number): CompactLayer => ({
    name: compactLayer(index),
    kind: 'prelu',
    shapes: { weight: [arch.numFeat] },
  })
  const layers = [conv(0, arch.numFeat, arch.inChannels), prelu(1)]
  for (let c = 0; c < arch.numConv; c++)
    layers.push(conv(2 + 2 * c, arch.numFeat, arch.numFeat), prelu(3 + 2 * c))
  layers.push(conv(2 + 2 * arch.numConv, arch.outChannels * arch.scale ** 2, arch.numFeat))
  return layers
}

/** What the shapes say, before any check: the detector validates every layer against it afterwards. */
export function inferCompactArch(weights: StateDict): CompactArch | string {
  const first = weights.get('body.0.weight')?.shape
  if (!first || first.length !== 4) return 'body.0 is missing or not a convolution'
  let last = 0
  for (const key of weights.keys()) last = Math.max(last, Number(/^body\.(\d+)\./.exec(key)?.[1] ?? 0))
  const lastConv = weights.get(`${compactLayer(last)}.weight`)?.shape
  if (!lastConv || lastConv.length !== 4 || last % 2 !== 0 || last < 2) {
    return `its last layer body.${last} is not a convolution`
  }
  if (!weights.has('body.1.weight') || weights.has('body.1.bias')) {
    return 'its activations have no PReLU weights (only PReLU Compact models are supported)'
  }
  const [numFeat = 0, inChannels = 0] = first
  // Real-ESRGAN's Compact models map RGB to RGB; the last conv holds out·s² channels.
  const outChannels = inChannels
  const scale = Math.round(Math.sqrt((lastConv[0] ?? 0) / outChannels))
  if (scale < 1 || scale * scale * outChannels !== lastConv[0]) {
    return `its last convolution has ${lastConv[0]} outputs, which is not ${outChannels}·s² for a whole scale s`
  }
  return { arch: 'compact', scale, numFeat, numConv: (last - 2) / 2, inChannels, outChannels }
}
