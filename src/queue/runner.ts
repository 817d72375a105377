import { formatForInput } from '../shared/formats.js'
import { existsSync } from 'node:fs'
import { DRIVE_TIMING, DriveWatch } from '../node/drive-watch.js'
import type { DriveWatchTiming } from '../node/drive-watch.js'
import type { DriveWait } from '../shared/drive-wait.js'
import { makeDirectory, outputFolderError } from '../node/make-directory.js'
import { isFolder, linkTarget } from '../node/file-access.js'
import { basename, dirname, resolve } from 'node:path'
import { AwakeClock } from '../node/awake-time.js'
import { EnhanceError, KEEP_PROGRESS, canReadDamaged, cancellable, toErrorData } from '../shared/errors.js'
import type { ErrorData } from '../shared/errors.js'
import type {
  EnhanceJob,
  EnhanceReply,
  ModelSpecData,
  PreviewEvent,
  ProgressEvent,
} from '../shared/protocol.js'
import { checkChoice, scopeOf } from './choice.js'
import { failedForItsModels, failureOutcome } from './failure-policy.js'
import type { StopReason } from './failure-policy.js'
import { isInside } from './paths.js'
import { outputsInFolder, outputsRenamed, sameSpec } from './replan.js'
import { sameCounts, scanJob } from './scanner.js'
import { modelScaleFor, newJob, outputsOfOtherJobs } from './new-job.js'
import { changedSinceRead, readSignature } from './changed.js'
import { QueueWriteError } from './journal.js'
import type { ScanOptions } from './scanner.js'
import type { ItemPatches } from './replan.js'
import type { QueueStore } from './store.js'
import {
  isFinished,
  skippedAsAsked,
  itemCaption,
  itemFacing,
  byRealism,
  itemRealism,
  itemRepairs,
  itemTaken,
  jobModel,
  modelAt,
} from './types.js'
import type { Item, Job, JobSpec } from './types.js'
import type { ChoiceTarget, PhotoChoice } from '../shared/api.js'
import { folderOf } from '../shared/job-title.js'
import type { EngineSettings } from '../shared/settings.js'
import { facingSettings } from '../shared/turn.js'
import { sameModels } from '../shared/model.js'
import type { Facing } from '../shared/turn.js'
import type { DateStamp } from '../shared/taken.js'
import type { Told } from '../shared/caption.js'
import { sameTold, tookBack } from './told.js'
import { withTheirFolders } from './folder-choices.js'
import { isDoneOrToCome, isToCome } from '../shared/states.js'

/** A photo's note when the places kept on it were let go, its file edited since. */
export const KEPT_LET_GO =
  'The places kept from dust and scratch removal were let go: the photo was edited since they were kept. Keep them again in Realism.'

/**
 * `settings` with the photo's facing, date and caption in place of its job's `--turn`, `--mirror`, `--taken` and
 * `--caption`: each said only where there is one, as before there were turns, dates and captions (a photo's
 * settings, and its resume key, as they were).
 */
function withOwn(settings: EngineSettings, facing: Facing, { stamp, caption }: Told): EngineSettings {
  const own = { ...settings }
  delete own.turn
  delete own.mirrored
  delete own.taken
  delete own.takenFromNames
  delete own.caption
  delete own.captionFromNames
  const dated = stamp ? { taken: stamp.taken, ...(stamp.place ? { takenPlace: stamp.place } : {}) } : {}
  return { ...own, ...facingSettings(facing), ...dated, ...(caption ? { caption } : {}) }
}

/** Whether `item`'s kept places were kept on another version of its file than the one read now (`readAs`). */
function keptOnOtherFile(item: Item, readAs: string | null): boolean {
  return !!item.kept?.length && item.keptOn !== undefined && item.keptOn !== readAs
}

/** What the runner needs from the engine: the EngineClient, or a fake in unit tests. */
export interface QueueEngine {
  enhance(
    request: EnhanceJob,
    options: {
      signal?: AbortSignal
      held?: () => boolean
      onProgress?: (e: ProgressEvent) => void
      onPreview?: (e: PreviewEvent) => void
    },
  ): Promise<EnhanceReply>
  /** A model's architecture, as the engine reads it: for its scale, where a job's names say it. */
  inspect?(path: string): Promise<{ scale: number }>
  /**
   * Dates or captions a written photo's file anew in place (`restampFile`); false where it must be enhanced again
   * instead.
   */
  restamp?(output: string, told: Told): Promise<boolean>
}

export type QueueEvent =
  | { type: 'job'; job: Job }
  | { type: 'item'; item: Item }
  | {
      type: 'progress'
      jobId: string
      itemId: string
      tilesDone: number
      tiles: number
      etaMs: number | null
      measuring?: true
    }
  | { type: 'preview'; jobId: string; itemId: string; preview: PreviewEvent }
  /**
   * The photo in flight (or, with no `itemId`, the job's scan) waits on a drive that does not answer, since `since`;
   * or (`answered`) no longer.
   */
  | ({ type: 'waiting'; jobId: string; itemId?: string; answered: boolean } & DriveWait)
  | { type: 'idle' }
  | { type: 'removed'; jobId: string }

