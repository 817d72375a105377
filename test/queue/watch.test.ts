import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { QueueStore } from '../../src/queue/store.js'
import { FolderChanges, Settling, watchFolders } from '../../src/queue/watch.js'
import type { WatchOptions } from '../../src/queue/watch.js'
import type { JobSpec } from '../../src/queue/types.js'
import { EnhanceError } from '../../src/shared/errors.js'
import { albumJob, fakeReply, noCleanup } from '../helpers/queue.js'

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits (checking every 20 ms, at most 20 s) until `ready` holds. */
async function until(ready: () => boolean): Promise<void> {
  for (let waited = 0; !ready() && waited < 20_000; waited += 20) await delay(20)
  expect(ready()).toBe(true)
}

/** A unit-test seam: "enhances" by copying the file as it is when it runs; a file that begins "bad" is refused. */
const copyingEngine: QueueEngine = {
  enhance(request) {
    const bytes = readFileSync(request.input)
    if (bytes.toString().startsWith('bad'))
      return Promise.reject(new EnhanceError('CORRUPT_IMAGE', `${request.input} is damaged.`))
    writeFileSync(request.output, bytes)
    return Promise.resolve(fakeReply(request.output))
  },
}

describe('which new photos are ready (Settling)', () => {
  it('takes a file once two looks at least the quiet time apart find it unchanged, and never an empty one', async () => {
    const { dir } = albumJob([])
    const photo = join(dir, 'in', 'scan.jpg')
    const empty = join(dir, 'in', 'empty.jpg')
    writeFileSync(photo, 'part one')
    writeFileSync(empty, '')
    let now = 1_000
    const settling = new Settling(2000, () => now)
    const look = async (path: string) => {
      settling.beginScan()
      return settling.accept(path)
    }
    expect(await look(photo)).toBe(false)
    expect(settling.nextLookIn()).toBe(2000)
    now += 1500
    expect([await look(photo), settling.nextLookIn()]).toEqual([false, 500])
    appendFileSync(photo, ', part two') // still being written: its wait starts again
    now += 600
    expect([await look(photo), settling.nextLookIn()]).toEqual([false, 2000])
    now += 2000
    expect(await look(photo)).toBe(true)
    // Asked again in the same look (whether any is ready, then by the scan), still taken.
    expect(await settling.accept(photo)).toBe(true)
    now += 60_000
    expect([await look(empty), await look(empty)]).toEqual([false, false])
  })

  it('is timed by the monotonic clock: a wall clock set back an hour does not hold a photo for that hour', async () => {
    const { dir } = albumJob([])
    const photo = join(dir, 'in', 'scan.jpg')
    writeFileSync(photo, 'a whole scan')
    const settling = new Settling(50)
    settling.beginScan()
    expect(await settling.accept(photo)).toBe(false)
    const setBack = Date.now() - 3_600_000
    const wallClock = vi.spyOn(Date, 'now').mockImplementation(() => setBack)
    try {
      await delay(80)
      settling.beginScan()
      expect(await settling.accept(photo)).toBe(true)
    } finally {
      wallClock.mockRestore()
    }
  })

  it('forgets a file gone before it settled', async () => {
    const { dir } = albumJob([])
    const photo = join(dir, 'in', 'moved.jpg')
    writeFileSync(photo, 'x')
    const settling = new Settling(2000, () => 0)
    settling.beginScan()
    expect(await settling.accept(photo)).toBe(false)
    rmSync(photo)
    settling.beginScan()
    expect(settling.nextLookIn()).toBeNull()
  })
})

describe('changes in watched folders (FolderChanges)', () => {
  it('a new file wakes the wait, in a subfolder too; one in the ignored folder (the results) does not', async () => {
    const { dir } = albumJob([])
    const folder = join(dir, 'in')
    mkdirSync(join(folder, 'Enhanced'))
    mkdirSync(join(folder, 'roll 2'))
    const changes = new FolderChanges([folder], true, (path) => path.startsWith(join(folder, 'Enhanced')))
    const signal = new AbortController().signal
    await changes.ready
    try {
      const woken = changes.next(60_000, signal).then(() => 'woken')
      writeFileSync(join(folder, 'roll 2', 'new.jpg'), 'x')
      expect(await woken).toBe('woken') // without the event, the wait would outlast the test

      writeFileSync(join(folder, 'Enhanced', 'result.jpg'), 'x')
      await delay(300)
      const after = await Promise.race([
        changes.next(5000, signal).then(() => 'woken'),
        delay(1500).then(() => 'still waiting'),
      ])
      expect(after).toBe('still waiting')
    } finally {
      changes.close()
    }
  })

  it('an aborted watch ends the wait at once', async () => {
    const { dir } = albumJob([])
    const changes = new FolderChanges([join(dir, 'in')], false, () => false)
    const controller = new AbortController()
    const waited = changes.next(60_000, controller.signal)
    controller.abort()
    await waited
    changes.close()
  })
})

