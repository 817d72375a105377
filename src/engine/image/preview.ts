import type { PreviewData, Region } from '../../shared/protocol.js'
import type { RasterImage } from './types.js'

/** Live previews are at most this many pixels a side, whatever the photo's size. */
const PREVIEW_SIDE = 512

/** The part of the live preview that `region` of the output fills in, subsampled to the preview's scale. */
export function previewOf(target: RasterImage, region: Region): PreviewData {
  const step = Math.max(1, Math.ceil(Math.max(target.width, target.height) / PREVIEW_SIDE))
  const x0 = Math.ceil(region.x / step)
  const y0 = Math.ceil(region.y / step)
  const x1 = Math.ceil((region.x + region.width) / step)
  const y1 = Math.ceil((region.y + region.height) / step)
  const width = Math.max(0, x1 - x0)
  const height = Math.max(0, y1 - y0)
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
  return { previewWidth, previewHeight, x: x0, y: y0, width, height, rgb }
}
