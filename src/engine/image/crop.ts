import type { Region } from '../../shared/protocol.js'
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
  const pixels =
    image.depth === 16
      ? new Uint16Array(width * height * channels)
      : new Uint8Array(width * height * channels)
  for (let y = 0; y < height; y++) {
    const start = ((y0 + y) * image.width + x0) * channels
    pixels.set(image.pixels.subarray(start, start + width * channels), y * width * channels)
  }
  return {
    image: { width, height, channels, depth: image.depth, pixels },
    offsetX: region.x - x0,
    offsetY: region.y - y0,
  }
}
