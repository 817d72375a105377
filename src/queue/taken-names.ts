import { basename, dirname, extname, relative, sep } from 'node:path'
import { captionNamed } from '../shared/caption.js'
import type { Caption } from '../shared/caption.js'
import { dateNamed } from '../shared/taken.js'
import type { Taken } from '../shared/taken.js'

/**
 * What the photo at `input` is as its names say, as `read` reads a name: its file's name, else the nearest of its
 * folders that says it, up to the folder it was found in, or (`ownFolder`) its own folder where the photo was named
 * itself. The folders above are where the album is kept, not what it is of. Null where none says it.
 */
function firstNamed<T>(
  input: string,
  roots: readonly string[],
  read: (name: string) => T | null,
  ownFolder: boolean,
): T | null {
  const root = roots.find((r) => input === r || input.startsWith(r.endsWith(sep) ? r : r + sep))
  const named = root === undefined || root === input
  const from = named ? dirname(ownFolder ? dirname(input) : input) : dirname(root)
  const folders = relative(from, dirname(input)).split(sep).filter(Boolean)
  for (const name of [basename(input, extname(input)), ...folders.reverse()]) {
    const said = read(name)
    if (said !== null) return said
  }
  return null
}

/**
 * When the photo at `input` was taken as its names say (`--taken names`): `1962_03.jpg`, `Album scans/1962/scan 3.jpg`,
 * `Wedding 1958-06-14/IMG_0001.jpg` (`firstNamed`).
 */
export function takenNamed(input: string, roots: readonly string[]): Taken | null {
  return firstNamed(input, roots, (name) => dateNamed(name), true)
}

/**
 * What is under the photo at `input` as its names say (`--caption names`): `1962 Grandma at the lake.jpg`,
 * `Lake Como 1962/IMG_0001.jpg` (`firstNamed`, `captionNamed`). A photo named on its own says it in its own name
 * alone: the folder it lies in (Downloads, Desktop) is seldom what it shows.
 */
export function captionNamedFor(input: string, roots: readonly string[]): Caption | null {
  return firstNamed(input, roots, captionNamed, false)
}
