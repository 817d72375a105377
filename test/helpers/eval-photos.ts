import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { RasterImage } from '../../src/engine/image/types.js'
import { psnr } from '../../src/engine/metrics/quality.js'
import { changedPixels } from './dust.js'

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

/** The share of pixels of `a` that differ from `b`'s in any channel. */
export const changedShare = (a: RasterImage, b: RasterImage): number =>
  changedPixels(a, b).length / (a.width * a.height)
