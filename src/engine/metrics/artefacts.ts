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
