import { basename, relative, sep } from 'node:path'
import type { QueueRunner } from '../queue/runner.js'
import type { Item, Job } from '../queue/types.js'
import { readCaption } from '../shared/caption.js'
import type { Caption } from '../shared/caption.js'
import { EnhanceError } from '../shared/errors.js'
import { printable } from '../shared/printable.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'

const USAGE = 'enhance queue caption <job> <photo> "Grandma at the lake" (or none to take it off)'

/** `enhance queue caption`'s caption: as `--caption` reads it, or `none` to take it off. */
export function parsePhotoCaption(words: string[]): Caption | null {
  const text = requireValue(words.join(' ').trim(), `caption: ${USAGE}`)
  if (text.toLowerCase() === 'none') return null
  const read = readCaption(text)
  if ('problem' in read) throw invalid(read.problem)
  return read.caption
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
 * `enhance queue caption <job> <photo> <caption|none>`: writes what is under one photo of a job, as Caption… in the
 * app does. A done photo is captioned where it lies (its EXIF and XMP written again, the pixels untouched); one that
 * cannot be (an AVIF), one whose caption is taken off, and one not yet enhanced wait for the next run.
 */
export async function captionPhoto(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const [named, ...rest] = words
  const photo = photoNamed(runner.items(job.id), requireValue(named, `photo: ${USAGE}`), job)
  const caption = parsePhotoCaption(rest)
  runner.hold()
  const wasDone = photo.state === 'done'
  await runner.adjust({ jobId: job.id, itemId: photo.id }, { caption })
  await runner.idle()
  const after = runner.items(job.id).find((i) => i.id === photo.id)!
  const name = `${nameInJob(job, photo.input)} of ${job.id.slice(0, 8)}`
  const resume = 'run "enhance --resume" (or open the app) for that.'
  if (caption === null) {
    const again = wasDone ? 'it will be enhanced again without it' : 'it will be enhanced without it'
    io.out(`Took the caption off ${name}: ${again}, ${resume}`)
  } else if (wasDone && after.state === 'done') {
    io.out(`Captioned ${name} in place: “${printable(caption)}”.`)
  } else {
    io.out(`${name} will say “${printable(caption)}” once enhanced: ${resume}`)
  }
}
