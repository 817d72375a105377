import type { QueueRunner } from '../queue/runner.js'
import { itemCaption } from '../queue/types.js'
import type { Item, Job } from '../queue/types.js'
import type { PhotoChoice } from '../shared/api.js'
import { photoCount } from '../shared/job-title.js'
import { readCaption } from '../shared/caption.js'
import { EnhanceError } from '../shared/errors.js'
import { printable } from '../shared/printable.js'
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
import { folderNamed, namesFolder, photoNamed } from './queue-named.js'

const USAGE =
  'enhance queue caption <job> <photo|folder/|all> "Grandma at the lake" (or none to take it off; all names: as named)'

/** `enhance queue caption`'s caption: as `--caption` reads it (`names` too), or `none` to take it off. */
export function parseQueueCaption(words: string[]): Pick<PhotoChoice, 'caption' | 'captionFromNames'> {
  const text = requireValue(words.join(' ').trim(), `caption: ${USAGE}`)
  if (text.toLowerCase() === 'none') return { caption: null }
  if (text.toLowerCase() === 'names') return { captionFromNames: true }
  const read = readCaption(text)
  if ('problem' in read) throw invalid(read.problem)
  return { caption: read.caption }
}

/**
 * `enhance queue caption <job> <photo|folder/|all> <caption|names|none>`: writes what is under one photo of a job, the
 * photos of one of its folders, or every photo (`all`: replacing captions chosen per photo; `names`: each as its names
 * say), as Caption… in the app does.
 * Done photos are captioned where they lie (their EXIF and XMP written again, the pixels untouched); one that cannot be
 * (an AVIF), one whose caption is taken off, and one not yet enhanced wait for the next run.
 */
export async function captionPhotos(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const [first, ...rest] = words
  const named = requireValue(first, `photo: ${USAGE}`)
  if (named === 'all') return captionFolder(runner, job, undefined, rest, io)
  if (namesFolder(named))
    return captionFolder(runner, job, folderNamed(runner.items(job.id), named, job), rest, io)
  const photo = photoNamed(runner.items(job.id), named, job)
  const choice = parseQueueCaption(rest)
  if (choice.captionFromNames)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `Captions from names are a whole job's choice: enhance queue caption ${job.id.slice(0, 8)} all names.`,
    )
  const { caption = null } = choice
  const told = await tellPhoto(runner, job, photo, { caption })
  const { name, inPlace } = told
  if (caption === null && inPlace) {
    io.out(`${name} has no caption.`)
  } else if (caption === null) {
    io.out(tookOffWords('caption', told))
  } else if (inPlace) {
    io.out(`Captioned ${name} in place: “${printable(caption)}”.`)
  } else {
    io.out(`${name} will say “${printable(caption)}” once enhanced: ${RESUME_HINT}`)
  }
}

/**
 * `enhance queue caption <job> all|<folder>/ <caption|names|none>`: one caption for every photo of a job, or its
 * names', or one for the photos of one of its folders (their own).
 */
async function captionFolder(
  runner: QueueRunner,
  job: Job,
  folder: string | undefined,
  words: string[],
  io: Io,
): Promise<void> {
  const choice = parseQueueCaption(words)
  const says = (of: Job, item: Item) => itemCaption(of, item) !== null
  const told = await tellPhotos(runner, job, { choice, folder }, says)
  const whose = jobAndFolder(job, folder)
  if (choice.caption === null) {
    io.out(
      told.waiting
        ? `Took the captions off ${whose}: ${photoCount(told.waiting)} will be enhanced again without theirs, ${RESUME_HINT}`
        : `No photo of ${whose} has a caption now.`,
    )
    return
  }
  const how = choice.caption ? `“${printable(choice.caption)}”` : namesWords(told.silent)
  io.out(`Captioned ${photoCount(told.inPlace)} of ${whose} in place, ${how}.${waitingWords(told.waiting)}`)
}
