import type { Plane } from './imresize.js'

/**
 * Per-channel mean colour shift, output minus reference, in 8-bit levels ([R, G, B]): a colour
 * cast shows as a channel far from 0 (the first GAN model's magenta cast was R +6, G −5).
 */
export function colourShift(
  output: Uint8Array,
  outputChannels: number,
  reference: Uint8Array,
  referenceChannels: number,
): [number, number, number] {
  const pixels = output.length / outputChannels
  const sums = [0, 0, 0]
  for (let i = 0; i < pixels; i++)
    for (let c = 0; c < 3; c++)
      sums[c]! += output[i * outputChannels + c]! - reference[i * referenceChannels + c]!
  return [sums[0]! / pixels, sums[1]! / pixels, sums[2]! / pixels]
}

/**
 * How visible a block grid of `period` px is: the mean absolute luma step between neighbours across
 * the grid lines (x or y a multiple of `period`) over the mean step everywhere else, per direction,
 * averaged over the two. A JPEG's 8-px blocks land on a 32-px grid after ×4; about 1 means no grid.
 */
export function gridStepRatio(plane: Plane, period: number): number {
  return (directionalRatio(plane, period, 1, 0) + directionalRatio(plane, period, 0, 1)) / 2
}

function directionalRatio(plane: Plane, period: number, dx: number, dy: number): number {
  const { width, height, data } = plane
  let grid = 0
  let gridCount = 0
  let other = 0
  let otherCount = 0
  for (let y = dy; y < height; y++) {
    for (let x = dx; x < width; x++) {
      const step = Math.abs(data[y * width + x]! - data[(y - dy) * width + x - dx]!)
      if ((dx ? x : y) % period === 0) {
        grid += step
        gridCount++
      } else {
        other += step
        otherCount++
      }
    }
  }
  if (gridCount === 0 || other === 0) return NaN
  return grid / gridCount / (other / otherCount)
}

/** BT.601 Cb and Cr of pixel `i` in 8-bit levels, as MATLAB's rgb2ycbcr (whose Y is `lumaOf`'s). */
function chromaAt(pixels: Uint8Array, i: number, channels: number): [number, number] {
  const r = pixels[i * channels]!
  const g = pixels[i * channels + 1]!
  const b = pixels[i * channels + 2]!
  return [128 + (-37.797 * r - 74.203 * g + 112 * b) / 255, 128 + (112 * r - 93.786 * g - 18.214 * b) / 255]
}

/**
 * Coloured fringes: the mean chroma error in 8-bit levels, (|ΔCb| + |ΔCr|) / 2, over the reference's strongest
 * edges (its top `share` of luma gradient magnitudes by central differences, `border` px shaved; never a flat pixel,
 * so a mostly flat photo is scored on its few edges). A GAN paints
 * green or magenta seams along edges, which a whole-photo mean (`colourShift`) averages away.
 */
export function edgeChromaError(
  output: Uint8Array,
  outputChannels: number,
  reference: Uint8Array,
  referenceChannels: number,
  referenceLuma: Plane,
  border: number,
  share = 0.1,
): number {
  const { width, height, data } = referenceLuma
  const from = Math.max(1, border)
  const innerWidth = width - 2 * from
  const innerHeight = height - 2 * from
  if (innerWidth <= 0 || innerHeight <= 0) return NaN
  const gradients = new Float64Array(innerWidth * innerHeight)
  for (let k = 0; k < gradients.length; k++) {
    const i = pixelIndex(k, innerWidth, width, from)
    gradients[k] = Math.hypot(data[i + 1]! - data[i - 1]!, data[i + width]! - data[i - width]!)
  }
  const sorted = gradients.slice().sort()
  const threshold = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * (1 - share)))]!
  let sum = 0
  let count = 0
  for (let k = 0; k < gradients.length; k++) {
    if (gradients[k]! < threshold || gradients[k] === 0) continue
    const i = pixelIndex(k, innerWidth, width, from)
    const [cb, cr] = chromaAt(output, i, outputChannels)
    const [cbRef, crRef] = chromaAt(reference, i, referenceChannels)
    sum += (Math.abs(cb - cbRef) + Math.abs(cr - crRef)) / 2
    count++
  }
  return sum / count
}

/** The photo's pixel index of the `k`-th pixel of the window that leaves `from` px on every side. */
function pixelIndex(k: number, innerWidth: number, width: number, from: number): number {
  return (Math.floor(k / innerWidth) + from) * width + (k % innerWidth) + from
}
