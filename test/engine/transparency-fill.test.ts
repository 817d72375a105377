import { describe, expect, it } from 'vitest'
import { withColourUnderTransparency } from '../../src/engine/image/transparency-fill.js'
import type { RasterImage } from '../../src/engine/image/types.js'

const RED = [230, 40, 40]
const BLUE = [20, 60, 210]

/** One row of RGBA pixels: each a colour and an alpha. */
function row(pixels: [number[], number][], depth: 8 | 16 = 8): RasterImage {
  const Pixels = depth === 16 ? Uint16Array : Uint8Array
  const data = new Pixels(pixels.length * 4)
  pixels.forEach(([rgb, alpha], x) => data.set([...rgb, alpha], x * 4))
  return { width: pixels.length, height: 1, channels: 4, depth, pixels: data }
}

const colours = (image: RasterImage) =>
  Array.from({ length: image.width * image.height }, (_, i) => [...image.pixels.subarray(i * 4, i * 4 + 3)])

describe('colour under transparent pixels', () => {
  it('gives each hidden pixel the colour of the nearer visible ones, and leaves visible pixels alone', () => {
    const black = [0, 0, 0]
    const image = row([
      [RED, 255],
      ...Array.from({ length: 6 }, () => [black, 0] as [number[], number]),
      [BLUE, 90],
    ])
    const filled = withColourUnderTransparency(image)
    expect(colours(filled)).toEqual([RED, RED, RED, RED, BLUE, BLUE, BLUE, BLUE])
    // Alpha is the photo's, and the photo itself is not changed.
    expect([...filled.pixels.filter((_, i) => i % 4 === 3)]).toEqual([255, 0, 0, 0, 0, 0, 0, 90])
    expect(colours(image)[1]).toEqual(black)
  })

  it('averages the visible pixels around a hidden area, in 16 bits too', () => {
    const [a, b] = [
      [1000, 2000, 3000],
      [3000, 4000, 5000],
    ]
    const image = row(
      [
        [a, 65535],
        [b, 1],
        [[0, 0, 0], 0],
        [[7, 7, 7], 0],
      ],
      16,
    )
    const filled = withColourUnderTransparency(image)
    expect(filled.pixels).toBeInstanceOf(Uint16Array)
    expect(colours(filled)).toEqual([a, b, [2000, 3000, 4000], [2000, 3000, 4000]])
  })

  it('fills a 2-D photo of odd size whole, from the pyramid cells around each hidden pixel', () => {
    // 5×3: the left column red, the right column blue, hidden between. Columns 2 and 3 share a cell of
    // the first level, which has no colour; the next level's cell holds column 0's red.
    const pixels = new Uint8Array(5 * 3 * 4)
    for (let y = 0; y < 3; y++) {
      pixels.set([...RED, 255], y * 5 * 4)
      pixels.set([...BLUE, 255], (y * 5 + 4) * 4)
    }
    const filled = withColourUnderTransparency({ width: 5, height: 3, channels: 4, depth: 8, pixels })
    const rows = colours(filled)
    for (let y = 0; y < 3; y++) expect(rows.slice(y * 5, y * 5 + 5)).toEqual([RED, RED, RED, RED, BLUE])
  })

  it('returns a photo with nothing hidden, or nothing visible, as it is', () => {
    const opaque = row([
      [RED, 255],
      [BLUE, 1],
    ])
    const clear = row([
      [RED, 0],
      [BLUE, 0],
    ])
    const rgb: RasterImage = { width: 1, height: 1, channels: 3, depth: 8, pixels: new Uint8Array(RED) }
    for (const image of [opaque, clear, rgb]) expect(withColourUnderTransparency(image)).toBe(image)
  })
})
