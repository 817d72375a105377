import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { KEPT_LET_GO, QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { QueueStore } from '../../src/queue/store.js'
import {
  itemCaption,
  itemFacing,
  itemTaken,
  jobCaption,
  jobCaptionFromNames,
  jobFacing,
  jobTakenFromNames,
} from '../../src/queue/types.js'
import { takenNamed } from '../../src/queue/taken-names.js'
import type { Job, JobSpec } from '../../src/queue/types.js'
import { EnhanceError } from '../../src/shared/errors.js'
import type { ErrorCode } from '../../src/shared/errors.js'
import { DEFAULT_SETTINGS, repairsOf } from '../../src/shared/settings.js'
import type { KeptPlace, Repairs } from '../../src/shared/settings.js'
import type { Facing, QuarterTurn } from '../../src/shared/turn.js'
import type { Told } from '../../src/shared/caption.js'
import type { ChoiceTarget, PhotoChoice } from '../../src/shared/api.js'
import { codeOf } from '../helpers/errors.js'
import { fakeReply } from '../helpers/queue.js'

/** What a photo was mended with: its repairs and the places it kept. */
type Mended = {
  name: string
  repairs: Required<Repairs>
  kept?: KeptPlace[]
  turn?: QuarterTurn
  mirrored?: boolean
  taken?: string
  takenPlace?: number
  caption?: string
  /** `--caption names`, where the engine was sent it (it is not: the runner sends each photo its caption). */
  captionFromNames?: boolean
  /** `--taken names`, where the engine was sent it (it is not: the runner sends each photo its date). */
  fromNames?: boolean
}

/**
 * A unit-test seam that records the realism each photo was enhanced at (and into `mended`, the repairs asked of it);
 * `hold` keeps one running until released.
 */
function recordingEngine(
  runs: { name: string; realism: number | undefined }[],
  hold?: { name: string; release?: () => void; abortCode?: ErrorCode },
  mended: Mended[] = [],
): QueueEngine {
  return {
    async enhance(request, options) {
      const name = request.input.split('/').pop()!
      if (hold?.name === name) {
        hold.name = ''
        await new Promise<void>((resolve) => {
          hold.release = resolve
          options.signal?.addEventListener('abort', () => resolve())
        })
        if (options.signal?.aborted) throw new EnhanceError(hold.abortCode ?? 'CANCELLED', 'Stopped.')
      }
      runs.push({ name, realism: request.model.blend?.realism })
      const { kept, turn, mirrored, taken, takenPlace } = request.settings
      const { takenFromNames: fromNames, caption, captionFromNames } = request.settings
      mended.push({
        ...{ name, repairs: repairsOf(request.settings), kept, turn, mirrored, taken, takenPlace },
        ...(fromNames === undefined ? {} : { fromNames }),
        ...(caption === undefined ? {} : { caption }),
        ...(captionFromNames === undefined ? {} : { captionFromNames }),
      })
      writeFileSync(request.output, `realism ${request.model.blend?.realism}`)
      return fakeReply(request.output, 1)
    },
  }
}

function setup(names: string[], blend = true): { spec: JobSpec; queue: string } {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-realism-'))
  for (const n of names) {
    mkdirSync(dirname(join(dir, n)), { recursive: true })
    writeFileSync(join(dir, n), n)
  }
  const spec: JobSpec = {
    inputs: names.map((n) => join(dir, n)),
    recursive: false,
    outDir: join(dir, 'out'),
    model: blend
      ? { path: 'psnr.safetensors', blend: { path: 'gan.safetensors', realism: 0.5 } }
      : { path: 'psnr.safetensors' },
    settings: { ...DEFAULT_SETTINGS, format: 'png' },
    naming: '{name}',
    policy: 'overwrite',
  }
  return { spec, queue: join(dir, 'queue') }
}

const noCleanup = { removeStalePartials: () => Promise.resolve(0) }

/**
 * A job of an album sorted into folders (`files`, under a folder named `album`) and of one photo named on its own
 * (`alone`, in a folder beside it), each photo's file its own path, made with `settings` and a recording engine.
 */
async function namedAlbum(
  album: string,
  files: string[],
  alone: string,
  made: { settings?: Partial<JobSpec['settings']>; naming?: string },
  mended: Mended[],
): Promise<{ runner: QueueRunner; job: Job; store: QueueStore }> {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-named-'))
  const paths = [...files.map((file) => join(dir, album, file)), join(dir, alone)]
  for (const path of paths) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, path)
  }
  const { spec, queue } = setup([])
  const store = new QueueStore(queue)
  const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
  const job = await runner.addJob({
    ...spec,
    inputs: [join(dir, album), join(dir, alone)],
    recursive: true,
    naming: made.naming ?? spec.naming,
    settings: { ...spec.settings, ...made.settings },
  })
  return { runner, job, store }
}

/**
 * A job of `names` made with `settings` and run to its end, by an engine that records what each done photo's file is
 * told in place (`told`) and what each photo is enhanced with (`mended`).
 */
async function toldAlbum(names: string[], settings: Partial<JobSpec['settings']>) {
  const mended: Mended[] = []
  const told: [string, Told][] = []
  const { spec, queue } = setup(names)
  const store = new QueueStore(queue)
  const engine: QueueEngine = {
    ...recordingEngine([], undefined, mended),
    restamp(output, said) {
      told.push([basename(output), said])
      return Promise.resolve(true)
    },
  }
  const runner = new QueueRunner(store, engine, noCleanup)
  const job = await runner.addJob({ ...spec, settings: { ...spec.settings, ...settings } })
  await runner.run()
  return { runner, job, store, queue, told, mended }
}

