import { makeDirectory } from '../node/make-directory.js'
import { resolve } from 'node:path'
import { Journal, QueueWriteError } from './journal.js'
import { isInside } from './paths.js'
import { parseEntry, parseSnapshot } from './schema.js'
import { QueueState } from './state.js'
import type { QueueEntry, QueueSnapshot } from './state.js'

/** The queue state plus its journal: `commit` makes a change durable, then applies it. */
export class QueueStore {
  readonly state: QueueState
  private readonly journal: Journal<QueueSnapshot, QueueEntry>
  /** The journal's last line was torn by a crash and was dropped on load. */
  readonly recoveredTornTail: boolean
  /** What loading had to leave out, for the app and the CLI to report; the rest of the queue is kept. */
  readonly loadProblems: { skippedEntries: number; snapshotSetAside: boolean; outputsOutsideJob: number }

  constructor(dir: string, compactEvery = 5000) {
    makeDirectory(dir)
    this.journal = new Journal(dir, { entry: parseEntry, snapshot: parseSnapshot }, compactEvery)
    this.journal.checkAppendable()
    const { snapshot, entries, droppedTail, skipped, snapshotSetAside } = this.journal.load()
    this.state = QueueState.from(snapshot, entries)
    this.recoveredTornTail = droppedTail
    this.loadProblems = {
      skippedEntries: skipped,
      snapshotSetAside,
      outputsOutsideJob: this.failOutputsOutsideJobs(),
    }
  }

  /**
   * The journal must never decide where files are written: an item whose output (or an earlier one)
   * lies outside its job's output folder, as only an edited file could say, fails instead of running.
   */
  private failOutputsOutsideJobs(): number {
    let failed = 0
    for (const job of this.state.jobs.values()) {
      const folder = resolve(job.spec.outDir)
      for (const item of this.state.itemsOf(job.id)) {
        const paths = [item.output, ...(item.earlierOutputs ?? [])]
        if (paths.every((p) => isInside(folder, p)) || item.state === 'failed') continue
        failed++
        this.commit({
          t: 'item',
          id: item.id,
          patch: {
            state: 'failed',
            error: {
              code: 'INVALID_ARGUMENT',
              message: `Its output ${item.output} lies outside the job's folder ${folder}: the queue file was changed by hand. Add the photo again.`,
            },
          },
        })
      }
    }
    return failed
  }

  private closed = false

  get isClosed(): boolean {
    return this.closed
  }

  /** After close, a late change (an item in flight settling as the app quits) is not written: the next start decides. */
  commit(entry: QueueEntry): void {
    if (this.closed) return
    this.journal.append(entry)
    this.state.apply(entry)
    if (this.journal.wantsCompaction) this.compact()
  }

  /**
   * Compaction only saves space: where it cannot be written (a full disk), the journal, whole and loadable, is left to
   * grow until it can.
   */
  private compact(): void {
    try {
      this.journal.compact(this.state.snapshot())
    } catch (error) {
      if (!(error instanceof QueueWriteError)) throw error
    }
  }

  /**
   * A change that cannot be recorded (`QueueWriteError`: the queue's disk is full or its drive gone), held in memory only: a job paused
   * for it, and its photo in flight queued again. The journal still has them as a crash leaves them, which the next
   * start recovers to the same.
   */
  holdUnrecorded(entry: QueueEntry): void {
    this.state.apply(entry)
  }

  close(): void {
    this.closed = true
    this.journal.close()
  }
}

/**
 * The queue as it is on disk, read without the lock and without changing a byte: `enhance queue`
 * works while the app or another command runs the queue.
 */
export function readQueueState(dir: string): QueueState {
  const { snapshot, entries } = new Journal(dir, { entry: parseEntry, snapshot: parseSnapshot }).load(false)
  return QueueState.from(snapshot, entries)
}
