import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rrdbConvs } from '../../src/engine/arch/rrdbnet.js'
import { writeSafetensors } from '../../src/engine/weights/safetensors.js'
import type { StateDict } from '../../src/engine/weights/tensor.js'
import type { RrdbArch } from '../../src/shared/model.js'

export const WORKER = fileURLToPath(new URL('../../dist/src/engine/worker.js', import.meta.url))

/**
 * A real RRDBNet whose weights make it nearest-neighbour ×4: every path carries the three colour
 * channels through identity kernels and the dense blocks add nothing. Colours survive exactly,
 * so tests can check what the pipeline does around the model. With `blur: 'input'`, its first convolution
 * averages each pixel's 3×3 neighbourhood: a model that reads the colours around a pixel, as real ones do;
 * with `'output'`, its last does, at the output's size: past the photo's edge that reads zeros, so the
 * outermost output row and column come out a third darker, a frame as a GAN's realistic end draws one.
 * With a `cast`, its last convolution adds that much to each channel everywhere: a colour cast, as a GAN's.
 */
export function writeIdentityModel(
  dir: string,
  nf = 4,
  nb = 1,
  gc = 2,
  blur: false | 'input' | 'output' = false,
  cast: readonly [number, number, number] = [0, 0, 0],
): string {
  const arch: RrdbArch = {
    arch: 'RRDBNet',
    scale: 4,
    nf,
    nb,
    gc,
    inChannels: 3,
    outChannels: 3,
    upsamples: 2,
    unshuffle: 1,
  }
  const weights: StateDict = new Map()
  const passThrough = new Set(['conv_first', 'conv_up1', 'conv_up2', 'conv_hr', 'conv_last'])
  for (const conv of rrdbConvs(arch)) {
    const data = new Float32Array(conv.out * conv.in * 9)
    const blurs =
      (blur === 'input' && conv.name === 'conv_first') || (blur === 'output' && conv.name === 'conv_last')
    const taps = blurs ? [0, 1, 2, 3, 4, 5, 6, 7, 8] : [4]
    if (passThrough.has(conv.name))
      for (let c = 0; c < 3; c++) for (const tap of taps) data[(c * conv.in + c) * 9 + tap] = 1 / taps.length
    weights.set(`${conv.name}.weight`, { shape: [conv.out, conv.in, 3, 3], data, stored: 'float32' })
    const bias = new Float32Array(conv.out)
    if (conv.name === 'conv_last') bias.set(cast)
    weights.set(`${conv.name}.bias`, { shape: [conv.out], data: bias, stored: 'float32' })
  }
  const kind = cast.some((v) => v !== 0) ? `cast-${cast.join('_')}` : blur ? `blur-${blur}` : 'identity'
  const path = join(dir, `${kind}-x4.safetensors`)
  writeFileSync(path, writeSafetensors(weights))
  return path
}
