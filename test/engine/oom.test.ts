import { describe, expect, it } from 'vitest'
import type { RasterImage } from '../../src/engine/image/types.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import { upscaleRaster } from '../../src/engine/upscale.js'
import { EnhanceError } from '../../src/shared/errors.js'
import { codeOf } from '../helpers/errors.js'

/** A unit-test seam: nearest ×2 "inference" that runs out of memory above a tile side. */
function sessionWithLimit(maxSide: number, sides: number[]): ModelSession {
  return {
    provider: 'cpu',
    run: (input, dims) => {
      const [, , h = 0, w = 0] = dims
      sides.push(w)
      if (w > maxSide) return Promise.reject(new EnhanceError('OUT_OF_MEMORY', 'out of memory'))
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
      alpha: 'lanczos',
      onRetile: (t) => retiles.push(t),
    })
    expect(retiles).toEqual([64, 32])
    expect(Math.max(...sides.slice(-6))).toBeLessThanOrEqual(40)
    expect(out.pixels[((2 * 59 + 1) * 200 + 2 * 99 + 1) * 3]).toBe(image.pixels[(59 * 100 + 99) * 3])
  })

  it('gives up with OUT_OF_MEMORY below the smallest tile', async () => {
    expect(
      await codeOf(() =>
        upscaleRaster(image, sessionWithLimit(8, []), {
          scale: 2,
          tile: 64,
          pad: 4,
          alpha: 'lanczos',
          minTile: 32,
        }),
      ),
    ).toBe('OUT_OF_MEMORY')
  })
})
