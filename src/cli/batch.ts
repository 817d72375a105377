import { leftOutText } from '../shared/formats.js'
import type { QueueRunner, QueueEvent } from '../queue/runner.js'
import type { QueueSession } from '../queue/session.js'
import type { Item, Job, JobSpec } from '../queue/types.js'
import { watchFolders } from '../queue/watch.js'
import { isFinished } from '../queue/types.js'
import { withFlagRemedy } from './remedies.js'
import type { Reporter } from './report.js'
import { isToCome } from '../shared/states.js'
import { JobEstimates } from '../queue/job-estimates.js'
import type { Estimator } from '../queue/job-estimates.js'
import { runTimeLeft } from '../queue/report.js'

export interface BatchSummary {
  done: number
  failed: number
  skipped: number
  /** Items still queued, because their job paused (disk full, folder not writable, Ctrl-C). */
  pending: number
}

/** What a run tells its reporter from: the photos seen so far (by id), how many it has, and how long they will take. */
interface Telling {
  reporter: Reporter
  items: Map<string, Item>
  total: () => number
  time: RunTime
}

function report({ reporter, items, total, time }: Telling, event: QueueEvent): void {
  if (event.type === 'progress') {
    const item = items.get(event.itemId)
    if (!event.measuring) time.onTile()
    if (item)
      reporter.emit({
        event: 'progress',
        item: item.input,
        tile: event.tilesDone, // the NDJSON's public name for the tiles done
        tiles: event.tiles,
        etaMs: event.etaMs,
        batchEtaMs: event.measuring ? null : time.left(event.etaMs),
        ...(event.measuring ? { measuring: true } : {}),
      })
    return
  }
  if (event.type === 'waiting') {
    // A wait of the job's scan has no photo.
    const item = event.itemId === undefined ? undefined : items.get(event.itemId)
    const ms = Date.now() - event.since
    const photo = item ? { item: item.input } : {}
    reporter.emit({ event: event.answered ? 'answered' : 'waiting', ...photo, folder: event.folder, ms })
    return
  }
  if (event.type !== 'item') return
  const item = event.item
  items.set(item.id, item)
  if (item.state === 'running') {
    time.onPhoto()
    reporter.emit({ event: 'item', item: item.input, index: items.size, total: total(), output: item.output })
  }
  if (item.state === 'done')
    reporter.emit({
      event: 'done',
      item: item.input,
      output: item.output,
      ms: item.ms ?? 0,
      provider: item.provider ?? '',
      ...(item.precision ? { precision: item.precision } : {}),
      ...(item.tile ? { tile: item.tile } : {}),
      ...(item.note ? { note: item.note } : {}),
    })
  if (item.state === 'failed' && item.error)
    reporter.emit({ event: 'failed', item: item.input, ...withFlagRemedy(item.error) })
  if (item.state === 'skipped' && item.skipReason === 'crashed') {
    reporter.emit({
      event: 'failed',
      item: item.input,
      code: 'ENGINE_CRASHED',
      message: `The engine stopped twice on this photo, so it was skipped. The second time: ${item.error?.message ?? 'no reason given.'}`,
    })
  }
}

function summarise(runner: QueueRunner, jobIds: string[]): BatchSummary {
  const summary: BatchSummary = { done: 0, failed: 0, skipped: 0, pending: 0 }
  for (const id of jobIds) {
    for (const item of runner.items(id)) {
      if (item.state === 'done') summary.done++
      else if (item.state === 'skipped' && item.skipReason !== 'crashed') summary.skipped++
      else if (isToCome(item.state)) summary.pending++
      else summary.failed++
    }
  }
  return summary
}

/**
 * Runs jobs through the durable queue: a new one for `spec`, or (spec = null) whatever was left
 * unfinished. A bad file is reported with its code and the batch goes on; an interrupted run
 * continues with `enhance --resume`.
 */
export async function runQueued(
  session: QueueSession,
  spec: JobSpec | null,
  reporter: Reporter,
  engine: Estimator,
): Promise<BatchSummary> {
  const started = performance.now()
  const { runner } = session
  const items = new Map<string, Item>()
  let total = 0
  let running: Job[] = []
  const time = runTime(runner, engine, () => running)
  const telling: Telling = { reporter, items, total: () => total, time }
  const unsubscribe = runner.subscribe((event) => report(telling, event))
  try {
    reporter.emit({ event: 'start', inputs: spec?.inputs ?? [] })
    const before = new Set(runner.jobs.filter(isFinished).map((j) => j.id))
    // A shard run again (a retry, a preemption, another node) continues its job rather than adding one.
    const job = spec ? await (spec.shard ? runner.jobFor(spec) : runner.addJob(spec)) : null
    // --resume also restarts jobs that paused by themselves (disk full, folder not writable) or on Ctrl-C.
    if (!spec) for (const paused of runner.jobs.filter((j) => j.state === 'paused')) runner.resume(paused.id)
    if (job) reportFound(reporter, runner, job)
    running = job ? [job] : runner.jobs.filter((j) => !isFinished(j))
    total = running.flatMap((j) => runner.items(j.id)).filter((i) => i.state === 'queued').length
    time.onPhoto()
    // A new job runs alone: jobs queued by the app or an earlier run wait for --resume or the app.
    await runner.run(job ? [job.id] : undefined)
    const jobIds = job ? [job.id] : runner.jobs.filter((j) => !before.has(j.id)).map((j) => j.id)
    const waiting = runner.jobs.filter((j) => !jobIds.includes(j.id) && !isFinished(j)).length
    return reportEnd(reporter, runner, jobIds, waiting, started)
  } finally {
    unsubscribe()
    time.close()
  }
}

