import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli-process.js'
import { canMountWith, mount, networkDrive as driveAt, unmountAll, until } from '../helpers/drives.js'
import type { NetworkDrive } from '../helpers/drives.js'
import type { CliRun } from '../helpers/cli-process.js'
import type { BatchEvent } from '../../src/cli/report.js'
import { writeIdentityModel } from '../helpers/models.js'
import { codeOf } from '../helpers/errors.js'
import { cpuEngineWithPid } from '../helpers/engine.js'
import { KEEP_PROGRESS } from '../../src/shared/errors.js'
import { estimateTime } from '../../src/engine/estimate.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import type { PreparedModel } from '../../src/engine/registry.js'
import type { ModelSpecData } from '../../src/shared/protocol.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { QueueStore } from '../../src/queue/store.js'
import { QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { watchFolders } from '../../src/queue/watch.js'
import { WatchedJobs } from '../../src/queue/watched-jobs.js'
import type { ErrorData } from '../../src/shared/errors.js'
import { writeFileAtomic } from '../../src/node/files.js'
import { albumJob, fakeReply, noCleanup, queuedItem, queuedJob } from '../helpers/queue.js'

/**
 * Drives that go away while an album runs, as real ones do: a network drive whose connection drops, a USB drive
 * pulled out. A FUSE drive whose program is killed answers every call with ENOTCONN (one in flight then: ECONNABORTED), as sshfs does when its
 * connection is lost; bindfs passes every call through to a folder of this disk, so nothing written before is lost
 * and the drive can be connected again. Needs root, /dev/fuse, bindfs and rclone (CI installs them).
 */
const work = mkdtempSync(join(tmpdir(), 'enhance-drives-'))
const model = writeIdentityModel(work)
const PHOTOS = 30
/** What a FUSE drive whose program ended answers: ENOTCONN, or ECONNABORTED for a call it was serving then. */
const GONE = /stopped answering \((ENOTCONN|ECONNABORTED)\)/
const canMount = canMountWith('bindfs', 'rclone')
const WATCH = fileURLToPath(new URL('../../dist/src/queue/watch.js', import.meta.url))
afterAll(unmountAll)

/** A network drive at `name` in this test's folder. */
const networkDrive = (name: string) => driveAt(work, name)

/** How many of process `pid`'s threads wait on a FUSE drive's answer (the kernel's `request_wait_answer`). */
function callsWaitingOnFuse(pid: number): number {
  const threads = readdirSync(`/proc/${pid}/task`)
  return threads.filter(
    (tid) => readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'utf8') === 'request_wait_answer',
  ).length
}

async function album(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < PHOTOS; i++) {
    const pixels = Buffer.from(
      Array.from({ length: 48 * 48 * 3 }, (_, k) => (k * 2654435761 + i * 7919) >>> 24),
    )
    await sharp(pixels, { raw: { width: 48, height: 48, channels: 3 } })
      .png()
      .toFile(join(dir, `p${String(i).padStart(2, '0')}.png`))
  }
}

type Run = CliRun

/** A network drive at `name` holding the album in its folder `Album` (`photos`). */
async function albumOnDrive(name: string): Promise<{ drive: NetworkDrive; photos: string }> {
  const drive = await networkDrive(name)
  const photos = join(drive.dir, 'Album')
  await album(photos)
  return { drive, photos }
}

/** The real command (`runCli`) with the identity model; `onEvent` at each event it reports. */
function enhance(args: string[], onEvent?: (event: BatchEvent, child: ChildProcess) => void): Promise<Run> {
  return runCli(
    [...args, '--model', model, '--device', 'cpu', '--tile', '16', '--format', 'png'],
    join(work, 'data'),
    onEvent,
  )
}

const summaryOf = (run: Run) => run.events.find((e) => e.event === 'summary')
const waitOf = (run: Run) => run.events.find((e) => e.event === 'waiting')

