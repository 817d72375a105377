import { statSync, watch } from 'node:fs'
import type { FSWatcher, Stats } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { EnhanceError, clearsByItself, toErrorData } from '../shared/errors.js'
import type { ErrorData } from '../shared/errors.js'
import { isInside } from './paths.js'
import type { QueueRunner } from './runner.js'
import { scanInputs } from './scan.js'
import type { Job, JobSpec } from './types.js'

/** Whether a job's inputs hold a folder, which a watch can look in: a job of single photos has none. */
export function hasFolder(inputs: string[]): boolean {
  return inputs.some((input) => statSync(input, { throwIfNoEntry: false })?.isDirectory() ?? false)
}

const signature = (info: Stats): string => `${info.size}:${info.mtimeMs}:${info.ctimeMs}`

/**
 * Which photos found are ready: a file is taken once two looks at least `quietMs` apart find it the same
 * (size, modification and change times), and not empty. A scanner or a copy still writing it changes it, and
 * comparing two looks, rather than its times with this clock, holds on a network drive whose clock differs.
 */
export class Settling {
  private readonly looks = new Map<string, { signature: string; since: number; scan: number }>()
  /** Taken in this look: asked again in it (first whether any is ready, then by the scan), still yes. */
  private readonly taken = new Set<string>()
  private scan = 0

  constructor(
    private readonly quietMs: number,
    // The monotonic clock: a wall clock set back (by hand, or by a first network sync) would hold every photo.
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts a look at the folders: files not seen in it are forgotten at the next `nextLookIn`. */
  beginScan(): void {
    this.scan++
    this.taken.clear()
  }

  readonly accept = async (path: string): Promise<boolean> => {
    if (this.taken.has(path)) return true
    const info = await stat(path).catch(() => null)
    if (!info || info.size === 0) return false
    const now = this.now()
    const seen = signature(info)
    const last = this.looks.get(path)
    if (last?.signature === seen && now - last.since >= this.quietMs) {
      this.looks.delete(path)
      this.taken.add(path)
      return true
    }
    const since = last?.signature === seen ? last.since : now
    this.looks.set(path, { signature: seen, since, scan: this.scan })
    return false
  }

  /** How long until the files still settling may be taken (ms), or null when none is. */
  nextLookIn(): number | null {
    let soonest: number | null = null
    for (const [path, look] of this.looks) {
      if (look.scan !== this.scan)
        this.looks.delete(path) // gone, or moved away
      else soonest = Math.min(soonest ?? Infinity, Math.max(0, look.since + this.quietMs - this.now()))
    }
    return soonest
  }
}

/**
 * A hint that something changed in the folders (the system's change events), so that a new photo is taken in
 * seconds; a drive that sends none (many network drives) is looked at every `pollMs` all the same.
 */
export class FolderChanges {
  private readonly watchers: FSWatcher[] = []
  private changed = false
  private wake: (() => void) | null = null

  private closed = false
  /** Settles once every folder that answered a look is watched. */
  readonly ready: Promise<void>

  constructor(folders: string[], recursive: boolean, ignored: (path: string) => boolean) {
    // Each folder is watched once it has answered a look: setting a watch up is synchronous, and on a drive out of
    // reach (a NAS whose server froze) it held the whole process, the app's window with it, until the drive answered.
    const watched = folders.map((folder) =>
      stat(folder).then(
        () => this.watchFolder(folder, recursive, ignored),
        () => undefined, // gone (a drive unplugged): the looks at `pollMs` find it back
      ),
    )
    this.ready = Promise.all(watched).then(() => undefined)
  }

  private watchFolder(folder: string, recursive: boolean, ignored: (path: string) => boolean): void {
    if (this.closed) return
    try {
      const watcher = watch(folder, { recursive }, (_event, name) => {
        if (name !== null && ignored(join(folder, name))) return
        this.changed = true
        this.wake?.()
      })
      // Too many folders for the system's watches, or a folder gone: the looks at `pollMs` still find photos.
      watcher.on('error', () => watcher.close())
      this.watchers.push(watcher)
    } catch {
      // as above
    }
  }

  /**
   * Resolves when the folders are to be looked at again: at the next change (at once if one came since the last
   * call), when a file settling may be taken, after `pollMs` at most, or when `signal` aborts.
   */
  nextLook(settling: Settling, pollMs: number, signal: AbortSignal): Promise<void> {
    return this.next(Math.min(pollMs, settling.nextLookIn() ?? pollMs), signal)
  }

  /** Resolves at the next change (at once if one came since the last call), after `ms`, or when `signal` aborts. */
  async next(ms: number, signal: AbortSignal): Promise<void> {
    if (!this.changed && !signal.aborted)
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer)
          signal.removeEventListener('abort', done)
          this.wake = null
          resolve()
        }
        const timer = setTimeout(done, ms)
        signal.addEventListener('abort', done)
        this.wake = done
      })
    this.changed = false
  }

  close(): void {
    this.closed = true
    for (const watcher of this.watchers) watcher.close()
  }
}

