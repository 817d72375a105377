import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { enhanceFile } from '../../src/engine/enhance-file.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { TILE_CANDIDATES, measureTiles, sidesToMeasure } from '../../src/engine/runtime/choose.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import { TileStore } from '../../src/node/device-decisions.js'
import { fastestTile, planSeconds, planTiles } from '../../src/engine/tiling/plan.js'
import type { TileProgressData } from '../../src/shared/protocol.js'
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
  // LR pixels per second measured for the bundled model on this project's 2-core machine.
  const RATES = { '64': 46734, '96': 59135, '128': 70991, '192': 79124, '256': 84492 }

  it('plans each photo with the side that does least work: no wasted overlap, one tile when it fits', () => {
    // 384 px in 256-px tiles re-runs half of each: 4 × 288² inputs against 4 × 224² for 192.
    expect(fastestTile(384, 384, 16, RATES, 256)).toBe(192)
    expect(fastestTile(384, 384, 16, RATES, 512)).toBe(384)
    expect(fastestTile(2000, 1500, 16, RATES, 256)).toBe(256)
    expect(planTiles(100, 60, fastestTile(100, 60, 16, RATES, 256))).toHaveLength(1)
    expect(fastestTile(2000, 1500, 16, {}, 128)).toBe(128)
  })

  it('says how long a plan takes from the measured rates: every tile with its context, at its nearest side’s rate', () => {
    // 256² in tiles of 128: four tiles, each read with 16 px of context on its two inner sides (144² pixels), at 128's
    // rate per pixel of a 160² input.
    const perPixel128 = (128 * 128) / (160 * 160 * RATES['128'])
    expect(planSeconds(256, 256, 16, RATES, 128)).toBeCloseTo(4 * 144 * 144 * perPixel128, 12)
    // One tile of the whole 100×60 photo, at the rate of 96, the nearest side measured to 100.
    const perPixel96 = (96 * 96) / (128 * 128 * RATES['96'])
    expect(planSeconds(100, 60, 16, RATES, 512)).toBeCloseTo(100 * 60 * perPixel96, 12)
    expect(planSeconds(256, 256, 16, {}, 128)).toBeNull()
  })

  it('takes the side with the most LR pixels per second, and never one above the memory ceiling', async () => {
    const sizes: number[] = []
    const large = { width: 2000, height: 1500 }
    const rates = await measureTiles(cacheCliff(sizes), 3, 16, sidesToMeasure(large, 256, {}))
    expect(Object.keys(rates).map(Number)).toEqual([...TILE_CANDIDATES])
    expect(rates['192']).toBeGreaterThan(rates['256']!)
    expect(rates['192']).toBeGreaterThan(rates['64']!)
    expect(fastestTile(large.width, large.height, 16, rates, 256)).toBe(192)
    const capped: number[] = []
    await measureTiles(cacheCliff(capped), 3, 16, sidesToMeasure(large, 100, {}))
    expect(Math.max(...capped)).toBe(96 + 32)
  })

  it('measures only the sides a photo could use and no earlier photo measured', () => {
    expect(sidesToMeasure({ width: 40, height: 30 }, 256, {})).toEqual([])
    expect(sidesToMeasure({ width: 100, height: 60 }, 256, {})).toEqual([64, 96])
    expect(sidesToMeasure({ width: 300, height: 200 }, 256, { '64': 1, '96': 2 })).toEqual([128, 192, 256])
    expect(sidesToMeasure({ width: 300, height: 200 }, 128, { '64': 1 })).toEqual([96, 128])
    // With nothing measured a photo that fits runs as one tile of its own size.
    expect(fastestTile(40, 30, 16, {}, 256)).toBe(40)
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
    const job = (output: string) => ({
      input: photo,
      output: join(work, output),
      model: { path: model },
      settings,
    })
    // What the photo's progress says: measuring first (once), then its tiles.
    const said = (events: TileProgressData[]) =>
      events.map((e) => (e.measuring ? 'measuring' : `${e.tilesDone}/${e.tiles}`))
    const firstEvents: TileProgressData[] = []
    const first = new ModelRegistry({ device: 'cpu', tiles: store })
    const reply = await enhanceFile(first, job('a.png'), { onProgress: (e) => firstEvents.push(e) })
    const [record] = Object.values(await store.all())
    expect(Object.keys(record!.rates).length).toBeGreaterThan(1)
    expect([...Object.keys(record!.rates).map(Number), 300]).toContain(reply.tile)
    const tiles = firstEvents.at(-1)!.tiles
    expect(said(firstEvents)).toEqual([
      'measuring',
      ...Array.from({ length: tiles }, (_, i) => `${i + 1}/${tiles}`),
    ])
    const secondEvents: TileProgressData[] = []
    const second = new ModelRegistry({ device: 'cpu', tiles: store })
    await enhanceFile(second, job('b.png'), { onProgress: (e) => secondEvents.push(e) })
    expect((await store.latest())!.measuredAt).toBe(record!.measuredAt)
    expect(said(secondEvents)).not.toContain('measuring')
    expect(secondEvents.length).toBeGreaterThan(0)
    await Promise.all([first.close(), second.close()])
  })

  it('lets a small first photo skip the measuring a large one needs, and adds sides as photos grow', async () => {
    const work = mkdtempSync(join(tmpdir(), 'enhance-tiles-'))
    const model = writeIdentityModel(work)
    const store = TileStore.in(work)
    const registry = new ModelRegistry({ device: 'cpu', tiles: store })
    const settings = { ...DEFAULT_SETTINGS, tile: 'auto' as const, format: 'png' as const }
    const enhance = async (width: number, height: number) => {
      const input = join(work, `${width}x${height}.png`)
      await sharp({ create: { width, height, channels: 3, background: '#406080' } })
        .png()
        .toFile(input)
      const reply = await enhanceFile(registry, {
        input,
        output: join(work, `out-${width}.png`),
        model: { path: model },
        settings,
      })
      const [record] = Object.values(await store.all())
      return { tile: reply.tile, rates: record?.rates ?? {} }
    }
    const tiny = await enhance(40, 30)
    expect(tiny).toEqual({ tile: 40, rates: {} })
    const small = await enhance(100, 60)
    expect(Object.keys(small.rates).map(Number)).toEqual([64, 96])
    const large = await enhance(300, 200)
    expect(Object.keys(large.rates).map(Number)).toEqual([...TILE_CANDIDATES])
    // The sides the small photo measured were remembered, not measured again.
    expect(large.rates['64']).toBe(small.rates['64'])
    expect(large.rates['96']).toBe(small.rates['96'])
    await registry.close()
  })
})
