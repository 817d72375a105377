import type { JobView } from '../shared/api.js'
import { jobTitle, photoCount } from '../shared/job-title.js'
import { printable } from '../shared/printable.js'

export interface TaskbarProgress {
  /** 0…1; -1 for no bar, 2 for a bar that cannot say how far (Electron's convention on macOS and Linux). */
  value: number
  mode: 'normal' | 'paused' | 'error' | 'indeterminate' | 'none'
}

const ACTIVE = new Set(['scanning', 'queued', 'running', 'paused'])
/** Jobs the queue is on or comes to next by itself: a paused job waits on the user. */
const working = (jobs: readonly JobView[]): JobView[] =>
  jobs.filter((job) => ACTIVE.has(job.state) && job.state !== 'paused')

/**
 * The taskbar or dock bar over every job still to finish, so it ends when the queue does and never stays
 * behind after a job is cancelled or removed. While nothing runs and a job waits on the user: paused (yellow
 * on Windows) when paused by them, error (red) when a problem paused it (a full disk, a missing drive).
 */
export function taskbarProgress(jobs: readonly JobView[]): TaskbarProgress {
  const active = jobs.filter((job) => ACTIVE.has(job.state))
  const total = active.reduce((sum, job) => sum + job.total, 0)
  if (active.length === 0) return { value: -1, mode: 'none' }
  // Only folders still being scanned: how many photos there are is not known yet.
  if (total === 0) return { value: 2, mode: 'indeterminate' }
  const finished = active.reduce(
    (sum, { counts }) => sum + counts.done + counts.failed + counts.skipped + counts.cancelled,
    0,
  )
  const value = finished / total
  if (working(jobs).length > 0) return { value, mode: 'normal' }
  return { value, mode: active.some((job) => job.pauseReason) ? 'error' : 'paused' }
}

/** The notification for a finished job: which album, and honest about failures. */
export function finishedNotice(job: JobView): { title: string; body: string } {
  const { done, failed, skipped } = job.counts
  const parts = [`${photoCount(done)} enhanced`]
  if (failed) parts.push(`${failed} failed`)
  if (skipped) parts.push(`${skipped} skipped`)
  return { title: jobTitle(job), body: `${parts.join(', ')}.` }
}

/**
 * What to tell someone away from the window about a job that changed from `before`: that it finished, or that
 * a problem paused it (a full disk, an unplugged drive: an album left overnight waits for them); null otherwise.
 */
export function noticeFor(job: JobView, before: JobView | undefined): { title: string; body: string } | null {
  if (job.state === 'done' && before?.state !== 'done') return finishedNotice(job)
  const reason = job.state === 'paused' ? job.pauseReason : undefined
  if (reason && before?.pauseReason?.code !== reason.code)
    return { title: jobTitle(job), body: `Paused: ${printable(reason.message)}` }
  return null
}

/**
 * Keeps the computer from sleeping while photos are being enhanced (an album left overnight on a laptop
 * would otherwise stop at the first idle sleep), and lets it sleep again as soon as nothing runs. On battery
 * it lets the system sleep as it would: enhancing runs the processor flat out, and a laptop kept awake on
 * battery overnight would be found empty. The screen may still turn off.
 */
export class KeepAwake {
  #blocker: number | null = null
  #jobs: readonly JobView[] = []
  #onBattery = false

  constructor(
    private readonly blocker: { start(type: 'prevent-app-suspension'): number; stop(id: number): void },
  ) {}

  /** The computer went on battery (true) or on mains power (false). */
  power(onBattery: boolean): void {
    this.#onBattery = onBattery
    this.update(this.#jobs)
  }

  update(jobs: readonly JobView[]): void {
    this.#jobs = jobs
    const busy = working(jobs).length > 0 && !this.#onBattery
    if (busy && this.#blocker === null) this.#blocker = this.blocker.start('prevent-app-suspension')
    else if (!busy && this.#blocker !== null) {
      this.blocker.stop(this.#blocker)
      this.#blocker = null
    }
  }
}

/**
 * What closing the window asks while photos are still being enhanced: quitting stops them (they wait in the
 * queue for the next start), which a user closing the window may not expect. Null when nothing runs.
 */
export function quitQuestion(jobs: readonly JobView[]): { message: string; detail: string } | null {
  const going = working(jobs)
  if (going.length === 0) return null
  const left = going.reduce((sum, { counts }) => sum + counts.queued + counts.running, 0)
  return {
    message:
      left > 0 ? `Enhance is still working on ${photoCount(left)}.` : 'Enhance is still finding photos.',
    detail: 'If you quit now, they wait in the queue, and Enhance goes on with them the next time it opens.',
  }
}
