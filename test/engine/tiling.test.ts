import { describe, expect, it } from 'vitest'
import { autoTileSize, axisSpan, planTiles, reflectIndex, tileWindow } from '../../src/engine/tiling/plan.js'
import { extractTile, insertTile } from '../../src/engine/tiling/tiles.js'
import { isColourless } from '../../src/engine/image/types.js'
import type { RasterImage } from '../../src/engine/image/types.js'

describe('tile planning', () => {
  it.each([
    [1, 8],
    [8, 8],
    [9, 8],
    [100, 32],
    [64, 32],
    [257, 64],
  ])('covers %i pixels with equal tiles of at most %i pixels', (length, tile) => {
    const { size, starts } = axisSpan(length, tile)
    const covered = new Array<number>(length).fill(0)
    for (const s of starts) {
      expect(s).toBeGreaterThanOrEqual(0)
      expect(s + size).toBeLessThanOrEqual(length)
      for (let i = s; i < s + size; i++) covered[i]!++
    }
    expect(covered.every((n) => n > 0)).toBe(true)
    expect(starts.length).toBe(Math.max(1, Math.ceil(length / tile)))
    expect(size).toBeLessThanOrEqual(tile)
    // Even split: the pixels run twice are fewer than the tiles.
    expect(covered.filter((n) => n > 1).length).toBeLessThan(starts.length)
  })

  it('gives every tile of a large image the same shape, split evenly', () => {
    const tiles = planTiles(300, 130, 64)
    expect(new Set(tiles.map((t) => `${t.width}x${t.height}`))).toEqual(new Set(['60x44']))
    expect(tiles).toHaveLength(5 * 3)
    expect(tiles.at(-1)).toEqual({ x: 240, y: 86, width: 60, height: 44 })
    expect(planTiles(640, 480, 256).map((t) => [t.x, t.y])).toEqual([
      [0, 0],
      [214, 0],
      [426, 0],
      [0, 240],
      [214, 240],
      [426, 240],
    ])
  })

  it('mirrors indices without repeating the edge, folding past short sides', () => {
    expect([-3, -2, -1, 0, 1, 4, 5, 6].map((i) => reflectIndex(i, 5))).toEqual([3, 2, 1, 0, 1, 4, 3, 2])
    expect([-5, 7, 12].map((i) => reflectIndex(i, 3))).toEqual([1, 1, 0])
    expect(reflectIndex(-7, 1)).toBe(0)
  })

  it('sizes automatic tiles to the memory budget', () => {
    const big = autoTileSize({ channels: 32, scale: 4, pad: 16, budgetBytes: 16 * 2 ** 30 })
    const small = autoTileSize({ channels: 64, scale: 4, pad: 16, budgetBytes: 256 * 2 ** 20 })
    expect(big).toBe(512)
    expect(small).toBeLessThan(big)
    expect(autoTileSize({ channels: 64, scale: 4, pad: 16, budgetBytes: 1 })).toBe(32)
  })
})

describe('tile extraction and insertion', () => {
  const image: RasterImage = {
    width: 5,
    height: 4,
    channels: 4,
    depth: 8,
    pixels: Uint8Array.from({ length: 5 * 4 * 4 }, (_, i) => (i * 13) % 256),
  }

  it('reads a window as NCHW floats, mirroring only where it passes the edge', () => {
    const input = extractTile(image, { x: -1, y: -1, width: 4, height: 4 })
    const plane = 4 * 4
    // (row 0, col 0) of the window mirrors image pixel (1, 1); (1, 1) is pixel (0, 0).
    expect(input[0]).toBeCloseTo(image.pixels[(1 * 5 + 1) * 4]! / 255)
    expect(input[plane + 1 * 4 + 1]).toBeCloseTo(image.pixels[1]! / 255)
    const alpha = extractTile(image, { x: -1, y: -1, width: 4, height: 4 }, 'transparency')
    expect(alpha[5]).toBeCloseTo(image.pixels[3]! / 255)
  })

  it('gives each tile real context up to the pad, none past the edge, and a side the model can take', () => {
    expect(tileWindow({ x: 40, y: 40, width: 20, height: 20 }, 100, 100, 16)).toEqual({
      x: 24,
      y: 24,
      width: 52,
      height: 52,
    })
    expect(tileWindow({ x: 0, y: 90, width: 30, height: 10 }, 100, 100, 16)).toEqual({
      x: 0,
      y: 74,
      width: 46,
      height: 26,
    })
    // A ×1 Real-ESRGAN model takes sides that are multiples of 4: 53 × 37 is read as 56 × 40.
    expect(tileWindow({ x: 0, y: 0, width: 53, height: 37 }, 53, 37, 16, 4)).toEqual({
      x: 0,
      y: 0,
      width: 56,
      height: 40,
    })
  })

  it('writes back exactly what an identity model returns', () => {
    const target: RasterImage = { ...image, pixels: new Uint8Array(image.pixels.length) }
    for (const tile of planTiles(5, 4, 2)) {
      const window = tileWindow(tile, 5, 4, 1, 2)
      insertTile(target, extractTile(image, window), tile, window, 1)
      insertTile(target, extractTile(image, window, 'transparency'), tile, window, 1, 'transparency')
    }
    expect([...target.pixels]).toEqual([...image.pixels])
  })
})

