/** A job's time left, from the engine's estimate of each of its photos and the pace of those done. */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import { JobEstimates } from '../../src/queue/job-estimates.js'
import type { Estimator } from '../../src/queue/job-estimates.js'
import { jobView } from '../../src/main/services/views.js'
import { QueueRunner } from '../../src/queue/runner.js'
import { QueueStore } from '../../src/queue/store.js'
import type { JobSpec } from '../../src/queue/types.js'
import { EnhanceError, cancelledError } from '../../src/shared/errors.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { WORKER, writeIdentityModel } from '../helpers/models.js'
import { noCleanup } from '../helpers/queue.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-estimates-'))
const album = join(work, 'Album')
const engine = new EngineClient(() =>
  forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu', ENHANCE_DATA_DIR: join(work, 'data') } }),
)
afterAll(() => engine.close())

async function photo(name: string, width: number, height: number, dir = album): Promise<string> {
  const path = join(dir, name)
  await sharp({ create: { width, height, channels: 3, background: '#604080' } })
    .png()
    .toFile(path)
  return path
}

/** A job of a folder's photos, to be enhanced with the identity model. */
function spec(dir: string): JobSpec {
  return {
    inputs: [dir],
    recursive: false,
    outDir: join(dir, 'out'),
    model: { path: writeIdentityModel(work) },
    settings: DEFAULT_SETTINGS,
    naming: '{name}',
    policy: 'skip',
  }
}

/** A folder of one photo, queued as a job in a queue of its own: its runner. */
async function queuedAlbum(name: string): Promise<QueueRunner> {
  const dir = join(work, name)
  mkdirSync(dir)
  await photo('photo.png', 40, 30, dir)
  const runner = new QueueRunner(new QueueStore(join(work, `queue-${name}`)), engine, noCleanup)
  await runner.addJob(spec(dir))
  return runner
}

