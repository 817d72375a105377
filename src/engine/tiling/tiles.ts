import { maxValue } from '../image/types.js'
import type { RasterImage } from '../image/types.js'
import { reflectIndex } from './plan.js'
import type { Region } from '../../shared/protocol.js'

/** Which of a photo's channels a tile carries: its colour, or its transparency (alpha channel) as grey. */
export type TileChannels = 'rgb' | 'transparency'

/**
 * A tile's model input `window` (see `tileWindow`) as NCHW float32 in [0, 1], mirrored where it passes the
 * photo's edge. `source` picks the RGB channels, or the transparency repeated as grey.
 */
export function extractTile(image: RasterImage, window: Region, source: TileChannels = 'rgb'): Float32Array {
  const { width: w, height: h } = window
  const plane = w * h
  const out = new Float32Array(3 * plane)
  const scale = 1 / maxValue(image.depth)
  const { pixels, channels, width, height } = image
  for (let ty = 0; ty < h; ty++) {
    const row = reflectIndex(window.y + ty, height) * width
    for (let tx = 0; tx < w; tx++) {
      const at = (row + reflectIndex(window.x + tx, width)) * channels
      const o = ty * w + tx
      if (source === 'transparency') {
        const a = pixels[at + 3]! * scale
        out[o] = a
        out[plane + o] = a
        out[2 * plane + o] = a
      } else {
        out[o] = pixels[at]! * scale
        out[plane + o] = pixels[at + 1]! * scale
        out[2 * plane + o] = pixels[at + 2]! * scale
      }
    }
  }
  return out
}

/** Where a tile's output goes: the colour channels, the same grey in all three, or the alpha channel. */
export type TileTarget = TileChannels | 'grey'

/**
 * Writes the core `tile` of the model output for `window` (NCHW, `scale`× the window) into `target`,
 * clamped to [0, 1] and rounded to the target depth. `target` channels are RGB(A); with `into: 'grey'`
 * the mean of the output channels fills all three colour channels, with `into: 'transparency'` the alpha
 * channel.
 */
export function insertTile(
  target: RasterImage,
  output: Float32Array,
  tile: Region,
  window: Region,
  scale: number,
  into: TileTarget = 'rgb',
): void {
  const ow = window.width * scale
  const oh = window.height * scale
  const plane = ow * oh
  const max = maxValue(target.depth)
  const quantize = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * max)
  const { pixels, channels, width } = target
  const rows = tile.height * scale
  const cols = tile.width * scale
  for (let y = 0; y < rows; y++) {
    const src = ((tile.y - window.y) * scale + y) * ow + (tile.x - window.x) * scale
    const dst = ((tile.y * scale + y) * width + tile.x * scale) * channels
    for (let x = 0; x < cols; x++) {
      const s = src + x
      const d = dst + x * channels
      if (into === 'rgb') {
        pixels[d] = quantize(output[s]!)
        pixels[d + 1] = quantize(output[plane + s]!)
        pixels[d + 2] = quantize(output[2 * plane + s]!)
      } else {
        const mean = quantize((output[s]! + output[plane + s]! + output[2 * plane + s]!) / 3)
        if (into === 'transparency') pixels[d + 3] = mean
        else pixels[d] = pixels[d + 1] = pixels[d + 2] = mean
      }
    }
  }
}