/**
 * What stops the engine when a photo is stopped. A pause keeps its tiles so far, saved as the engine stops; but an
 * engine waiting on a drive that does not answer cannot stop, so it is ended at once rather than waited for.
 */
function engineStopOn(signal: AbortSignal, drives: DriveWatch): AbortSignal {
  const engine = new AbortController()
  const stop = (): void => engine.abort(drives.waiting ? undefined : signal.reason)
  if (signal.aborted) stop()
  else signal.addEventListener('abort', stop, { once: true })
  return engine.signal
}

/** One photo, all of a job, or one photo of a job (as the window names it). */
export type ItemTarget = { itemId: string } | { jobId: string; itemId?: string }

export interface Cleanup {
  /** Removes temporary files a killed writer left in a folder, for the named outputs only. */
  removeStalePartials(dir: string, targets: ReadonlySet<string>): Promise<unknown>
}

/**
 * Runs jobs one at a time, in order, item by item. Every state change is committed to the journal
 * before it is acted on, so a restart resumes at the item that was in flight.
 */
export class QueueRunner {
  private current: {
    jobId: string
    itemId: string
    controller: AbortController
    /** Why it was stopped: 'requeue' puts it back (pause, new realism), 'cancel' does not, 'skip' skips it. */
    why?: StopReason
    /** Settles once the item's new state is committed. */
    settled: Promise<void>
  } | null = null
  private loop: Promise<void> | null = null
  /** Done photos being told anew (`retell`): no photo is enhanced meanwhile, so none is written twice at once. */
  private retelling: Promise<void> = Promise.resolve()
  /** The jobs the running loop may take; null for all of them. */
  private scope: ReadonlySet<string> | null = null
  /** Enhances nothing (`hold`): a command that only changes the queue leaves its photos to the next run. */
  private held = false
  private readonly listeners = new Set<(event: QueueEvent) => void>()
  /** Each job's latest scan: a second scan waits for the first, or both would add the same new photos. */
  private readonly scans = new Map<string, Promise<void>>()
  /** The scans waiting on a drive that does not answer, by job. */
  private readonly scansWaiting = new Set<string>()

  constructor(
    private readonly store: QueueStore,
    private readonly engine: QueueEngine,
    private readonly cleanup: Cleanup,
    private readonly driveTiming: DriveWatchTiming = DRIVE_TIMING,
  ) {
    this.recover()
  }

