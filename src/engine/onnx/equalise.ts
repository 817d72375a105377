import type { RrdbArch } from '../../shared/model.js'
import { RDBS, bodyConv } from '../arch/rrdbnet.js'
import type { StateDict, Tensor } from '../weights/tensor.js'

/** Per output channel factors, by the convolution that produces the channel. */
export type ChannelScales = ReadonlyMap<string, Float32Array>

/**
 * The dense blocks' LeakyReLU'd convolutions (conv1–conv4 of every RDB) and where later convolutions of the
 * same RDB read their channels: after the block's input (nf channels) and the growth channels before them.
 */
export function equalisableConvs(arch: RrdbArch): Array<{ conv: string; readers: string[]; offset: number }> {
  const convs = []
  for (let b = 0; b < arch.nb; b++) {
    for (const r of RDBS) {
      for (let k = 1; k <= 4; k++) {
        const readers = [2, 3, 4, 5].filter((j) => j > k).map((j) => bodyConv(b, r, j))
        convs.push({ conv: bodyConv(b, r, k), readers, offset: arch.nf + (k - 1) * arch.gc })
      }
    }
  }
  return convs
}

/**
 * Factors that bring each channel's range towards its tensor's widest, (widest / own)^power: int8 gives
 * one step size to a whole tensor, so a channel far narrower than the widest gets few of its 256 levels.
 * A power of 1 equalises fully; 0.5 (measured best) leaves room for the per-channel weight scales of the
 * layers that read it, which shrink as the channel grows.
 */
export function equalisingScales(channelMax: Float64Array | readonly number[], power: number): Float32Array {
  const widest = Math.max(...channelMax)
  return Float32Array.from(channelMax, (own) => (own > 0 && widest > 0 ? (widest / own) ** power : 1))
}

function copy(tensor: Tensor): Tensor {
  return { ...tensor, data: Float32Array.from(tensor.data) }
}

/**
 * The same function with rescaled channels: output channel c of each listed convolution (weights and bias)
 * times s, and every reader's weights for that channel divided by s. LeakyReLU is positively homogeneous,
 * so in exact arithmetic the network's output does not change; only the ranges int8 must cover do.
 */
export function equaliseWeights(weights: StateDict, arch: RrdbArch, scales: ChannelScales): StateDict {
  const out = new Map(weights)
  // Tensors are copied once, on first change: the caller's weights stay as they were.
  const mutable = (name: string): Tensor => {
    const tensor = out.get(name)!
    if (tensor !== weights.get(name)) return tensor
    const copied = copy(tensor)
    out.set(name, copied)
    return copied
  }
  for (const { conv, readers, offset } of equalisableConvs(arch)) {
    const factors = scales.get(conv)
    if (!factors) continue
    const weight = mutable(`${conv}.weight`)
    const bias = mutable(`${conv}.bias`)
    const per = weight.data.length / weight.shape[0]!
    factors.forEach((s, c) => {
      for (let i = c * per; i < (c + 1) * per; i++) weight.data[i]! *= s
      bias.data[c]! *= s
    })
    for (const reader of readers) {
      const w = mutable(`${reader}.weight`)
      const [outs, ins] = w.shape as [number, number]
      const taps = w.data.length / (outs * ins)
      factors.forEach((s, c) => {
        for (let o = 0; o < outs; o++) {
          const start = (o * ins + offset + c) * taps
          for (let t = start; t < start + taps; t++) w.data[t]! /= s
        }
      })
    }
  }
  return out
}
