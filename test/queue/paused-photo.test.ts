import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import { QueueRunner } from '../../src/queue/runner.js'
import { openQueue } from '../../src/queue/session.js'
import { QueueStore } from '../../src/queue/store.js'
import type { JobSpec } from '../../src/queue/types.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { WORKER, writeIdentityModel } from '../helpers/models.js'
import { noCleanup } from '../helpers/queue.js'

/**
 * A folder of one noisy 96×64 photo (24 tiles of 16 px), a job over it with a model that reads each pixel's
 * neighbours, and a real engine process whose data folder (where paused photos keep their tiles) is `data`.
 */
async function onePhotoAlbum(prefix: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  mkdirSync(join(dir, 'in'))
  const noise = { type: 'gaussian', mean: 128, sigma: 50 } as const
  await sharp({ create: { width: 96, height: 64, channels: 3, background: '#000', noise } })
    .png()
    .toFile(join(dir, 'in', 'scan.png'))
  const data = join(dir, 'data')
  const engine = new EngineClient(() =>
    forkEngine({ workerPath: WORKER, env: { ENHANCE_DATA_DIR: data, ...env } }),
  )
  const spec = (outDir: string): JobSpec => ({
    inputs: [join(dir, 'in')],
    recursive: false,
    outDir,
    model: { path: writeIdentityModel(dir, 4, 1, 2, 'input') },
    settings: { ...DEFAULT_SETTINGS, tile: 16, format: 'png' },
    naming: '{name}',
    policy: 'skip',
  })
  const kept = (): string[] => readdirSync(join(data, 'resume')).filter((name) => name.endsWith('.tiles'))
  return { dir, engine, spec, kept }
}

describe('a photo paused part-way, in the real engine', () => {
  it('picks up at its next tile when the job resumes, and its result is the same', async () => {
    const { dir, engine, spec, kept } = await onePhotoAlbum('enhance-paused-')
    const runner = new QueueRunner(new QueueStore(join(dir, 'queue')), engine, noCleanup)
    try {
      const job = await runner.addJob(spec(join(dir, 'out')))
      const tiles: number[] = []
      runner.subscribe((event) => {
        if (event.type !== 'progress' || event.tiles === 0) return
        tiles.push(event.tilesDone)
        if (event.tilesDone === 3 && tiles.length === 3) runner.pause(job.id)
      })
      await runner.run()
      expect(runner.job(job.id)?.state).toBe('paused')
      await engine.drain()
      expect(kept()).toHaveLength(1)
      const paused = tiles.length
      runner.resume(job.id)
      await runner.run()
      expect(runner.job(job.id)?.state).toBe('done')
      // 24 tiles of 16 px; it stopped after the third (or the fourth, if that one was already running).
      expect(tiles.slice(paused)[0]).toBeGreaterThanOrEqual(4)
      expect(tiles.at(-1)).toBe(24)
      expect(kept()).toEqual([])
      // The same pixels as the photo enhanced in one go.
      const whole = join(dir, 'whole')
      const again = await runner.addJob(spec(whole))
      await runner.run()
      expect(runner.job(again.id)?.state).toBe('done')
      const [resumed, inOneGo] = await Promise.all(
        [join(dir, 'out', 'scan.png'), join(whole, 'scan.png')].map((path) => sharp(path).raw().toBuffer()),
      )
      expect(resumed!.equals(inOneGo!)).toBe(true)
    } finally {
      engine.close()
    }
  }, 60_000)

  it('picks up at its last checkpoint when the engine crashed part-way and the photo is retried', async () => {
    // A checkpoint as often as its cost allows, not once a minute.
    const { dir, engine, spec, kept } = await onePhotoAlbum('enhance-crashed-', {
      ENHANCE_CHECKPOINT_MS: '0',
    })
    const runner = new QueueRunner(new QueueStore(join(dir, 'queue')), engine, noCleanup)
    try {
      const job = await runner.addJob(spec(join(dir, 'out')))
      const tiles: number[] = []
      let crashedAt = 0
      runner.subscribe((event) => {
        if (event.type !== 'progress' || event.tiles === 0) return
        tiles.push(event.tilesDone)
        if (!crashedAt && event.tilesDone >= 12 && kept().length) {
          crashedAt = tiles.length
          engine.kill()
        }
      })
      await runner.run()
      expect([runner.job(job.id)?.state, runner.items(job.id)[0]?.crashes]).toEqual(['done', 1])
      // The retry began after the checkpoint's tiles, not at the first.
      const retried = tiles.slice(crashedAt)
      expect(retried[0]).toBeGreaterThan(1)
      expect(retried[0]).toBeLessThanOrEqual(tiles[crashedAt - 1]! + 1)
      expect(retried.at(-1)).toBe(24)
      expect(kept()).toEqual([])
    } finally {
      engine.close()
    }
  }, 60_000)

  it('keeps its tiles when the queue is closed part-way (the app quitting), and picks up at the next start', async () => {
    const { dir, engine, spec, kept } = await onePhotoAlbum('enhance-quit-')
    try {
      const first = await openQueue(join(dir, 'queue'), engine, noCleanup)
      await first.runner.addJob(spec(join(dir, 'out')))
      const closed = new Promise<void>((resolve) =>
        first.runner.subscribe((event) => {
          if (event.type !== 'progress' || event.tilesDone !== 3) return
          first.close()
          resolve()
        }),
      )
      void first.runner.run()
      await closed
      await engine.drain()
      expect(kept()).toHaveLength(1)
      const next = await openQueue(join(dir, 'queue'), engine, noCleanup)
      const tiles: number[] = []
      next.runner.subscribe((event) => {
        if (event.type === 'progress' && event.tiles > 0) tiles.push(event.tilesDone)
      })
      await next.runner.run()
      next.close()
      expect(next.runner.jobs[0]?.state).toBe('done')
      expect([tiles[0]! >= 4, tiles.at(-1)]).toEqual([true, 24])
    } finally {
      engine.close()
    }
  }, 60_000)
})
