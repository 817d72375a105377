import { basename, relative, sep } from 'node:path'
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
import { RESUME_HINT, tellJob, waitingWords } from './queue-tell.js'

const USAGE =
  'enhance queue caption <job> <photo> "Grandma at the lake" (or none to take it off; all for every photo, or all names)'

/** `enhance queue caption`'s caption: as `--caption` reads it (`names` too), or `none` to take it off. */
export function parseQueueCaption(words: string[]): Pick<PhotoChoice, 'caption' | 'captionFromNames'> {
  const text = requireValue(words.join(' ').trim(), `caption: ${USAGE}`)
  if (text.toLowerCase() === 'none') return { caption: null }
  if (text.toLowerCase() === 'names') return { captionFromNames: true }
  const read = readCaption(text)
  if ('problem' in read) throw invalid(read.problem)
  return { caption: read.caption }
}

/** A photo's name within its job: its path from the folder the job was made of, or its file name. */
function nameInJob(job: Job, input: string): string {
  const root = job.spec.inputs.find((folder) => input.startsWith(`${folder}${sep}`))
  return printable(root ? relative(root, input) : basename(input))
}

/**
 * The photo of a job that `named` names: its whole path, or the end of it (its file name, or its folder and name:
 * `Summer/a.jpg`, with / or the system's separator). Refused, with its photos or the ones it could be, where it names
 * none or more than one.
 */
export function photoNamed(items: Item[], named: string, job: Job): Item {
  const wanted = named.replaceAll('/', sep)
  const matches = items.filter((i) => i.input === wanted || i.input.endsWith(`${sep}${wanted}`))
  if (matches.length === 1) return matches[0]!
  const listed = (some: Item[]) =>
    some
      .slice(0, 5)
      .map((i) => nameInJob(job, i.input))
      .join(', ') + (some.length > 5 ? `, and ${some.length - 5} more` : '')
  const id = job.id.slice(0, 8)
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    matches.length
      ? `${printable(named)} names ${matches.length} photos of ${id} (${listed(matches)}); give more of its path.`
      : `No photo ${printable(named)} in ${id}; its photos: ${listed(items)}.`,
  )
}

/**
 * `enhance queue caption <job> <photo|all> <caption|names|none>`: writes what is under one photo of a job, or every
 * photo (`all`: replacing captions chosen per photo; `names`: each as its names say), as Caption… in the app does.
 * Done photos are captioned where they lie (their EXIF and XMP written again, the pixels untouched); one that cannot be
 * (an AVIF), one whose caption is taken off, and one not yet enhanced wait for the next run.
 */
export async function captionPhotos(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const [first, ...rest] = words
  const named = requireValue(first, `photo: ${USAGE}`)
  if (named === 'all') return captionJob(runner, job, rest, io)
  const photo = photoNamed(runner.items(job.id), named, job)
  const choice = parseQueueCaption(rest)
  if (choice.captionFromNames)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `Captions from names are a whole job's choice: enhance queue caption ${job.id.slice(0, 8)} all names.`,
    )
  const { caption = null } = choice
  runner.hold()
  const wasDone = photo.state === 'done'
  await runner.adjust({ jobId: job.id, itemId: photo.id }, { caption })
  await runner.idle()
  const after = runner.items(job.id).find((i) => i.id === photo.id)!
  const name = `${nameInJob(job, photo.input)} of ${job.id.slice(0, 8)}`
  if (caption === null && after.state === 'done') {
    io.out(`${name} has no caption.`)
  } else if (caption === null) {
    const again = wasDone ? 'it will be enhanced again without it' : 'it will be enhanced without it'
    io.out(`Took the caption off ${name}: ${again}, ${RESUME_HINT}`)
  } else if (wasDone && after.state === 'done') {
    io.out(`Captioned ${name} in place: “${printable(caption)}”.`)
  } else {
    io.out(`${name} will say “${printable(caption)}” once enhanced: ${RESUME_HINT}`)
  }
}

/** `enhance queue caption <job> all <caption|names|none>`: one caption for every photo of a job, or its names'. */
async function captionJob(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const choice = parseQueueCaption(words)
  const told = await tellJob(runner, job, choice, (of, item) => itemCaption(of, item) !== null)
  const id = job.id.slice(0, 8)
  if (choice.caption === null) {
    io.out(
      told.waiting
        ? `Took the captions off ${id}: ${photoCount(told.waiting)} will be enhanced again without theirs, ${RESUME_HINT}`
        : `No photo of ${id} has a caption now.`,
    )
    return
  }
  const how = choice.caption
    ? `“${printable(choice.caption)}”`
    : `each as its names say (${told.silent} ${told.silent === 1 ? 'says' : 'say'} none)`
  io.out(`Captioned ${photoCount(told.inPlace)} of ${id} in place, ${how}.${waitingWords(told.waiting)}`)
}
