import {
  existsSync,
  mkdtempSync,
  readdirSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { enhanceFile } from '../../src/engine/enhance-file.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { ResumeStore, freshTiles } from '../../src/engine/resume.js'
import type { TilesSoFar } from '../../src/engine/resume.js'
import { freeBytes } from '../../src/node/files.js'
import { KEEP_PROGRESS } from '../../src/shared/errors.js'
import type { EnhanceError } from '../../src/shared/errors.js'
import type { ModelSpecData } from '../../src/shared/protocol.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { writeIdentityModel } from '../helpers/models.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-resume-'))
const registry = new ModelRegistry({ device: 'cpu' })
const settings = { ...DEFAULT_SETTINGS, tile: 16, format: 'png' as const }
let model: ModelSpecData
const noise = { type: 'gaussian', mean: 128, sigma: 50 } as const

async function photo(name: string, width = 96, height = 64): Promise<string> {
  const path = join(work, name)
  // 96×64 in tiles of 16: 24 tiles. The model reads each pixel's neighbours, so a tile's edges matter.
  await sharp({ create: { width, height, channels: 3, background: '#000', noise } })
    .png()
    .toFile(path)
  return path
}

interface Run {
  tiles: number[]
  error?: EnhanceError
}

/** Enhances `input` into `output`, stopped with `reason` once `stopAfter` tiles are done. */
async function run(
  input: string,
  output: string,
  store: ResumeStore | undefined,
  stop?: { after: number; reason?: string },
): Promise<Run> {
  const controller = new AbortController()
  const tiles: number[] = []
  const onProgress = ({ tilesDone, tiles: total }: { tilesDone: number; tiles: number }): void => {
    if (total === 0) return
    tiles.push(tilesDone)
    if (tilesDone === stop?.after) controller.abort(stop.reason)
  }
  return enhanceFile(
    registry,
    { input, output, model, settings },
    { signal: controller.signal, onProgress, ...(store ? { resume: store } : {}) },
  ).then(
    () => ({ tiles }),
    (error: EnhanceError) => ({ tiles, error }),
  )
}

const pixels = (path: string): Promise<Buffer> => sharp(path).raw().toBuffer()
const kept = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : [])
const count = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('a photo stopped part-way to pick up later', () => {
  beforeAll(() => {
    model = { path: writeIdentityModel(work, 4, 1, 2, 'input') }
  })

  it('goes on from its next tile, and comes out as if it had never stopped', async () => {
    const input = await photo('scan.png')
    await run(input, join(work, 'whole.png'), undefined)
    const dir = join(work, 'kept-1')
    const store = new ResumeStore(dir)
    const first = await run(input, join(work, 'resumed.png'), store, { after: 5, reason: KEEP_PROGRESS })
    expect([first.error?.code, first.tiles, kept(dir).length]).toEqual(['CANCELLED', count(1, 5), 1])
    expect(existsSync(join(work, 'resumed.png'))).toBe(false)
    const second = await run(input, join(work, 'resumed.png'), store)
    expect([second.error, second.tiles]).toEqual([undefined, count(6, 24)])
    expect((await pixels(join(work, 'resumed.png'))).equals(await pixels(join(work, 'whole.png')))).toBe(true)
    expect(kept(dir)).toEqual([])
  })

  it('keeps nothing when it is cancelled (a pause before it kept, dropped), and starts afresh when the photo or the model changed since', async () => {
    const input = await photo('print.png')
    const dir = join(work, 'kept-2')
    const store = new ResumeStore(dir)
    const cancelled = await run(input, join(work, 'print-out.png'), store, { after: 5 })
    expect([cancelled.error?.code, kept(dir)]).toEqual(['CANCELLED', []])
    await run(input, join(work, 'print-out.png'), store, { after: 7, reason: KEEP_PROGRESS })
    expect(kept(dir)).toHaveLength(1)
    // A cancel of the photo picked up drops what its pause kept.
    await run(input, join(work, 'print-out.png'), store, { after: 9 })
    expect(kept(dir)).toEqual([])
    await run(input, join(work, 'print-out.png'), store, { after: 7, reason: KEEP_PROGRESS })
    utimesSync(input, new Date(), new Date(Date.now() + 60_000)) // edited since
    expect((await run(input, join(work, 'print-out.png'), store)).tiles).toEqual(count(1, 24))
    // The same with a model file replaced at its path (an imported model updated): its tiles would differ.
    await run(input, join(work, 'print-out.png'), store, { after: 7, reason: KEEP_PROGRESS })
    utimesSync(model.path, new Date(), new Date(Date.now() + 60_000))
    expect((await run(input, join(work, 'print-out.png'), store)).tiles).toEqual(count(1, 24))
  })
})

