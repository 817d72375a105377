import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { QueueStore } from '../../src/queue/store.js'
import { EnhanceError } from '../../src/shared/errors.js'
import { codeOf } from '../helpers/errors.js'
import { albumJob, noCleanup, fakeReply } from '../helpers/queue.js'

/** A unit-test seam: "enhances" by copying the input after a few tiles, writing only when it finishes. */
const copyingEngine: QueueEngine = {
  async enhance(request, options) {
    for (let tile = 1; tile <= 3; tile++) {
      await new Promise((r) => setTimeout(r, 5))
      if (options.signal?.aborted) throw new EnhanceError('CANCELLED', 'Cancelled.')
      options.onProgress?.({ type: 'progress', id: 0, tilesDone: tile, tiles: 3, etaMs: null })
    }
    writeFileSync(request.output, readFileSync(request.input))
    return fakeReply(request.output)
  },
}
const album = () => albumJob(['a.jpg', 'b.jpg', 'sub/c.jpg'], 'enhance-outdir-')

const where = (runner: QueueRunner, jobId: string, dir: string) =>
  runner.items(jobId).map((i) => [basename(i.input), i.output.replace(dir, ''), i.state])

describe("a job's output folder", () => {
  it('changes before its first photo is saved: every output is planned again in the new folder', async () => {
    const { dir, spec, queue } = album()
    mkdirSync(join(dir, 'out'))
    writeFileSync(join(dir, 'out', 'a.png'), 'from an earlier run')
    mkdirSync(join(dir, 'elsewhere'))
    writeFileSync(join(dir, 'elsewhere', 'b.png'), 'already there')
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, copyingEngine, noCleanup)
    const job = await runner.addJob(spec)
    expect(where(runner, job.id, dir)[0]).toEqual(['a.jpg', '/out/a.png', 'skipped'])

    await runner.changeOutDir(job.id, join(dir, 'elsewhere'))
    // The skip policy now judges the new folder: a.png is not there, b.png is.
    await runner.run()
    expect(where(runner, job.id, dir)).toEqual([
      ['a.jpg', '/elsewhere/a.png', 'done'],
      ['b.jpg', '/elsewhere/b.png', 'skipped'],
      ['c.jpg', '/elsewhere/sub/c.png', 'done'],
    ])
    expect(readFileSync(join(dir, 'elsewhere', 'a.png'), 'utf8')).toBe('image a.jpg')
    expect(readFileSync(join(dir, 'elsewhere', 'sub', 'c.png'), 'utf8')).toBe('image sub/c.jpg')
    expect(readFileSync(join(dir, 'elsewhere', 'b.png'), 'utf8')).toBe('already there')
    expect(readdirSync(join(dir, 'out'))).toEqual(['a.png'])
    expect(readFileSync(join(dir, 'out', 'a.png'), 'utf8')).toBe('from an earlier run')

    // Once a photo is saved, the job's results stay together.
    expect(await codeOf(() => runner.changeOutDir(job.id, join(dir, 'third')))).toBe('INVALID_ARGUMENT')
    store.close()
    const reopened = new QueueRunner(new QueueStore(queue), copyingEngine, noCleanup)
    expect(reopened.jobs[0]!.spec.outDir).toBe(join(dir, 'elsewhere'))
  })

  it('moves the photo in flight too: it starts again in the new folder, and nothing lands in the old one', async () => {
    const { dir, spec, queue } = album()
    const runner = new QueueRunner(new QueueStore(queue), copyingEngine, noCleanup)
    const job = await runner.addJob(spec)
    const firstTile = new Promise<void>((resolve) =>
      runner.subscribe((event) => event.type === 'progress' && resolve()),
    )
    const running = runner.run()
    await firstTile
    await runner.changeOutDir(job.id, join(dir, 'elsewhere'))
    await running
    await runner.run()
    expect(where(runner, job.id, dir)).toEqual([
      ['a.jpg', '/elsewhere/a.png', 'done'],
      ['b.jpg', '/elsewhere/b.png', 'done'],
      ['c.jpg', '/elsewhere/sub/c.png', 'done'],
    ])
    // The first photo had made its folder before it was stopped; nothing was written in it.
    expect(readdirSync(join(dir, 'out'))).toEqual([])
  })
})
