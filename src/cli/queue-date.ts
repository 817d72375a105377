import type { PhotoChoice } from '../shared/api.js'
import type { QueueRunner } from '../queue/runner.js'
import { itemTaken } from '../queue/types.js'
import type { Item, Job } from '../queue/types.js'
import { photoCount } from '../shared/job-title.js'
import { EnhanceError } from '../shared/errors.js'
import { readTaken, takenWords } from '../shared/taken.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'
import {
  RESUME_HINT,
  jobAndFolder,
  namesWords,
  tellPhoto,
  tellPhotos,
  tookOffWords,
  waitingWords,
} from './queue-tell.js'
import { folderNamed, namesFolder, photoNamed, photosNamed } from './queue-named.js'

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
 * `enhance queue date <job> [<photo>|<folder>/] <date|names|none>`: says when a job's photos were taken, replacing
 * dates chosen per photo, or one photo's or those of one of its folders (their own dates). Done photos are dated where
 * they lie (their EXIF, XMP and file time written again, the pixels untouched); one that cannot be (an AVIF), one whose
 * date is taken off, and those not yet enhanced wait for the next run.
 */
export async function dateJob(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const [first = '', ...rest] = words
  const items = runner.items(job.id)
  // A word that names a photo of the job, before its date: that photo alone ("summer 1962" names none: not a date).
  if (rest.length && photosNamed(items, first).length)
    return datePhoto(runner, job, photoNamed(items, first, job), rest, io)
  const folder = namesFolder(first) ? folderNamed(items, first, job) : undefined
  const choice = parseJobDate(folder === undefined ? words : rest)
  const says = (of: Job, item: Item) => itemTaken(of, item) !== null
  const told = await tellPhotos(runner, job, { choice, folder }, says)
  const whose = jobAndFolder(job, folder)
  if (choice.taken === null) {
    io.out(
      `Took the date off ${whose}: ${photoCount(told.waiting)} will be enhanced again without it, ${RESUME_HINT}`,
    )
    return
  }
  const how = choice.taken ? takenWords(choice.taken) : namesWords(told.silent)
  io.out(`Dated ${photoCount(told.inPlace)} of ${whose} in place, ${how}.${waitingWords(told.waiting)}`)
}

/** `enhance queue date <job> <photo> <date|none>`: when one photo was taken, its own date (as Date taken… in Realism). */
async function datePhoto(runner: QueueRunner, job: Job, photo: Item, words: string[], io: Io): Promise<void> {
  const choice = parseJobDate(words)
  if (choice.takenFromNames)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `Dates from names are a whole job's choice: enhance queue date ${job.id.slice(0, 8)} names.`,
    )
  const { taken = null } = choice
  const told = await tellPhoto(runner, job, photo, { taken })
  const { name, inPlace } = told
  if (taken === null) {
    io.out(tookOffWords('date', told))
  } else if (inPlace) {
    io.out(`Dated ${name} in place, ${takenWords(taken)}.`)
  } else {
    io.out(`${name} will say it was ${takenWords(taken)} once enhanced: ${RESUME_HINT}`)
  }
}