/** A store that records its saves, can make each one slow, and never drops: as if the engine died before it could. */
class CrashingStore extends ResumeStore {
  saves: number[] = []
  constructor(
    dir: string,
    checkpointEveryMs: number,
    private readonly slow = 0,
  ) {
    super(dir, { checkpointEveryMs })
  }
  override async save(key: string, soFar: TilesSoFar): Promise<void> {
    this.saves.push(soFar.done)
    const saved = super.save(key, soFar)
    await new Promise((resolve) => setTimeout(resolve, this.slow))
    return saved
  }
  override drop(): Promise<void> {
    return Promise.resolve()
  }
}

describe('a running photo saved now and then (a checkpoint)', () => {
  beforeAll(() => {
    model = { path: writeIdentityModel(work, 4, 1, 2, 'input') }
  })

  it('picks up at its last checkpoint after a crash, with the same pixels as in one go', async () => {
    // 384 tiles: checkpoints after the first, each taken while the next tiles go on landing.
    const input = await photo('album.png', 384, 256)
    await run(input, join(work, 'album-whole.png'), undefined)
    const store = new CrashingStore(join(work, 'kept-6'), 0)
    expect((await run(input, join(work, 'album-crashed.png'), store)).tiles).toEqual(count(1, 384))
    // Tiles went on landing in the output while it was saved; those it still listed as left run again.
    const checkpoint = store.saves.at(-1)!
    expect(store.saves.length).toBeGreaterThanOrEqual(1)
    const again = await run(input, join(work, 'album-resumed.png'), store)
    expect(again.tiles).toEqual(count(checkpoint + 1, 384))
    const [resumed, whole] = await Promise.all(
      ['album-resumed.png', 'album-whole.png'].map((f) => pixels(join(work, f))),
    )
    expect(resumed!.equals(whole!)).toBe(true)
  })

  it('costs at most a twentieth of the run: the next one waits 19 times as long as the last took', async () => {
    const input = await photo('slow-disk.png')
    const store = new CrashingStore(join(work, 'kept-7'), 0, 40)
    // Each tile takes at least 5 ms: the run outlasts a 40 ms save, and not the 760 ms the next one waits.
    const slowTiles = (): void => {
      for (const until = performance.now() + 5; performance.now() < until;);
    }
    await enhanceFile(
      registry,
      { input, output: join(work, 'slow-disk-out.png'), model, settings },
      {
        resume: store,
        onProgress: slowTiles,
      },
    )
    expect(store.saves).toEqual([1])
  })

  it('is not taken of a photo shorter than the least time between two', async () => {
    const input = await photo('short.png')
    const store = new CrashingStore(join(work, 'kept-8'), 60_000)
    await run(input, join(work, 'short-out.png'), store)
    expect(store.saves).toEqual([])
  })

  it('keeps the tiles of a photo stopped by an error, for the retry', async () => {
    const input = await photo('retry.png')
    const dir = join(work, 'kept-9')
    const store = new ResumeStore(dir)
    const failed = await enhanceFile(
      registry,
      { input, output: join(work, 'retry-out.png'), model, settings },
      {
        resume: store,
        onProgress: ({ tilesDone }) => {
          if (tilesDone === 9) throw new Error('a fault')
        },
      },
    ).catch((error: unknown) => error)
    expect([(failed as Error).message, kept(dir).length]).toEqual(['a fault', 1])
    expect((await run(input, join(work, 'retry-out.png'), store)).tiles).toEqual(count(10, 24))
  })

  it('keeps every tile when the output cannot be written: the next try only encodes', async () => {
    const input = await photo('unplugged.png')
    await run(input, join(work, 'unplugged-whole.png'), undefined)
    const dir = join(work, 'kept-10')
    const store = new ResumeStore(dir)
    writeFileSync(join(work, 'not-a-folder'), '')
    const unplugged = await run(input, join(work, 'not-a-folder', 'out.png'), store)
    expect([unplugged.error?.code, unplugged.tiles, kept(dir).length]).toEqual([
      'OUTPUT_NOT_WRITABLE',
      count(1, 24),
      1,
    ])
    const again = await run(input, join(work, 'unplugged-out.png'), store)
    expect([again.error, again.tiles, kept(dir)]).toEqual([undefined, [], []])
    const [written, whole] = await Promise.all(
      ['unplugged-out.png', 'unplugged-whole.png'].map((f) => pixels(join(work, f))),
    )
    expect(written!.equals(whole!)).toBe(true)
  })
})

