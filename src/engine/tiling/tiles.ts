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
 * A float32 sample clamped to [0, 1], scaled to `max` and rounded half up. `(x + 0.5) | 0` is `Math.round`
 * here (a float32 times 255 or 65535 is exact in a double, so adding the half is too) and 3× faster in V8.
 */
function quantize(sample: number, max: number): number {
  return sample < 0 ? 0 : sample > 1 ? max : (sample * max + 0.5) | 0
}

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
  const plane = ow * window.height * scale
  const max = maxValue(target.depth)
  const { pixels, channels, width } = target
  const rows = tile.height * scale
  const cols = tile.width * scale
  for (let y = 0; y < rows; y++) {
    const src = ((tile.y - window.y) * scale + y) * ow + (tile.x - window.x) * scale
    const dst = ((tile.y * scale + y) * width + tile.x * scale) * channels
    if (into === 'rgb') {
      for (let x = 0, s = src, d = dst; x < cols; x++, s++, d += channels) {
        pixels[d] = quantize(output[s]!, max)
        pixels[d + 1] = quantize(output[plane + s]!, max)
        pixels[d + 2] = quantize(output[2 * plane + s]!, max)
      }
      continue
    }
    const at = into === 'transparency' ? 3 : 0
    const count = into === 'transparency' ? 1 : 3
    for (let x = 0, s = src, d = dst; x < cols; x++, s++, d += channels) {
      const mean = (output[s]! + output[plane + s]! + output[2 * plane + s]!) / 3 // not a float32: Math.round
      const level = Math.round(Math.min(1, Math.max(0, mean)) * max)
      for (let c = 0; c < count; c++) pixels[d + at + c] = level
    }
  }
}
