import { execFileSync } from 'node:child_process'
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isWatchable } from '../../src/main/services/views.js'
import { QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { exportItems, jobReport } from '../../src/queue/report.js'
import { QueueStore } from '../../src/queue/store.js'
import type { JobSpec } from '../../src/queue/types.js'
import { EnhanceError } from '../../src/shared/errors.js'
import type { ErrorCode } from '../../src/shared/errors.js'
import { codeOf } from '../helpers/errors.js'
import { albumJob, noCleanup, fakeReply } from '../helpers/queue.js'

/** A unit-test seam: "enhances" by copying the input, failing as told per file name. */
function fakeEngine(failures: Record<string, ErrorCode | ErrorCode[]> = {}, log: string[] = []): QueueEngine {
  return {
    async enhance(request, options) {
      log.push(request.input)
      for (let tile = 1; tile <= 3; tile++) {
        await new Promise((r) => setTimeout(r, 2))
        if (options.signal?.aborted) throw new EnhanceError('CANCELLED', 'Cancelled.')
        options.onProgress?.({ type: 'progress', id: 0, tilesDone: tile, tiles: 3, etaMs: null })
      }
      const name = request.input.split('/').pop()!
      const planned = failures[name]
      const code = Array.isArray(planned) ? planned.shift() : planned
      if (code) throw new EnhanceError(code, `fake ${code}`)
      writeFileSync(request.output, readFileSync(request.input))
      return fakeReply(request.output)
    },
  }
}

function setup(files: string[]): { dir: string; spec: JobSpec; queue: string } {
  const job = albumJob(files)
  mkdirSync(join(job.dir, 'in', 'sub'), { recursive: true })
  writeFileSync(join(job.dir, 'in', 'readme.txt'), 'not an image')
  return job
}

describe('queue runner', () => {
  it('never replaces an original, even with --overwrite into the input folder', async () => {
    const { dir, spec, queue } = setup(['a.jpg', 'a.png', 'sub/b.png'])
    writeFileSync(join(dir, 'in', 'sub', 'b_2.png'), 'a photo that happens to have this name')
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const job = await runner.addJob({ ...spec, outDir: spec.inputs[0]!, policy: 'overwrite' })
    await runner.run()
    // a.jpg's output would be a.png, the other original: it and every later conflict get a suffix.
    expect(runner.items(job.id).map((i) => [i.input.replace(dir, ''), i.output.replace(dir, '')])).toEqual([
      ['/in/a.jpg', '/in/a_2.png'],
      ['/in/a.png', '/in/a_3.png'],
      ['/in/sub/b_2.png', '/in/sub/b_2_2.png'],
      ['/in/sub/b.png', '/in/sub/b_3.png'],
    ])
    expect(readFileSync(join(dir, 'in', 'a.png'), 'utf8')).toBe('image a.png')
    expect(readFileSync(join(dir, 'in', 'sub', 'b_2.png'), 'utf8')).toBe(
      'a photo that happens to have this name',
    )
    expect(readFileSync(join(dir, 'in', 'a_2.png'), 'utf8')).toBe('image a.jpg')
  })

  it('runs every item, counts non-images, and reports per job', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.png', 'sub/c.webp'])
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const report = jobReport(runner.jobs[0]!, runner.items(job.id))
    expect(report).toMatchObject({ state: 'done', total: 3, ignored: 1, counts: { done: 3, failed: 0 } })
    expect(runner.items(job.id).map((i) => i.output.replace(spec.outDir, ''))).toEqual([
      '/a.png',
      '/b.png',
      '/sub/c.png',
    ])
  })

  it('a failed item keeps its code, the job goes on, and retry runs it again', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const runner = new QueueRunner(
      new QueueStore(queue),
      fakeEngine({ 'b.jpg': ['CORRUPT_IMAGE'] }),
      noCleanup,
    )
    const job = await runner.addJob(spec)
    await runner.run()
    const failed = runner.items(job.id).find((i) => i.state === 'failed')!
    expect(failed.error?.code).toBe('CORRUPT_IMAGE')
    expect(runner.items(job.id).filter((i) => i.state === 'done')).toHaveLength(2)
    // Its caption (one with a comma and quotes) and the job's date in the last columns, quoted as RFC 4180 says.
    await runner.adjust({ jobId: job.id, itemId: failed.id }, { caption: 'Grandma, "Nana"' })
    await runner.adjust({ jobId: job.id }, { taken: '1962-07' })
    const csv = exportItems(runner.items(job.id), 'csv', (id) => runner.job(id))
    // How it is made too: no realism (this setup's model has no partner), upright, not mirrored.
    expect(csv.split('\n')[0]).toBe(
      'input,output,state,code,message,ms,skipReason,note,realism,turn,mirrored,taken,caption',
    )
    expect(csv).toContain(
      ',failed,CORRUPT_IMAGE,fake CORRUPT_IMAGE,,,,,0,false,1962-07,"Grandma, ""Nana"""' + '\n',
    )
    // Its own facing, as it will be made: a quarter right, mirrored.
    await runner.adjust({ jobId: job.id, itemId: failed.id }, { facing: { turn: 90, mirrored: true } })
    expect(exportItems(runner.items(job.id), 'csv', (id) => runner.job(id)).split('\n')[2]).toContain(
      ',,90,true,1962-07,',
    )
    // A caption a spreadsheet would read as a formula is written as text there; JSON keeps it as typed.
    const [first] = runner.items(job.id)
    await runner.adjust({ jobId: job.id, itemId: first!.id }, { caption: '=HYPERLINK("http://x")' })
    expect(exportItems(runner.items(job.id), 'csv', (id) => runner.job(id)).split('\n')[1]).toMatch(
      /,1962-07,"'=HYPERLINK\(""http:\/\/x""\)"$/,
    )
    const json = JSON.parse(exportItems(runner.items(job.id), 'json', (id) => runner.job(id))) as object[]
    expect(json.map((row) => ('caption' in row ? row.caption : null))).toEqual([
      '=HYPERLINK("http://x")',
      'Grandma, "Nana"',
      null,
    ])
    expect(runner.retry({ itemId: failed.id })).toBe(1)
    await runner.run()
    expect(runner.items(job.id).every((i) => i.state === 'done')).toBe(true)
  })

  it('reads a cut-short photo as far as it goes only when asked, keeps the note, and drops it on the next run', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const asked: Record<string, boolean | undefined> = {}
    const engine: QueueEngine = {
      enhance(request) {
        const name = request.input.split('/').pop()!
        asked[name] = request.settings.readDamaged
        if (name !== 'a.jpg' && !request.settings.readDamaged)
          return Promise.reject(
            new EnhanceError(name === 'b.jpg' ? 'PARTIAL_IMAGE' : 'CORRUPT_IMAGE', `fake ${name}`),
          )
        writeFileSync(request.output, 'enhanced')
        const note = request.settings.readDamaged ? 'read as far as it goes' : undefined
        return Promise.resolve({ ...fakeReply(request.output), ...(note ? { note } : {}) })
      },
    }
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, engine, noCleanup)
    const job = await runner.addJob({
      ...spec,
      model: { ...spec.model, blend: { path: 'gan.safetensors', realism: 0.5 } },
    })
    await runner.run()
    expect(runner.items(job.id).map((i) => i.error?.code ?? i.state)).toEqual([
      'done',
      'PARTIAL_IMAGE',
      'CORRUPT_IMAGE',
    ])
    // Only the partly readable photo is queued again, and only it is read leniently.
    expect(runner.readDamaged({ jobId: job.id })).toBe(1)
    await runner.run()
    const [a, b, c] = runner.items(job.id)
    expect(b).toMatchObject({ state: 'done', readDamaged: true, note: 'read as far as it goes' })
    // The report names the photos read from damaged files, for an album too long to scroll.
    expect(exportItems(runner.items(job.id), 'csv', (id) => runner.job(id)).split('\n')[2]).toMatch(
      /,done,,,\d+,,read as far as it goes,0.5,0,false,,$/,
    )
    expect(asked).toEqual({ 'a.jpg': undefined, 'b.jpg': true, 'c.jpg': undefined })
    expect([a!.note, c!.state]).toEqual([undefined, 'failed'])
    // The note survives a restart (the journal), and a new run of the photo starts without it.
    const reopened = new QueueRunner(new QueueStore(queue), engine, noCleanup)
    expect(reopened.items(job.id)[1]!.note).toBe('read as far as it goes')
    expect(await reopened.adjust({ jobId: job.id, itemId: b!.id }, { realism: 0.25 })).toBeGreaterThan(0)
    expect(reopened.items(job.id)[1]!.note).toBeUndefined()
  })

  it("keeps the engine's time from reading to writing through a restart, and drops it on a run that told none", async () => {
    const { spec, queue } = setup(['a.jpg'])
    const told: (number | undefined)[] = [900, undefined]
    const engine: QueueEngine = {
      enhance(request) {
        writeFileSync(request.output, 'enhanced')
        const ranMs = told.shift()
        return Promise.resolve({ ...fakeReply(request.output, 1500), ...(ranMs ? { ranMs } : {}) })
      },
    }
    const runner = new QueueRunner(new QueueStore(queue), engine, noCleanup)
    const job = await runner.addJob({
      ...spec,
      model: { ...spec.model, blend: { path: 'gan.safetensors', realism: 0.5 } },
    })
    await runner.run()
    expect(runner.items(job.id)[0]).toMatchObject({ state: 'done', ms: 1500, ranMs: 900 })
    const reopened = new QueueRunner(new QueueStore(queue), engine, noCleanup)
    expect(reopened.items(job.id)[0]).toMatchObject({ ms: 1500, ranMs: 900 })
    // Enhanced again (say, picked up part-way), the photo has no such time: the old one would pace the photos to come.
    expect(await reopened.adjust({ jobId: job.id }, { realism: 0.25 })).toBe(1)
    await reopened.run()
    expect(reopened.items(job.id)[0]!.ranMs).toBeUndefined()
    expect(new QueueRunner(new QueueStore(queue), engine, noCleanup).items(job.id)[0]!.ranMs).toBeUndefined()
  })

  it('re-queues an item once after an engine crash and skips it after the second', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const engine = fakeEngine({ 'a.jpg': ['ENGINE_CRASHED', 'ENGINE_CRASHED'], 'b.jpg': ['ENGINE_CRASHED'] })
    const runner = new QueueRunner(new QueueStore(queue), engine, noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const [a, b] = runner.items(job.id)
    expect(a).toMatchObject({
      state: 'skipped',
      skipReason: 'crashed',
      crashes: 2,
      error: { code: 'ENGINE_CRASHED' },
    })
    expect(b).toMatchObject({ state: 'done', crashes: 1 })
    expect(runner.retry({ jobId: job.id })).toBe(1)
  })

  it('pauses the job when the disk is full, losing nothing, and resumes', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine({ 'b.jpg': ['DISK_FULL'] }), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    expect(runner.jobs[0]).toMatchObject({ state: 'paused', pauseReason: { code: 'DISK_FULL' } })
    expect(runner.items(job.id).map((i) => i.state)).toEqual(['done', 'queued', 'queued'])
    runner.resume(job.id)
    await runner.run()
    expect(runner.items(job.id).map((i) => i.state)).toEqual(['done', 'done', 'done'])
  })

  it('pause stops at a tile boundary and puts the item back; cancel cancels the rest', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    let paused = false
    runner.subscribe((e) => {
      if (e.type === 'progress' && e.tilesDone === 2 && !paused) {
        paused = true
        runner.pause(job.id)
      }
    })
    await runner.run()
    expect(runner.items(job.id).map((i) => i.state)).toEqual(['queued', 'queued', 'queued'])
    runner.resume(job.id)
    runner.cancel(job.id)
    await runner.run()
    expect(runner.jobs[0]!.state).toBe('cancelled')
    expect(new Set(runner.items(job.id).map((i) => i.state))).toEqual(new Set(['cancelled']))
  })

  it('skips the photo in flight and one queued as asked, the rest enhanced; a retry keeps them skipped, putting back runs one', async () => {
    const { dir, spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'])
    const log: string[] = []
    const runner = new QueueRunner(
      new QueueStore(queue),
      fakeEngine({ 'd.jpg': 'CORRUPT_IMAGE' }, log),
      noCleanup,
    )
    const job = await runner.addJob(spec)
    const [a, b, c] = runner.items(job.id)
    let skipped = 0
    runner.subscribe((e) => {
      // a.jpg skipped at its second tile, c.jpg while it waits.
      if (e.type === 'progress' && e.itemId === a!.id && e.tilesDone === 2 && !skipped)
        skipped =
          runner.skipPhotos({ jobId: job.id, itemId: a!.id }, true) +
          runner.skipPhotos({ jobId: job.id, itemId: c!.id }, true)
    })
    await runner.run()
    const states = () => runner.items(job.id).map((i) => [i.state, i.skipReason ?? i.error?.code ?? null])
    expect([skipped, runner.job(job.id)!.state, states()]).toEqual([
      2,
      'done',
      [
        ['skipped', 'asked'],
        ['done', null],
        ['skipped', 'asked'],
        ['failed', 'CORRUPT_IMAGE'],
      ],
    ])
    expect([existsSync(a!.output), existsSync(b!.output), existsSync(c!.output)]).toEqual([
      false,
      true,
      false,
    ])
    expect(log.map((input) => input.replace(dir, ''))).toEqual(['/in/a.jpg', '/in/b.jpg', '/in/d.jpg'])
    // Retrying the failed photo leaves the skipped ones as they are; done or failed photos are not skipped.
    expect(runner.retry({ jobId: job.id })).toBe(1)
    expect(runner.skipPhotos({ jobId: job.id, itemId: b!.id }, true)).toBe(0)
    await runner.run()
    expect(states().map(([state]) => state)).toEqual(['skipped', 'done', 'skipped', 'failed'])
    // Put back: enhanced with its job, which runs again for it.
    expect(runner.skipPhotos({ jobId: job.id, itemId: c!.id }, false)).toBe(1)
    await runner.run()
    expect(states().map(([state]) => state)).toEqual(['skipped', 'done', 'done', 'failed'])
    expect([runner.job(job.id)!.state, readFileSync(c!.output, 'utf8')]).toEqual(['done', 'image c.jpg'])
    // Kept across a restart, and counted as skipped in the report.
    const again = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    expect(again.items(job.id)[0]).toMatchObject({ state: 'skipped', skipReason: 'asked' })
    expect(jobReport(again.job(job.id)!, again.items(job.id)).counts).toMatchObject({ skipped: 1, done: 2 })
    // A folder the job has no photo in is refused; a folder's skipped photos are put back at once; none waits to skip.
    expect(() => runner.skipPhotos({ jobId: job.id, folder: join(dir, 'elsewhere') }, false)).toThrow(
      /no photo of that job/i,
    )
    expect(runner.skipPhotos({ jobId: job.id, folder: join(dir, 'in') }, false)).toBe(1)
    await runner.run()
    expect(states().map(([state]) => state)).toEqual(['done', 'done', 'done', 'failed'])
    expect(runner.skipPhotos({ jobId: job.id }, true)).toBe(0)
  })

  it('a pause or cancel while the folder is still being read holds: nothing runs (Ctrl-C during a long scan)', async () => {
    for (const stop of ['pause', 'cancel'] as const) {
      const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
      const log: string[] = []
      const runner = new QueueRunner(new QueueStore(queue), fakeEngine({}, log), noCleanup)
      // Stopped as the scan reads the first photo.
      const whileReading = (): Promise<boolean> => {
        runner[stop](runner.jobs[0]!.id)
        return Promise.resolve(true)
      }
      const job = await runner.addJob(spec, { accept: whileReading })
      await runner.run()
      const states = runner.items(job.id).map((i) => i.state)
      expect([runner.job(job.id)!.state, log.length], stop).toEqual([
        stop === 'pause' ? 'paused' : 'cancelled',
        0,
      ])
      expect(states, stop).toEqual(Array(3).fill(stop === 'pause' ? 'queued' : 'cancelled'))
    }
  })

  it('does not take earlier results from an output folder inside the input folder, nor system files', async () => {
    const { dir, spec, queue } = setup(['a.jpg', 'sub/c.webp'])
    mkdirSync(join(dir, 'in', 'enhanced'), { recursive: true })
    writeFileSync(join(dir, 'in', 'enhanced', 'a.png'), 'an earlier result')
    // Nor the app's default output folder of an earlier job ("Enhanced" beside the photos).
    mkdirSync(join(dir, 'in', 'sub', 'Enhanced'), { recursive: true })
    writeFileSync(join(dir, 'in', 'sub', 'Enhanced', 'c.webp'), 'an earlier result')
    // Nor hidden files, macOS "._" companions, or a NAS's thumbnail folders.
    for (const extra of ['._a.jpg', '.cache/b.jpg', '@eaDir/a.jpg/SYNOPHOTO_THUMB_XL.jpg']) {
      mkdirSync(dirname(join(dir, 'in', extra)), { recursive: true })
      writeFileSync(join(dir, 'in', extra), 'not a photo of the album')
    }
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const job = await runner.addJob({ ...spec, outDir: join(dir, 'in', 'enhanced') })
    const inputs = runner.items(job.id).map((i) => i.input.slice(join(dir, 'in').length + 1))
    expect(inputs).toEqual(['a.jpg', 'sub/c.webp'])
  })

  it('follows links to photos and folders, round a loop of links once and never into the output folder', async () => {
    const { spec, queue, dir } = setup(['a.jpg'])
    const album = join(dir, 'in')
    mkdirSync(join(album, 'sub'), { recursive: true })
    mkdirSync(join(dir, 'elsewhere'), { recursive: true })
    writeFileSync(join(dir, 'elsewhere', 'b.jpg'), 'a photo kept elsewhere')
    symlinkSync(join(dir, 'elsewhere', 'b.jpg'), join(album, 'linked.jpg'))
    symlinkSync(join(dir, 'elsewhere'), join(album, 'sub', 'more'))
    symlinkSync(album, join(album, 'sub', 'back-to-album'))
    symlinkSync(join(dir, 'nowhere.jpg'), join(album, 'gone.jpg'))
    // Nor earlier results, through a link to the output folder.
    mkdirSync(spec.outDir, { recursive: true })
    writeFileSync(join(spec.outDir, 'a.png'), 'an earlier result')
    symlinkSync(spec.outDir, join(album, 'sub', 'results'))
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    const inputs = runner.items(job.id).map((i) => i.input.slice(album.length + 1))
    expect(inputs).toEqual(['a.jpg', 'linked.jpg', 'sub/more/b.jpg'])
    expect(runner.items(job.id).map((i) => i.output.slice(spec.outDir.length + 1))).toEqual([
      'a.png',
      'linked.png',
      'sub/more/b.png',
    ])
    // The link that points nowhere is left out like readme.txt, and said as a link.
    expect(runner.job(job.id)?.ignored).toBe(2)
    expect(runner.job(job.id)?.leftOut).toEqual({ '.txt': 1, link: 1 })
  })

  it('records whether the job is made of a folder, as its scan found, and keeps it across a restart: the app lists it without looking at the drive again', async () => {
    const { spec, queue, dir } = setup(['a.jpg', 'b.jpg'])
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const album = await runner.addJob(spec)
    const photo = await runner.addJob({ ...spec, inputs: [join(dir, 'in', 'a.jpg')] })
    expect([runner.job(album.id)?.ofFolders, runner.job(photo.id)?.ofFolders]).toEqual([true, false])
    await runner.idle()
    // The album's folder gone (its drive out of reach): what its scan found stands.
    rmSync(join(dir, 'in'), { recursive: true })
    const reopened = new QueueStore(queue)
    expect(reopened.state.jobs.get(album.id)?.ofFolders).toBe(true)
    expect(isWatchable(reopened.state.jobs.get(album.id)!)).toBe(true)
    expect(isWatchable(reopened.state.jobs.get(photo.id)!)).toBe(false)
  })

  it('queues an album in the order a file manager shows it: numbers in names by their value', async () => {
    const { spec, queue } = setup([
      'IMG_10.jpg',
      'IMG_2.jpg',
      'IMG_1.jpg',
      'img_3.jpg',
      'Scan 9.png',
      'Scan 10.png',
    ])
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    expect(runner.items(job.id).map((i) => i.input.split('/').pop())).toEqual([
      'IMG_1.jpg',
      'IMG_2.jpg',
      'img_3.jpg',
      'IMG_10.jpg',
      'Scan 9.png',
      'Scan 10.png',
    ])
  })

  it('enhances a photo named twice, or named and inside a folder named, once', async () => {
    const { spec, queue, dir } = setup(['a.jpg', 'sub/b.jpg'])
    const album = join(dir, 'in')
    const inputs = [join(album, 'a.jpg'), `${album}/./a.jpg`, album, join(album, 'sub', 'b.jpg')]
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const job = await runner.addJob({ ...spec, inputs })
    await runner.run()
    // The first place a photo is found decides its output: b.jpg keeps the subfolder it was found in.
    expect(runner.items(job.id).map((i) => [i.input.slice(dir.length), i.output.slice(dir.length)])).toEqual([
      ['/in/a.jpg', '/out/a.png'],
      ['/in/sub/b.jpg', '/out/sub/b.png'],
    ])
  })

  it('keeps both results of an album added twice: a job plans around the outputs others are still to write', async () => {
    const { spec, queue, dir } = setup(['a.jpg', 'b.jpg'])
    const at = (realism: number): JobSpec => ({
      ...spec,
      model: { ...spec.model, blend: { path: 'gan.safetensors', realism } },
    })
    const engine: QueueEngine = {
      enhance(request) {
        writeFileSync(request.output, `${request.input.split('/').pop()} at ${request.model.blend?.realism}`)
        return Promise.resolve(fakeReply(request.output))
      },
    }
    const runner = new QueueRunner(new QueueStore(queue), engine, noCleanup)
    const faithful = await runner.addJob(at(0.2))
    const realistic = await runner.addJob(at(0.8))
    // A job that overwrites replaces the first job's photos, as it would replace files already there.
    const replacing = await runner.addJob({ ...at(1), policy: 'overwrite' })
    const outputs = (id: string) => runner.items(id).map((i) => i.output.slice(dir.length))
    expect([outputs(faithful.id), outputs(realistic.id), outputs(replacing.id)]).toEqual([
      ['/out/a.png', '/out/b.png'],
      ['/out/a_2.png', '/out/b_2.png'],
      ['/out/a.png', '/out/b.png'],
    ])
    await runner.run()
    expect(readFileSync(join(dir, 'out', 'a.png'), 'utf8')).toBe('a.jpg at 1')
    expect(readFileSync(join(dir, 'out', 'a_2.png'), 'utf8')).toBe('a.jpg at 0.8')
    // A job moved to a folder where another job's photos are still to come plans around them too.
    const elsewhere = await runner.addJob({ ...at(0.5), outDir: join(dir, 'elsewhere') })
    const pending = await runner.addJob({ ...at(0.6), outDir: join(dir, 'later') })
    await runner.changeOutDir(pending.id, join(dir, 'elsewhere'))
    expect(outputs(elsewhere.id)).toEqual(['/elsewhere/a.png', '/elsewhere/b.png'])
    expect(outputs(pending.id)).toEqual(['/elsewhere/a_2.png', '/elsewhere/b_2.png'])
  })

  it('runs jobs in their order, which can be changed', async () => {
    const log: string[] = []
    const first = setup(['one.jpg'])
    const second = setup(['two.jpg'])
    const runner = new QueueRunner(new QueueStore(first.queue), fakeEngine({}, log), noCleanup)
    const a = await runner.addJob(first.spec)
    const b = await runner.addJob(second.spec)
    runner.reorder([b.id, a.id])
    await runner.run()
    expect(log.map((p) => p.split('/').pop())).toEqual(['two.jpg', 'one.jpg'])
  })

  it('a job continued takes the photos changed since they were read: one edited, one copied again; never the rest', async () => {
    const { dir, spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'])
    const photo = (name: string) => join(dir, 'in', name)
    const log: string[] = []
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, fakeEngine({ 'c.jpg': ['CORRUPT_IMAGE'] }, log), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const states = () => runner.items(job.id).map((i) => [i.input.replace(dir, ''), i.state])
    expect(states()).toEqual([
      ['/in/a.jpg', 'done'],
      ['/in/b.jpg', 'done'],
      ['/in/c.jpg', 'failed'],
      ['/in/d.jpg', 'done'],
    ])
    expect((await runner.jobFor(spec)).id).toBe(job.id)
    expect(states().map(([, state]) => state)).toEqual(['done', 'done', 'failed', 'done'])

    writeFileSync(photo('a.jpg'), 'image a.jpg, straightened') // edited and saved again
    writeFileSync(photo('c.jpg'), 'image c.jpg, copied again whole')
    chmodSync(photo('b.jpg'), 0o444) // a permission, not a change to the photo
    const longAgo = new Date(2001, 0, 1)
    utimesSync(photo('d.jpg'), longAgo, longAgo) // the same bytes, but a file saved at another time
    writeFileSync(photo('e.jpg'), 'image e.jpg') // scanned since
    log.length = 0
    await runner.jobFor(spec)
    await runner.run()
    expect(log.map((p) => p.replace(dir, ''))).toEqual(['/in/a.jpg', '/in/c.jpg', '/in/d.jpg', '/in/e.jpg'])
    expect(states().every(([, state]) => state === 'done')).toBe(true)
    expect(readFileSync(join(dir, 'out', 'a.png'), 'utf8')).toBe('image a.jpg, straightened')
    expect(readFileSync(join(dir, 'out', 'c.png'), 'utf8')).toBe('image c.jpg, copied again whole')

    // What each photo was like when read is in the journal: after a restart, only a photo edited since is taken.
    store.close()
    const restarted = new QueueRunner(new QueueStore(queue), fakeEngine({}, log), noCleanup)
    log.length = 0
    await restarted.jobFor(spec)
    writeFileSync(photo('b.jpg'), 'image b.jpg, cropped')
    await restarted.jobFor(spec)
    await restarted.run()
    expect(log.map((p) => p.replace(dir, ''))).toEqual(['/in/b.jpg'])
  })

  it('survives a restart: the item in flight resumes, finished outputs are kept', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const log: string[] = []
    const store = new QueueStore(queue)
    const working = fakeEngine({}, log)
    // The process "dies" while b.jpg runs: its engine call never returns.
    const dying: QueueEngine = {
      enhance: (request, options) =>
        request.input.endsWith('b.jpg') ? new Promise(() => undefined) : working.enhance(request, options),
    }
    const runner = new QueueRunner(store, dying, noCleanup)
    const job = await runner.addJob(spec)
    void runner.run()
    await new Promise((r) => setTimeout(r, 100))
    store.close()
    // A new process reads the journal: a.jpg done, b.jpg was running.
    const restarted = new QueueRunner(new QueueStore(queue), fakeEngine({}, log), noCleanup)
    expect(restarted.items(job.id).map((i) => i.state)).toEqual(['done', 'queued', 'queued'])
    await restarted.run()
    expect(restarted.items(job.id).map((i) => i.state)).toEqual(['done', 'done', 'done'])
    expect(log.filter((p) => p.endsWith('a.jpg'))).toHaveLength(1)
  })

  it('drops a torn journal tail and keeps everything before it', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const first = new QueueStore(queue)
    const runner = new QueueRunner(first, fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    first.close()
    appendFileSync(join(queue, 'queue.journal'), '{"t":"item","id":"x","patch":{"sta')
    const reopened = new QueueStore(queue)
    expect(reopened.recoveredTornTail).toBe(true)
    expect(reopened.state.itemsOf(job.id).map((i) => i.state)).toEqual(['done', 'done'])
    reopened.close()
    expect(new QueueStore(queue).recoveredTornTail).toBe(false)
  })

  it('skips bad journal lines anywhere and keeps every good one after them, without truncating', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const first = new QueueStore(queue)
    const runner = new QueueRunner(first, fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    first.close()
    const journal = join(queue, 'queue.journal')
    const good = readFileSync(journal, 'utf8').trimEnd().split('\n')
    const hostile = [
      'null',
      '{"t":"items","items":null}',
      '{"t":"job","job":null}',
      '{"t":"order","jobIds":"x"}',
      '{{{ garbage',
    ]
    // The bad lines go in the middle: the job line first, then the hostile ones, then the items.
    writeFileSync(journal, [good[0], ...hostile, ...good.slice(1)].join('\n') + '\n')
    const size = readFileSync(journal).length
    const reopened = new QueueStore(queue)
    expect(reopened.loadProblems.skippedEntries).toBe(hostile.length)
    expect(reopened.recoveredTornTail).toBe(false)
    expect(reopened.state.itemsOf(job.id).map((i) => i.input.split('/').pop())).toEqual(['a.jpg', 'b.jpg'])
    expect(readFileSync(journal).length).toBe(size)
    // And the queue still runs.
    const again = new QueueRunner(reopened, fakeEngine(), noCleanup)
    await again.run()
    expect(again.items(job.id).map((i) => i.state)).toEqual(['done', 'done'])
  })

  it.each(['{ not json', '{}', '{"jobs":null,"items":[]}'])(
    'sets an unreadable snapshot (%s) aside as .bad and still opens',
    (text) => {
      const { queue } = setup([])
      mkdirSync(queue, { recursive: true })
      writeFileSync(join(queue, 'queue.snapshot.json'), text)
      const store = new QueueStore(queue)
      expect(store.loadProblems.snapshotSetAside).toBe(true)
      expect(readFileSync(join(queue, 'queue.snapshot.json.bad'), 'utf8')).toBe(text)
      expect(store.state.jobs.size).toBe(0)
    },
  )

  it('an output path edited to point outside the job folder fails the item and writes nothing there', async () => {
    const { dir, spec, queue } = setup(['a.jpg', 'b.jpg'])
    const first = new QueueStore(queue)
    const runner = new QueueRunner(first, fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    const target = runner.items(job.id)[0]!
    const outside = join(dir, 'elsewhere', 'victim.png')
    first.commit({ t: 'item', id: target.id, patch: { output: outside } })
    first.close()
    const reopened = new QueueStore(queue)
    expect(reopened.loadProblems.outputsOutsideJob).toBe(1)
    const resumed = new QueueRunner(reopened, fakeEngine(), noCleanup)
    await resumed.run()
    expect(resumed.items(job.id).map((i) => [i.state, i.error?.code])).toEqual([
      ['failed', 'INVALID_ARGUMENT'],
      ['done', undefined],
    ])
    // Retrying it by hand is refused the same way: the path is checked when it runs, too.
    resumed.retry({ itemId: target.id })
    await resumed.run()
    expect(resumed.items(job.id)[0]!.error?.code).toBe('INVALID_ARGUMENT')
    expect(existsSync(outside)).toBe(false)
  })

  it('compacts the journal into an atomic snapshot with the same state', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg'])
    const store = new QueueStore(queue, 10)
    const runner = new QueueRunner(store, fakeEngine(), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    store.close()
    const snapshot = JSON.parse(readFileSync(join(queue, 'queue.snapshot.json'), 'utf8')) as {
      items: unknown[]
    }
    expect(snapshot.items).toHaveLength(4)
    expect(new QueueStore(queue).state.itemsOf(job.id).map((i) => i.state)).toEqual([
      'done',
      'done',
      'done',
      'done',
    ])
  })

  it('folders with no photo make no job, and the refusal says what is there instead', async () => {
    const { dir, spec, queue } = albumJob([])
    const runner = new QueueRunner(new QueueStore(queue), fakeEngine(), noCleanup)
    const folder = (name: string, files: string[] = []): string => {
      for (const f of files) {
        mkdirSync(dirname(join(dir, name, f)), { recursive: true })
        writeFileSync(join(dir, name, f), 'x')
      }
      mkdirSync(join(dir, name), { recursive: true })
      return join(dir, name)
    }
    const refusal = async (inputs: string[], recursive = true): Promise<[string, string] | 'added'> => {
      const made = await runner.addJob({ ...spec, inputs, recursive }).catch((e: EnhanceError) => e)
      return made instanceof EnhanceError ? [made.code, made.message] : 'added'
    }
    const formats =
      'Enhance reads JPEG, PNG, WebP, TIFF, AVIF, HEIC, JPEG XL, JPEG 2000, PSD, GIF, BMP files.'
    const empty = folder('empty')
    expect(await refusal([empty])).toEqual([
      'NO_PHOTOS',
      `There are no photos to enhance in ${empty}. It holds nothing at all. ${formats}`,
    ])
    const raw = folder('raw', ['IMG_1.CR2', 'IMG_2.cr2', 'notes.txt', '.DS_Store'])
    expect(await refusal([raw])).toEqual([
      'NO_PHOTOS',
      `There are no photos to enhance in ${raw}. Left out 3 files that are not photos Enhance reads: 2 .cr2, 1 .txt. ` +
        `Camera RAW files (.cr2) need exporting as JPEG or TIFF first, in the camera maker's software or a photo editor. ${formats}`,
    ])
    const nested = folder('nested', ['2019/a.jpg', '2020/b.jpg'])
    expect(await refusal([nested], false)).toEqual([
      'NO_PHOTOS',
      `There are no photos to enhance in ${nested}. It holds 2 subfolders, not looked in. ${formats}`,
    ])
    const done = folder('done', ['Enhanced/a.png'])
    const hidden = folder('hidden', ['Thumbs.db', '.picasa.ini'])
    expect(await refusal([done, hidden])).toEqual([
      'NO_PHOTOS',
      `There are no photos to enhance in the 2 folders chosen. They hold one subfolder of earlier results, not enhanced again. ${formats}`,
    ])
    expect(await refusal([hidden])).toEqual([
      'NO_PHOTOS',
      `There are no photos to enhance in ${hidden}. It holds only hidden or system files. ${formats}`,
    ])
    // Photos linked from a drive not plugged in: the links are said, with what to do, not taken as system files.
    const linked = folder('linked', ['.hidden-link-target'])
    symlinkSync('/Volumes/Backup/IMG_1.jpg', join(linked, 'IMG_1.jpg'))
    symlinkSync('/Volumes/Backup/IMG_2.jpg', join(linked, 'IMG_2.jpg'))
    symlinkSync('/Volumes/Backup/.thumb', join(linked, '.thumb'))
    expect(await refusal([linked])).toEqual([
      'NO_PHOTOS',
      `There are no photos to enhance in ${linked}. Left out 2 links to files that are not there: plug in the drive they point to, or find where the files moved, then add them again. ${formats}`,
    ])
    const link = join(linked, 'IMG_1.jpg')
    expect(await refusal([link])).toEqual([
      'FILE_NOT_FOUND',
      `${link} is a link to /Volumes/Backup/IMG_1.jpg, which is not there: plug in the drive it is on, or find where it moved.`,
    ])
    // RAW files named on their own are left out as in a folder, with how to export them.
    const named = [join(raw, 'IMG_1.CR2'), join(raw, 'IMG_2.cr2')]
    expect(await refusal(named)).toEqual([
      'NO_PHOTOS',
      'There are no photos to enhance in what was chosen. Left out 2 files that are not photos Enhance reads: 2 .cr2. ' +
        `Camera RAW files (.cr2) need exporting as JPEG or TIFF first, in the camera maker's software or a photo editor. ${formats}`,
    ])
    expect(runner.jobs).toHaveLength(0)
    // The same folders, recursively: photos, so a job. A shard whose share is none is still a job.
    expect(await refusal([nested])).toBe('added')
    const one = folder('one', ['a.jpg'])
    const shares = [0, 1].map((index) =>
      runner.addJob({ ...spec, inputs: [one], shard: { index, count: 2 } }),
    )
    const shards = await Promise.all(shares)
    expect(shards.map((job) => runner.items(job.id).length).sort()).toEqual([0, 1])
  })

  it('a job whose input is missing is refused whole and does not block later jobs', async () => {
    const { spec, queue, dir } = setup(['a.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, fakeEngine(), noCleanup)
    const missing = { ...spec, inputs: [join(dir, 'gone')] }
    expect(await codeOf(() => runner.addJob(missing))).toBe('FILE_NOT_FOUND')
    expect(runner.jobs).toHaveLength(0)
    // A pipe named like a photo is no photo file: refused by what it is (the engine called it "empty").
    const pipe = join(dir, 'camera.jpg')
    execFileSync('mkfifo', [pipe])
    const refused = await runner.addJob({ ...spec, inputs: [pipe] }).catch((e: EnhanceError) => e)
    expect([(refused as EnhanceError).code, (refused as EnhanceError).message]).toEqual([
      'INVALID_ARGUMENT',
      `${pipe} is neither a file nor a folder (a device, pipe or socket). Name photo files or folders of them.`,
    ])
    expect(runner.jobs).toHaveLength(0)
    // A scan a crash cut short, whose input has gone since: it pauses with the reason, the next job runs.
    store.commit({
      t: 'job',
      job: { id: 'stale', spec: missing, state: 'scanning', createdAt: 0, order: 0, ignored: 0, busyMs: 0 },
    })
    const job = await runner.addJob(spec)
    await runner.run()
    expect(runner.job('stale')).toMatchObject({ state: 'paused', pauseReason: { code: 'FILE_NOT_FOUND' } })
    expect(runner.job(job.id)!.state).toBe('done')
  })
})
