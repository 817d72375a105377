import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { DEFAULT_DEADLINES, EngineClient, forkEngine } from '../../src/engine/client.js'
import { enhanceFile } from '../../src/engine/enhance-file.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { TILE_CANDIDATES } from '../../src/engine/runtime/choose.js'
import { warmUp } from '../../src/engine/warm-up.js'
import { estimateTime } from '../../src/engine/estimate.js'
import { planSeconds } from '../../src/engine/tiling/plan.js'
import { TileStore } from '../../src/node/device-decisions.js'
import type { TileDecision } from '../../src/node/device-decisions.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { WORKER, writeIdentityModel } from '../helpers/models.js'
import { imageFixture } from '../helpers/fixtures.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-warm-up-'))
const model = { path: writeIdentityModel(work) }
const settings = { ...DEFAULT_SETTINGS, tile: 'auto' as const, format: 'png' as const }

async function photo(name: string, width: number, height: number): Promise<string> {
  const path = join(work, name)
  await sharp({ create: { width, height, channels: 3, background: '#406080' } })
    .png()
    .toFile(path)
  return path
}

/** The real store, counting the measurements it is asked to remember. */
class CountingStore extends TileStore {
  writes = 0
  override set(key: string, value: TileDecision): Promise<void> {
    this.writes++
    return super.set(key, value)
  }
}

describe('warming a model up before the first photo', () => {
  it('measures every tile side once, and a photo arriving meanwhile waits for it instead of measuring too', async () => {
    const store = new CountingStore(join(mkdtempSync(join(work, 'a-')), 'tile-choices.json'))
    const registry = new ModelRegistry({ device: 'cpu', tiles: store })
    const input = await photo('large.png', 300, 200)
    const [ready, reply] = await Promise.all([
      warmUp(registry, model, 'auto'),
      enhanceFile(registry, { input, output: join(work, 'large-out.png'), model, settings }),
    ])
    expect(ready.provider).toBe('cpu')
    expect(reply.precision).toBe(ready.precision)
    const [record] = Object.values(await store.all())
    expect(Object.keys(record!.rates).map(Number)).toEqual([...TILE_CANDIDATES])
    expect(store.writes).toBe(1)
    await registry.close()
  })

  it('through the engine process: the reply says where the model runs, and the rates are remembered', async () => {
    const dataDir = mkdtempSync(join(work, 'data-'))
    const engine = new EngineClient(() =>
      forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu', ENHANCE_DATA_DIR: dataDir } }),
    )
    afterAll(() => engine.close())
    const ready = await engine.warmUp(model, 'auto')
    expect(ready).toMatchObject({ provider: 'cpu' })
    const remembered = () =>
      Object.values(
        JSON.parse(readFileSync(join(dataDir, 'tile-choices.json'), 'utf8')) as Record<string, TileDecision>,
      )
    const [first] = remembered()
    expect(Object.keys(first!.rates).map(Number)).toEqual([...TILE_CANDIDATES])
    const input = await photo('second.png', 300, 200)
    const reply = await engine.enhance({ input, output: join(work, 'second-out.png'), model, settings })
    expect(reply.precision).toBe(ready.precision)
    // Its tiles as they were measured; the photo, timed whole, now gives the pace too.
    expect(remembered().map(({ rates, measuredAt }) => ({ rates, measuredAt }))).toEqual([first])
    expect(remembered()[0]!.runs!.networkMs).toBeGreaterThan(0)
  })
})

