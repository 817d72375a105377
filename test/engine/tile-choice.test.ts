import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { Enhancer } from '../../src/engine/enhance.js'
import { TILE_CANDIDATES, measureTiles } from '../../src/engine/runtime/choose.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import { TileStore } from '../../src/node/device-decisions.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { writeIdentityModel } from '../helpers/models.js'

/** A seam: a session whose time per run grows with the tile and falls off a cliff above 250 px. */
function cacheCliff(sizes: number[]): ModelSession {
  return {
    provider: 'cpu',
    precision: 'fp32',
    run: async (input, dims) => {
      const side = dims[2]!
      sizes.push(side)
      // A fixed cost per run, then time ∝ pixels, three times slower once the maps leave the cache.
      const ms = (40 + (side * side) / 400) * (side > 250 ? 3 : 1)
      await new Promise((resolve) => setTimeout(resolve, ms))
      return { data: input, dims: [...dims] }
    },
    release: () => Promise.resolve(),
  }
}

describe('--tile auto, measured', () => {
  it('takes the side with the most LR pixels per second, and never one above the memory ceiling', async () => {
    const sizes: number[] = []
    const { tile, rates } = await measureTiles(cacheCliff(sizes), 3, 16, 256)
    expect(tile).toBe(192)
    expect(Object.keys(rates).map(Number)).toEqual([...TILE_CANDIDATES])
    expect(rates['192']).toBeGreaterThan(rates['256']!)
    expect(rates['192']).toBeGreaterThan(rates['64']!)
    const capped: number[] = []
    expect((await measureTiles(cacheCliff(capped), 3, 16, 100)).tile).toBeLessThanOrEqual(96)
    expect(Math.max(...capped)).toBe(96 + 32)
  })

  it('measures once per machine and model, remembers it, and uses it for the photo', async () => {
    const work = mkdtempSync(join(tmpdir(), 'enhance-tiles-'))
    const model = writeIdentityModel(work)
    const photo = join(work, 'p.png')
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } })
      .png()
      .toFile(photo)
    const store = TileStore.in(work)
    const settings = { ...DEFAULT_SETTINGS, tile: 'auto' as const, format: 'png' as const }
    const first = new Enhancer({ device: 'cpu', tiles: store })
    const reply = await first.enhanceFile(photo, join(work, 'a.png'), { path: model }, settings)
    const [record] = Object.values(await store.all())
    expect(record!.tile).toBe(reply.tile)
    expect(Object.keys(record!.rates).length).toBeGreaterThan(1)
    const second = new Enhancer({ device: 'cpu', tiles: store })
    await second.enhanceFile(photo, join(work, 'b.png'), { path: model }, settings)
    expect((await store.latest())!.measuredAt).toBe(record!.measuredAt)
    await Promise.all([first.close(), second.close()])
  })
})