/** The run enhanced every photo of the album, none failed or left, and each result is in `out`. */
function expectEveryPhotoDone(run: Run, out: string): void {
  expect(summaryOf(run)).toMatchObject({ done: PHOTOS, failed: 0, pending: 0 })
  const files = readdirSync(out)
  expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(PHOTOS)
  expect(files.filter((f) => f.endsWith('.partial'))).toEqual([])
}
const pausedOf = (run: Run) => run.events.find((e) => e.event === 'paused')
const failures = (run: Run) => run.events.filter((e) => e.event === 'failed')

/** Drops `drive` as the album's first photo is done; the command must pause, end, and finish every photo on --resume. */
async function dropMidAlbum(
  drive: NetworkDrive,
  args: string[],
  queue: string,
): Promise<{ dropped: Run; resumed: Run }> {
  let dropped = false
  const first = await enhance([...args, '--queue-dir', queue], (event) => {
    if (event.event !== 'done') return
    if (!dropped) drive.drop()
    dropped = true
  })
  await drive.reconnect()
  const resumed = await enhance(['--resume', '--queue-dir', queue])
  return { dropped: first, resumed }
}

describe.runIf(canMount)('a drive that goes away mid-album', () => {
  it('the photos\' network drive: the job pauses saying so (not "damaged, copy it again" for every photo left), and --resume finishes it', async () => {
    const drive = await networkDrive('photos-drive')
    await album(join(drive.dir, 'Album'))
    const out = join(work, 'out-photos')
    const { dropped, resumed } = await dropMidAlbum(
      drive,
      [join(drive.dir, 'Album'), '--out', out],
      join(work, 'q1'),
    )
    expect(dropped.status).toBe(1)
    expect(failures(dropped)).toEqual([])
    expect(pausedOf(dropped)).toMatchObject({ code: 'INPUT_UNAVAILABLE' })
    expect(pausedOf(dropped)?.message).toContain(`Cannot read ${join(drive.dir, 'Album')}/p`)
    expect(pausedOf(dropped)?.message).toMatch(GONE)
    const before = summaryOf(dropped)!
    expect(before).toMatchObject({ failed: 0 })
    expect(before.done).toBeLessThan(PHOTOS)
    expectEveryPhotoDone(resumed, out)
  })

  it("the results' drive: the job pauses saying the drive stopped answering, and --resume finishes it", async () => {
    const drive = await networkDrive('results-drive')
    const photos = join(work, 'album-2')
    await album(photos)
    const out = join(drive.dir, 'Enhanced')
    const { dropped, resumed } = await dropMidAlbum(drive, [photos, '--out', out], join(work, 'q2'))
    expect(dropped.status).toBe(1)
    expect(failures(dropped)).toEqual([])
    expect(pausedOf(dropped)).toMatchObject({ code: 'OUTPUT_NOT_WRITABLE' })
    expect(pausedOf(dropped)?.message).toMatch(GONE)
    expectEveryPhotoDone(resumed, out)
  })

  it("the queue's own drive: the job pauses (held in memory), the command ends with its engine, and --resume finishes it", async () => {
    const drive = await networkDrive('queue-drive')
    const photos = join(work, 'album-3')
    await album(photos)
    const out = join(work, 'out-3')
    const { dropped, resumed } = await dropMidAlbum(drive, [photos, '--out', out], join(drive.dir, 'queue'))
    expect(dropped.status).toBe(1)
    expect(dropped.err).toBe('')
    expect(pausedOf(dropped)).toMatchObject({ code: 'QUEUE_NOT_WRITABLE' })
    expect(pausedOf(dropped)?.message).toContain(
      `The queue in ${join(drive.dir, 'queue')} cannot be written: its drive stopped answering`,
    )
    expectEveryPhotoDone(resumed, out)
  })
})