describe('realism per photo and per job', () => {
  it('one photo is enhanced again at its own realism; the others keep the job’s', async () => {
    const runs: { name: string; realism: number | undefined }[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine(runs), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const b = runner.items(job.id)[1]!
    expect(await runner.adjust({ jobId: job.id, itemId: b.id }, { realism: 0.9 })).toBe(1)
    await runner.run()
    expect(runs).toEqual([
      { name: 'a.jpg', realism: 0.5 },
      { name: 'b.jpg', realism: 0.5 },
      { name: 'c.jpg', realism: 0.5 },
      { name: 'b.jpg', realism: 0.9 },
    ])
    expect(runner.job(job.id)!.state).toBe('done')
    expect(runner.items(job.id).map((i) => i.realism)).toEqual([undefined, 0.9, undefined])
  })

  it('a whole-job realism replaces per-photo choices, survives a restart, and restarts the photo in flight', async () => {
    const runs: { name: string; realism: number | undefined }[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const hold: { name: string; release?: () => void } = { name: 'b.jpg' }
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine(runs, hold), noCleanup)
    const job = await runner.addJob(spec)
    const a = runner.items(job.id)[0]!
    await runner.adjust({ jobId: job.id, itemId: a.id }, { realism: 0.1 })
    const done = runner.run()
    await expect.poll(() => hold.release).toBeDefined()
    // b is in flight at the job's 0.5: a new whole-job realism stops it and runs it again at 0.2.
    expect(await runner.adjust({ jobId: job.id }, { realism: 0.2 })).toBe(3)
    await done
    await runner.run()
    // a ran at its own 0.1, then everything at 0.2; b's interrupted run at 0.5 never finished.
    expect(runs).toEqual([
      { name: 'a.jpg', realism: 0.1 },
      { name: 'a.jpg', realism: 0.2 },
      { name: 'b.jpg', realism: 0.2 },
      { name: 'c.jpg', realism: 0.2 },
    ])
    store.close()
    const reopened = new QueueStore(queue)
    expect(reopened.state.jobs.get(job.id)!.realism).toBe(0.2)
    expect(reopened.state.itemsOf(job.id).every((i) => i.realism === undefined && i.state === 'done')).toBe(
      true,
    )
  })

  it('reads a queue written when the realism was saved as alpha (journal and snapshot)', async () => {
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine([]), noCleanup)
    const job = await runner.addJob(spec)
    const [a, b] = runner.items(job.id)
    await runner.adjust({ jobId: job.id }, { realism: 0.3 })
    await runner.adjust({ jobId: job.id, itemId: b!.id }, { realism: 0.8 })
    store.close()
    const expected = (s: QueueStore) => ({
      job: s.state.jobs.get(job.id)!.realism,
      blend: s.state.jobs.get(job.id)!.spec.model.blend?.realism,
      items: [a!, b!].map((i) => s.state.itemsOf(job.id).find((x) => x.id === i.id)!.realism),
    })
    const now = new QueueStore(queue)
    const saved = expected(now)
    now.close()
    expect(saved).toEqual({ job: 0.3, blend: 0.5, items: [undefined, 0.8] })
    // As an older Enhance wrote it: every realism under the name alpha, the job's change a 'job-alpha' entry.
    for (const file of readdirSync(queue).filter((f) => f.startsWith('queue.'))) {
      const text = readFileSync(join(queue, file), 'utf8')
      writeFileSync(
        join(queue, file),
        text.replaceAll('"realism"', '"alpha"').replaceAll('job-realism', 'job-alpha'),
      )
    }
    expect(readFileSync(join(queue, 'queue.journal'), 'utf8')).toContain('"job-alpha"')
    const legacy = new QueueStore(queue)
    expect(expected(legacy)).toEqual(saved)
    legacy.close()
  })

  it('refuses a realism for a job without a GAN partner, or out of range', async () => {
    const { spec, queue } = setup(['a.jpg'], false)
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine([]), noCleanup)
    const job = await runner.addJob(spec)
    expect(await codeOf(() => runner.adjust({ jobId: job.id }, { realism: 0.3 }))).toBe('INVALID_ARGUMENT')
    const { spec: paired, queue: q2 } = setup(['a.jpg'])
    const runner2 = new QueueRunner(new QueueStore(q2), recordingEngine([]), noCleanup)
    const job2 = await runner2.addJob(paired)
    expect(await codeOf(() => runner2.adjust({ jobId: job2.id }, { realism: 1.5 }))).toBe('INVALID_ARGUMENT')
    expect(await codeOf(() => runner2.adjust({ jobId: job2.id, itemId: 'nope' }, { realism: 0.3 }))).toBe(
      'INVALID_ARGUMENT',
    )
  })

  it('a photo interrupted for an engine restart (a new device) runs again, not counted as a crash', async () => {
    const runs: { name: string; realism: number | undefined }[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    // The engine is killed right after the interruption: the request ends as ENGINE_CRASHED.
    const hold: { name: string; release?: () => void; abortCode?: ErrorCode } = {
      name: 'a.jpg',
      abortCode: 'ENGINE_CRASHED',
    }
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine(runs, hold), noCleanup)
    const job = await runner.addJob(spec)
    const done = runner.run()
    await expect.poll(() => hold.release).toBeDefined()
    runner.interruptCurrent()
    await done
    expect(runs.map((r) => r.name)).toEqual(['a.jpg', 'b.jpg'])
    expect(runner.items(job.id).map((i) => [i.state, i.crashes, i.error])).toEqual([
      ['done', 0, undefined],
      ['done', 0, undefined],
    ])
  })

  it('with {alpha} in the name, a new realism writes a new file and keeps the earlier one', async () => {
    const runs: { name: string; realism: number | undefined }[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine(runs), noCleanup)
    const job = await runner.addJob({ ...spec, naming: '{name}_a{alpha}', policy: 'skip' })
    await runner.run()
    const out = (name: string) => join(spec.outDir, name)
    const b = runner.items(job.id)[1]
    await runner.adjust({ jobId: job.id, itemId: b!.id }, { realism: 1 })
    await runner.run()
    expect(runner.items(job.id).map((i) => i.output)).toEqual([out('a_a0.50.png'), out('b_a1.00.png')])
    expect(readFileSync(out('b_a0.50.png'), 'utf8')).toBe('realism 0.5')
    expect(readFileSync(out('b_a1.00.png'), 'utf8')).toBe('realism 1')
    // The same realism again keeps the name; going back reuses the photo's own earlier file.
    await runner.adjust({ jobId: job.id }, { realism: 0.5 })
    await runner.run()
    expect(runner.items(job.id).map((i) => i.output)).toEqual([out('a_a0.50.png'), out('b_a0.50.png')])
    expect(readFileSync(out('b_a0.50.png'), 'utf8')).toBe('realism 0.5')
    expect(readFileSync(out('b_a1.00.png'), 'utf8')).toBe('realism 1')
    // A file of that name that is not the photo's own is kept, and the photo gets a suffix.
    writeFileSync(out('a_a0.80.png'), 'the user’s own file')
    await runner.adjust({ jobId: job.id }, { realism: 0.8 })
    await runner.run()
    expect(runner.items(job.id).map((i) => i.output)).toEqual([out('a_a0.80_2.png'), out('b_a0.80.png')])
    expect(readFileSync(out('a_a0.80.png'), 'utf8')).toBe('the user’s own file')
    expect(runs.map((r) => `${r.name}@${r.realism}`)).toEqual([
      'a.jpg@0.5',
      'b.jpg@0.5',
      'b.jpg@1',
      'a.jpg@0.5',
      'b.jpg@0.5',
      'a.jpg@0.8',
      'b.jpg@0.8',
    ])
  })
})

