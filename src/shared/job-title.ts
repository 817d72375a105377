import { printable } from './printable.js'

/** The last part of a path, with either separator: the renderer has no node:path. */
export function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

/** The folder a path lies in, with either separator: `/` for one at the root, '' for a bare name. */
export function folderOf(path: string): string {
  const end = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  if (end === 0) return path.slice(0, 1)
  return path.slice(0, Math.max(end, 0))
}

/** A file's name as the window and notifications show it: what would be acted on (a right-to-left override) written as its code. */
export function shownName(path: string): string {
  return printable(basename(path))
}

/** A share as a percentage, as the realism slider says it: "80%". */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`
}

/** "1 photo", "8 photos". */
export function photoCount(n: number): string {
  return `${n} ${n === 1 ? 'photo' : 'photos'}`
}

/** "Summer 2019 (8 photos)", "a.jpg and 2 more (3 photos)": never every file name joined by commas. */
export function jobTitle(job: { inputs: string[]; total: number }): string {
  const first = shownName(job.inputs[0] ?? '')
  const more = job.inputs.length > 1 ? ` and ${job.inputs.length - 1} more` : ''
  return `${first}${more} (${photoCount(job.total)})`
}
