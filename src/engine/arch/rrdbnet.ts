import type { RrdbArch } from '../../shared/model.js'

/**
 * Canonical parameter names: BasicSR's RRDBNet, extended with conv_up3 for old-arch ×8 models.
 * Every layout is renamed to these before anything else looks at the weights.
 */
export const RDB_CONVS = [1, 2, 3, 4, 5] as const
export const RDBS = [1, 2, 3] as const

export function bodyConv(block: number, rdb: number, conv: number): string {
  return `body.${block}.rdb${rdb}.conv${conv}`
}

export function upConv(index: number): string {
  return `conv_up${index + 1}`
}

/** Every conv module of the architecture, in forward order, with its [out, in] channel counts. */
export function rrdbConvs(arch: RrdbArch): Array<{ name: string; out: number; in: number }> {
  const { nf, nb, gc } = arch
  const convs = [{ name: 'conv_first', out: nf, in: arch.inChannels * arch.unshuffle ** 2 }]
  for (let b = 0; b < nb; b++) {
    for (const r of RDBS) {
      for (const c of RDB_CONVS)
        convs.push({ name: bodyConv(b, r, c), out: c === 5 ? nf : gc, in: nf + (c - 1) * gc })
    }
  }
  convs.push({ name: 'conv_body', out: nf, in: nf })
  for (let u = 0; u < arch.upsamples; u++) convs.push({ name: upConv(u), out: nf, in: nf })
  convs.push({ name: 'conv_hr', out: nf, in: nf }, { name: 'conv_last', out: arch.outChannels, in: nf })
  return convs
}

export function parameterCount(arch: RrdbArch): number {
  return rrdbConvs(arch).reduce((sum, c) => sum + c.out * c.in * 9 + c.out, 0)
}
