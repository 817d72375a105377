import { basename, relative, sep } from 'node:path'
import type { Item, Job } from '../queue/types.js'
import { EnhanceError } from '../shared/errors.js'
import { folderOf } from '../shared/job-title.js'
import { printable } from '../shared/printable.js'

/** A path's name within its job: from the folder the job was made of, or its own name. */
export function nameInJob(job: Job, path: string): string {
  const root = job.spec.inputs.find((folder) => path.startsWith(`${folder}${sep}`))
  return printable(root ? relative(root, path) : basename(path))
}

/** The first five of `names`, and how many more. */
function listed(names: string[]): string {
  return names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '')
}

/** Whether a word of a command names a folder: it ends with a separator (`Summer/`). */
export function namesFolder(word: string): boolean {
  return word.endsWith('/') || word.endsWith(sep)
}

/**
 * The folder of a job's photos that `named` names (`Summer/`, `Album/Summer/`, or its whole path): one its photos lie
 * in, whose path ends so. Refused, with the folders it could be or the job's folders, where it names none or several.
 */
export function folderNamed(items: Item[], named: string, job: Job): string {
  const wanted = named.replaceAll('/', sep).replace(/[\\/]+$/, '')
  const folders = [...new Set(items.map((i) => folderOf(i.input)))]
  const matches = folders.filter((f) => f === wanted || f.endsWith(`${sep}${wanted}`))
  if (matches.length === 1) return matches[0]!
  const id = job.id.slice(0, 8)
  const names = (some: string[]) => listed(some.map((f) => `${nameInJob(job, f)}/`))
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    matches.length
      ? `${printable(named)} names ${matches.length} folders of ${id} (${names(matches)}); give more of its path.`
      : `No folder ${printable(named)} holds photos of ${id}; its folders: ${names(folders)}.`,
  )
}

/**
 * The photo of a job that `named` names: its whole path, or the end of it (its file name, or its folder and name:
 * `Summer/a.jpg`, with / or the system's separator). Refused, with its photos or the ones it could be, where it names
 * none or more than one.
 */
export function photoNamed(items: Item[], named: string, job: Job): Item {
  const matches = photosNamed(items, named)
  if (matches.length === 1) return matches[0]!
  const names = (some: Item[]) => listed(some.map((i) => nameInJob(job, i.input)))
  const id = job.id.slice(0, 8)
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    matches.length
      ? `${printable(named)} names ${matches.length} photos of ${id} (${names(matches)}); give more of its path.`
      : `No photo ${printable(named)} in ${id}; its photos: ${names(items)}.`,
  )
}

/** The photos of a job whose paths end as `named` says (with / or the system's separator): none, one, or several. */
export function photosNamed(items: Item[], named: string): Item[] {
  const wanted = named.replaceAll('/', sep)
  return items.filter((i) => i.input === wanted || i.input.endsWith(`${sep}${wanted}`))
}
