import type { QueueRunner } from '../queue/runner.js'
import type { Job } from '../queue/types.js'
import { readTaken, takenWords } from '../shared/taken.js'
import type { Taken } from '../shared/taken.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'

/** `enhance queue date`'s date: as `--taken` reads it, or `none` to take it off (null). */
export function parseJobDate(words: string[], now = new Date()): Taken | null {
  const text = requireValue(
    words.join(' ').trim(),
    'date: enhance queue date <job> 1962 (or none to take it off)',
  )
  if (text.toLowerCase() === 'none') return null
  const read = readTaken(text, now)
  if ('problem' in read) throw invalid(read.problem)
  return read.taken
}

/**
 * `enhance queue date <job> <date|none>`: says when a job's photos were taken, replacing dates chosen per photo. Its
 * done photos are dated where they lie (their EXIF, XMP and file time written again, the pixels untouched); one that
 * cannot be (an AVIF), every one when the date is taken off, and those not yet enhanced wait for the next run.
 */
export async function dateJob(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const taken = parseJobDate(words)
  runner.hold()
  const done = new Set(runner.items(job.id).flatMap((i) => (i.state === 'done' ? [i.id] : [])))
  await runner.adjust({ jobId: job.id }, { taken })
  await runner.idle()
  const items = runner.items(job.id)
  const dated = items.filter((i) => done.has(i.id) && i.state === 'done').length
  const waiting = items.filter((i) => i.state === 'queued').length
  const id = job.id.slice(0, 8)
  const photos = (n: number) => `${n} ${n === 1 ? 'photo' : 'photos'}`
  const resume = 'run "enhance --resume" (or open the app) for that.'
  if (taken === null) {
    io.out(`Took the date off ${id}: ${photos(waiting)} will be enhanced again without it, ${resume}`)
    return
  }
  const rest = waiting ? ` ${photos(waiting)} will take it when enhanced: ${resume}` : ''
  io.out(`Dated ${photos(dated)} of ${id} in place, ${takenWords(taken)}.${rest}`)
}
