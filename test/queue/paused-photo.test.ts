import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import { QueueRunner } from '../../src/queue/runner.js'
import { QueueStore } from '../../src/queue/store.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { WORKER, writeIdentityModel } from '../helpers/models.js'
import { noCleanup } from '../helpers/queue.js'

describe('a photo paused part-way, in the real engine', () => {
  it('picks up at its next tile when the job resumes, and its result is the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-paused-'))
    mkdirSync(join(dir, 'in'))
    const noise = { type: 'gaussian', mean: 128, sigma: 50 } as const
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#000', noise } })
      .png()
      .toFile(join(dir, 'in', 'scan.png'))
    const data = join(dir, 'data')
    const engine = new EngineClient(() => forkEngine({ workerPath: WORKER, env: { ENHANCE_DATA_DIR: data } }))
    const runner = new QueueRunner(new QueueStore(join(dir, 'queue')), engine, noCleanup)
    try {
      const model = { path: writeIdentityModel(dir, 4, 1, 2, 'input') }
      const settings = { ...DEFAULT_SETTINGS, tile: 16, format: 'png' as const }
      const job = await runner.addJob({
        inputs: [join(dir, 'in')],
        recursive: false,
        outDir: join(dir, 'out'),
        model,
        settings,
        naming: '{name}',
        policy: 'skip',
      })
      const tiles: number[] = []
      runner.subscribe((event) => {
        if (event.type !== 'progress' || event.tiles === 0) return
        tiles.push(event.tilesDone)
        if (event.tilesDone === 3 && tiles.length === 3) runner.pause(job.id)
      })
      await runner.run()
      expect(runner.job(job.id)?.state).toBe('paused')
      await engine.drain()
      expect(readdirSync(join(data, 'resume')).filter((name) => name.endsWith('.tiles'))).toHaveLength(1)
      const paused = tiles.length
      runner.resume(job.id)
      await runner.run()
      expect(runner.job(job.id)?.state).toBe('done')
      // 24 tiles of 16 px; it stopped after the third (or the fourth, if that one was already running).
      expect(tiles.slice(paused)[0]).toBeGreaterThanOrEqual(4)
      expect(tiles.at(-1)).toBe(24)
      expect(readdirSync(join(data, 'resume'))).toEqual([])
      // The same pixels as the photo enhanced in one go.
      const whole = join(dir, 'whole')
      const again = await runner.addJob({
        inputs: [join(dir, 'in')],
        recursive: false,
        outDir: whole,
        model,
        settings,
        naming: '{name}',
        policy: 'skip',
      })
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
})
