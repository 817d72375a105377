import { stat } from 'node:fs/promises'
import type { Item } from './types.js'

/**
 * A photo's file as it is now, by size and modification time, or null when it cannot be read (gone). Not its change
 * time or inode: a permission or a tag set on it, or a card's file system numbering its files anew at each mount,
 * would have every photo of an album enhanced again.
 */
export const readSignature = (path: string): Promise<string | null> =>
  stat(path).then(
    (info) => `${info.size}:${info.mtimeMs}`,
    () => null,
  )

const LOOKS_AT_ONCE = 64

/**
 * The finished and failed photos whose file is no longer as it was when it was read: edited and saved again (a
 * crooked scan straightened, a photo rotated), or copied again after a damaged copy. `accept` says whether a
 * changed file may be taken now (a watch's: not while it is still being written).
 */
export async function changedSinceRead(
  items: Item[],
  accept?: (path: string) => Promise<boolean>,
): Promise<Item[]> {
  const read = items.filter(
    (item) => (item.state === 'done' || item.state === 'failed') && item.readAs !== undefined,
  )
  const changed: Item[] = []
  // Looked at some at a time: one after another, a network drive's round trips add up (20,000 photos: seconds a look).
  for (let at = 0; at < read.length; at += LOOKS_AT_ONCE) {
    const some = read.slice(at, at + LOOKS_AT_ONCE)
    const now = await Promise.all(some.map((item) => readSignature(item.input)))
    for (const [i, item] of some.entries())
      if (now[i] !== null && now[i] !== item.readAs && (!accept || (await accept(item.input))))
        changed.push(item)
  }
  return changed
}