describe('the tiles kept of paused photos', () => {
  const raster = { width: 8, height: 4, channels: 3 as const, depth: 8 as const }
  const soFar = () => ({
    ...freshTiles(),
    target: { ...raster, pixels: new Uint8Array(8 * 4 * 3).fill(9) },
    left: [{ x: 1, y: 0, width: 1, height: 1 }],
    done: 1,
    total: 2,
  })

  it('are read back as they were saved, for the output they were saved for only', async () => {
    const store = new ResumeStore(join(work, 'kept-3'))
    await store.save('a', soFar())
    expect(await store.load('a', { width: 2, height: 1 }, raster)).toEqual(soFar())
    // Another output size: removed, as a file cut short or with tiles outside the photo would be.
    expect(await store.load('a', { width: 2, height: 1 }, { ...raster, width: 4 })).toBeNull()
    expect(kept(join(work, 'kept-3'))).toEqual([])
  })

  it('a file cut short or with tiles outside the photo is not read, and is removed', async () => {
    const dir = join(work, 'kept-4')
    const store = new ResumeStore(dir)
    await store.save('short', soFar())
    truncateSync(join(dir, 'short.tiles'), statSync(join(dir, 'short.tiles')).size - 1)
    expect(await store.load('short', { width: 2, height: 1 }, raster)).toBeNull()
    await store.save('outside', soFar())
    expect(await store.load('outside', { width: 1, height: 1 }, raster)).toBeNull()
    expect(kept(dir)).toEqual([])
  })

  it('are not saved where the disk would be left with less free than asked, or than their own size', async () => {
    const dir = join(work, 'kept-11')
    const free = await freeBytes(work)
    await new ResumeStore(dir, { keepFreeBytes: free }).save('full', soFar())
    expect(kept(dir)).toEqual([])
    await new ResumeStore(dir, { keepFreeBytes: 0 }).save('room', soFar())
    expect(kept(dir)).toEqual(['room.tiles'])
  })

  it('stay two at most: a pause or two waiting, the newest kept', async () => {
    const dir = join(work, 'kept-5')
    const store = new ResumeStore(dir)
    for (const key of ['first', 'second', 'third']) {
      await store.save(key, soFar())
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(kept(dir).sort()).toEqual(['second.tiles', 'third.tiles'])
    // Older than two weeks, or the temporary file of an engine killed while saving: removed as the engine starts.
    const weeksAgo = new Date(Date.now() - 15 * 24 * 3600_000)
    utimesSync(join(dir, 'second.tiles'), weeksAgo, weeksAgo)
    writeFileSync(join(dir, '.fourth.tiles.0123456789ab.partial'), 'cut short')
    await store.tidy()
    expect(kept(dir)).toEqual(['third.tiles'])
  })
})
