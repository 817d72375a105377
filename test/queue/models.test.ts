/**
 * A job's models chosen after it was made (the other bundled pair): its photos are enhanced again with them, named for
 * them where its names say so, at the realism they had, and the choice outlives a restart.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { QueueStore } from '../../src/queue/store.js'
import { jobModel } from '../../src/queue/types.js'
import type { JobSpec } from '../../src/queue/types.js'
import { EnhanceError } from '../../src/shared/errors.js'
import type { ModelSpecData } from '../../src/shared/protocol.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { codeOf } from '../helpers/errors.js'
import { fakeReply } from '../helpers/queue.js'

const REAL: ModelSpecData = {
  path: 'real-psnr.safetensors',
  blend: { path: 'real-gan.safetensors', realism: 0.5 },
}
const CLEAN: ModelSpecData = { path: 'psnr.safetensors', blend: { path: 'gan.safetensors', realism: 0.5 } }
const noCleanup = { removeStalePartials: () => Promise.resolve(0) }

/** One photo's run: its name and the models (at the realism) it was enhanced with. */
type Run = string

/**
 * A unit-test seam: records each photo's models as `name:psnr+gan@realism`, writes that into its output, and reads a
 * model's scale from its name (`x2` in it: 2, else 4). `hold` keeps one photo running until aborted.
 */
function recordingEngine(runs: Run[], hold?: { name: string; started?: boolean }): QueueEngine {
  return {
    async enhance(request, options) {
      const name = request.input.split('/').pop()!
      if (hold?.name === name) {
        hold.name = ''
        hold.started = true
        await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve()))
        throw new EnhanceError('CANCELLED', 'Stopped.')
      }
      const { path, blend } = request.model
      const run = `${name}:${path}${blend ? `+${blend.path}@${blend.realism}` : ''}`
      runs.push(run)
      writeFileSync(request.output, run)
      return fakeReply(request.output, 1)
    },
    inspect: (path: string) => Promise.resolve({ scale: path.includes('x2') ? 2 : 4 }),
  }
}

function album(names: string[], change: Partial<JobSpec> = {}): { spec: JobSpec; queue: string } {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-models-'))
  for (const name of names) writeFileSync(join(dir, name), name)
  const spec: JobSpec = {
    inputs: names.map((name) => join(dir, name)),
    recursive: false,
    outDir: join(dir, 'out'),
    model: REAL,
    settings: { ...DEFAULT_SETTINGS, format: 'png' },
    naming: '{name}',
    policy: 'skip',
    ...change,
  }
  return { spec, queue: join(dir, 'queue') }
}

