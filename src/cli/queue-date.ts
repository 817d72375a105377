import type { PhotoChoice } from '../shared/api.js'
import type { QueueRunner } from '../queue/runner.js'
import { itemTaken } from '../queue/types.js'
import type { Job } from '../queue/types.js'
import { photoCount } from '../shared/job-title.js'
import { readTaken, takenWords } from '../shared/taken.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'
import { RESUME_HINT, tellJob, waitingWords } from './queue-tell.js'

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
  const told = await tellJob(runner, job, choice, (of, item) => itemTaken(of, item) !== null)
  const id = job.id.slice(0, 8)
  if (choice.taken === null) {
    io.out(
      `Took the date off ${id}: ${photoCount(told.waiting)} will be enhanced again without it, ${RESUME_HINT}`,
    )
    return
  }
  const how = choice.taken
    ? takenWords(choice.taken)
    : `each as its names say (${told.silent} ${told.silent === 1 ? 'says' : 'say'} none)`
  io.out(`Dated ${photoCount(told.inPlace)} of ${id} in place, ${how}.${waitingWords(told.waiting)}`)
}
