/**
 * The realistic end's frame, held back. Past a photo's edge the network sees zeros, and a pair's realistic
 * end answers with a light line in the outermost output row and a dark one two rows in, on every side of
 * every photo (web JPEGs at α = 0.5: +3.5 and −1.6 levels, the median photo; a thin frame on a dark sky).
 * So the rows the photo's outermost pixel became (`scale` of them) are pulled, at low frequencies along the
 * edge (σ = 8 output pixels), to the input upsampled bilinearly, `strength` of the way, all but their mean,
 * which the colour hold keeps; the detail along them is the model's. Only those rows: two pixels' would
 * soften a real line one pixel in. The figures are in the model card ("The edge hold").
 */

import { bilinearTap, clampIndex, gaussianKernel } from './resample.js'

/** Which sides of a tile's window are the photo's own edges (the others are context from its neighbours). */
export interface PhotoEdges {
  top: boolean
  bottom: boolean
  left: boolean
  right: boolean
}

const SIGMA = 8
const RADIUS = 3 * SIGMA
const KERNEL = gaussianKernel(SIGMA, RADIUS)

/**
 * `values` smoothed by the Gaussian above over the pixels `counted` (the others take no part: they are
 * the corner of the perpendicular edge's band, whose line is not this one), its ends repeated.
 */
function smooth(values: Float32Array, counted: Uint8Array): Float32Array {
  const n = values.length
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    let sum = 0
    let weight = 0
    for (let k = -RADIUS; k <= RADIUS; k++) {
      const j = clampIndex(i + k, n)
      if (!counted[j]) continue
      sum += KERNEL[k + RADIUS]! * values[j]!
      weight += KERNEL[k + RADIUS]!
    }
    out[i] = weight > 0 ? sum / weight : 0
  }
  return out
}

/**
 * One band of `lines` parallel lines of `length` pixels (`pixel(line, i)`: the i-th pixel of a line, as
 * an index into the output): how each line differs from `reference` at low frequencies, measured over the
 * pixels `counted`, less the band's mean of that (the colour hold keeps the band's mean colour), taken
 * away, `strength` of it.
 */
function holdBand(
  output: Float32Array,
  pixel: (line: number, i: number) => number,
  lines: number,
  length: number,
  reference: (line: number, i: number) => number,
  counted: Uint8Array,
  strength: number,
): void {
  const low = Array.from({ length: lines }, (_, line) => {
    const diff = new Float32Array(length)
    for (let i = 0; i < length; i++) diff[i] = output[pixel(line, i)]! - reference(line, i)
    return smooth(diff, counted)
  })
  for (let i = 0; i < length; i++) {
    let mean = 0
    for (let line = 0; line < lines; line++) mean += low[line]![i]! / lines
    for (let line = 0; line < lines; line++)
      output[pixel(line, i)] = output[pixel(line, i)]! - strength * (low[line]![i]! - mean)
  }
}

/**
 * Holds the outermost `scale` rows and columns of `output` (NCHW, three planes `scale`× the `window` of
 * `input`, also NCHW) on each of the photo's `edges` to the input, in place. Each band's line is measured
 * away from the corners, where the perpendicular band's line adds to it, and taken away all along, corners
 * included, so a corner loses both. Run on the whole window's output, before anything reads its context,
 * so a tile gives what the whole photo gives.
 */
export function holdEdges(
  input: Float32Array,
  output: Float32Array,
  window: { width: number; height: number },
  edges: PhotoEdges,
  scale: number,
  strength: number,
): void {
  if (strength <= 0) return
  const { width, height } = window
  const ow = width * scale
  const oh = height * scale
  const rows = [...(edges.top ? [0] : []), ...(edges.bottom ? [oh - scale] : [])]
  const columns = [...(edges.left ? [0] : []), ...(edges.right ? [ow - scale] : [])]
  const outside = (bands: number[], length: number): Uint8Array => {
    const counted = new Uint8Array(length).fill(1)
    for (const first of bands) counted.fill(0, first, first + scale)
    return counted
  }
  const awayFromColumns = outside(columns, ow)
  const awayFromRows = outside(rows, oh)
  for (let c = 0; c < 3; c++) {
    const plane = c * ow * oh
    const at = (y: number, x: number): number => input[c * width * height + y * width + x]!
    const bilinear = (Y: number, X: number): number => {
      const [top, bottom, fy] = bilinearTap(Y, scale, height)
      const [left, right, fx] = bilinearTap(X, scale, width)
      const upper = at(top, left) * (1 - fx) + at(top, right) * fx
      return upper * (1 - fy) + (at(bottom, left) * (1 - fx) + at(bottom, right) * fx) * fy
    }
    for (const first of rows) {
      const pixel = (line: number, X: number) => plane + (first + line) * ow + X
      holdBand(output, pixel, scale, ow, (line, X) => bilinear(first + line, X), awayFromColumns, strength)
    }
    for (const first of columns) {
      const pixel = (line: number, Y: number) => plane + Y * ow + first + line
      holdBand(output, pixel, scale, oh, (line, Y) => bilinear(Y, first + line), awayFromRows, strength)
    }
  }
}