describe("a job's models chosen after it was made", () => {
  it('enhances its done photos again with them, at the realism they had, and a restart keeps them', async () => {
    const runs: Run[] = []
    const { spec, queue } = album(['a.jpg', 'b.jpg', 'c.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine(runs), noCleanup)
    const job = await runner.addJob(spec)
    const [a, b, c] = runner.items(job.id)
    // One photo skipped as asked stays skipped: only done and waiting photos are enhanced again.
    runner.skipPhotos({ jobId: job.id, itemId: c!.id }, true)
    await runner.run()
    await runner.adjust({ jobId: job.id }, { realism: 0.8 })
    await runner.adjust({ jobId: job.id, itemId: b!.id }, { realism: 0.2 })
    await runner.run()
    runs.length = 0
    expect(runner.job(job.id)!.state).toBe('done')
    expect(await runner.chooseModels(job.id, { ...CLEAN, blend: { ...CLEAN.blend!, realism: 0.8 } })).toBe(2)
    expect(runner.job(job.id)!.state).not.toBe('done')
    await runner.run()
    expect(runner.job(job.id)!.state).toBe('done')
    expect(runs).toEqual([
      'a.jpg:psnr.safetensors+gan.safetensors@0.8',
      'b.jpg:psnr.safetensors+gan.safetensors@0.2',
    ])
    // Their names say nothing of the models: each output is replaced where it lies.
    expect(readFileSync(a!.output, 'utf8')).toBe('a.jpg:psnr.safetensors+gan.safetensors@0.8')
    expect(runner.items(job.id).map((i) => i.state)).toEqual(['done', 'done', 'skipped'])
    store.close()
    const reopened = new QueueStore(queue)
    const kept = reopened.state.jobs.get(job.id)!
    expect([jobModel(kept).path, jobModel(kept).blend?.path, kept.spec.model.path]).toEqual([
      'psnr.safetensors',
      'gan.safetensors',
      'real-psnr.safetensors',
    ])
    reopened.close()
  })

  it('names its photos for them where its names say {model}, keeping the earlier files, and goes back to them', async () => {
    const runs: Run[] = []
    const { spec, queue } = album(['a.jpg', 'b.jpg'], { naming: '{name}_{model}' })
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine(runs), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const out = (name: string) => join(spec.outDir, name)
    expect(runner.items(job.id).map((i) => i.output)).toEqual([
      out('a_real-psnr.png'),
      out('b_real-psnr.png'),
    ])
    // A file of the new name that is not the photo's own is kept, and the photo gets a suffix.
    writeFileSync(out('b_psnr.png'), 'the user’s own file')
    await runner.chooseModels(job.id, CLEAN)
    await runner.run()
    expect(runner.items(job.id).map((i) => i.output)).toEqual([out('a_psnr.png'), out('b_psnr_2.png')])
    expect(readFileSync(out('a_real-psnr.png'), 'utf8')).toBe(
      'a.jpg:real-psnr.safetensors+real-gan.safetensors@0.5',
    )
    expect(readFileSync(out('a_psnr.png'), 'utf8')).toBe('a.jpg:psnr.safetensors+gan.safetensors@0.5')
    expect(readFileSync(out('b_psnr.png'), 'utf8')).toBe('the user’s own file')
    // Back to the first pair: each photo's own earlier file is its to replace.
    await runner.chooseModels(job.id, REAL)
    await runner.run()
    expect(runner.items(job.id).map((i) => i.output)).toEqual([
      out('a_real-psnr.png'),
      out('b_real-psnr.png'),
    ])
    expect(runs).toHaveLength(6)
  })

  it('names the photos its scan finds after a choice made while its folders are read for the models and realism chosen', async () => {
    const runs: Run[] = []
    const { spec, queue } = album(['a.jpg', 'b.jpg'], { naming: '{name}_{model}_{alpha}' })
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine(runs), noCleanup)
    let goOn = (): void => undefined
    const held = new Promise<void>((resolve) => (goOn = resolve))
    let reading = false
    // Its folders still being read (a large album on a network drive): the first photo's look held.
    const adding = runner.addJob(spec, {
      accept: async () => {
        reading = true
        await held
        return true
      },
    })
    await expect.poll(() => reading).toBe(true)
    const [job] = runner.jobs
    expect(job!.state).toBe('scanning')
    expect(await runner.chooseModels(job!.id, CLEAN)).toBe(0)
    await runner.adjust({ jobId: job!.id }, { realism: 0.8 })
    goOn()
    await adding
    await runner.run()
    const out = (name: string) => join(spec.outDir, name)
    expect(runner.items(job!.id).map((i) => i.output)).toEqual([
      out('a_psnr_0.80.png'),
      out('b_psnr_0.80.png'),
    ])
    expect(runs).toEqual([
      'a.jpg:psnr.safetensors+gan.safetensors@0.8',
      'b.jpg:psnr.safetensors+gan.safetensors@0.8',
    ])
  })

  it('names them for a model of another scale where its names say {scale}, and enhances with one model alone', async () => {
    const runs: Run[] = []
    const { spec, queue } = album(['a.jpg'], { naming: '{name}_x{scale}' })
    // Compacted after every change: read back from its snapshot, not its journal.
    const store = new QueueStore(queue, 1)
    const runner = new QueueRunner(store, recordingEngine(runs), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    await runner.chooseModels(job.id, { path: 'sharp-x2.onnx' })
    await runner.run()
    expect(runner.items(job.id)[0]!.output).toBe(join(spec.outDir, 'a_x2.png'))
    expect(runs.at(-1)).toBe('a.jpg:sharp-x2.onnx')
    // One model alone has no realism to choose.
    await expect(runner.adjust({ jobId: job.id }, { realism: 0.3 })).rejects.toThrow(/no realistic partner/)
    store.close()
    const reopened = new QueueStore(queue)
    const kept = reopened.state.jobs.get(job.id)!
    expect([kept.modelScale, kept.model]).toEqual([2, { path: 'sharp-x2.onnx' }])
    expect(reopened.loadProblems.snapshotSetAside).toBe(false)
    reopened.close()
  })

  it('tries the photos that failed for the old models’ sake with them, not those that failed for their own', async () => {
    const runs: Run[] = []
    const recording = recordingEngine(runs)
    const engine: QueueEngine = {
      ...recording,
      enhance(request, options) {
        if (request.input.endsWith('damaged.jpg'))
          return Promise.reject(new EnhanceError('CORRUPT_IMAGE', 'damaged.jpg is damaged.'))
        if (request.model.path === 'broken.safetensors')
          return Promise.reject(new EnhanceError('DEGENERATE_MODEL', 'This model produces invalid pixels.'))
        return recording.enhance(request, options)
      },
    }
    const { spec, queue } = album(['a.jpg', 'b.jpg', 'damaged.jpg'], {
      model: { path: 'broken.safetensors' },
    })
    const runner = new QueueRunner(new QueueStore(queue), engine, noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const states = () => runner.items(job.id).map((i) => [i.state, i.error?.code])
    expect(states()).toEqual([
      ['failed', 'DEGENERATE_MODEL'],
      ['failed', 'DEGENERATE_MODEL'],
      ['failed', 'CORRUPT_IMAGE'],
    ])
    expect(await runner.chooseModels(job.id, CLEAN)).toBe(2)
    await runner.run()
    expect(runs).toEqual([
      'a.jpg:psnr.safetensors+gan.safetensors@0.5',
      'b.jpg:psnr.safetensors+gan.safetensors@0.5',
    ])
    expect(states().map(([state]) => state)).toEqual(['done', 'done', 'failed'])
    expect(runner.job(job.id)!.state).toBe('done')
  })

  it('restarts the photo in flight with them, and refuses the models it has or a job gone', async () => {
    const runs: Run[] = []
    const hold: { name: string; started?: boolean } = { name: 'b.jpg' }
    const { spec, queue } = album(['a.jpg', 'b.jpg'])
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine(runs, hold), noCleanup)
    const job = await runner.addJob(spec)
    const running = runner.run()
    await expect.poll(() => hold.started).toBe(true)
    expect(await runner.chooseModels(job.id, CLEAN)).toBe(2)
    await running
    await runner.run()
    expect(runs).toEqual([
      'a.jpg:real-psnr.safetensors+real-gan.safetensors@0.5',
      'a.jpg:psnr.safetensors+gan.safetensors@0.5',
      'b.jpg:psnr.safetensors+gan.safetensors@0.5',
    ])
    expect(runner.items(job.id).map((i) => [i.state, i.crashes])).toEqual([
      ['done', 0],
      ['done', 0],
    ])
    // The same models at another realism are the models it has.
    const again = { ...CLEAN, blend: { ...CLEAN.blend!, realism: 1 } }
    expect(await codeOf(() => runner.chooseModels(job.id, again))).toBe('INVALID_ARGUMENT')
    await expect(runner.chooseModels(job.id, CLEAN)).rejects.toThrow('already enhanced with those models')
    runner.remove(job.id)
    await expect(runner.chooseModels(job.id, REAL)).rejects.toThrow('no longer in the queue')
    expect(runs).toHaveLength(3)
  })
})
