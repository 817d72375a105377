import { describe, expect, it } from 'vitest'
import type { RasterImage } from '../../src/engine/image/types.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import { upscaleRaster } from '../../src/engine/upscale.js'
import { EnhanceError } from '../../src/shared/errors.js'
import { codeOf } from '../helpers/errors.js'

/**
 * A unit-test seam: nearest ×2 "inference" that runs out of memory above a tile side, from call
 * number `fromCall` on (memory that runs short part-way through a photo).
 */
function sessionWithLimit(maxSide: number, sides: number[], fromCall = 0): ModelSession {
  return {
    provider: 'cpu',
    precision: 'fp32',
    run: (input, dims) => {
      const [, , h = 0, w = 0] = dims
      sides.push(w)
      if (w > maxSide && sides.length > fromCall)
        return Promise.reject(new EnhanceError('OUT_OF_MEMORY', 'out of memory'))
      const out = new Float32Array(3 * 4 * h * w)
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < 2 * h; y++)
          for (let x = 0; x < 2 * w; x++)
            out[c * 4 * h * w + y * 2 * w + x] = input[c * h * w + (y >> 1) * w + (x >> 1)]!
      return Promise.resolve({ data: out, dims: [1, 3, 2 * h, 2 * w] })
    },
    release: () => Promise.resolve(),
  }
}

const image: RasterImage = {
  width: 100,
  height: 60,
  channels: 3,
  depth: 8,
  pixels: Uint8Array.from({ length: 100 * 60 * 3 }, (_, i) => i % 251),
}

describe('out of memory', () => {
  it('halves the tile until it fits and still produces the whole image', async () => {
    const sides: number[] = []
    const retiles: number[] = []
    const out = await upscaleRaster(image, sessionWithLimit(40, sides), {
      scale: 2,
      tile: 128,
      pad: 4,
      transparency: 'lanczos',
      onRetile: (t) => retiles.push(t),
    })
    expect(retiles).toEqual([64, 32])
    expect(Math.max(...sides.slice(-6))).toBeLessThanOrEqual(40)
    expect(out.pixels[((2 * 59 + 1) * 200 + 2 * 99 + 1) * 3]).toBe(image.pixels[(59 * 100 + 99) * 3])
  })

  it('keeps the finished tiles and goes on from the failed one, with progress that never goes back', async () => {
    const big = {
      ...image,
      width: 256,
      height: 128,
      pixels: Uint8Array.from({ length: 256 * 128 * 3 }, (_, i) => (i * 7) % 253),
    }
    const sides: number[] = []
    const events: Array<[number, number]> = []
    const retiles: number[] = []
    const out = await upscaleRaster(big, sessionWithLimit(35, sides, 7), {
      scale: 2,
      tile: 32,
      pad: 4,
      transparency: 'lanczos',
      minTile: 16,
      onRetile: (t) => retiles.push(t),
      onTile: (e) => events.push([e.tilesDone, e.tiles]),
    })
    // 7 tiles of 32 (36 wide with context at the photo's edge, 40 inside) ran, the 8th failed; the rest
    // ran at 16 and none was redone at 32.
    expect(retiles).toEqual([16])
    expect(sides.slice(0, 8)).toEqual([36, 40, 40, 40, 40, 40, 40, 36])
    expect(Math.max(...sides.slice(8))).toBe(24)
    expect(events.slice(0, 7).map(([t]) => t)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(events.every(([t], i) => t === i + 1)).toBe(true)
    expect(events.at(-1)![0]).toBe(events.at(-1)![1])
    // The whole output is the nearest ×2 of the input.
    let wrong = 0
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 512; x++)
        for (let c = 0; c < 3; c++)
          if (out.pixels[(y * 512 + x) * 3 + c] !== big.pixels[((y >> 1) * 256 + (x >> 1)) * 3 + c]) wrong++
    expect(wrong).toBe(0)
  })

  it('gives up with OUT_OF_MEMORY below the smallest tile', async () => {
    expect(
      await codeOf(() =>
        upscaleRaster(image, sessionWithLimit(8, []), {
          scale: 2,
          tile: 64,
          pad: 4,
          transparency: 'lanczos',
          minTile: 32,
        }),
      ),
    ).toBe('OUT_OF_MEMORY')
  })
})
