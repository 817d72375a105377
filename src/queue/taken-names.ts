import { basename, dirname, extname, relative, sep } from 'node:path'
import { dateNamed } from '../shared/taken.js'
import type { Taken } from '../shared/taken.js'

/**
 * When the photo at `input` was taken as its names say (`--taken names`): its file's name (`1962_03.jpg`), else the
 * nearest of its folders that says one, up to the folder it was found in (`Album scans/1962/scan 3.jpg`,
 * `Wedding 1958-06-14/IMG_0001.jpg`), or its own folder where the photo was named itself. The folders above are where
 * the album is kept, not what it is of. Null where none says a date.
 */
export function takenNamed(input: string, roots: readonly string[]): Taken | null {
  const root = roots.find((r) => input === r || input.startsWith(r.endsWith(sep) ? r : r + sep))
  const from = dirname(root === undefined || root === input ? dirname(input) : root)
  const folders = relative(from, dirname(input)).split(sep).filter(Boolean)
  const names = [basename(input, extname(input)), ...folders.reverse()]
  for (const name of names) {
    const date = dateNamed(name)
    if (date) return date
  }
  return null
}
