import type { Region } from '../../shared/protocol.js'
import { blankLike } from './types.js'
import type { RasterImage } from './types.js'

/**
 * Copies `region` plus up to `context` pixels around it (as far as the image reaches), and says where
 * the region starts inside the copy.
 */
export function cropRaster(
  image: RasterImage,
  region: Region,
  context: number,
): { image: RasterImage; offsetX: number; offsetY: number } {
  const x0 = Math.max(0, region.x - context)
  const y0 = Math.max(0, region.y - context)
  const x1 = Math.min(image.width, region.x + region.width + context)
  const y1 = Math.min(image.height, region.y + region.height + context)
  const width = x1 - x0
  const height = y1 - y0
  const { channels } = image
  const cropped = blankLike(image, width, height)
  for (let y = 0; y < height; y++) {
    const start = ((y0 + y) * image.width + x0) * channels
    cropped.pixels.set(image.pixels.subarray(start, start + width * channels), y * width * channels)
  }
  return {
    image: cropped,
    offsetX: region.x - x0,
    offsetY: region.y - y0,
  }
}
