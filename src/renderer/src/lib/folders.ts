import type { ItemView, JobView } from '../../../shared/api.js'
import type { Caption } from '../../../shared/caption.js'
import { basename, folderOf, photoCount } from '../../../shared/job-title.js'
import { printable } from '../../../shared/printable.js'
import { takenWords } from '../../../shared/taken.js'
import type { Taken } from '../../../shared/taken.js'
import { captionQuoted, percent, shownName } from './format.js'
import { facingWords, sameFacing } from '../../../shared/turn.js'
import type { Facing } from '../../../shared/turn.js'

/** How many photos a job's card (or a folder of it) lists at first, and each time more are asked for. */
export const PHOTOS_PAGE = 100

/**
 * Whether a job's folders start unfolded, their photos listed: where the job is no longer than a page; a longer album
 * starts as the list of its folders, each unfolded from its heading.
 */
export function foldersStartOpen(photos: number): boolean {
  return photos <= PHOTOS_PAGE
}

/** The photos of a job lying in one folder, as its card lists them under the folder's name. */
export interface FolderGroup {
  /** The folder's whole path, as its photos' paths name it (what a choice for its photos names). */
  folder: string
  /** Its name from the folder the job was made of, that one's own name first: "Album 1962/beach". */
  name: string
  /** Its photos, in the job's order. */
  items: ItemView[]
  /** The date all its photos share; null where they share none. */
  taken: Taken | null
  /** The caption all its photos share; null where they share none. */
  caption: Caption | null
  /** How all its photos lie; null where they lie otherwise one from another. */
  facing: Facing | null
  /** The realism all its photos are enhanced at; null where they differ, or their model has no GAN partner. */
  realism: number | null
}

/**
 * A job's photos by the folder each lies in, in the order its first photo comes; `inputs`: what the job was made of,
 * which names each folder.
 */
export function folderGroups(items: ItemView[], inputs: readonly string[]): FolderGroup[] {
  const groups = new Map<string, FolderGroup>()
  for (const item of items) {
    const folder = folderOf(item.input)
    let group = groups.get(folder)
    if (!group) {
      const { taken, caption, facing, realism } = item
      group = {
        folder,
        name: folderName(folder, inputs),
        items: [],
        taken,
        caption,
        facing,
        realism,
      }
      groups.set(folder, group)
    }
    group.items.push(item)
    if (group.taken !== item.taken) group.taken = null
    if (group.caption !== item.caption) group.caption = null
    if (group.facing && !sameFacing(group.facing, item.facing)) group.facing = null
    if (group.realism !== item.realism) group.realism = null
  }
  return [...groups.values()]
}

/**
 * The groups' photos whose name, or whose folder's name, holds `text` (in any case), each group with none of them left
 * out; every photo where `text` is blank.
 */
export function foundIn<G extends { name: string; items: ItemView[] }>(groups: G[], text: string): G[] {
  const wanted = text.trim().toLocaleLowerCase()
  if (!wanted) return groups
  const holds = (name: string) => name.toLocaleLowerCase().includes(wanted)
  return groups.flatMap((group) => {
    const items = holds(group.name) ? group.items : group.items.filter((item) => holds(shownName(item.input)))
    return items.length ? [{ ...group, items }] : []
  })
}

/** A folder's name from the job's folder it lies in, that one's own name first; its own name where it lies in none. */
function folderName(folder: string, inputs: readonly string[]): string {
  const root = inputs.find(
    (input) => folder === input || folder.startsWith(`${input}/`) || folder.startsWith(`${input}\\`),
  )
  const name = root ? basename(root) + folder.slice(root.length).replaceAll('\\', '/') : basename(folder)
  return printable(name)
}

/**
 * What a folder's heading says after its name: how many photos, and the realism, how they lie, the date and the
 * caption they share, where unlike the job's.
 */
export function folderWords(
  group: FolderGroup,
  job: Pick<JobView, 'realism' | 'facing' | 'taken' | 'caption'>,
): string {
  const { realism, facing, taken, caption } = group
  return [
    photoCount(group.items.length),
    ...(realism !== null && realism !== job.realism ? [`realism ${percent(realism)}`] : []),
    ...(facing && !sameFacing(facing, job.facing) ? [facingWords(facing) || 'upright'] : []),
    ...(taken && taken !== job.taken ? [takenWords(taken)] : []),
    ...(caption && caption !== job.caption ? [`captioned ${captionQuoted(caption)}`] : []),
  ].join(' · ')
}

/** The realism all `photos` are enhanced at; null where they differ, or where their model has no GAN partner. */
export function sharedRealism(photos: readonly ItemView[]): number | null {
  const first = photos[0]?.realism ?? null
  return photos.every((photo) => photo.realism === first) ? first : null
}