/** A run's time left, and when to ask the engine for the estimates it goes by. */
interface RunTime {
  /** The run's time left, the photo in flight's own time left (`photoMs`) in place of its share; null: not known yet. */
  left: (photoMs: number | null) => number | null
  /**
   * A photo starts (or the run does): those not estimated yet are asked for, the engine being at work anyway; not
   * while the engine says nothing is measured (a fixed `--tile` on a fresh computer), lest each photo read them all.
   */
  onPhoto: () => void
  /** A photo's tile is done: this computer's tile speeds are known from here on. */
  onTile: () => void
  /** Stops the asks under way. */
  close: () => void
}

/**
 * The time left of the run's jobs (`runTimeLeft`), from each photo's estimate: from the tile speeds measured here
 * before, as nothing may slow the run down for them. They are asked for as photos start, when the engine is running
 * anyway (a watch lets it go while it waits, and an ask would start it again), and at the first tile, as this
 * computer's tile speeds may have just been measured.
 */
function runTime(runner: QueueRunner, engine: Estimator, jobs: () => Job[]): RunTime {
  const ofTheRun = {
    get jobs() {
      return jobs().flatMap(({ id }) => runner.job(id) ?? [])
    },
    job: (id: string) => runner.job(id),
    items: (id: string) => runner.items(id),
  }
  const estimates = new JobEstimates(ofTheRun, engine, () => undefined, false)
  let tiled = false
  return {
    left: (photoMs) =>
      runTimeLeft(
        ofTheRun.jobs.map(({ id }) => ({ items: runner.items(id), estimates: estimates.of(id) })),
        photoMs,
      ),
    onPhoto: () => {
      if (!estimates.unmeasured) estimates.sync()
    },
    onTile: () => {
      if (!tiled) estimates.sync()
      tiled = true
    },
    close: () => estimates.close(),
  }
}

/** The end of a run: why its jobs paused, if they did, and the counts (`waiting`: other unfinished jobs). */
function reportEnd(
  reporter: Reporter,
  runner: QueueRunner,
  jobIds: string[],
  waiting: number,
  started: number,
): BatchSummary {
  for (const id of jobIds) {
    const paused = runner.jobs.find((j) => j.id === id && j.state === 'paused')
    if (paused)
      reporter.emit({
        event: 'paused',
        job: id,
        ...(paused.pauseReason ?? { code: 'CANCELLED', message: 'Paused.' }),
      })
  }
  const summary = summarise(runner, jobIds)
  reporter.emit({ event: 'summary', ...summary, waiting, ms: Math.round(performance.now() - started) })
  return summary
}

/** What a scan of the job found that is not to run: files left out, and photos whose output exists (once each). */
function reportFound(reporter: Reporter, runner: QueueRunner, job: Job, told = new Set<string>()): void {
  const leftOut = leftOutText(job.leftOut)
  if (job.leftOut && leftOut && !told.has('left-out'))
    reporter.emit({ event: 'left-out', files: job.leftOut, message: leftOut })
  told.add('left-out')
  for (const item of runner.items(job.id)) {
    if (item.state !== 'skipped' || told.has(item.id)) continue
    told.add(item.id)
    reporter.emit({ event: 'skipped', item: item.input, output: item.output, reason: 'exists' })
  }
}

export interface WatchControl {
  signal: AbortSignal
  /** Lets the engine go while nothing arrives; the next photo starts it again. */
  release: () => void
  engine: Estimator
}

/**
 * `enhance <folders> --watch`: the folders' photos, then each new one as it arrives, until Ctrl-C. A watch started
 * again with the same options goes on with its job.
 */
export async function watchQueued(
  session: QueueSession,
  spec: JobSpec,
  reporter: Reporter,
  control: WatchControl,
): Promise<BatchSummary> {
  const started = performance.now()
  const { runner } = session
  const items = new Map<string, Item>()
  let job: Job | null = null
  const total = (): number =>
    items.size +
    (job ? runner.items(job.id).filter((i) => i.state === 'queued' && !items.has(i.id)).length : 0)
  // Photos arrive as they will: the time left is of those known.
  const time = runTime(runner, control.engine, () => (job ? [job] : []))
  const telling: Telling = { reporter, items, total, time }
  const unsubscribe = runner.subscribe((event) => report(telling, event))
  const told = new Set<string>()
  try {
    reporter.emit({ event: 'start', inputs: spec.inputs })
    const watched = await watchFolders(runner, spec, {
      signal: control.signal,
      release: control.release,
      onJob: (watched) => (job = watched),
      onHeldUp: (reason) => reporter.emit({ event: 'held-up', ...reason }),
      onWaiting: () => {
        const now = job && runner.job(job.id)
        if (now) reportFound(reporter, runner, now, told)
        reporter.emit({ event: 'watching', folders: spec.inputs })
      },
    })
    return reportEnd(reporter, runner, watched ? [watched] : [], 0, started)
  } finally {
    unsubscribe()
    time.close()
  }
}