describe('repairs per photo and per job', () => {
  const dusty = { ...repairsOf({}), removeDust: true, removeScratches: true }
  const portrait = { ...dusty, removeDust: false }

  it('one photo is enhanced again without dust removal, the others keep the job’s, and a restart keeps it', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
    const job = await runner.addJob({ ...spec, settings: { ...spec.settings, ...dusty } })
    await runner.run()
    const b = runner.items(job.id)[1]!
    expect(await runner.adjust({ jobId: job.id, itemId: b.id }, { repairs: portrait })).toBe(1)
    await runner.run()
    expect(mended.map((m) => [m.name, m.repairs])).toEqual([
      ['a.jpg', dusty],
      ['b.jpg', dusty],
      ['c.jpg', dusty],
      ['b.jpg', portrait],
    ])
    // Only the repairs changed: the photo's realism is still its job's.
    expect(runner.items(job.id).map((i) => [i.state, i.realism])).toEqual([
      ['done', undefined],
      ['done', undefined],
      ['done', undefined],
    ])
    store.close()
    const reopened = new QueueStore(queue)
    expect(reopened.state.itemsOf(job.id).map((i) => i.repairs)).toEqual([undefined, portrait, undefined])
    reopened.close()
  })

  it('a whole job’s repairs replace the ones chosen per photo, and apply with a realism in one go', async () => {
    const runs: { name: string; realism: number | undefined }[] = []
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine(runs, undefined, mended), noCleanup)
    const job = await runner.addJob(spec)
    const a = runner.items(job.id)[0]!
    await runner.adjust({ jobId: job.id, itemId: a.id }, { repairs: dusty })
    await runner.run()
    expect(mended.map((m) => m.repairs)).toEqual([dusty, repairsOf({})])
    const colours = { ...repairsOf({}), restoreColours: true, restoreStrength: 0.5 }
    expect(await runner.adjust({ jobId: job.id }, { realism: 0.75, repairs: colours })).toBe(2)
    await runner.run()
    // Each photo ran once more, with both at once.
    expect(runs.slice(2)).toEqual([
      { name: 'a.jpg', realism: 0.75 },
      { name: 'b.jpg', realism: 0.75 },
    ])
    expect(mended.slice(2).map((m) => m.repairs)).toEqual([colours, colours])
    store.close()
    const reopened = new QueueStore(queue)
    expect(reopened.state.jobs.get(job.id)!.repairs).toEqual(colours)
    expect(reopened.state.itemsOf(job.id).map((i) => i.repairs)).toEqual([undefined, undefined])
    reopened.close()
  })

  it('one photo keeps places from dust removal, a restart keeps them, and a whole job cannot', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
    const job = await runner.addJob({ ...spec, settings: { ...spec.settings, ...dusty } })
    await runner.run()
    const a = runner.items(job.id)[0]!
    const catchlights = [
      { x: 120, y: 80 },
      { x: 151, y: 79 },
    ]
    expect(await runner.adjust({ jobId: job.id, itemId: a.id }, { kept: catchlights })).toBe(1)
    await runner.run()
    expect(mended.map((m) => [m.name, m.kept])).toEqual([
      ['a.jpg', undefined],
      ['b.jpg', undefined],
      ['a.jpg', catchlights],
    ])
    expect(await codeOf(() => runner.adjust({ jobId: job.id }, { kept: catchlights }))).toBe(
      'INVALID_ARGUMENT',
    )
    const between = [{ x: 1.5, y: 2 }]
    expect(await codeOf(() => runner.adjust({ jobId: job.id, itemId: a.id }, { kept: between }))).toBe(
      'INVALID_ARGUMENT',
    )
    store.close()
    const reopened = new QueueStore(queue)
    expect(reopened.state.itemsOf(job.id).map((i) => i.kept)).toEqual([catchlights, undefined])
    reopened.close()
  })

  it("lets a photo's kept places go once its file is edited, saying so, and keeps them while it is not", async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
    const job = await runner.addJob({ ...spec, settings: { ...spec.settings, ...dusty } })
    await runner.run()
    const photo = { jobId: job.id, itemId: runner.items(job.id)[0]!.id }
    const catchlight = [{ x: 12, y: 8 }]
    await runner.adjust(photo, { kept: catchlight })
    await runner.run()
    // The file as it was, enhanced again at another realism: the place still kept.
    await runner.adjust(photo, { realism: 0.8 })
    await runner.run()
    expect(runner.items(job.id)[0]!.note).toBeUndefined()
    // Straightened and saved again: its next run lets the place go, and its note says so.
    writeFileSync(spec.inputs[0]!, 'a.jpg, straightened')
    await runner.adjust(photo, { realism: 0.6 })
    await runner.run()
    expect(mended.map((m) => m.kept)).toEqual([undefined, catchlight, catchlight, undefined])
    expect(runner.items(job.id)[0]).toMatchObject({ state: 'done', kept: [], note: KEPT_LET_GO })
    // Kept again on the file as it is now: kept at its next run, with no such note.
    await runner.adjust(photo, { kept: catchlight })
    await runner.run()
    expect(mended.at(-1)!.kept).toEqual(catchlight)
    expect(runner.items(job.id)[0]!.note).toBeUndefined()
    store.close()
    const reopened = new QueueStore(queue)
    expect(reopened.state.itemsOf(job.id)[0]!.kept).toEqual(catchlight)
    reopened.close()
  })

  it('one photo is turned and mirrored, enhanced again so; the others keep the job’s turn; a restart keeps it', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const store = new QueueStore(queue)
    const events: string[] = []
    const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
    runner.subscribe((event) => {
      if (event.type === 'item') events.push(`${event.item.input.split('/').pop()}:${event.item.turn ?? '-'}`)
    })
    // A batch scanned sideways (--turn 270): every photo turned so, one of them back the other way.
    const job = await runner.addJob({ ...spec, settings: { ...spec.settings, turn: 270 } })
    await runner.run()
    const [a, b] = runner.items(job.id)
    expect(
      await runner.adjust({ jobId: job.id, itemId: a!.id }, { facing: { turn: 90, mirrored: true } }),
    ).toBe(1)
    await runner.run()
    expect(mended.map((m) => [m.name, m.turn, m.mirrored])).toEqual([
      ['a.jpg', 270, undefined],
      ['b.jpg', 270, undefined],
      ['c.jpg', 270, undefined],
      ['a.jpg', 90, true],
    ])
    // Upright: sent without a turn or a mirror, as a photo never turned is.
    await runner.adjust({ jobId: job.id, itemId: b!.id }, { facing: { turn: 0, mirrored: false } })
    await runner.run()
    expect(mended.at(-1)).toMatchObject({ name: 'b.jpg', turn: undefined, mirrored: undefined })
    expect(events).toContain('a.jpg:90')
    // A quarter at a time, and a mirror said.
    const half = { turn: 45 as QuarterTurn, mirrored: false }
    const unsaid = { turn: 90 } as Facing
    for (const facing of [half, unsaid])
      expect(await codeOf(() => runner.adjust({ jobId: job.id, itemId: a!.id }, { facing }))).toBe(
        'INVALID_ARGUMENT',
      )
    store.close()
    const reopened = new QueueStore(queue)
    const items = reopened.state.itemsOf(job.id)
    expect(items.map((i) => [i.turn, i.mirrored])).toEqual([
      [90, true],
      [0, false],
      [undefined, undefined],
    ])
    expect(items.map((i) => itemFacing(reopened.state.jobs.get(job.id)!, i))).toEqual([
      { turn: 90, mirrored: true },
      { turn: 0, mirrored: false },
      { turn: 270, mirrored: false },
    ])
    reopened.close()
  })

  it('a whole job turned replaces the turns chosen per photo, and every photo is enhanced again so', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const [a] = runner.items(job.id)
    await runner.adjust({ jobId: job.id, itemId: a!.id }, { facing: { turn: 270, mirrored: true } })
    await runner.run()
    expect(await runner.adjust({ jobId: job.id }, { facing: { turn: 180, mirrored: true } })).toBe(2)
    await runner.run()
    expect(mended.map((m) => [m.name, m.turn, m.mirrored])).toEqual([
      ['a.jpg', undefined, undefined],
      ['b.jpg', undefined, undefined],
      ['a.jpg', 270, true],
      ['a.jpg', 180, true],
      ['b.jpg', 180, true],
    ])
    // Turned back upright, the mirror too: the job's choice replaces both.
    await runner.adjust({ jobId: job.id }, { facing: { turn: 0, mirrored: false } })
    await runner.run()
    expect(mended.slice(5).map((m) => [m.name, m.turn, m.mirrored])).toEqual([
      ['a.jpg', undefined, undefined],
      ['b.jpg', undefined, undefined],
    ])
    store.close()
    const reopened = new QueueStore(queue)
    const reopenedJob = reopened.state.jobs.get(job.id)!
    expect([reopenedJob.turn, reopenedJob.mirrored, jobFacing(reopenedJob)]).toEqual([
      0,
      false,
      { turn: 0, mirrored: false },
    ])
    expect(reopened.state.itemsOf(job.id).map((i) => [i.turn, i.mirrored])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ])
    reopened.close()
  })

  it('a job made with --mirror mirrors each photo; a queue from before mirrors said nothing of it', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
    const job = await runner.addJob({ ...spec, settings: { ...spec.settings, mirrored: true } })
    await runner.run()
    expect(mended.map((m) => [m.turn, m.mirrored])).toEqual([[undefined, true]])
    expect(jobFacing(runner.job(job.id)!)).toEqual({ turn: 0, mirrored: true })
    // A turn for the whole job written before mirroring (no `mirrored`) is read as not mirrored.
    store.close()
    appendFileSync(
      join(queue, 'queue.journal'),
      `${JSON.stringify({ t: 'job-turn', jobId: job.id, turn: 90 })}\n`,
    )
    const reopened = new QueueStore(queue)
    expect(jobFacing(reopened.state.jobs.get(job.id)!)).toEqual({ turn: 90, mirrored: false })
    reopened.close()
  })

  it('a date per photo overrides its job’s --taken, a job’s date replaces them all; each sent to be written, kept on restart', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, recordingEngine([], undefined, mended), noCleanup)
    // An album of 1962 (--taken 1962), one of its prints from the summer before, one whose date nobody knows.
    const job = await runner.addJob({ ...spec, settings: { ...spec.settings, taken: '1962' } })
    await runner.run()
    const [a, b] = runner.items(job.id)
    expect(await runner.adjust({ jobId: job.id, itemId: a!.id }, { taken: '1961-08' })).toBe(1)
    expect(await runner.adjust({ jobId: job.id, itemId: b!.id }, { taken: null })).toBe(1)
    await runner.run()
    // The job's date at each photo's place in it (the first's is no key, as undated); a photo's own date alone.
    expect(mended.map((m) => [m.name, m.taken, m.takenPlace])).toEqual([
      ['a.jpg', '1962', undefined],
      ['b.jpg', '1962', 1],
      ['c.jpg', '1962', 2],
      ['a.jpg', '1961-08', undefined],
      ['b.jpg', undefined, undefined],
    ])
    expect(runner.items(job.id).map((i) => i.taken)).toEqual(['1961-08', null, undefined])
    // Not a date as kept (a typed one is read by `readTaken` first): refused, nothing enhanced again.
    for (const taken of ['1962-7', '1962-02-30', '1700'])
      expect(await codeOf(() => runner.adjust({ jobId: job.id }, { taken }))).toBe('INVALID_ARGUMENT')
    expect(await runner.adjust({ jobId: job.id }, { taken: '1963-05-04' })).toBe(3)
    await runner.run()
    expect(mended.slice(5).map((m) => [m.name, m.taken])).toEqual([
      ['a.jpg', '1963-05-04'],
      ['b.jpg', '1963-05-04'],
      ['c.jpg', '1963-05-04'],
    ])
    store.close()
    const reopened = new QueueStore(queue)
    expect(reopened.state.jobs.get(job.id)!.taken).toBe('1963-05-04')
    expect(reopened.state.itemsOf(job.id).map((i) => i.taken)).toEqual([undefined, undefined, undefined])
    reopened.close()
  })

  it('--taken names dates each photo as its name or folders say; a job’s date and a photo’s own replace them', async () => {
    const mended: Mended[] = []
    // A photo named on its own: its folder says it.
    const { runner, job, store } = await namedAlbum(
      'Family 1950s',
      ['1962/scan 1.jpg', 'Wedding 1958-06-14/IMG_0001.jpg', 'misc/1971-08 beach.jpg', 'misc/photo.jpg'],
      'Holiday 1969/IMG_4.jpg',
      { settings: { takenFromNames: true } },
      mended,
    )
    await runner.run()
    const takenOf = () => Object.fromEntries(mended.map((m) => [m.name, m.taken]))
    expect(takenOf()).toEqual({
      'scan 1.jpg': '1962',
      'IMG_0001.jpg': '1958-06-14',
      '1971-08 beach.jpg': '1971-08',
      'photo.jpg': undefined,
      'IMG_4.jpg': '1969',
    })
    expect(mended.filter((m) => 'fromNames' in m)).toEqual([])
    const items = runner.items(job.id)
    expect(items.map((i) => itemTaken(runner.job(job.id)!, i))).toEqual(
      items.map((i) => takenOf()[basename(i.input)] ?? null),
    )
    // A photo's own date over its name's; the job's date over them all.
    const wedding = items.find((i) => i.input.endsWith('IMG_0001.jpg'))!
    await runner.adjust({ jobId: job.id, itemId: wedding.id }, { taken: '1958-06' })
    await runner.adjust({ jobId: job.id }, { taken: '1960' })
    await runner.run()
    expect(runner.items(job.id).map((i) => itemTaken(runner.job(job.id)!, i))).toEqual(
      items.map(() => '1960'),
    )
    // Chosen for a job, not a photo, and instead of a date.
    for (const [target, choice] of [
      [{ jobId: job.id, itemId: wedding.id }, { takenFromNames: true }],
      [{ jobId: job.id }, { takenFromNames: true, taken: '1962' }],
    ] as const)
      expect(await codeOf(() => runner.adjust(target, choice))).toBe('INVALID_ARGUMENT')
    store.close()
    // Read from a folder's name up to the one the job was made of, not above it.
    const archived = join('/photos', 'Archive 2001', 'album', 'misc', 'photo.jpg')
    expect(takenNamed(archived, [join('/photos', 'Archive 2001', 'album')])).toBeNull()
    expect(takenNamed(archived, [join('/photos', 'Archive 2001')])).toBe('2001')
    expect(takenNamed(archived, [archived])).toBeNull()
  })

  it('names chosen for a done job date its photos in place; one its names say nothing of loses the job’s date', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a 1962-05.jpg', 'b.jpg', 'c.jpg'])
    const store = new QueueStore(queue)
    const restamped: [string, string][] = []
    const engine: QueueEngine = {
      ...recordingEngine([], undefined, mended),
      restamp(output, { stamp }) {
        restamped.push([basename(output), stamp!.taken])
        return Promise.resolve(true)
      },
    }
    const runner = new QueueRunner(store, engine, noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    const [, b, c] = runner.items(job.id)
    // b dated on its own; c never dated. Then the whole job as the names say: only a's says a date.
    await runner.adjust({ jobId: job.id, itemId: b!.id }, { taken: '1950' })
    await runner.idle()
    // b is enhanced again at once: its names say nothing of the date it loses.
    expect(await runner.adjust({ jobId: job.id }, { takenFromNames: true })).toBe(1)
    await runner.idle()
    await runner.run()
    expect(restamped).toEqual([
      ['b.png', '1950'],
      ['a 1962-05.png', '1962-05'],
    ])
    // b loses the date it was given (enhanced again: its own comes only from its original); c had none to lose.
    expect(mended.slice(3).map((m) => [m.name, m.taken])).toEqual([['b.jpg', undefined]])
    expect([runner.job(job.id)!.state, jobTakenFromNames(runner.job(job.id)!)]).toEqual(['done', true])
    expect(c!.state).toBe('done')
    store.close()
    const reopened = new QueueStore(queue)
    const kept = reopened.state.jobs.get(job.id)!
    expect([kept.taken, kept.takenFromNames, jobTakenFromNames(kept)]).toEqual([undefined, true, true])
    reopened.close()
  })

  it('a date alone is written into done photos’ files, not enhanced again; one that cannot be dated so is', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg', 'b.jpg', 'c.jpg'])
    const store = new QueueStore(queue)
    const restamped: [string, string, number][] = []
    const engine: QueueEngine = {
      ...recordingEngine([], undefined, mended),
      // c's file cannot be dated in place (an AVIF's, say): it is enhanced again.
      restamp(output, { stamp }) {
        restamped.push([output.split('/').pop()!, stamp!.taken, stamp!.place])
        return Promise.resolve(!output.endsWith('c.png'))
      },
    }
    const runner = new QueueRunner(store, engine, noCleanup)
    const states: string[] = []
    const job = await runner.addJob(spec)
    await runner.run()
    runner.subscribe((event) => {
      if (event.type === 'job') states.push(event.job.state)
    })
    expect(await runner.adjust({ jobId: job.id }, { taken: '1962' })).toBe(0)
    await runner.idle()
    // Each at its place in the album, so libraries sorting by time keep its order.
    expect(restamped).toEqual([
      ['a.png', '1962', 0],
      ['b.png', '1962', 1],
      ['c.png', '1962', 2],
    ])
    expect(mended.map((m) => [m.name, m.taken, m.takenPlace])).toEqual([
      ['a.jpg', undefined, undefined],
      ['b.jpg', undefined, undefined],
      ['c.jpg', undefined, undefined],
      ['c.jpg', '1962', 2],
    ])
    expect(runner.items(job.id).map((i) => i.state)).toEqual(['done', 'done', 'done'])
    expect(runner.job(job.id)!.state).toBe('done')
    // A date with a turn, or a date taken off (the photo's own date comes back only from its original), is
    // enhanced again.
    const [a, b] = runner.items(job.id)
    expect(
      await runner.adjust(
        { jobId: job.id, itemId: a!.id },
        { taken: '1961', facing: { turn: 90, mirrored: false } },
      ),
    ).toBe(1)
    expect(await runner.adjust({ jobId: job.id, itemId: b!.id }, { taken: null })).toBe(1)
    await runner.idle()
    expect(mended.slice(4).map((m) => [m.name, m.taken, m.turn])).toEqual([
      ['a.jpg', '1961', 90],
      ['b.jpg', undefined, undefined],
    ])
    expect(restamped).toHaveLength(3)
    // One photo dated alone, its job finished: it stays finished, nothing enhanced; at its album place still.
    states.length = 0
    expect(await runner.adjust({ jobId: job.id, itemId: b!.id }, { taken: '1962-06' })).toBe(0)
    await runner.idle()
    expect(restamped.at(-1)).toEqual(['b.png', '1962-06', 1])
    expect(mended).toHaveLength(6)
    expect(states).not.toContain('queued')
    store.close()
  })

  it('a caption is written into a done photo’s file with its date, not enhanced again; one taken back is', async () => {
    // The album captioned as a whole on the command line (--caption), and dated.
    const { runner, job, store, queue, told, mended } = await toldAlbum(['a.jpg', 'b.jpg', 'c.jpg'], {
      caption: 'Lake Como',
      taken: '1962',
    })
    const states: string[] = []
    runner.subscribe((event) => {
      if (event.type === 'job') states.push(event.job.state)
    })
    const [a, b, c] = runner.items(job.id)
    expect(mended.map((m) => [m.name, m.caption])).toEqual([
      ['a.jpg', 'Lake Como'],
      ['b.jpg', 'Lake Como'],
      ['c.jpg', 'Lake Como'],
    ])
    expect(await runner.adjust({ jobId: job.id, itemId: b!.id }, { caption: 'Grandma on the jetty' })).toBe(0)
    await runner.idle()
    // Its date is written with it, at its place in the album.
    expect(told).toEqual([['b.png', { stamp: { taken: '1962', place: 1 }, caption: 'Grandma on the jetty' }]])
    expect(runner.items(job.id).map((i) => [i.state, i.caption])).toEqual([
      ['done', undefined],
      ['done', 'Grandma on the jetty'],
      ['done', undefined],
    ])
    expect([runner.job(job.id)!.state, mended.length]).toEqual(['done', 3])
    expect(states).not.toContain('queued')
    // Taken back (null: none, whatever the job's says): enhanced again, without one; so is one with a turn too.
    expect(await runner.adjust({ jobId: job.id, itemId: a!.id }, { caption: null })).toBe(1)
    expect(
      await runner.adjust(
        { jobId: job.id, itemId: c!.id },
        { caption: 'Uncle Tom', facing: { turn: 90, mirrored: false } },
      ),
    ).toBe(1)
    await runner.idle()
    await runner.run()
    expect(mended.slice(3).map((m) => [m.name, m.caption, m.turn])).toEqual([
      ['a.jpg', undefined, undefined],
      ['c.jpg', 'Uncle Tom', 90],
    ])
    expect(told).toHaveLength(1)
    // Captions from names are a whole job's choice, and one instead of a caption.
    for (const [target, choice] of [
      [{ jobId: job.id, itemId: a!.id }, { captionFromNames: true }],
      [{ jobId: job.id }, { captionFromNames: true, caption: 'Lake Como' }],
    ] as const)
      expect(await codeOf(() => runner.adjust(target, choice))).toBe('INVALID_ARGUMENT')
    for (const caption of ['', ' Lake', 'a\tb', 'x'.repeat(2001)])
      expect(await codeOf(() => runner.adjust({ jobId: job.id, itemId: a!.id }, { caption }))).toBe(
        'INVALID_ARGUMENT',
      )
    store.close()
    const reopened = new QueueStore(queue)
    const items = [...reopened.state.items.values()].filter((i) => i.jobId === job.id)
    expect(items.map((i) => i.caption)).toEqual([null, 'Grandma on the jetty', 'Uncle Tom'])
    expect(items.map((i) => itemCaption(reopened.state.jobs.get(job.id)!, i))).toEqual([
      null,
      'Grandma on the jetty',
      'Uncle Tom',
    ])
    reopened.close()
  })

  it('a job’s caption or its names’ replace those per photo, in place; none takes back only those that said one', async () => {
    const { runner, job, store, queue, told, mended } = await toldAlbum(
      ['1962 Grandma at the lake.jpg', 'IMG_0002.jpg', 'Uncle Tom.jpg'],
      { taken: '1962' },
    )
    const [a, b, c] = runner.items(job.id)
    await runner.adjust({ jobId: job.id, itemId: b!.id }, { caption: 'Grandma' })
    await runner.idle()
    told.length = 0
    // One caption for every photo, b's own replaced: each file told it with its date, at its place in the album.
    expect(await runner.adjust({ jobId: job.id }, { caption: 'Lake Como' })).toBe(0)
    await runner.idle()
    expect(told).toEqual(
      ['1962 Grandma at the lake.png', 'IMG_0002.png', 'Uncle Tom.png'].map((name, place) => [
        name,
        { stamp: { taken: '1962', place }, caption: 'Lake Como' },
      ]),
    )
    expect([b!.caption, itemCaption(runner.job(job.id)!, b!), runner.job(job.id)!.state]).toEqual([
      undefined,
      'Lake Como',
      'done',
    ])
    // Each as its names say: the one whose name says none loses the job's caption, enhanced again at once.
    told.length = 0
    expect(await runner.adjust({ jobId: job.id }, { captionFromNames: true })).toBe(1)
    await runner.idle()
    await runner.run()
    expect(told.map(([name, said]) => [name, said.caption])).toEqual([
      ['1962 Grandma at the lake.png', 'Grandma at the lake'],
      ['Uncle Tom.png', 'Uncle Tom'],
    ])
    expect(mended.slice(3).map((m) => [m.name, m.caption, m.taken])).toEqual([
      ['IMG_0002.jpg', undefined, '1962'],
    ])
    // None for the job: the two that said one are enhanced again without; the third, saying none, stays as it is.
    told.length = 0
    expect(await runner.adjust({ jobId: job.id }, { caption: null })).toBe(2)
    await runner.idle()
    await runner.run()
    expect(mended.slice(4).map((m) => [m.name, m.caption])).toEqual([
      ['1962 Grandma at the lake.jpg', undefined],
      ['Uncle Tom.jpg', undefined],
    ])
    expect([told, [a, b, c].map((i) => i!.state)]).toEqual([[], ['done', 'done', 'done']])
    store.close()
    const reopened = new QueueStore(queue)
    const kept = reopened.state.jobs.get(job.id)!
    expect([kept.caption, kept.captionFromNames, jobCaption(kept), jobCaptionFromNames(kept)]).toEqual([
      null,
      false,
      null,
      false,
    ])
    reopened.close()
  })

  it('a folder’s photos take a date, a caption or a realism as their own; other folders keep theirs', async () => {
    const { runner, job, store, told, mended } = await toldAlbum(
      ['Summer/a.jpg', 'Summer/b.jpg', 'Winter/c.jpg'],
      { taken: '1962' },
    )
    const [a, , c] = runner.items(job.id)
    const [summer, winter] = [dirname(a!.input), dirname(c!.input)]
    expect(await runner.adjust({ jobId: job.id, folder: summer }, { caption: 'Summer at the lake' })).toBe(0)
    await runner.idle()
    expect(await runner.adjust({ jobId: job.id, folder: summer }, { taken: '1963-07' })).toBe(0)
    await runner.idle()
    // Each told where it lies, the job's date, then the folder's, each photo at its album place: in a library
    // sorting by time the folder's photos keep the album's order, not their names'.
    expect(told).toEqual([
      ['a.png', { stamp: { taken: '1962', place: 0 }, caption: 'Summer at the lake' }],
      ['b.png', { stamp: { taken: '1962', place: 1 }, caption: 'Summer at the lake' }],
      ['a.png', { stamp: { taken: '1963-07', place: 0 }, caption: 'Summer at the lake' }],
      ['b.png', { stamp: { taken: '1963-07', place: 1 }, caption: 'Summer at the lake' }],
    ])
    expect(runner.items(job.id).map((i) => [i.caption, i.taken])).toEqual([
      ['Summer at the lake', '1963-07'],
      ['Summer at the lake', '1963-07'],
      [undefined, undefined],
    ])
    // A realism for the other folder: its one photo enhanced again so.
    expect(await runner.adjust({ jobId: job.id, folder: winter }, { realism: 0.9 })).toBe(1)
    await runner.run()
    expect(runner.items(job.id).map((i) => i.realism)).toEqual([undefined, undefined, 0.9])
    expect(mended.slice(3).map((m) => m.name)).toEqual(['c.jpg'])
    // Refused: a folder with none of the job's photos, a folder and a photo at once, names or kept places for one.
    for (const [target, choice] of [
      [{ jobId: job.id, folder: join(dirname(summer), 'Autumn') }, { caption: 'Autumn' }],
      [{ jobId: job.id, folder: summer, itemId: a!.id }, { caption: 'Summer' }],
      [{ jobId: job.id, folder: summer }, { captionFromNames: true }],
      [{ jobId: job.id, folder: summer }, { takenFromNames: true }],
      [{ jobId: job.id, folder: summer }, { kept: [{ x: 1, y: 1 }] }],
    ] satisfies [ChoiceTarget, PhotoChoice][])
      expect(await codeOf(() => runner.adjust(target, choice))).toBe('INVALID_ARGUMENT')
    store.close()
  })

  it('a photo found later in a folder takes what all its photos chose, where two or more chose it alike', async () => {
    const mended: Mended[] = []
    const { runner, job, store } = await namedAlbum(
      'Album',
      ['Lake Como/a.jpg', 'Lake Como/b.jpg', 'Paris/c.jpg', 'Paris/d.jpg', 'Venice/h.jpg'],
      'e.jpg',
      { naming: '{name}_a{alpha}' },
      mended,
    )
    await runner.run()
    const photo = (name: string) => runner.items(job.id).find((i) => i.input.endsWith(name))!
    const [lake, paris] = [dirname(photo('a.jpg').input), dirname(photo('c.jpg').input)]
    await runner.adjust({ jobId: job.id, folder: lake }, { caption: 'Lake Como', taken: '1962-07' })
    await runner.adjust({ jobId: job.id, folder: lake }, { facing: { turn: 90, mirrored: true } })
    const dusted = repairsOf({ removeDust: true })
    await runner.adjust({ jobId: job.id, folder: lake }, { realism: 0.9, repairs: dusted })
    // In Paris only one photo has a caption of its own: nothing all of them chose.
    await runner.adjust({ jobId: job.id, itemId: photo('c.jpg').id }, { caption: 'Louvre' })
    // Venice's one photo, turned and captioned: what was chosen for that photo, not for its folder.
    const venice = dirname(photo('h.jpg').input)
    await runner.adjust(
      { jobId: job.id, itemId: photo('h.jpg').id },
      { caption: 'Rialto at dusk', taken: '1970', facing: { turn: 270, mirrored: false } },
    )
    await runner.run()
    writeFileSync(join(lake, 'f.jpg'), 'f')
    writeFileSync(join(paris, 'g.jpg'), 'g')
    writeFileSync(join(venice, 'i.jpg'), 'i')
    await runner.jobFor(job.spec)
    const f = photo('f.jpg')
    expect([f.caption, f.taken, f.turn, f.mirrored, f.realism, f.repairs, f.state]).toEqual([
      'Lake Como',
      '1962-07',
      90,
      true,
      0.9,
      dusted,
      'queued',
    ])
    const [g, i] = [photo('g.jpg'), photo('i.jpg')]
    expect([g.caption, g.taken, g.turn, g.mirrored, g.realism, g.repairs]).toEqual(Array(6).fill(undefined))
    expect([i.caption, i.taken, i.turn, i.realism, i.state]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'queued',
    ])
    // Named for the realism each is enhanced at: f its folder's, g and i the job's.
    expect([f, g, i].map((item) => basename(item.output))).toEqual([
      'f_a0.90.png',
      'g_a0.50.png',
      'i_a0.50.png',
    ])
    await runner.run()
    expect(
      mended
        .filter((m) => m.name === 'f.jpg')
        .map((m) => [m.caption, m.taken, m.turn, m.mirrored, m.repairs]),
    ).toEqual([['Lake Como', '1962-07', 90, true, dusted]])
    expect(readFileSync(photo('f.jpg').output, 'utf8')).toBe('realism 0.9')
    store.close()
  })

  it('--caption names writes under each photo what its name or folders say, never sent as the setting itself', async () => {
    const mended: Mended[] = []
    // A photo named on its own says it in its own name alone: not "Downloads".
    const { runner, job, store } = await namedAlbum(
      'Album scans',
      ['Lake Como 1962/IMG_0001.jpg', 'Lake Como 1962/1962 Grandma on the jetty.jpg', 'misc/scan_0042.jpg'],
      'Downloads/IMG_4.jpg',
      { settings: { captionFromNames: true } },
      mended,
    )
    await runner.run()
    expect(Object.fromEntries(mended.map((m) => [m.name, m.caption]))).toEqual({
      'IMG_0001.jpg': 'Lake Como',
      '1962 Grandma on the jetty.jpg': 'Grandma on the jetty',
      'scan_0042.jpg': undefined,
      'IMG_4.jpg': undefined,
    })
    expect(mended.filter((m) => 'captionFromNames' in m)).toEqual([])
    // A photo's own caption over its name's (enhanced again: this engine cannot caption a file in place).
    const first = runner.items(job.id).find((i) => i.input.endsWith('IMG_0001.jpg'))!
    expect(await runner.adjust({ jobId: job.id, itemId: first.id }, { caption: 'Grandpa rowing' })).toBe(1)
    await runner.run()
    expect([itemCaption(runner.job(job.id)!, first), mended.at(-1)!.caption]).toEqual([
      'Grandpa rowing',
      'Grandpa rowing',
    ])
    store.close()
  })

  it('repairs need no GAN partner; a choice of nothing, or repairs out of range, are refused', async () => {
    const mended: Mended[] = []
    const { spec, queue } = setup(['a.jpg'], false)
    const runner = new QueueRunner(new QueueStore(queue), recordingEngine([], undefined, mended), noCleanup)
    const job = await runner.addJob(spec)
    await runner.run()
    expect(await runner.adjust({ jobId: job.id }, { repairs: dusty })).toBe(1)
    await runner.run()
    expect(mended.map((m) => m.repairs)).toEqual([repairsOf({}), dusty])
    expect(await codeOf(() => runner.adjust({ jobId: job.id }, {}))).toBe('INVALID_ARGUMENT')
    const tooStrong = { ...dusty, restoreColours: true, restoreStrength: 3 }
    expect(await codeOf(() => runner.adjust({ jobId: job.id }, { repairs: tooStrong }))).toBe(
      'INVALID_ARGUMENT',
    )
    expect(runner.job(job.id)!.repairs).toEqual(dusty)
  })
})

