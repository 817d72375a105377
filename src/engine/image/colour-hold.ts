/**
 * The realistic model's colour cast, held back. The GAN end of a pair shifts colours in broad areas (a
 * blue sky turned +4.3 levels red at α = 1 on a clean photo) while the photo itself says what they are
 * at low frequencies. So the output's low frequencies are pulled towards the photo's: the difference
 * between the input and the output averaged back to the input's size, smoothed (σ = 1 input pixel), is
 * upsampled bilinearly and added, `strength` of it. Detail (everything finer) is the model's; the
 * figures are in the model card ("The colour hold").
 */

import type { Region } from '../../shared/protocol.js'
import { bilinearTap, clampIndex, gaussianKernel } from './resample.js'

const SIGMA = 1
const RADIUS = 3
const KERNEL = gaussianKernel(SIGMA, RADIUS)

/** One plane blurred along rows then columns, edges repeated. */
function blur(plane: Float32Array, width: number, height: number): Float32Array {
  const rows = new Float32Array(plane.length)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let sum = 0
      for (let k = -RADIUS; k <= RADIUS; k++)
        sum += KERNEL[k + RADIUS]! * plane[y * width + clampIndex(x + k, width)]!
      rows[y * width + x] = sum
    }
  const out = new Float32Array(plane.length)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let sum = 0
      for (let k = -RADIUS; k <= RADIUS; k++)
        sum += KERNEL[k + RADIUS]! * rows[clampIndex(y + k, height) * width + x]!
      out[y * width + x] = sum
    }
  return out
}

/** Input pixels around a tile's core that its correction reads: the blur's reach and bilinear's one more. */
const MARGIN = RADIUS + 1

/**
 * Pulls the `core` (input pixels, relative to the window) of `output` (NCHW, three planes `scale`× the `window` of `input`, also NCHW) towards the
 * input's colour at low frequencies, in place; only the core and `MARGIN` input pixels around it (or up to
 * the window's edge, which there is the photo's) are read, since only the core is kept. Strength 0 leaves
 * it as it is.
 */
export function holdColour(
  input: Float32Array,
  output: Float32Array,
  window: { width: number; height: number },
  core: Region,
  scale: number,
  strength: number,
): void {
  if (strength <= 0) return
  const { width, height } = window
  const x0 = Math.max(0, core.x - MARGIN)
  const y0 = Math.max(0, core.y - MARGIN)
  const w = Math.min(width, core.x + core.width + MARGIN) - x0
  const h = Math.min(height, core.y + core.height + MARGIN) - y0
  const ow = width * scale
  const outPlane = ow * height * scale
  const area = 1 / (scale * scale)
  const { left, right, weight } = bilinearTaps(core.x * scale, core.width * scale, width, scale, x0)
  const row = new Float32Array(w)
  for (let c = 0; c < 3; c++) {
    const off = c * outPlane
    // The output averaged back to the input's size over the span, then taken from the input.
    const diff = new Float32Array(w * h)
    for (let Y = y0 * scale; Y < (y0 + h) * scale; Y++) {
      const base = off + Y * ow + x0 * scale
      const to = (Math.floor(Y / scale) - y0) * w
      for (let x = 0; x < w; x++) {
        let sum = 0
        for (let k = 0, at = base + x * scale; k < scale; k++) sum += output[at + k]!
        diff[to + x] = diff[to + x]! + sum
      }
    }
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        diff[y * w + x] = input[c * width * height + (y0 + y) * width + x0 + x]! - diff[y * w + x]! * area
    const low = blur(diff, w, h)
    for (let Y = core.y * scale; Y < (core.y + core.height) * scale; Y++) {
      const [top, bottom, fy] = bilinearTap(Y, scale, height)
      for (let x = 0; x < w; x++)
        row[x] = low[(top - y0) * w + x]! * (1 - fy) + low[(bottom - y0) * w + x]! * fy
      const base = off + Y * ow + core.x * scale
      for (let X = 0; X < left.length; X++) {
        const fx = weight[X]!
        output[base + X] = output[base + X]! + strength * (row[left[X]!]! * (1 - fx) + row[right[X]!]! * fx)
      }
    }
  }
}

/**
 * For each of `count` output columns from `first`: the two span columns (from input column `from`) it is
 * interpolated between, and how far along, the window's edges held.
 */
function bilinearTaps(
  first: number,
  count: number,
  width: number,
  scale: number,
  from: number,
): { left: Int32Array; right: Int32Array; weight: Float32Array } {
  const left = new Int32Array(count)
  const right = new Int32Array(count)
  const weight = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    const [l, r, f] = bilinearTap(first + i, scale, width)
    left[i] = l - from
    right[i] = r - from
    weight[i] = f
  }
  return { left, right, weight }
}