describe.runIf(canMount)('a drive that hangs mid-album (its server froze)', () => {
  /** Runs the album with `drive` frozen as its first photo is done; `onWait` when the command says it waits. */
  async function frozenMidAlbum(
    drive: NetworkDrive,
    args: string[],
    onWait: (child: ChildProcess) => void,
  ): Promise<Run> {
    let frozen = false
    return enhance(args, (event, child) => {
      if (event.event === 'done' && !frozen) {
        frozen = true
        drive.freeze()
      }
      if (event.event === 'waiting') onWait(child)
    })
  }

  it("the photos' drive: the command says it waits on it, and Ctrl-C pauses there and then, the drive still frozen; --resume finishes", async () => {
    const { drive, photos } = await albumOnDrive('frozen-photos')
    const out = join(work, 'out-frozen-photos')
    const queue = join(work, 'q-frozen-photos')
    const stopped = await frozenMidAlbum(drive, [photos, '--out', out, '--queue-dir', queue], (child) =>
      child.kill('SIGINT'),
    )
    // Ended while the drive is still frozen (before, it waited with no word until the drive came back, Ctrl-C or not).
    expect(stopped.signal).toBe('SIGINT')
    expect(waitOf(stopped)).toMatchObject({ folder: photos })
    expect((waitOf(stopped) as { ms: number }).ms).toBeGreaterThanOrEqual(15_000)
    expect(failures(stopped)).toEqual([])
    expect(pausedOf(stopped)).toMatchObject({ code: 'CANCELLED' })
    drive.thaw()
    const resumed = await enhance(['--resume', '--queue-dir', queue])
    expectEveryPhotoDone(resumed, out)
  })

  it('an engine reading photos on it answers a pause there and then, the drive still frozen: nothing is left for the command to wait on before it ends', async () => {
    const { drive, photos } = await albumOnDrive('frozen-engine')
    const inputs = readdirSync(photos).map((name) => join(photos, name))
    const { engine, pid } = cpuEngineWithPid()
    try {
      await engine.inspect(model)
      drive.freeze()
      // What a run asks first: the album's time, from every photo's header.
      const asking = new AbortController()
      const estimate = engine.estimate({ path: model }, 16, inputs, { measure: false, signal: asking.signal })
      await until(() => callsWaitingOnFuse(pid()) === 1, 'the engine reading a header from the frozen drive')
      asking.abort()
      expect(await codeOf(() => estimate)).toBe('CANCELLED')
      // Before, the engine answered once the drive did: a paused command waited its minute's grace to end.
      expect(await engine.drain(30_000)).toBe(true)
      const out = join(work, 'out-frozen-engine')
      const settings = { ...DEFAULT_SETTINGS, format: 'png' as const, tile: 16 }
      const photo = { input: inputs[1]!, output: join(out, 'p01.png'), model: { path: model }, settings }
      const pausing = new AbortController()
      const enhancing = engine.enhance(photo, { signal: pausing.signal })
      await until(() => callsWaitingOnFuse(pid()) === 2, 'the engine reading the photo from the frozen drive')
      pausing.abort(KEEP_PROGRESS)
      expect(await codeOf(() => enhancing)).toBe('CANCELLED')
      expect(await engine.drain(30_000)).toBe(true)
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([])
      drive.thaw()
      // The same engine goes on once the drive answers: the photo's pixels are those its copy on this disk gives.
      mkdirSync(out, { recursive: true })
      await engine.enhance(photo)
      const local = join(out, 'local.png')
      await engine.enhance({
        ...photo,
        input: join(`${drive.dir}-server`, 'Album', 'p01.png'),
        output: local,
      })
      const pixels = (file: string) => sharp(file).raw().toBuffer({ resolveWithObject: true })
      const [enhanced, fromDisk] = await Promise.all([pixels(photo.output), pixels(local)])
      expect(enhanced.info).toMatchObject({ width: 192, height: 192 })
      expect(enhanced.data.equals(fromDisk.data)).toBe(true)
    } finally {
      drive.thaw()
      engine.close()
    }
  })

  it('an estimate paused while its model is loaded reads no photo: nothing is left waiting on the frozen drive', async () => {
    const { drive, photos } = await albumOnDrive('frozen-estimate')
    const inputs = readdirSync(photos).map((name) => join(photos, name))
    const pausing = new AbortController()
    class PausedWhileLoading extends ModelRegistry {
      override async prepare(spec: ModelSpecData): Promise<PreparedModel> {
        const prepared = await super.prepare(spec)
        pausing.abort()
        return prepared
      }
    }
    const registry = new PausedWhileLoading({ device: 'cpu' })
    try {
      drive.freeze()
      const estimate = estimateTime(registry, { path: model }, 16, inputs, {
        measure: false,
        signal: pausing.signal,
      })
      expect(await codeOf(() => estimate)).toBe('CANCELLED')
      await new Promise((resolve) => setTimeout(resolve, 500))
      // Before, the first photo's header was asked for all the same: a thread of this process left waiting on the drive.
      expect(callsWaitingOnFuse(process.pid)).toBe(0)
    } finally {
      drive.thaw()
      await registry.close()
    }
  })

  it('frozen before the command starts: it says it waits on the album named, and goes on by itself once the drive answers', async () => {
    const { drive, photos } = await albumOnDrive('frozen-at-start')
    const out = join(work, 'out-frozen-at-start')
    drive.freeze()
    const run = await enhance(
      [photos, '--out', out, '--queue-dir', join(work, 'q-frozen-at-start')],
      (event) => {
        if (event.event === 'waiting') drive.thaw()
      },
    )
    expect(run.status).toBe(0)
    expect(waitOf(run)).toMatchObject({ folder: photos })
    expect((waitOf(run) as { ms: number }).ms).toBeGreaterThanOrEqual(15_000)
    expectEveryPhotoDone(run, out)
  })

  it("a scan for photos on it (a job left 'scanning'): --resume says it waits, Ctrl-C ends the command there and then, and --resume once the drive is back finishes", async () => {
    const { drive, photos } = await albumOnDrive('frozen-scan')
    const out = join(work, 'out-frozen-scan')
    const queue = join(work, 'q-frozen-scan')
    const { spec } = albumJob([])
    const settings = { ...spec.settings, tile: 16 }
    const job = queuedJob({ ...spec, inputs: [photos], outDir: out, model: { path: model }, settings })
    const store = new QueueStore(queue)
    store.commit({ t: 'job', job: { ...job, state: 'scanning' } })
    store.close()
    drive.freeze()
    const stopped = await runCli(
      ['--resume', '--queue-dir', queue, '--device', 'cpu'],
      join(work, 'data'),
      (event, child) => {
        if (event.event === 'waiting') child.kill('SIGINT')
      },
    )
    expect(stopped.signal).toBe('SIGINT')
    const wait = waitOf(stopped)
    expect(wait).toMatchObject({ folder: photos })
    expect(wait).not.toHaveProperty('item')
    expect(pausedOf(stopped)).toMatchObject({ job: job.id, code: 'CANCELLED' })
    drive.thaw()
    const resumed = await enhance(['--resume', '--queue-dir', queue])
    expectEveryPhotoDone(resumed, out)
  })

  it("the results' drive: the command says it waits on it, says when it answers, and goes on by itself to the last photo", async () => {
    const drive = await networkDrive('frozen-results')
    const photos = join(work, 'album-frozen')
    await album(photos)
    const out = join(drive.dir, 'Enhanced')
    const run = await frozenMidAlbum(
      drive,
      [photos, '--out', out, '--queue-dir', join(work, 'q-frozen')],
      () => drive.thaw(),
    )
    expect(run.status).toBe(0)
    expect(waitOf(run)).toMatchObject({ folder: out })
    const answered = run.events.find((e) => e.event === 'answered')
    expect(answered).toMatchObject({ folder: out, item: (waitOf(run) as { item: string }).item })
    expect(run.events.indexOf(answered!)).toBeGreaterThan(run.events.indexOf(waitOf(run)!))
    expect(failures(run)).toEqual([])
    expectEveryPhotoDone(run, out)
  })
})