describe('a job’s time left from its photos’ estimates', () => {
  it('asks the engine once for each photo, as the queue finds it, and says their sum until one is done', async () => {
    mkdirSync(album)
    const inputs = [await photo('a.png', 300, 200), await photo('b.png', 120, 90)]
    const spec: JobSpec = {
      inputs: [album],
      recursive: false,
      outDir: join(work, 'out'),
      model: { path: writeIdentityModel(work) },
      settings: { ...DEFAULT_SETTINGS, tile: 'auto', format: 'png' },
      naming: '{name}',
      policy: 'skip',
    }
    const runner = new QueueRunner(new QueueStore(join(work, 'queue')), engine, noCleanup)
    // Wired as the app wires it: the queue's changes ask for what is new; each photo asked for is noted.
    const askedFor: string[] = []
    const estimates = new JobEstimates(
      runner,
      {
        estimate: (model, tile, inputs, options) => {
          askedFor.push(...inputs)
          return engine.estimate(model, tile, inputs, options)
        },
      },
      () => undefined,
    )
    runner.subscribe((event) => {
      if (event.type === 'job' || event.type === 'removed') estimates.sync()
    })
    const job = await runner.addJob(spec)
    const byInput = () => Object.fromEntries(estimates.of(job.id) ?? [])
    await expect.poll(() => Object.keys(byInput()).length, { timeout: 30_000 }).toBe(2)
    // Each photo's estimate is the engine's for it (the rates it measured then, remembered).
    const engines = await engine.estimate(spec.model, 'auto', inputs)
    expect(byInput()).toEqual({ [inputs[0]!]: engines.perPhotoMs![0], [inputs[1]!]: engines.perPhotoMs![1] })
    expect(engines.perPhotoMs![0]).toBeGreaterThan(engines.perPhotoMs![1]!)
    const view = () => jobView(runner.job(job.id)!, runner.items(job.id), estimates.of(job.id))
    expect([view().etaMs, view().etaEstimated]).toEqual([Math.round(engines.ms!), true])

    // A photo joins the job: it alone is asked for. Each photo was asked for once.
    const c = await photo('c.png', 200, 300)
    expect((await runner.jobFor(spec)).id).toBe(job.id)
    await expect.poll(() => Object.keys(byInput()).length, { timeout: 30_000 }).toBe(3)
    expect(byInput()[c]).toBe((await engine.estimate(spec.model, 'auto', [c])).perPhotoMs![0])
    expect(askedFor.sort()).toEqual([...inputs, c].sort())

    // Enhanced, no photo is left to come; nothing more is asked.
    await runner.run()
    expect(runner.job(job.id)!.state).toBe('done')
    expect([view().etaMs, view().etaEstimated]).toEqual([0, undefined])
    estimates.sync()
    expect(askedFor).toHaveLength(3)
    // A job cleared from the queue is forgotten.
    runner.remove(job.id)
    estimates.sync()
    expect(estimates.of(job.id)).toBeUndefined()
  }, 60_000)

  it('stops the ask under way of a job cleared from the queue, and every ask once closed', async () => {
    const albums = ['First', 'Second'].map((name) => join(work, name))
    for (const dir of albums) mkdirSync(dir)
    await photo('a.png', 40, 30, albums[0])
    await photo('b.png', 40, 30, albums[1])
    const runner = new QueueRunner(new QueueStore(join(work, 'queue-stopped')), engine, noCleanup)
    const jobs = await Promise.all(albums.map((dir) => runner.addJob(spec(dir))))
    // An engine that answers only by stopping, as the real one does when cancelled.
    const asks: { inputs: string[]; signal: AbortSignal }[] = []
    const estimates = new JobEstimates(
      runner,
      {
        estimate: (_model, _tile, inputs, { signal }) =>
          new Promise((_resolve, reject) => {
            asks.push({ inputs, signal: signal! })
            signal!.addEventListener('abort', () => reject(cancelledError()))
          }),
      },
      () => undefined,
    )
    estimates.sync()
    expect(asks.map(({ inputs }) => inputs.map((input) => basename(input)))).toEqual([['a.png'], ['b.png']])
    runner.remove(jobs[0]!.id)
    estimates.sync()
    expect(asks.map(({ signal }) => signal.aborted)).toEqual([true, false])
    estimates.close()
    expect(asks.map(({ signal }) => signal.aborted)).toEqual([true, true])
    // Closed, it asks nothing more, even for photos whose ask was stopped.
    await new Promise((resolve) => setImmediate(resolve))
    estimates.sync()
    expect(asks).toHaveLength(2)
    expect(jobs.map((job) => estimates.of(job.id))).toEqual([undefined, undefined])
  })

  it('asks again for every photo of a job whose models changed, the ask under way stopped and its answer not kept', async () => {
    const runner = await queuedAlbum('Other pair')
    runner.hold()
    const [job] = runner.jobs
    const asks: { model: string; signal: AbortSignal; answer: (ms: number) => void }[] = []
    const estimator: Estimator = {
      estimate: (model, _tile, inputs, { signal }) =>
        new Promise((resolve, reject) => {
          const answer = (ms: number) =>
            resolve({ ms, perPhotoMs: inputs.map(() => ms) } as Awaited<ReturnType<Estimator['estimate']>>)
          asks.push({ model: basename(model.path), signal: signal!, answer })
          signal!.addEventListener('abort', () => reject(cancelledError()))
        }),
    }
    const estimates = new JobEstimates(runner, estimator, () => undefined)
    runner.subscribe((event) => {
      if (event.type === 'job') estimates.sync()
    })
    const byPhoto = () => [...(estimates.of(job!.id)?.values() ?? [])]
    estimates.sync()
    await runner.chooseModels(job!.id, { path: join(work, 'other.onnx') })
    expect(asks.map(({ model, signal }) => [model, signal.aborted])).toEqual([
      [basename(job!.spec.model.path), true],
      ['other.onnx', false],
    ])
    asks[0]!.answer(5)
    asks[1]!.answer(7)
    await expect.poll(byPhoto).toEqual([7])
    // Back to the first models: asked again, the other's estimate forgotten meanwhile.
    await runner.chooseModels(job!.id, job!.spec.model)
    expect(byPhoto()).toEqual([])
    asks[2]!.answer(3)
    await expect.poll(byPhoto).toEqual([3])
    expect(asks.map(({ model }) => model)).toEqual([
      basename(job!.spec.model.path),
      'other.onnx',
      asks[0]!.model,
    ])
  })

  it('asks again for photos the engine failed to estimate at the next change, not at once', async () => {
    const runner = await queuedAlbum('Failing')
    let asks = 0
    const failing = (): Promise<never> => {
      asks++
      return Promise.reject(new EnhanceError('ENGINE_CRASHED', 'The engine stopped.'))
    }
    const estimates = new JobEstimates(runner, { estimate: failing }, () => undefined)
    estimates.sync()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(asks).toBe(1)
    estimates.sync()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(asks).toBe(2)
  })

  it('not measuring, asks again at the next change while no tile speed is known; measuring, once', async () => {
    const runner = await queuedAlbum('Unmeasured')
    // The real engine, on a computer where nothing was measured yet.
    const fresh = new EngineClient(() =>
      forkEngine({
        workerPath: WORKER,
        env: { ENHANCE_DEVICE: 'cpu', ENHANCE_DATA_DIR: join(work, 'unmeasured-data') },
      }),
    )
    afterAll(() => fresh.close())
    /** The replies to the asks of two changes in a row (the second after the first's reply). */
    const asked = async (measure: boolean, expected: number): Promise<[(number | null)[], boolean]> => {
      const replies: (number | null)[] = []
      const estimator: Estimator = {
        estimate: async (model, tile, inputs, options) => {
          const reply = await fresh.estimate(model, tile, inputs, { ...options, measure })
          replies.push(reply.ms)
          return reply
        },
      }
      const estimates = new JobEstimates(runner, estimator, () => undefined, measure)
      estimates.sync()
      await expect.poll(() => replies.length, { timeout: 30_000 }).toBe(1)
      await new Promise((resolve) => setImmediate(resolve))
      estimates.sync()
      await expect.poll(() => replies.length, { timeout: 30_000 }).toBe(expected)
      // Nothing more comes.
      await new Promise((resolve) => setTimeout(resolve, 300))
      return [replies, estimates.unmeasured]
    }
    // Told so, the CLI asks again only once a tile has run.
    expect(await asked(false, 2)).toEqual([[null, null], true])
    const [measured, unmeasured] = await asked(true, 1)
    expect(measured).toHaveLength(1)
    expect(measured[0]).toBeGreaterThan(0)
    expect(unmeasured).toBe(false)
  }, 60_000)
})
