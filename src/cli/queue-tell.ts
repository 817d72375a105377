import type { PhotoChoice } from '../shared/api.js'
import type { QueueRunner } from '../queue/runner.js'
import type { Item, Job } from '../queue/types.js'
import { photoCount } from '../shared/job-title.js'

/** What telling a job's photos a date or a caption did, counted once its done photos are written. */
export interface Telling {
  /** Done photos written where they lie, saying it. */
  inPlace: number
  /** Photos waiting to be enhanced (the next run says it, or says it no more). */
  waiting: number
  /** Photos that say nothing of it now (their names said none). */
  silent: number
}

/**
 * Chooses a date or a caption for a whole job (`choice`) without enhancing anything: its done photos are written
 * where they lie; those that cannot be, and those taken back, wait for the next run. `says`: whether a photo says it.
 */
export async function tellJob(
  runner: QueueRunner,
  job: Job,
  choice: PhotoChoice,
  says: (job: Job, item: Item) => boolean,
): Promise<Telling> {
  runner.hold()
  const done = new Set(runner.items(job.id).flatMap((i) => (i.state === 'done' ? [i.id] : [])))
  await runner.adjust({ jobId: job.id }, choice)
  await runner.idle()
  const items = runner.items(job.id)
  return {
    inPlace: items.filter((i) => done.has(i.id) && i.state === 'done' && says(job, i)).length,
    waiting: items.filter((i) => i.state === 'queued').length,
    silent: items.filter((i) => !says(job, i)).length,
  }
}

export const RESUME_HINT = 'run "enhance --resume" (or open the app) for that.'

/** The photos still to be enhanced so, and how: words after a sentence (none where none waits). */
export function waitingWords(waiting: number): string {
  return waiting
    ? ` ${photoCount(waiting)} ${waiting === 1 ? 'waits' : 'wait'} to be enhanced so: ${RESUME_HINT}`
    : ''
}