export interface WatchOptions {
  /** Stops the watch; a photo in flight is left to the caller (paused or cancelled). */
  signal: AbortSignal
  /** A new photo is taken once unchanged this long. */
  settleMs?: number
  /** The folders are looked at least this often, change events or not. */
  pollMs?: number
  /** Called after this long with nothing to do: the caller may let the engine go until the next photo. */
  releaseAfterMs?: number
  release?: () => void
  /** The job, once the first photo made it (or at once, when the folders' job exists from an earlier run). */
  onJob?: (job: Job) => void
  /** Nothing left to do: waiting for new photos (once each time the work runs out). */
  onWaiting?: () => void
  /** The work waits for a drive or a folder to come back, or for room (once for each reason). */
  onHeldUp?: (reason: ErrorData) => void
}

/** What a watch waits out: a pause that may clear by itself, or its folder not there for a while (a drive unplugged). */
function mayWaitOut(reason: ErrorData): boolean {
  return clearsByItself(reason) || reason.code === 'FILE_NOT_FOUND'
}

/**
 * Enhances the photos in `spec`'s folders, then each new one as it arrives (a scanner saving into a folder, a
 * phone's photos synced into one), until `signal` aborts or the job pauses for a reason that needs a person (a
 * device that cannot run the model). A drive that drops, a folder gone or a full disk is waited out: the job goes on
 * at the first look that finds it back. Returns the job's id, or null when no photo ever came.
 */
export async function watchFolders(
  runner: QueueRunner,
  spec: JobSpec,
  options: WatchOptions,
): Promise<string | null> {
  const { signal, settleMs = 2000, pollMs = 30_000, releaseAfterMs = 120_000 } = options
  const settling = new Settling(settleMs)
  const changes = new FolderChanges(spec.inputs, spec.recursive, (path) => isInside(spec.outDir, path))
  let job: Job | null = null
  let idleSince = performance.now()
  let waiting = false
  let heldUpBy: string | null = null
  const heldUp = (reason: ErrorData): void => {
    if (heldUpBy !== reason.message) options.onHeldUp?.(reason)
    heldUpBy = reason.message
  }
  let looked = false
  try {
    while (!signal.aborted) {
      settling.beginScan()
      const next: Job | null = await takeNewPhotos(runner, spec, job, settling).catch((error: unknown) => {
        // A folder named wrongly is refused at the first look; one gone later (its drive unplugged) is waited for.
        const reason = toErrorData(error)
        if (!looked || !mayWaitOut(reason)) throw error
        heldUp(reason)
        return job
      })
      looked = true
      if (next && next.id !== job?.id) options.onJob?.(next)
      job = next
      // The job continued takes the photos changed since they were read, once settled (`changedSinceRead`); a job
      // paused by its drive is queued again by it, and paused again where the drive is still gone.
      if (job && queuedIn(runner, job) > 0 && runner.job(job.id)?.state !== 'paused') {
        await runner.run([job.id])
        idleSince = performance.now()
        waiting = false
        const after = runner.job(job.id)
        if (after?.state === 'paused' && !clearsByItself(after.pauseReason)) break
        if (after?.state === 'paused') heldUp(after.pauseReason!)
        else heldUpBy = null
      }
      if (signal.aborted) break
      if (performance.now() - idleSince >= releaseAfterMs) options.release?.()
      if (!waiting) options.onWaiting?.()
      waiting = true
      await changes.nextLook(settling, pollMs, signal)
    }
  } finally {
    changes.close()
  }
  return job?.id ?? null
}

function queuedIn(runner: QueueRunner, job: Job): number {
  return runner.items(job.id).filter((i) => i.state === 'queued').length
}

/** The job with the photos that have settled added; while there is no job yet, none is made before a photo is ready. */
async function takeNewPhotos(
  runner: QueueRunner,
  spec: JobSpec,
  job: Job | null,
  settling: Settling,
): Promise<Job | null> {
  if (!job && !(await anyReady(spec, settling))) return null
  try {
    return await runner.jobFor(spec, { accept: settling.accept })
  } catch (error) {
    // The photo found a moment ago is gone (moved, renamed): wait for the next.
    if (error instanceof EnhanceError && error.code === 'NO_PHOTOS') return job
    throw error
  }
}

async function anyReady(spec: JobSpec, settling: Settling): Promise<boolean> {
  let ready = false
  for await (const file of scanInputs(spec.inputs, spec.recursive, { count: 0 }, spec.outDir))
    if (await settling.accept(file.path)) ready = true
  return ready
}