describe.runIf(canMount)('a watched folder on a drive that hangs', () => {
  it("setting the watch up does not hold the process (the app's window with it) until the drive answers", async () => {
    const drive = await networkDrive('frozen-watch')
    const folder = join(drive.dir, 'Scans')
    mkdirSync(folder)
    drive.freeze()
    // Its own process: one held in a call to the frozen drive could not even time the test out.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { FolderChanges } = await import(${JSON.stringify(WATCH)})
        new FolderChanges([${JSON.stringify(folder)}], true, () => false)
        setTimeout(() => { console.log('still answering'); process.exit(0) }, 200)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let said = ''
    child.stdout.on('data', (data: Buffer) => (said += data.toString()))
    const ended = new Promise((resolve) => child.on('close', resolve))
    const limit = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await ended
    clearTimeout(limit)
    drive.thaw()
    expect(said).toBe('still answering\n')
  })
})

describe.runIf(canMount)('the queue on a drive that comes back', () => {
  it('takes changes again in the same process (the app pressing Resume): the one refused is not kept, none is torn', async () => {
    const drive = await networkDrive('journal-drive')
    const dir = join(drive.dir, 'queue')
    const { spec } = albumJob([])
    const job = queuedJob(spec)
    const item = (n: number) => queuedItem(job, n)
    const store = new QueueStore(dir)
    store.commit({ t: 'job', job })
    store.commit({ t: 'items', items: [item(1), item(2)] })
    drive.drop()
    let refusal: unknown = null
    try {
      store.commit({ t: 'items', items: [item(3)] })
    } catch (error) {
      refusal = error
    }
    expect(refusal).toMatchObject({ code: 'QUEUE_NOT_WRITABLE' })
    await drive.reconnect()
    store.commit({ t: 'items', items: [item(4)] })
    store.close()
    const reloaded = new QueueStore(dir)
    expect(reloaded.loadProblems.skippedEntries).toBe(0)
    expect(reloaded.state.itemsOf(job.id).map((i) => basename(i.input))).toEqual([
      'IMG_1.jpg',
      'IMG_2.jpg',
      'IMG_4.jpg',
    ])
    reloaded.close()
  })
})

