import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { decodeImage } from '../../src/engine/image/decode.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { psnr } from '../../src/engine/metrics/quality.js'
import { changedPixels, scanLike } from './dust.js'

const EVAL = join(__dirname, '../../../shared/datasets/eval')

/** The high-resolution photos of the evaluation sets named (in `../shared/datasets/eval`), in file order. */
export function evalPhotos(sets: string[]): string[] {
  return sets.flatMap((set) =>
    readdirSync(join(EVAL, set, 'HR'))
      .filter((name) => name.endsWith('.png'))
      .map((name) => join(EVAL, set, 'HR', name)),
  )
}

/** The photos the repair evaluations fade or scan: Set14 and BSD100 (114). */
export const PRINT_PHOTOS = evalPhotos(['Set14', 'BSD100'])

/**
 * Each of `PRINT_PHOTOS` as its print scanned: ×3 (about 1500 × 1000, a 2.5 × 1.7" print at 600 dpi), film grain
 * σ 3 (seeded by its place).
 */
export async function* printScans(): AsyncGenerator<{ index: number; scan: RasterImage }> {
  for (const [index, path] of PRINT_PHOTOS.entries())
    yield { index, scan: await scanLike((await decodeImage(path)).image, 3, 3, index + 1) }
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

/** The share of pixels of `a` that differ from `b`'s in any channel. */
export const changedShare = (a: RasterImage, b: RasterImage): number =>
  changedPixels(a, b).length / (a.width * a.height)
