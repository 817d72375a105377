import { folderOf } from '../shared/job-title.js'
import { sameRepairs } from '../shared/settings.js'
import type { Item } from './types.js'

/**
 * What is chosen for a folder's photos, each photo's own: their realism and repairs (from Realism), how they lie, their
 * date, their caption (from its heading).
 */
type FolderChoices = Partial<Pick<Item, 'realism' | 'repairs' | 'turn' | 'mirrored' | 'taken' | 'caption'>>

/**
 * What every one of `photos` chose alike as its own (a realism, repairs, a facing, a date, a caption); none where one
 * chose otherwise, or where there is one photo: what was chosen for it alone (a print lying sideways, "Grandma at
 * 80") says nothing of the next photo saved beside it.
 */
function sharedChoices(photos: readonly Item[]): FolderChoices {
  const [first, ...rest] = photos
  if (!first || rest.length === 0) return {}
  const same = (key: keyof FolderChoices) =>
    first[key] !== undefined && rest.every((photo) => photo[key] === first[key])
  const facing = same('turn') && rest.every((photo) => Boolean(photo.mirrored) === Boolean(first.mirrored))
  const repairs = first.repairs
  const mended = repairs && rest.every((photo) => photo.repairs && sameRepairs(photo.repairs, repairs))
  return {
    ...(same('realism') ? { realism: first.realism } : {}),
    ...(mended ? { repairs } : {}),
    ...(facing ? { turn: first.turn, ...(first.mirrored ? { mirrored: true } : {}) } : {}),
    ...(same('taken') ? { taken: first.taken } : {}),
    ...(same('caption') ? { caption: first.caption } : {}),
  }
}

/**
 * `found` (photos a job finds later: saved into its watched folder, or there when it is added again) each with the
 * realism, repairs, facing, date and caption the photos already in its folder (two or more) all chose as their own:
 * a print scanned later into a folder captioned "Lake Como" says so too.
 */
export function withTheirFolders(known: readonly Item[], found: Item[]): Item[] {
  const chose = (photo: Item) =>
    [photo.realism, photo.repairs, photo.turn, photo.taken, photo.caption].some((own) => own !== undefined)
  if (!known.some(chose)) return found
  const byFolder = new Map<string, Item[]>()
  for (const photo of known) {
    const folder = folderOf(photo.input)
    const photos = byFolder.get(folder)
    if (photos) photos.push(photo)
    else byFolder.set(folder, [photo])
  }
  const shared = new Map([...byFolder].map(([folder, photos]) => [folder, sharedChoices(photos)]))
  return found.map((photo) => ({ ...photo, ...shared.get(folderOf(photo.input)) }))
}