/** A scanner's folder on this computer at `name`, holding its first scan. */
function scansFolder(name: string): string {
  const scans = join(work, name)
  mkdirSync(scans)
  writeFileSync(join(scans, 'scan-1.jpg'), 'image 1')
  return scans
}

/** A unit-test seam for the engine: "enhances" by copying the photo, written as the real engine writes a result. */
const copyingEngine: QueueEngine = {
  async enhance(request) {
    await writeFileAtomic(request.output, readFileSync(request.input))
    return fakeReply(request.output)
  },
}

describe.runIf(canMount)('a watch (a scanner saving onto a network drive)', () => {
  /** A watch on `folder` looking every 100 ms, with what held it up; `stop` ends it and gives its job's id. */
  function watching(folder: string, outDir: string) {
    const { spec } = albumJob([])
    const runner = new QueueRunner(new QueueStore(join(work, `q-${randomUUID()}`)), copyingEngine, noCleanup)
    const heldUp: ErrorData[] = []
    const control = new AbortController()
    const watch = watchFolders(
      runner,
      { ...spec, inputs: [folder], outDir },
      { signal: control.signal, settleMs: 50, pollMs: 100, onHeldUp: (reason) => heldUp.push(reason) },
    )
    let ended = false
    void watch.finally(() => (ended = true))
    return { heldUp, isRunning: () => !ended, stop: () => (control.abort(), watch) }
  }

  it("waits out its folder's drive dropping, and takes the photos saved meanwhile once it is back", async () => {
    const drive = await networkDrive('scans-drive')
    const server = `${drive.dir}-server`
    writeFileSync(join(server, 'scan-1.jpg'), 'image 1')
    const out = join(work, 'out-scans')
    const watch = watching(drive.dir, out)
    await until(() => existsSync(join(out, 'scan-1.png')), 'the first scan')
    drive.drop()
    await until(() => watch.heldUp.length > 0, 'the watch held up')
    expect(watch.heldUp[0]).toMatchObject({ code: 'INPUT_UNAVAILABLE' })
    expect(watch.heldUp[0]!.message).toMatch(GONE)
    writeFileSync(join(server, 'scan-2.jpg'), 'image 2') // saved on the server meanwhile
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(watch.isRunning()).toBe(true)
    await drive.reconnect()
    await until(() => existsSync(join(out, 'scan-2.png')), 'the scan saved while the drive was gone')
    expect(readFileSync(join(out, 'scan-2.png'), 'utf8')).toBe('image 2')
    expect(watch.heldUp).toHaveLength(1) // said once, however many looks found it gone
    expect(await watch.stop()).not.toBeNull()
  })

  it("waits out the results' drive dropping mid-photo: the job, paused by it, goes on by itself once it is back", async () => {
    const drive = await networkDrive('watch-results-drive')
    const scans = scansFolder('scans-local')
    const out = join(drive.dir, 'Enhanced')
    const watch = watching(scans, out)
    await until(() => existsSync(join(out, 'scan-1.png')), 'the first scan')
    drive.drop()
    writeFileSync(join(scans, 'scan-2.jpg'), 'image 2')
    await until(() => watch.heldUp.length > 0, 'the watch held up')
    expect(watch.heldUp[0]).toMatchObject({ code: 'OUTPUT_NOT_WRITABLE' })
    expect(watch.isRunning()).toBe(true)
    await drive.reconnect()
    await until(() => existsSync(join(out, 'scan-2.png')), 'the scan that waited for the drive')
    expect(readFileSync(join(out, 'scan-2.png'), 'utf8')).toBe('image 2')
    await watch.stop()
  })
})

