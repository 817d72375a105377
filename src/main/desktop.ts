import type { JobView } from '../shared/api.js'
import { jobTitle } from '../shared/job-title.js'

export interface TaskbarProgress {
  /** 0…1, or -1 for no bar. */
  value: number
  mode: 'normal' | 'paused' | 'none'
}

const ACTIVE = new Set(['scanning', 'queued', 'running', 'paused'])

/**
 * The taskbar or dock bar over every job still to finish, so it ends when the queue does and never stays
 * behind after a job is cancelled or removed; paused (yellow on Windows) while nothing runs and a job waits
 * on the user.
 */
export function taskbarProgress(jobs: readonly JobView[]): TaskbarProgress {
  const active = jobs.filter((job) => ACTIVE.has(job.state))
  const total = active.reduce((sum, job) => sum + job.total, 0)
  if (active.length === 0 || total === 0) return { value: -1, mode: 'none' }
  const finished = active.reduce(
    (sum, { counts }) => sum + counts.done + counts.failed + counts.skipped + counts.cancelled,
    0,
  )
  const running = active.some((job) => job.state === 'running' || job.state === 'scanning')
  const paused = !running && active.some((job) => job.state === 'paused')
  return { value: finished / total, mode: paused ? 'paused' : 'normal' }
}

const photos = (n: number): string => `${n} ${n === 1 ? 'photo' : 'photos'}`

/** The notification for a finished job: which album, and honest about failures. */
export function finishedNotice(job: JobView): { title: string; body: string } {
  const { done, failed, skipped } = job.counts
  const parts = [`${photos(done)} enhanced`]
  if (failed) parts.push(`${failed} failed`)
  if (skipped) parts.push(`${skipped} skipped`)
  return { title: jobTitle(job), body: `${parts.join(', ')}.` }
}