/** A watch over a fresh album of `files` (its spec changed by `edit`), with the copying engine; `stop` ends it. */
function startWatch(files: string[], options: Omit<WatchOptions, 'signal'>, edit = (spec: JobSpec) => spec) {
  const { dir, spec, queue } = albumJob(files)
  const store = new QueueStore(queue)
  const runner = new QueueRunner(store, copyingEngine, noCleanup)
  const controller = new AbortController()
  const watched = watchFolders(runner, edit(spec), { ...options, signal: controller.signal })
  const stop = async (): Promise<string | null> => {
    controller.abort()
    const jobId = await watched
    store.close()
    return jobId
  }
  return { dir, runner, stop }
}

describe('watching folders for new photos', () => {
  it('enhances what is there, then each new photo once written whole; a failed one is retried and a finished one enhanced again when it changes', async () => {
    let waits = 0
    const { dir, runner, stop } = startWatch(['old.jpg'], {
      settleMs: 300,
      pollMs: 200,
      onWaiting: () => waits++,
    })
    const out = (name: string) => join(dir, 'out', name)
    await until(() => existsSync(out('old.png')))

    // A scanner writes its file in two parts, 100 ms apart: only the whole file is taken.
    writeFileSync(join(dir, 'in', 'scan.jpg'), 'image scan, top half')
    await delay(100)
    appendFileSync(join(dir, 'in', 'scan.jpg'), ', bottom half')
    await until(() => existsSync(out('scan.png')))
    expect(readFileSync(out('scan.png'), 'utf8')).toBe('image scan, top half, bottom half')

    // A damaged copy fails; copied again whole, it is retried and enhanced.
    writeFileSync(join(dir, 'in', 'copy.jpg'), 'bad copy')
    await until(() => runner.items(runner.jobs[0]!.id).some((i) => i.state === 'failed'))
    writeFileSync(join(dir, 'in', 'copy.jpg'), 'image copy, whole')
    await until(() => existsSync(out('copy.png')))

    // A photo saved again after it was enhanced (straightened, then cropped): enhanced again, its result replaced.
    writeFileSync(join(dir, 'in', 'old.jpg'), 'image old, straightened')
    await delay(100)
    appendFileSync(join(dir, 'in', 'old.jpg'), ', cropped')
    await until(() => readFileSync(out('old.png'), 'utf8') === 'image old, straightened, cropped')

    const jobId = await stop()
    expect(runner.items(jobId!).map((i) => [i.input.replace(dir, ''), i.state])).toEqual([
      ['/in/old.jpg', 'done'],
      ['/in/scan.jpg', 'done'],
      ['/in/copy.jpg', 'done'],
    ])
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['copy.png', 'old.png', 'scan.png'])
    expect(waits).toBeGreaterThanOrEqual(3) // once each time the work ran out, not at every look
    expect(waits).toBeLessThan(10)
  })

  it('lets the engine go once idle long enough, and takes the next photo all the same', async () => {
    let released = 0
    const { dir, stop } = startWatch(['first.jpg'], {
      settleMs: 100,
      pollMs: 100,
      releaseAfterMs: 300,
      release: () => released++,
    })
    await until(() => existsSync(join(dir, 'out', 'first.png')))
    expect(released).toBe(0)
    await until(() => released > 0)
    writeFileSync(join(dir, 'in', 'second.jpg'), 'image second')
    await until(() => existsSync(join(dir, 'out', 'second.png')))
    await stop()
  })

  it('makes no job for an empty folder until a photo arrives, and never enhances its own results', async () => {
    const results = (spec: JobSpec) => ({ ...spec, outDir: join(spec.inputs[0]!, 'Enhanced') })
    const { dir, runner, stop } = startWatch([], { settleMs: 200, pollMs: 200 }, results)
    await delay(800)
    expect(runner.jobs).toEqual([])
    writeFileSync(join(dir, 'in', 'first.jpg'), 'image first')
    await until(() => existsSync(join(dir, 'in', 'Enhanced', 'first.png')))
    await delay(800) // its result is in the watched folder: looked at, and left alone
    const jobId = await stop()
    expect(runner.items(jobId!).map((i) => i.input.replace(dir, ''))).toEqual(['/in/first.jpg'])
  })
})
