import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { RasterImage } from '../../src/engine/image/types.js'
import { psnr } from '../../src/engine/metrics/quality.js'

const EVAL = join(__dirname, '../../../shared/datasets/eval')

/** The high-resolution photos of the evaluation sets named (in `../shared/datasets/eval`), in file order. */
export function evalPhotos(sets: string[]): string[] {
  return sets.flatMap((set) =>
    readdirSync(join(EVAL, set, 'HR'))
      .filter((name) => name.endsWith('.png'))
      .map((name) => join(EVAL, set, 'HR', name)),
  )
}

export const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length
export const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** PSNR over every channel of two rasters of one size, by the evaluation's own PSNR. */
export function rasterPsnr(a: RasterImage, b: RasterImage): number {
  const samples = (image: RasterImage) => ({
    width: image.pixels.length,
    height: 1,
    data: Float64Array.from(image.pixels),
  })
  return psnr(samples(a), samples(b))
}

/** The share of pixels of `a` that differ from `b`'s in any colour channel (RGB rasters). */
export function changedShare(a: RasterImage, b: RasterImage): number {
  let changed = 0
  for (let i = 0; i < a.pixels.length; i += 3)
    if (
      a.pixels[i] !== b.pixels[i] ||
      a.pixels[i + 1] !== b.pixels[i + 1] ||
      a.pixels[i + 2] !== b.pixels[i + 2]
    )
      changed++
  return changed / (a.pixels.length / 3)
}
