import type { AppEvent, ItemView, JobView } from '../shared/api.js'
import { driveWaitText } from '../shared/drive-wait.js'
import { jobTitle } from '../shared/job-title.js'
import type { LogFile } from '../node/log-file.js'
import { finishedNotice } from './desktop.js'

/**
 * What the log says of the queue, each once as it happens: a photo that failed (its file, code and message), a
 * photo that finished with a note on how it ran (moved to the CPU, read from a damaged file), a job that paused
 * with a reason, a job that finished, and a photo waiting on a drive that does not answer (and when it answers).
 * Progress and previews are left out.
 */
export class QueueDiary {
  private readonly items = new Map<string, ItemView['state']>()
  private readonly jobs = new Map<string, string>()

  /** Jobs as they stand when the app starts: only what changes after is said. */
  remember(jobs: readonly JobView[]): void {
    for (const job of jobs) this.jobLine(job)
  }

  lineFor(event: AppEvent): string | null {
    if (event.type === 'item') return this.itemLine(event.item)
    if (event.type === 'job') return this.jobLine(event.job)
    if (event.type === 'waiting')
      return event.answered
        ? `Drive answered again: ${event.folder}, after ${Math.round((Date.now() - event.since) / 1000)} s`
        : `Waiting on a drive: ${driveWaitText(event.folder, `since ${new Date(event.since).toISOString()}`)}`
    return null
  }

  private itemLine(item: ItemView): string | null {
    const before = this.items.get(item.id)
    this.items.set(item.id, item.state)
    if (item.state === before) return null
    if (item.state === 'failed' && item.error)
      return `Photo failed: ${item.input}: ${item.error.code}: ${item.error.message}`
    if (item.state === 'done' && item.note) return `Photo enhanced with a note: ${item.input}: ${item.note}`
    return null
  }

  private jobLine(job: JobView): string | null {
    const now = `${job.state} ${job.pauseReason?.code ?? ''}`
    const before = this.jobs.get(job.id)
    this.jobs.set(job.id, now)
    if (now === before) return null
    if (job.state === 'paused' && job.pauseReason)
      return `Job paused: ${jobTitle(job)}: ${job.pauseReason.code}: ${job.pauseReason.message}`
    if (job.state === 'done') return `Job finished: ${jobTitle(job)}: ${finishedNotice(job).body}`
    return null
  }
}

/** An exception no handler caught in main is written to the log, then reported as Electron reports it. */
export function logFaultsOfMain(log: LogFile): void {
  process.on('uncaughtExceptionMonitor', (error, origin) => {
    void log.write(`Fault in the main process (${origin}): ${error.stack ?? String(error)}`)
  })
}
