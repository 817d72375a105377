import { clearsByItself } from '../shared/errors.js'
import { isInside } from './paths.js'
import type { QueueRunner } from './runner.js'
import type { Job } from './types.js'
import { FolderChanges, Settling } from './watch.js'

export interface WatchTiming {
  /** A new photo is taken once unchanged this long. */
  settleMs: number
  /** The folders are looked at least this often, change events or not. */
  pollMs: number
}

/**
 * The app's watched jobs (a scanner saving each print into a folder, a phone's photos synced into one): each job
 * marked `watching` takes the photos saved into its folders since, and those edited since they were read, once
 * whole (`Settling`), while it is not paused or cancelled by hand. A folder that is gone (a drive unplugged) is looked
 * at again until it is back. The mark is in the queue, so a watch goes on after a restart.
 */
export class WatchedJobs {
  private readonly watches = new Map<string, AbortController>()

  constructor(
    private readonly runner: QueueRunner,
    private readonly timing: WatchTiming = { settleMs: 2000, pollMs: 30_000 },
  ) {}

  /** Starts a watch for each job marked and not yet watched, and stops those of jobs no longer marked (or removed). */
  sync(): void {
    const marked = new Set(this.runner.jobs.filter((job) => job.watching).map((job) => job.id))
    for (const [jobId, watch] of this.watches)
      if (!marked.has(jobId)) {
        watch.abort()
        this.watches.delete(jobId)
      }
    for (const jobId of marked) if (!this.watches.has(jobId)) this.start(jobId)
  }

  close(): void {
    for (const watch of this.watches.values()) watch.abort()
    this.watches.clear()
  }

  private start(jobId: string): void {
    const controller = new AbortController()
    this.watches.set(jobId, controller)
    void this.watch(jobId, controller.signal)
  }

  private async watch(jobId: string, signal: AbortSignal): Promise<void> {
    const { spec } = this.runner.job(jobId)!
    const settling = new Settling(this.timing.settleMs)
    const changes = new FolderChanges(spec.inputs, spec.recursive, (path) => isInside(spec.outDir, path))
    try {
      while (!signal.aborted) {
        const job = this.runner.job(jobId)
        // Paused or cancelled by hand, it stays so: the watch waits for Resume. Paused by its drive (gone, full), it
        // goes on by itself at a look that finds the drive back, as the command's watch does.
        if (job && (isWorking(job) || (job.state === 'paused' && clearsByItself(job.pauseReason)))) {
          settling.beginScan()
          const taken = await this.runner.jobFor(job.spec, { accept: settling.accept }).catch(() => null)
          if (taken && !signal.aborted) void this.runner.run()
        }
        await changes.nextLook(settling, this.timing.pollMs, signal)
      }
    } finally {
      changes.close()
    }
  }
}

const isWorking = (job: Job): boolean =>
  job.state === 'done' || job.state === 'queued' || job.state === 'running'