describe('estimating how long photos would take, before any is enhanced', () => {
  it('sums each photo’s tile plan at the rates measured once, from their headers, leaving out those it cannot read', async () => {
    const store = new CountingStore(join(mkdtempSync(join(work, 'e-')), 'tile-choices.json'))
    const registry = new ModelRegistry({ device: 'cpu', tiles: store })
    const garbage = join(work, 'garbage.jpg')
    writeFileSync(garbage, 'not a photo')
    const sizes = [
      { path: await photo('wide.png', 300, 200), width: 300, height: 200 },
      { path: imageFixture('bmp/rgb24.bmp'), ...(await sharp(imageFixture('bmp/rgb24.png')).metadata()) },
    ]
    const inputs = [...sizes.map((s) => s.path), garbage, join(work, 'missing.jpg')]
    const estimate = await estimateTime(registry, model, 64, inputs)
    const [record] = Object.values(await store.all())
    const perPhotoMs = sizes.map(
      ({ width, height }) => planSeconds(width, height, 16, record!.rates, 64)! * 1000,
    )
    expect(estimate).toEqual({
      ms: Math.round(perPhotoMs[0]! + perPhotoMs[1]!),
      perPhotoMs: [...perPhotoMs, null, null],
      photos: 2,
      unread: 2,
      tooLarge: 0,
      megapixels: sizes.reduce((sum, { width, height }) => sum + width * height, 0) / 1e6,
      provider: 'cpu',
      precision: 'fp32',
      fromRuns: false,
    })
    // Measured once: asked again, the same rates give the same time, and nothing new is remembered.
    expect(await estimateTime(registry, model, 64, inputs)).toEqual(estimate)
    expect(store.writes).toBe(1)
    // A photo with more pixels than the run's limit is refused by the run: left out too, and counted apart.
    const limited = await estimateTime(registry, model, 64, inputs, { maxPixels: 300 * 200 - 1 })
    expect(limited).toMatchObject({
      ms: Math.round(perPhotoMs[1]!),
      perPhotoMs: [null, perPhotoMs[1], null, null],
      photos: 1,
      unread: 2,
      tooLarge: 1,
      megapixels: (sizes[1]!.width * sizes[1]!.height) / 1e6,
    })
    await registry.close()
  })

  it('told not to measure, goes by the speeds measured before alone, and times nothing', async () => {
    const store = new CountingStore(join(mkdtempSync(join(work, 'n-')), 'tile-choices.json'))
    const registry = new ModelRegistry({ device: 'cpu', tiles: store })
    const inputs = [await photo('unmeasured.png', 300, 200)]
    let measurements = 0
    registry.measuring.watch(() => measurements++)
    const before = await estimateTime(registry, model, 'auto', inputs, { measure: false })
    expect([before.ms, before.perPhotoMs, before.photos]).toEqual([null, null, 1])
    expect([measurements, store.writes]).toEqual([0, 0])
    const measured = await estimateTime(registry, model, 'auto', inputs)
    expect(measurements).toBeGreaterThan(0)
    expect(measured.ms).toBeGreaterThan(0)
    expect(await estimateTime(registry, model, 'auto', inputs, { measure: false })).toEqual(measured)
    await registry.close()
  })

  it('stops between photos when cancelled', async () => {
    const registry = new ModelRegistry({ device: 'cpu' })
    // The photos it takes in hand are counted.
    let taken = 0
    const inputs = new Proxy(
      Array.from({ length: 400 }, () => imageFixture('bmp/rgb24.png')),
      {
        get: (all, key): unknown => {
          if (/^\d+$/.test(String(key))) taken++
          return Reflect.get(all, key) as unknown
        },
      },
    )
    const cancel = new AbortController()
    const estimate = estimateTime(registry, model, 64, inputs, { signal: cancel.signal })
    setImmediate(() => cancel.abort())
    await expect(estimate).rejects.toMatchObject({ code: 'CANCELLED' })
    expect(taken).toBeLessThan(400)
    // Not cancelled, the same photos are estimated.
    expect((await estimateTime(registry, model, 64, inputs)).photos).toBe(400)
    await registry.close()
  })

  it('goes at the pace photos were enhanced here, each timed whole with nothing measured meanwhile', async () => {
    const store = new TileStore(join(mkdtempSync(join(work, 'p-')), 'tile-choices.json'))
    const registry = new ModelRegistry({ device: 'cpu', tiles: store })
    const input = await photo('paced.png', 300, 200)
    const enhance = (n: number) =>
      enhanceFile(registry, { input, output: join(work, `paced-${n}.png`), model, settings })
    const remembered = async () => Object.values(await store.all())[0]!
    // The first photo's tiles were measured while it ran: its time says nothing of the pace, nor does its reply.
    expect((await enhance(1)).ranMs).toBeUndefined()
    expect((await remembered()).runs).toBeUndefined()
    const second = await enhance(2)
    const { rates, runs: afterOne } = await remembered()
    const network = planSeconds(300, 200, 16, rates, second.tile)! * 1000
    expect(afterOne!.networkMs).toBeCloseTo(network, 6)
    expect(afterOne!.ranMs).toBeGreaterThan(0)
    expect(afterOne!.ranMs).toBeLessThanOrEqual(second.ms)
    // The reply tells the time it was paced by, which the queue paces the photos to come by.
    expect(Math.abs(second.ranMs! - afterOne!.ranMs)).toBeLessThanOrEqual(0.5)
    await enhance(3)
    const afterTwo = (await remembered()).runs!
    expect(afterTwo.networkMs).toBeCloseTo(0.8 * network + network, 6)
    // The estimate: the network's time, at that pace.
    const estimate = await estimateTime(registry, model, 'auto', [input])
    expect(estimate.fromRuns).toBe(true)
    expect(estimate.ms).toBeCloseTo((network * afterTwo.ranMs) / afterTwo.networkMs, 0)
    await registry.close()
  })

  it('through the engine process: it says it is measuring the first time only', async () => {
    const dataDir = mkdtempSync(join(work, 'data-'))
    const engine = new EngineClient(() =>
      forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu', ENHANCE_DATA_DIR: dataDir } }),
    )
    afterAll(() => engine.close())
    const inputs = [await photo('estimated.png', 300, 200)]
    const told = async () => {
      let measuring = 0
      const reply = await engine.estimate(model, 'auto', inputs, {
        onProgress: (e) => (measuring += e.measuring ? 1 : 0),
      })
      return { measuring, reply }
    }
    const first = await told()
    expect(first.measuring).toBeGreaterThan(0)
    expect(first.reply).toMatchObject({ photos: 1, unread: 0, megapixels: 0.06, provider: 'cpu' })
    expect(first.reply.ms).toBeGreaterThan(0)
    const second = await told()
    expect(second).toEqual({ measuring: 0, reply: first.reply })
  })

  it('through the engine process, cancelled while measuring: answers at once, and the engine finishes the measurement instead of being restarted', async () => {
    const dataDir = mkdtempSync(join(work, 'data-'))
    // A cancel the engine does not answer within a millisecond would have it restarted, were the estimate not let
    // finish what it measures.
    const engine = new EngineClient(
      () => forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu', ENHANCE_DATA_DIR: dataDir } }),
      { ...DEFAULT_DEADLINES, cancelGraceMs: 1 },
    )
    afterAll(() => engine.close())
    const inputs = [await photo('cancelled.png', 300, 200)]
    const cancel = new AbortController()
    const estimate = engine.estimate(model, 'auto', inputs, {
      signal: cancel.signal,
      onProgress: (e) => (e.measuring ? cancel.abort() : undefined),
    })
    await expect(estimate).rejects.toMatchObject({ code: 'CANCELLED' })
    await engine.drain()
    expect(engine.starts).toBe(1)
    // What it measured is remembered: asked again, nothing is measured, in the same engine.
    let measuring = 0
    const again = await engine.estimate(model, 'auto', inputs, {
      onProgress: (e) => (measuring += e.measuring ? 1 : 0),
    })
    expect([measuring, again.photos, engine.starts]).toEqual([0, 1, 1])
    expect(again.ms).toBeGreaterThan(0)
  })
})
