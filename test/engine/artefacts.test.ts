import { describe, expect, it } from 'vitest'
import { colourShift, gridStepRatio } from '../../src/engine/metrics/artefacts.js'
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