describe('photos without colour', () => {
  const raster = (pixels: number[], channels: 3 | 4 = 3, depth: 8 | 16 = 8): RasterImage => ({
    width: pixels.length / channels,
    height: 1,
    channels,
    depth,
    pixels: depth === 16 ? new Uint16Array(pixels) : new Uint8Array(pixels),
  })

  it('counts a photo as grey within 2 levels between channels, transparent pixels aside', () => {
    expect(isColourless(raster([10, 10, 10, 200, 201, 202]))).toBe(true)
    expect(isColourless(raster([10, 10, 10, 200, 201, 203]))).toBe(false) // 3 levels: a faint sepia
    expect(isColourless(raster([50, 50, 50, 255, 0, 0, 255, 0], 4))).toBe(true) // the red is invisible
    expect(isColourless(raster([50, 50, 50, 255, 255, 0, 0, 1], 4))).toBe(false)
    expect(isColourless(raster([1000, 1514, 1000], 3, 16))).toBe(true) // 2 levels of 255 in 16 bits
    expect(isColourless(raster([1000, 1515, 1000], 3, 16))).toBe(false)
  })

  it("writes the mean of a tile's output channels into all three for a grey photo", () => {
    const target = raster([0, 0, 0, 0, 0, 0])
    // NCHW for a 2×1 window at ×1: R plane, G plane, B plane.
    const output = new Float32Array([0.2, 1, 0.4, 0.5, 0.6, 0])
    insertTile(
      target,
      output,
      { x: 0, y: 0, width: 2, height: 1 },
      { x: 0, y: 0, width: 2, height: 1 },
      1,
      'grey',
    )
    expect([...target.pixels]).toEqual([102, 102, 102, 128, 128, 128])
  })

  it.each([8, 16] as const)(
    'rounds every %i-bit level half up, as Math.round does, at the halves and one float32 step either side',
    (depth) => {
      const max = depth === 16 ? 65535 : 255
      // The float32 samples nearest each half level, and their float32 neighbours, and some past [0, 1].
      const halves = Array.from({ length: max }, (_, k) => Math.fround((k + 0.5) / max))
      const next = (v: number, by: number): number => {
        const bits = new Float32Array([v])
        new Int32Array(bits.buffer)[0]! += by
        return bits[0]!
      }
      const samples = [
        -0.5,
        -1e-9,
        0,
        1,
        1 + 1e-6,
        2,
        NaN,
        ...halves.flatMap((v) => [next(v, -1), v, next(v, 1)]),
      ]
      const width = samples.length
      const target = raster(new Array<number>(3 * width).fill(0), 3, depth)
      const output = Float32Array.from([...samples, ...samples, ...samples])
      const region = { x: 0, y: 0, width, height: 1 }
      insertTile(target, output, region, region, 1)
      const expected = Float32Array.from(samples).map((v) => Math.round(Math.min(1, Math.max(0, v)) * max))
      const red = target.pixels.filter((_, i) => i % 3 === 0)
      expect([...red]).toEqual([...expected].map((v) => (Number.isNaN(v) ? 0 : v)))
    },
  )
})
