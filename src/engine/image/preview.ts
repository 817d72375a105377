import type { PreviewData, Region } from '../../shared/protocol.js'
import { encodeRasterPng } from './encode.js'
import type { RasterImage } from './types.js'

/** Live previews are at most this many pixels a side, whatever the photo's size. */
const PREVIEW_SIDE = 512

/**
 * The part of the live preview that `region` of the output fills in, subsampled to the preview's scale
 * and encoded as PNG here in the engine, so the app never decodes or encodes photos itself. The pixels
 * are copied before the first await; null for a region too thin to show at the preview's scale.
 */
export async function previewOf(target: RasterImage, region: Region): Promise<PreviewData | null> {
  const step = Math.max(1, Math.ceil(Math.max(target.width, target.height) / PREVIEW_SIDE))
  const x0 = Math.ceil(region.x / step)
  const y0 = Math.ceil(region.y / step)
  const x1 = Math.ceil((region.x + region.width) / step)
  const y1 = Math.ceil((region.y + region.height) / step)
  const width = Math.max(0, x1 - x0)
  const height = Math.max(0, y1 - y0)
  if (width === 0 || height === 0) return null
  const rgb = new Uint8Array(width * height * 3)
  const shift = target.depth === 16 ? 8 : 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = ((y0 + y) * step * target.width + (x0 + x) * step) * target.channels
      for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = target.pixels[at + c]! >> shift
    }
  }
  const previewWidth = Math.ceil(target.width / step)
  const previewHeight = Math.ceil(target.height / step)
  const png = await encodeRasterPng({ width, height, channels: 3, depth: 8, pixels: rgb })
  return { previewWidth, previewHeight, x: x0, y: y0, width, height, png }
}
