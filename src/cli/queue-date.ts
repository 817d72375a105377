import type { PhotoChoice } from '../shared/api.js'
import type { QueueRunner } from '../queue/runner.js'
import { itemTaken } from '../queue/types.js'
import type { Job } from '../queue/types.js'
import { photoCount } from '../shared/job-title.js'
import { readTaken, takenWords } from '../shared/taken.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'

/** `enhance queue date`'s date: as `--taken` reads it (`names` too), or `none` to take it off. */
export function parseJobDate(
  words: string[],
  now = new Date(),
): Pick<PhotoChoice, 'taken' | 'takenFromNames'> {
  const text = requireValue(
    words.join(' ').trim(),
    'date: enhance queue date <job> 1962 (or names, or none to take it off)',
  )
  if (text.toLowerCase() === 'none') return { taken: null }
  if (text.toLowerCase() === 'names') return { takenFromNames: true }
  const read = readTaken(text, now)
  if ('problem' in read) throw invalid(read.problem)
  return { taken: read.taken }
}

/**
 * `enhance queue date <job> <date|names|none>`: says when a job's photos were taken, replacing dates chosen per photo.
 * Its done photos are dated where they lie (their EXIF, XMP and file time written again, the pixels untouched); one
 * that cannot be (an AVIF), one whose date is taken off, and those not yet enhanced wait for the next run.
 */
export async function dateJob(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const choice = parseJobDate(words)
  runner.hold()
  const done = new Set(runner.items(job.id).flatMap((i) => (i.state === 'done' ? [i.id] : [])))
  await runner.adjust({ jobId: job.id }, choice)
  await runner.idle()
  const items = runner.items(job.id)
  const dated = items.filter((i) => done.has(i.id) && i.state === 'done' && itemTaken(job, i) !== null).length
  const waiting = items.filter((i) => i.state === 'queued').length
  const undated = items.filter((i) => itemTaken(job, i) === null).length
  const id = job.id.slice(0, 8)
  const resume = 'run "enhance --resume" (or open the app) for that.'
  if (choice.taken === null) {
    io.out(`Took the date off ${id}: ${photoCount(waiting)} will be enhanced again without it, ${resume}`)
    return
  }
  const how = choice.taken
    ? takenWords(choice.taken)
    : `each as its names say (${undated} ${undated === 1 ? 'says' : 'say'} none)`
  const rest = waiting
    ? ` ${photoCount(waiting)} ${waiting === 1 ? 'waits' : 'wait'} to be enhanced so: ${resume}`
    : ''
  io.out(`Dated ${photoCount(dated)} of ${id} in place, ${how}.${rest}`)
}