describe.runIf(canMount)("the app's watched job", () => {
  it("paused by its results' drive dropping, goes on by itself once the drive is back (paused by hand it stays so: test/main/watch-folder.test.ts)", async () => {
    const drive = await networkDrive('app-results-drive')
    const scans = scansFolder('app-scans')
    const out = join(drive.dir, 'Enhanced')
    const { spec } = albumJob([])
    const runner = new QueueRunner(new QueueStore(join(work, 'q-app')), copyingEngine, noCleanup)
    const job = await runner.addJob({ ...spec, inputs: [scans], outDir: out })
    runner.setWatching(job.id, true)
    const watches = new WatchedJobs(runner, { settleMs: 50, pollMs: 100 })
    watches.sync()
    await runner.run()
    expect(readFileSync(join(out, 'scan-1.png'), 'utf8')).toBe('image 1')
    drive.drop()
    writeFileSync(join(scans, 'scan-2.jpg'), 'image 2')
    await until(() => runner.job(job.id)?.pauseReason !== undefined, 'the job paused by its drive')
    expect(runner.job(job.id)).toMatchObject({
      state: 'paused',
      pauseReason: { code: 'OUTPUT_NOT_WRITABLE' },
    })
    await drive.reconnect()
    await until(() => existsSync(join(out, 'scan-2.png')), 'the scan that waited for the drive')
    expect(readFileSync(join(out, 'scan-2.png'), 'utf8')).toBe('image 2')
    watches.close()
  })
})

describe.runIf(canMount)('a queue folder on a cloud drive', () => {
  it('one that cannot add to a file it wrote (rclone without a write cache) is refused before any work, saying how to go on', async () => {
    const server = join(work, 'cloud-server')
    const dir = join(work, 'cloud')
    mkdirSync(server)
    await mount('rclone', ['mount', server, dir, '--vfs-cache-mode', 'off'], dir)
    const photos = join(work, 'album-4')
    await album(photos)
    const run = await enhance([photos, '--out', join(work, 'out-4'), '--queue-dir', join(dir, 'queue')])
    expect(run.status).toBe(1)
    expect(run.err).toContain('error QUEUE_NOT_WRITABLE: ')
    expect(run.err).toContain('cannot add to a file it wrote (ESPIPE)')
    expect(run.err).toContain('--vfs-cache-mode writes')
    expect(run.events.filter((e) => e.event === 'done')).toEqual([])
    // The probe is gone, and no journal was begun.
    expect(readdirSync(join(server, 'queue'))).toEqual([])
  })
})