describe("names that say the model's own scale", () => {
  it('have it from the engine when the job is made, only where they say it, and 4 where it cannot be read', async () => {
    const inspected: string[] = []
    const scaleOf = (scale: number | null) => ({
      ...recordingEngine([]),
      inspect: (path: string) => {
        inspected.push(path)
        return scale === null
          ? Promise.reject(new EnhanceError('UNKNOWN_ARCHITECTURE', 'Not a network Enhance runs.'))
          : Promise.resolve({ scale })
      },
    })
    const { spec, queue } = setup(['a.jpg'])
    const store = new QueueStore(queue)
    const runner = new QueueRunner(store, scaleOf(2), noCleanup)
    const plain = await runner.addJob(spec)
    expect(inspected).toEqual([])
    const outputOf = (jobId: string) => runner.items(jobId)[0]!.output.split('/').pop()
    expect(outputOf(plain.id)).toBe('a.png')
    const named = await runner.addJob({ ...spec, naming: '{name}_{size}', outDir: `${spec.outDir}-x2` })
    expect(inspected).toEqual(['psnr.safetensors'])
    expect([outputOf(named.id), runner.job(named.id)!.modelScale]).toEqual(['a_x2.png', 2])
    store.close()
    const reopened = new QueueStore(queue)
    expect(reopened.state.jobs.get(named.id)!.modelScale).toBe(2)
    const unread = new QueueRunner(reopened, scaleOf(null), noCleanup)
    const fallback = await unread.addJob({ ...spec, naming: '{name}_x{scale}', outDir: `${spec.outDir}-x4` })
    expect(unread.items(fallback.id)[0]!.output.split('/').pop()).toBe('a_x4.png')
    reopened.close()
  })
})
