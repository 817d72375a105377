import { describe, expect, it } from 'vitest'
import { colourShift, edgeChromaError, gridStepRatio } from '../../src/engine/metrics/artefacts.js'
import { lumaOf } from '../../src/engine/metrics/quality.js'
import type { Plane } from '../../src/engine/metrics/imresize.js'

function plane(width: number, height: number, value: (x: number, y: number) => number): Plane {
  const data = new Float64Array(width * height)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = value(x, y)
  return { width, height, data }
}

describe('colourShift', () => {
  it('gives the mean per-channel difference in levels, reading each image with its own channel count', () => {
    const output = new Uint8Array([110, 50, 20, 255, 90, 54, 20, 255]) // RGBA
    const reference = new Uint8Array([100, 52, 20, 100, 52, 20]) // RGB
    expect(colourShift(output, 4, reference, 3)).toEqual([0, 0, 0])
    const warm = new Uint8Array([106, 47, 20, 106, 47, 21])
    expect(colourShift(warm, 3, reference, 3)).toEqual([6, -5, 0.5])
  })
})

describe('gridStepRatio', () => {
  it('is 1 for a smooth ramp and grows with steps on the 32-px grid', () => {
    const ramp = plane(128, 96, (x, y) => x * 0.5 + y * 0.25)
    expect(gridStepRatio(ramp, 32)).toBeCloseTo(1, 10)
    // Blocks: every 32-px cell carries its own offset on top of the ramp.
    const blocky = plane(
      128,
      96,
      (x, y) => x * 0.5 + y * 0.25 + 4 * ((Math.floor(x / 32) + Math.floor(y / 32)) % 2),
    )
    const ratio = gridStepRatio(blocky, 32)
    // On grid lines the step is |0.5 ± 4| or |0.25 ± 4| rather than 0.5 or 0.25.
    expect(ratio).toBeGreaterThan(8)
    // A grid of another period is not counted as this one.
    const otherGrid = plane(128, 96, (x, y) => x * 0.5 + y * 0.25 + 4 * (Math.floor((x + 16) / 32) % 2))
    expect(gridStepRatio(otherGrid, 32)).toBeLessThan(1)
  })
})

describe('edgeChromaError', () => {
  // A 24×24 grey photo, dark on the left and light from x = 12: its only strong edges are columns 11 and 12.
  const size = 24
  const photo = (colour: (x: number, y: number) => [number, number, number]): Uint8Array =>
    Uint8Array.from(
      { length: size * size * 3 },
      (_, i) => colour(((i / 3) % size) | 0, (i / 3 / size) | 0)[i % 3]!,
    )
  const grey = (x: number): [number, number, number] => (x < 12 ? [40, 40, 40] : [200, 200, 200])
  const reference = photo(grey)
  const luma = lumaOf(reference, size, size, 3)

  it('is 0 for the original and for a change of luma alone', () => {
    expect(edgeChromaError(reference, 3, reference, 3, luma, 4)).toBe(0)
    const brighter = photo((x) => grey(x).map((v) => v + 10) as [number, number, number])
    expect(edgeChromaError(brighter, 3, reference, 3, luma, 4)).toBeCloseTo(0, 10)
  })

  it('scores a green seam along the edge, and not the same seam away from it', () => {
    const seam = (at: number) =>
      photo((x) => (x === at ? [grey(x)[0], grey(x)[1] + 51, grey(x)[2]] : grey(x)))
    // G + 51 moves Cb by −74.203/5 and Cr by −93.786/5 levels; the edge pixels are the two columns, 16 rows each
    // inside the 4-px border, and the seam covers one of them.
    const expected = ((74.203 + 93.786) / 5 / 2) * (16 / 32)
    expect(edgeChromaError(seam(12), 3, reference, 3, luma, 4)).toBeCloseTo(expected, 10)
    expect(edgeChromaError(seam(6), 3, reference, 3, luma, 4)).toBe(0)
  })

  it('scores only the edges of a mostly flat photo, not its flat pixels', () => {
    // One light 2×2 square on a dark photo: fewer than a tenth of the pixels have any gradient.
    const square = (x: number, y: number): [number, number, number] =>
      x >= 11 && x <= 12 && y >= 11 && y <= 12 ? [200, 200, 200] : [40, 40, 40]
    const dot = photo(square)
    const dotLuma = lumaOf(dot, size, size, 3)
    const greenCorner = photo((x, y) => (x < 8 && y < 8 ? [40, 91, 40] : square(x, y)))
    expect(edgeChromaError(greenCorner, 3, dot, 3, dotLuma, 4)).toBe(0)
    const greenSquare = photo((x, y) => {
      const [r, g, b] = square(x, y)
      return x >= 11 && x <= 12 && y >= 11 && y <= 12 ? [r, g + 51, b] : [r, g, b]
    })
    expect(edgeChromaError(greenSquare, 3, dot, 3, dotLuma, 4)).toBeGreaterThan(0)
  })

  it('reads each image with its own channel count', () => {
    const rgba = Uint8Array.from({ length: size * size * 4 }, (_, i) =>
      i % 4 === 3 ? 255 : reference[(i >> 2) * 3 + (i % 4)]!,
    )
    expect(edgeChromaError(rgba, 4, reference, 3, luma, 4)).toBe(0)
  })
})
