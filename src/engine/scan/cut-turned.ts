import { clampIndex } from '../image/resample.js'
import { blankLike, maxValue } from '../image/types.js'
import type { RasterImage } from '../image/types.js'
import type { TurnedRect } from './turned-rect.js'

/** Catmull-Rom's four weights for a sample `t` (0–1) past the second of four pixels: sharp, and exact on a pixel. */
function catmullRom(t: number, weights: Float64Array): void {
  const t2 = t * t
  const t3 = t2 * t
  weights[0] = (-t3 + 2 * t2 - t) / 2
  weights[1] = (3 * t3 - 5 * t2 + 2) / 2
  weights[2] = (-3 * t3 + 4 * t2 + t) / 2
  weights[3] = (t3 - t2) / 2
}

/**
 * The pixels inside `rect`, turned upright: a print cut from a scan and straightened. A turn of 0 at whole
 * pixels copies them exactly; any other resamples with Catmull-Rom (a pixel's neighbours outside the image
 * repeat its edge).
 */
export function cutTurned(image: RasterImage, rect: TurnedRect): RasterImage {
  const width = Math.max(1, Math.floor(rect.width))
  const height = Math.max(1, Math.floor(rect.height))
  const out = blankLike(image, width, height)
  const { channels, pixels } = image
  const top = maxValue(image.depth)
  const ex = Math.cos(rect.angle)
  const ey = Math.sin(rect.angle)
  const wx = new Float64Array(4)
  const wy = new Float64Array(4)
  const sum = new Float64Array(channels)
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const du = u + 0.5 - width / 2
      const dv = v + 0.5 - height / 2
      // The sample's place in the image, in pixel centres (a pixel's centre is at its index).
      const sx = rect.cx + du * ex - dv * ey - 0.5
      const sy = rect.cy + du * ey + dv * ex - 0.5
      const x0 = Math.floor(sx)
      const y0 = Math.floor(sy)
      catmullRom(sx - x0, wx)
      catmullRom(sy - y0, wy)
      sum.fill(0)
      for (let j = 0; j < 4; j++) {
        const base = clampIndex(y0 - 1 + j, image.height) * image.width
        for (let i = 0; i < 4; i++) {
          const weight = wx[i]! * wy[j]!
          if (weight === 0) continue
          const at = (base + clampIndex(x0 - 1 + i, image.width)) * channels
          for (let c = 0; c < channels; c++) sum[c]! += weight * pixels[at + c]!
        }
      }
      const to = (v * width + u) * channels
      for (let c = 0; c < channels; c++) out.pixels[to + c] = Math.min(top, Math.max(0, Math.round(sum[c]!)))
    }
  }
  return out
}