  subscribe(listener: (event: QueueEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit(event: QueueEvent): void {
    for (const listener of this.listeners) listener(event)
  }

  private setJob(job: Job, state: Job['state'], pauseReason?: ErrorData): void {
    this.store.commit({ t: 'job-state', jobId: job.id, state, ...(pauseReason ? { pauseReason } : {}) })
    this.emit({ type: 'job', job: this.store.state.jobs.get(job.id)! })
  }

  private setItem(item: Item, patch: Partial<Omit<Item, 'id' | 'jobId'>>): void {
    this.store.commit({ t: 'item', id: item.id, patch })
    this.emit({ type: 'item', item: this.store.state.items.get(item.id)! })
  }

  /** After a crash: the item in flight goes back to the queue and its job resumes; half-scanned jobs rescan. */
  private recover(): void {
    for (const item of this.store.state.items.values()) {
      if (item.state === 'running') this.store.commit({ t: 'item', id: item.id, patch: { state: 'queued' } })
    }
    for (const job of this.store.state.jobs.values()) {
      if (job.state === 'running') this.store.commit({ t: 'job-state', jobId: job.id, state: 'queued' })
    }
  }

  get jobs(): Job[] {
    return this.store.state.orderedJobs()
  }

  job(jobId: string): Job | undefined {
    return this.store.state.jobs.get(jobId)
  }

  items(jobId: string): Item[] {
    return this.store.state.itemsOf(jobId)
  }

  /**
   * The job for `spec`, made once: running the same command again (a shard retried after a crash, a
   * preemption, or on another node) continues that job, with any photo added since, instead of a second.
   */
  async jobFor(spec: JobSpec, options: ScanOptions = {}): Promise<Job> {
    const same = this.jobs.find((j) => sameSpec(j.spec, spec))
    if (!same) return this.addJob(spec, options)
    await this.scan(same, options)
    if (!this.job(same.id)) return this.addJob(spec, options) // its first scan refused it meanwhile
    for (const item of this.items(same.id))
      if (item.state === 'cancelled') this.setItem(item, { state: 'queued' })
    // A photo edited since it was enhanced is enhanced again (its result replaced); one that failed, tried again.
    this.requeue(
      await changedSinceRead(this.items(same.id), options.accept),
      { state: 'queued', crashes: 0 },
      false,
    )
    // A job running (or still being added) goes on as it is, and takes the new photos in its turn.
    const current = this.job(same.id)!
    const busy = current.state === 'queued' || current.state === 'running' || current.state === 'scanning'
    if (!busy && this.items(same.id).some((i) => i.state === 'queued')) this.setJob(current, 'queued')
    return this.job(same.id)!
  }

  /** The engine's reading of a model file's facts (its scale), where the engine reads them. */
  private get modelInspector(): ((path: string) => Promise<{ scale: number }>) | undefined {
    return this.engine.inspect?.bind(this.engine)
  }

  /** Creates a job and scans its inputs in batches (lazily: a huge folder never sits in memory as a whole list). */
  async addJob(spec: JobSpec, options: ScanOptions = {}): Promise<Job> {
    const job = newJob(spec, this.jobs, await modelScaleFor(spec, this.modelInspector))
    this.store.commit({ t: 'job', job })
    // Shown while it finds its photos (a large album on a network drive takes a while, or waits on the drive).
    this.emit({ type: 'job', job: this.job(job.id)! })
    try {
      await this.scan(job, options)
    } catch (error) {
      // An input that cannot be read (missing, no permission) refuses the job whole: nothing is left queued.
      this.store.commit({ t: 'forget', jobId: job.id })
      this.emit({ type: 'removed', jobId: job.id })
      throw error
    }
    this.scanned(job)
    return this.store.state.jobs.get(job.id)!
  }

  /**
   * A job whose scan ended is queued, unless it was paused or cancelled meanwhile (Ctrl-C while a folder is read):
   * then the photos the scan found after the cancel are cancelled too.
   */
  private scanned(job: Job): void {
    const current = this.job(job.id)
    if (current?.state === 'scanning') this.setJob(current, 'queued')
    if (current?.state === 'cancelled')
      for (const item of this.items(job.id))
        if (item.state === 'queued') this.setItem(item, { state: 'cancelled' })
  }

  private scan(job: Job, options: ScanOptions = {}): Promise<void> {
    const previous = this.scans.get(job.id) ?? Promise.resolve()
    const next = previous.then(async () => {
      const before = this.job(job.id)
      if (!before) return // refused whole by the scan before this one
      const drives = new DriveWatch(
        job.spec.inputs,
        (wait, answered) => {
          if (answered) this.scansWaiting.delete(job.id)
          else this.scansWaiting.add(job.id)
          this.emit({ type: 'waiting', jobId: job.id, ...wait, answered })
        },
        this.driveTiming,
      )
      let found = 0
      const stats = await scanJob(
        () => this.job(job.id) ?? before,
        this.items(job.id),
        outputsOfOtherJobs(this.store.state, job),
        (items) => {
          found += items.length
          this.foundInFolders(job, withTheirFolders(this.items(job.id), items))
        },
        options,
      ).finally(() => drives.stop(true))
      // A folder looked at again and again (watched) adds a journal entry only when what it holds changed.
      const same =
        before.ignored === stats.ignored &&
        sameCounts(before.leftOut, stats.leftOut) &&
        before.ofFolders === stats.ofFolders
      if (!same) this.store.commit({ t: 'job-stats', jobId: job.id, ...stats })
      // Photos joined the job: whoever lists its photos, or estimates them, hears of it (its state may not change).
      const after = this.job(job.id)
      if (after && (found > 0 || !same)) this.emit({ type: 'job', job: after })
    })
    // A failed scan leaves its job to the caller; the next scan still runs.
    const settled = next.catch(() => undefined)
    this.scans.set(job.id, settled)
    void settled.then(() => {
      if (this.scans.get(job.id) === settled) this.scans.delete(job.id)
    })
    return next
  }

  /**
   * Starts the loop if it is not running; resolves when no runnable job is left. With `only`, the
   * loop takes just those jobs and leaves the others queued (the CLI enhancing its own photos).
   */
  run(only?: Iterable<string>): Promise<void> {
    if (this.held) return Promise.resolve()
    if (!this.loop) {
      this.scope = only ? new Set(only) : null
      this.loop = this.drain().finally(() => {
        this.loop = null
        this.scope = null
        this.emit({ type: 'idle' })
      })
    }
    return this.loop
  }

  private inScope(job: Job): boolean {
    return this.scope === null || this.scope.has(job.id)
  }

  private nextJob(): Job | undefined {
    return this.jobs.find((j) => (j.state === 'queued' || j.state === 'running') && this.inScope(j))
  }

  private async drain(): Promise<void> {
    // Scans a crash interrupted; one whose inputs have gone since pauses with the reason instead of blocking the rest.
    for (const job of this.jobs.filter((j) => j.state === 'scanning' && this.inScope(j))) {
      try {
        await this.scan(job)
        this.scanned(job)
      } catch (error) {
        this.pauseFor(job, error)
      }
    }
    // A closed queue (the app quitting) starts nothing more.
    for (let job = this.nextJob(); job && !this.store.isClosed; job = this.nextJob()) {
      try {
        if (job.state !== 'running') this.setJob(job, 'running')
        await this.runJob(job)
      } catch (error) {
        // The queue's disk is full or its drive gone: its job waits, paused, until it can be written; nothing more starts.
        if (!(error instanceof QueueWriteError)) throw error
        this.pauseFor(job, error)
        return
      }
    }
  }

  private async runJob(job: Job): Promise<void> {
    const cleaned = new Set<string>()
    for (;;) {
      await this.retelling
      const fresh = this.store.state.jobs.get(job.id)
      if (!fresh || fresh.state !== 'running' || this.store.isClosed) return
      const item = this.items(job.id).find((i) => i.state === 'queued')
      if (!item) {
        this.setJob(fresh, 'done')
        return
      }
      const dir = dirname(item.output)
      await this.runItem(fresh, item, !cleaned.has(dir))
      cleaned.add(dir)
    }
  }

  /**
   * Enhances one photo. `firstInFolder`: the job's first photo to be written in its folder, which first loses what an
   * earlier run killed mid-write left there.
   */
  private async runItem(job: Job, item: Item, firstInFolder: boolean): Promise<void> {
    const controller = new AbortController()
    let settle = (): void => undefined
    const settled = new Promise<void>((resolve) => (settle = resolve))
    this.current = { jobId: job.id, itemId: item.id, controller, settled }
    const clock = new AwakeClock()
    const outDir = dirname(item.output)
    const drives = new DriveWatch(
      [dirname(item.input), outDir],
      (wait, answered) => this.emit({ type: 'waiting', jobId: job.id, itemId: item.id, ...wait, answered }),
      this.driveTiming,
    )
    // Each look at a drive gives way to a pause: one that hangs must not hold the pause up.
    const { signal } = controller
    let readAs: Pick<Item, 'readAs'> = {}
    try {
      this.setItem(item, { state: 'running' })
      if (!isInside(job.spec.outDir, item.output))
        throw new EnhanceError(
          'INVALID_ARGUMENT',
          `Its output ${item.output} lies outside the job's folder ${job.spec.outDir}. Add the photo again.`,
        )
      if (firstInFolder) {
        const own = this.items(job.id).filter((i) => dirname(i.output) === outDir)
        await cancellable(
          this.cleanup.removeStalePartials(outDir, new Set(own.map((i) => basename(i.output)))),
          signal,
        )
      }
      if (!(await cancellable(isFolder(outDir), signal)))
        try {
          makeDirectory(outDir)
        } catch (error) {
          throw outputFolderError(outDir, error)
        }
      const signature = await cancellable(readSignature(item.input), signal)
      readAs = { readAs: signature }
      const keptLetGo = keptOnOtherFile(item, signature)
      if (keptLetGo) this.store.commit({ t: 'item', id: item.id, patch: { kept: [] } })
      const result = await this.engine.enhance(
        {
          input: item.input,
          output: item.output,
          model: modelAt(jobModel(job), itemRealism(job, item)),
          // The format the planner named the output after, so the bytes always match the extension.
          settings: withOwn(
            {
              ...job.spec.settings,
              ...itemRepairs(job, item),
              ...(item.kept?.length ? { kept: item.kept } : {}),
              format: formatForInput(job.spec.settings.format, item.input),
              readDamaged: job.spec.settings.readDamaged || item.readDamaged,
            },
            itemFacing(job, item),
            this.toldOf(job, item),
          ),
        },
        {
          signal: engineStopOn(signal, drives),
          // A photo waiting on a drive that does not answer is not a hung engine.
          held: () => drives.waiting !== null,
          onProgress: (e) =>
            this.emit({
              type: 'progress',
              jobId: job.id,
              itemId: item.id,
              tilesDone: e.tilesDone,
              tiles: e.tiles,
              etaMs: e.etaMs,
              ...(e.measuring ? { measuring: true } : {}),
            }),
          onPreview: (preview) => this.emit({ type: 'preview', jobId: job.id, itemId: item.id, preview }),
        },
      )
      drives.stop(true)
      this.setItem(item, {
        state: 'done',
        ms: result.ms,
        ...(result.ranMs !== undefined ? { ranMs: result.ranMs } : {}),
        provider: result.provider,
        precision: result.precision,
        tile: result.tile,
        note: keptLetGo ? [KEPT_LET_GO, result.note].filter(Boolean).join(' ') : result.note,
        ...readAs,
      })
    } catch (error) {
      this.settleFailure(job, item, toErrorData(error), readAs)
    } finally {
      drives.stop()
      const busyMs = (this.store.state.jobs.get(job.id)?.busyMs ?? 0) + Math.round(clock.elapsed())
      clock.stop()
      this.current = null
      settle()
      this.store.commit({ t: 'job-stats', jobId: job.id, busyMs })
    }
  }

  /**
   * Pauses a job for a problem. Where even that cannot be recorded (the queue's disk full or its drive gone), the job
   * is paused in memory, its photo in flight queued again, as the next start would find it.
   */
  private pauseFor(job: Job, error: unknown): void {
    const pauseReason = toErrorData(error)
    try {
      this.setJob(job, 'paused', pauseReason)
      return
    } catch (failure) {
      if (!(failure instanceof QueueWriteError)) throw failure
    }
    for (const item of this.items(job.id).filter((i) => i.state === 'running')) {
      this.store.holdUnrecorded({ t: 'item', id: item.id, patch: { state: 'queued' } })
      this.emit({ type: 'item', item })
    }
    this.store.holdUnrecorded({ t: 'job-state', jobId: job.id, state: 'paused', pauseReason })
    this.emit({ type: 'job', job: this.job(job.id)! })
  }

  private settleFailure(job: Job, item: Item, error: ErrorData, readAs: Pick<Item, 'readAs'>): void {
    const outcome = failureOutcome(whoseFault(error, item), item, this.current?.why)
    this.setItem(item, { ...outcome.item, ...readAs })
    if (outcome.pauseJob) this.setJob(job, 'paused', outcome.pauseJob)
  }

  /**
   * Pauses at the next tile boundary: the item in flight stops and goes back to the queue, its tiles so far
   * kept by the engine, so that it picks up there when the job resumes.
   */
  pause(jobId: string): void {
    const job = this.store.state.jobs.get(jobId)
    if (!job || !['queued', 'running', 'scanning'].includes(job.state)) return
    this.setJob(job, 'paused')
    if (this.current?.jobId === jobId) this.stopCurrent('requeue', KEEP_PROGRESS)
  }

  resume(jobId: string): void {
    const job = this.store.state.jobs.get(jobId)
    if (job?.state !== 'paused') return
    this.setJob(job, 'queued')
    void this.run()
  }

  cancel(jobId: string): void {
    const job = this.store.state.jobs.get(jobId)
    if (!job || isFinished(job)) return
    this.setJob(job, 'cancelled')
    for (const item of this.items(jobId))
      if (item.state === 'queued') this.setItem(item, { state: 'cancelled' })
    if (this.current?.jobId === jobId) this.stopCurrent('cancel')
  }

  /** Takes a job out of the queue (cancelling it first if it runs); its outputs stay where they are. */
  remove(jobId: string): boolean {
    if (!this.store.state.jobs.has(jobId)) return false
    this.cancel(jobId)
    this.store.commit({ t: 'forget', jobId })
    this.emit({ type: 'removed', jobId })
    return true
  }

  /** Removes every finished job (done or cancelled) but those still watching their folders; returns their ids. */
  clearFinished(): string[] {
    const finished = this.jobs.filter((job) => isFinished(job) && !job.watching).map((job) => job.id)
    for (const id of finished) this.remove(id)
    return finished
  }

  /**
   * Puts failed (or cancelled, or crash-skipped) items back in the queue: one item, or all of a job; with
   * `start: false` running them is left to the caller (a watch, which runs its own job alone).
   */
  retry(target: ItemTarget, start = true): number {
    return this.requeue(
      this.targeted(target).filter(
        (i) => i.state === 'failed' || i.state === 'cancelled' || i.skipReason === 'crashed',
      ),
      { state: 'queued', crashes: 0 },
      start,
    )
  }

  /**
   * Skips photos of a job as a person asked (`skip`: true), not enhanced: one photo, those of one of its folders or all,
   * those queued and the one in flight; or puts those skipped so back in the queue. Returns how many changed.
   */
  skipPhotos(target: ChoiceTarget, skip: boolean): number {
    const job = this.job(target.jobId)
    if (!job) throw new EnhanceError('INVALID_ARGUMENT', 'That job is no longer in the queue.')
    scopeOf(target) // refuses a photo and a folder named at once, as a choice does
    const items = this.chosenPhotos(job, target) ?? this.items(job.id)
    if (!skip) return this.requeue(items.filter(skippedAsAsked), { state: 'queued', skipReason: undefined })
    const skipping = items.filter((i) => isToCome(i.state))
    for (const item of skipping)
      if (item.id === this.current?.itemId) this.stopCurrent('skip')
      else this.setItem(item, { state: 'skipped', skipReason: 'asked' })
    return skipping.length
  }

  /** Queues the photos refused as cut short or damaged (PARTIAL_IMAGE) again, to be read as far as they go. */
  readDamaged(target: ItemTarget): number {
    return this.requeue(this.targeted(target).filter(canReadDamaged), {
      state: 'queued',
      crashes: 0,
      readDamaged: true,
    })
  }

  private targeted(target: ItemTarget): Item[] {
    if ('jobId' in target && target.itemId === undefined) return this.items(target.jobId)
    const item = this.store.state.items.get(target.itemId!)
    return item && (!('jobId' in target) || item.jobId === target.jobId) ? [item] : []
  }

  private requeue(items: Item[], patch: Partial<Omit<Item, 'id' | 'jobId'>>, start = true): number {
    for (const item of items) this.setItem(item, patch)
    const jobIds = new Set(items.map((i) => i.jobId))
    for (const id of jobIds) {
      const job = this.store.state.jobs.get(id)
      if (job && isFinished(job)) this.setJob(job, 'queued')
    }
    if (items.length && start) void this.run()
    return items.length
  }

  /** Stops the photo in flight and puts it back at the head of its job (before the engine is restarted). */
  interruptCurrent(): void {
    this.stopCurrent('requeue')
  }

  /**
   * Stops the photo in flight and puts it back at the head of its job, its tiles so far kept, for the app to
   * quit: it picks up there at the next start.
   */
  suspendCurrent(): void {
    this.stopCurrent('requeue', KEEP_PROGRESS)
  }

  private stopCurrent(why: StopReason, reason?: typeof KEEP_PROGRESS): void {
    if (!this.current) return
    this.current.why = why
    this.current.controller.abort(reason)
  }

  /**
   * Chooses the realism, the repairs, the facing, the date or the caption for one photo, the photos of one folder of a
   * job, or a whole job (a job's replace any chosen per photo), and a photo's kept places. Finished photos are
   * enhanced again (their output is replaced, or renamed with {alpha} for a new realism), or only dated or captioned
   * where they lie; the one in flight restarts, and queued ones use it. Returns how many photos will be (re-)enhanced.
   */
  async adjust(target: ChoiceTarget, choice: PhotoChoice): Promise<number> {
    const job = this.job(target.jobId)
    if (!job) throw new EnhanceError('INVALID_ARGUMENT', 'That job is no longer in the queue.')
    checkChoice(job, scopeOf(target), choice)
    const { realism, repairs, kept, facing, taken, takenFromNames, caption, captionFromNames } = choice
    const photoOf = () => (target.itemId ? this.store.state.items.get(target.itemId) : undefined)
    // Places are kept on the file as it is now. Read first, so that the changes below follow one another unawaited.
    const keptOn = kept ? await readSignature(photoOf()?.input ?? '') : undefined
    // Photos chosen for on their own (one, or those of a folder); null: the whole job.
    const chosen = this.chosenPhotos(job, target)
    const targets = chosen ?? this.items(job.id)
    // Read only for a date or caption chosen: what a photo's names say is not looked at for a realism or a turn.
    const told = taken !== undefined || takenFromNames || caption !== undefined || captionFromNames
    const places = told ? this.placesOf(job) : undefined
    const toldBefore = new Map(told ? targets.map((i) => [i, this.toldOf(job, i, places)]) : [])
    const patch = {
      ...(realism === undefined ? {} : { realism }),
      ...(repairs ? { repairs } : {}),
      ...(kept ? { kept, keptOn } : {}),
      ...(facing ? { turn: facing.turn, mirrored: facing.mirrored } : {}),
      ...(taken === undefined ? {} : { taken }),
      ...(caption === undefined ? {} : { caption }),
    }
    for (const item of chosen ?? []) this.store.commit({ t: 'item', id: item.id, patch })
    if (!chosen && realism !== undefined) this.store.commit({ t: 'job-realism', jobId: job.id, realism })
    if (!chosen && repairs) this.store.commit({ t: 'job-repairs', jobId: job.id, repairs })
    if (!chosen && facing) this.store.commit({ t: 'job-turn', jobId: job.id, ...facing })
    if (!chosen && taken !== undefined) this.store.commit({ t: 'job-taken', jobId: job.id, taken })
    if (!chosen && takenFromNames)
      this.store.commit({ t: 'job-taken', jobId: job.id, taken: null, fromNames: true })
    if (!chosen && caption !== undefined) this.store.commit({ t: 'job-caption', jobId: job.id, caption })
    if (!chosen && captionFromNames)
      this.store.commit({ t: 'job-caption', jobId: job.id, caption: null, fromNames: true })
    const touched = targets.filter((i) => isDoneOrToCome(i.state))
    // A date or a caption alone changes only what a done photo's file says: it is written there, not enhanced again.
    const toldAlone = told && [realism, repairs, kept, facing].every((other) => other === undefined)
    const inPlace =
      toldAlone && this.engine.restamp
        ? this.toldInPlace(job, touched, toldBefore, places)
        : new Map<Item, boolean>()
    const affected = touched.filter((i) => !inPlace.has(i))
    if (realism !== undefined) this.nameForRealism(job, affected, realism)
    // Jobs and items are the store's own objects, updated in place by each commit.
    for (const item of inPlace.keys()) this.emit({ type: 'item', item })
    const retold = [...inPlace].flatMap(([item, changed]) => (changed ? [item] : []))
    if (retold.length) this.retell(job, retold)
    // A photo not enhanced again (skipped, cancelled) still shows what was chosen for it.
    const touchedOnes = new Set(touched)
    for (const item of chosen ?? []) if (!touchedOnes.has(item)) this.emit({ type: 'item', item })
    // A finished job whose photos are only dated or captioned stays finished.
    return this.enhanceAgain(job, affected, affected.length === 0 && inPlace.size > 0)
  }

  /**
   * Puts `affected` photos of `job` back to be enhanced (a done or failed one queued, the one in flight restarted) and
   * runs them; a finished job is queued again unless it `staysFinished`. Returns how many there are.
   */
  private enhanceAgain(job: Job, affected: Item[], staysFinished: boolean): number {
    for (const item of affected) {
      if (item.state === 'done') this.setItem(item, { state: 'queued' })
      else if (item.state === 'failed') this.setItem(item, { state: 'queued', crashes: 0 })
      else this.emit({ type: 'item', item })
    }
    if (this.current && affected.some((i) => i.id === this.current?.itemId)) this.stopCurrent('requeue')
    if (isFinished(job) && !staysFinished) this.setJob(job, 'queued')
    else this.emit({ type: 'job', job })
    if (affected.length) void this.run()
    return affected.length
  }

  /**
   * Photos a scan found, each with what its folder's photos chose (`withTheirFolders`): one taking a realism of its
   * own is named for it where the job's names say {alpha}.
   */
  private foundInFolders(job: Job, found: Item[]): void {
    this.store.commit({ t: 'items', items: found })
    for (const [realism, photos] of byRealism(found, (item) => item.realism))
      if (realism !== undefined) this.nameForRealism(job, photos, realism)
  }

  /** Names `photos` of `job` for `realism` where its names say {alpha}, around the outputs other jobs will write. */
  private nameForRealism(job: Job, photos: Item[], realism: number): void {
    if (job.spec.naming.includes('{alpha}')) this.nameAgain(job, photos, realism)
  }

  /** Names `photos` of `job` as its template now names them at `realism`, around the outputs other jobs will write. */
  private nameAgain(job: Job, photos: Item[], realism: number | undefined): void {
    const others = outputsOfOtherJobs(this.store.state, job)
    this.commitPatches(outputsRenamed(job, this.items(job.id), photos, realism, others))
  }

  /**
   * Enhances a job's photos with other models from now on (the other bundled pair, chosen after seeing both): its done
   * photos are enhanced again (their output replaced, or renamed where its names say {model}), the one in flight
   * restarts, and queued ones use them. Returns how many photos will be (re-)enhanced.
   */
  async chooseModels(jobId: string, model: ModelSpecData): Promise<number> {
    const before = this.job(jobId)
    if (before && sameModels(jobModel(before), model))
      throw new EnhanceError('INVALID_ARGUMENT', 'This job is already enhanced with those models.')
    const modelScale = before && (await modelScaleFor({ ...before.spec, model }, this.modelInspector))
    const job = this.job(jobId)
    if (!job) throw new EnhanceError('INVALID_ARGUMENT', 'That job is no longer in the queue.')
    this.store.commit({ t: 'job-model', jobId, model, ...(modelScale === undefined ? {} : { modelScale }) })
    // Photos that failed for the old models' sake are tried with the new ones too.
    const affected = this.items(jobId).filter((i) => isDoneOrToCome(i.state) || failedForItsModels(i))
    for (const [realism, photos] of byRealism(affected, (item) => itemRealism(job, item) ?? undefined))
      this.nameAgain(job, photos, realism)
    return this.enhanceAgain(job, affected, affected.length === 0)
  }

  /**
   * The photos a choice is made for on their own (`target`'s one photo, or those lying in its folder), or null for a
   * whole job. Refused where the photo is no longer the job's, or no photo of the job lies in the folder.
   */
  private chosenPhotos(job: Job, target: ChoiceTarget): Item[] | null {
    if (target.itemId !== undefined) {
      const photo = this.store.state.items.get(target.itemId)
      if (photo?.jobId !== job.id)
        throw new EnhanceError('INVALID_ARGUMENT', 'That photo is no longer in the queue.')
      return [photo]
    }
    if (target.folder === undefined) return null
    const inFolder = this.items(job.id).filter((item) => folderOf(item.input) === target.folder)
    if (inFolder.length === 0)
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        'No photo of that job lies in that folder: it may have been moved.',
      )
    return inFolder
  }

  /**
   * The done photos among `items` whose files can say a choice of a date or a caption where they lie, each with whether
   * it says something new (`toldBefore`: what each said before): not those whose date or caption it took back.
   */
  private toldInPlace(
    job: Job,
    items: Item[],
    toldBefore: ReadonlyMap<Item, Told>,
    places: ReadonlyMap<Item, number> | undefined,
  ): Map<Item, boolean> {
    const inPlace = new Map<Item, boolean>()
    for (const item of items) {
      const before = toldBefore.get(item)
      if (item.state !== 'done' || !before) continue
      const now = this.toldOf(job, item, places)
      if (!tookBack(before, now)) inPlace.set(item, !sameTold(before, now))
    }
    return inPlace
  }

  /** Each photo of a job by its place in the album (the job's order). */
  private placesOf(job: Job): Map<Item, number> {
    return new Map(this.items(job.id).map((item, place) => [item, place]))
  }

  /**
   * Writes what was told of each done photo (its date and caption, its own or its job's, as they are when its turn
   * comes) into its file; one that cannot be told so (an AVIF, its file gone or replaced by another program's) is
   * enhanced again instead.
   */
  private retell(job: Job, items: Item[]): void {
    const restamp = this.engine.restamp!.bind(this.engine)
    this.retelling = this.retelling.then(async () => {
      const places = this.placesOf(job)
      for (const item of items) {
        const told = this.toldOf(job, item, places)
        if (item.state !== 'done' || this.store.isClosed) continue
        if (!told.stamp && told.caption === undefined) continue
        if (await restamp(item.output, told).catch(() => false)) continue
        this.setItem(item, { state: 'queued' })
        if (isFinished(job)) this.setJob(job, 'queued')
        void this.run()
      }
    })
  }

  /**
   * When an item was taken, and its album place: its place in the job, however it was dated (by its job, its folder,
   * its names or its own), so photos dated alike keep the album's order, and dating one more alike moves no other's.
   */
  private stampOf(job: Job, item: Item, places?: ReadonlyMap<Item, number>): DateStamp | undefined {
    const taken = itemTaken(job, item)
    if (!taken) return undefined
    return { taken, place: places?.get(item) ?? this.items(job.id).indexOf(item) }
  }

  /**
   * What was told of an item, as its output says: its date (`stampOf`, its album place from `places` where a caller
   * tells many) and caption, where there are any.
   */
  private toldOf(job: Job, item: Item, places?: ReadonlyMap<Item, number>): Told {
    const caption = itemCaption(job, item)
    return { stamp: this.stampOf(job, item, places), ...(caption === null ? {} : { caption }) }
  }

  private commitPatches(patches: ItemPatches, emit = false): void {
    for (const [id, patch] of patches) {
      this.store.commit({ t: 'item', id, patch })
      if (emit) this.emit({ type: 'item', item: this.store.state.items.get(id)! })
    }
  }

  /**
   * Saves a job's photos in another folder, until its first photo is saved there (a job's results stay
   * together). The photo in flight starts again, and every output is planned anew in the new folder,
   * with the job's naming and conflict rules.
   */
  async changeOutDir(jobId: string, outDir: string): Promise<Job> {
    const job = this.job(jobId)
    if (!job) throw new EnhanceError('INVALID_ARGUMENT', 'That job is no longer in the queue.')
    if (job.state === 'scanning')
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        'The job is still finding its photos. Try again in a moment.',
      )
    if (this.current?.jobId === jobId) {
      const { settled } = this.current
      this.stopCurrent('requeue')
      await settled
    }
    const items = this.items(jobId)
    if (items.some((i) => i.state === 'done' || i.earlierOutputs?.length))
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        `Photos of this job are already saved in ${job.spec.outDir}, and a job keeps its results together. Add the photos again to save them elsewhere.`,
      )
    const patches = outputsInFolder(job, items, resolve(outDir), outputsOfOtherJobs(this.store.state, job))
    this.store.commit({ t: 'job-outdir', jobId, outDir: resolve(outDir) })
    this.commitPatches(patches, true)
    if (isFinished(job) && items.some((i) => i.state === 'queued')) this.setJob(job, 'queued')
    else this.emit({ type: 'job', job })
    void this.run()
    return job
  }

  /** Marks a job as watched (or no longer): `WatchedJobs` follows the mark. */
  setWatching(jobId: string, watching: boolean): void {
    if (!this.job(jobId)) throw new EnhanceError('INVALID_ARGUMENT', 'That job is no longer in the queue.')
    this.store.commit({ t: 'job-watch', jobId, watching })
    this.emit({ type: 'job', job: this.job(jobId)! })
  }

  reorder(jobIds: string[]): void {
    this.store.commit({ t: 'order', jobIds })
    for (const id of jobIds) {
      const job = this.store.state.jobs.get(id)
      if (job) this.emit({ type: 'job', job })
    }
  }

  /**
   * Whether a job's scan waits on a drive that does not answer: it cannot be stopped part-way (the command, stopped
   * then, ends at once, the job left to be scanned again by `--resume`).
   */
  get scanWaitsOnDrive(): boolean {
    return this.scansWaiting.size > 0
  }

  /**
   * From now on starts no photo: what a change queues (a photo dated that could not be dated in place) waits for the
   * next run, by the app or `enhance --resume`.
   */
  hold(): void {
    this.held = true
  }

  /** Waits for the loop to finish the item in flight, and for done photos being dated (used when closing). */
  async idle(): Promise<void> {
    await this.retelling
    await this.loop
  }
}

/**
 * A photo that is not there is the photo's own failure where its folder still is (it was deleted), and the
 * whole job's where the folder is gone too: an album moved or renamed, or its drive unplugged, which every
 * photo after it would fail the same way. A linked photo's folder is the one its link points into.
 */
function whoseFault(error: ErrorData, item: Item): ErrorData {
  // Looked at only for a photo not found: any other failure (a pause while its drive hangs) must not wait on it.
  if (error.code !== 'FILE_NOT_FOUND') return error
  const target = linkTarget(item.input)
  const folder = dirname(target === null ? item.input : resolve(dirname(item.input), target))
  if (existsSync(folder)) return error
  return {
    code: 'INPUT_UNAVAILABLE',
    message: `The folder ${folder} is not there now: it was moved or renamed, or its drive was disconnected. Put it back or reconnect the drive.`,
  }
}
