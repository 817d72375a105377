import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { open, readdir, rename, rm, stat, statfs } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { MAX_NAME_BYTES, truncateUtf8 } from '../shared/naming.js'
import { errnoCode, isDiskFull, pathTooLong } from './errno.js'
import { driveNotAnswering } from './file-access.js'

function writeError(path: string, error: unknown): EnhanceError {
  if (isDiskFull(error)) {
    return new EnhanceError(
      'DISK_FULL',
      `The disk is full; ${path} was not written. Free some space and try again.`,
    )
  }
  const tooLong = pathTooLong(path, error)
  if (tooLong) return tooLong
  const gone = driveNotAnswering(path, error)
  if (gone) return new EnhanceError('OUTPUT_NOT_WRITABLE', `Cannot write ${path}: ${gone}. Reconnect it.`)
  // The folder gone while its job ran: a USB drive ejected under it (its mount point goes with it), or moved away.
  if (errnoCode(error) === 'ENOENT' && !existsSync(dirname(path)))
    return new EnhanceError(
      'OUTPUT_NOT_WRITABLE',
      `Cannot write ${path}: its folder is not there now. Its drive was disconnected (a USB drive ejected), or the folder was moved or deleted: reconnect the drive or put the folder back.`,
    )
  if (errnoCode(error) === 'EISDIR')
    return new EnhanceError(
      'OUTPUT_NOT_WRITABLE',
      `Cannot write ${path}: a folder has that name. Rename or move that folder, or choose another output folder.`,
    )
  return new EnhanceError(
    'OUTPUT_NOT_WRITABLE',
    `Cannot write ${path} (${errnoCode(error) ?? String(error)}). Check the folder exists and is writable.`,
  )
}

const PARTIAL = /^\.(.+)\.[0-9a-f]{12}\.partial$/
/** A target's name as its temporary file carries it: cut so that the temporary name fits where the target does. */
const PARTIAL_NAME_BYTES = MAX_NAME_BYTES - '..0123456789ab.partial'.length

function partialStem(name: string): string {
  return truncateUtf8(name, PARTIAL_NAME_BYTES)
}

/**
 * Removes temporary files a killed writer left in `dir`: of the files named in `targets` only, when
 * given, since other processes (shards sharing the folder) may be writing theirs right now.
 */
export async function removeStalePartials(dir: string, targets?: ReadonlySet<string>): Promise<number> {
  const names = await readdir(dir).catch(() => [] as string[])
  const stems = targets && new Set([...targets].map(partialStem))
  const stale = names.filter((n) => {
    const match = PARTIAL.exec(n)
    return match !== null && (!stems || stems.has(match[1]!))
  })
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })))
  return stale.length
}

/**
 * Writes `data` (or its parts, in order) to a temporary name beside the target, fsyncs, then renames: the
 * target is only ever complete. With `modified`, the file says it was last modified then, where the system
 * lets it be set.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | readonly Uint8Array[],
  modified?: Date,
): Promise<void> {
  const temp = join(
    dirname(path),
    `.${partialStem(basename(path))}.${randomBytes(6).toString('hex')}.partial`,
  )
  try {
    const handle = await open(temp, 'wx')
    try {
      // Parts are written one after the other, each whole (writeFile goes on from where the last ended): a
      // large file is never copied into one buffer first.
      for (const part of data instanceof Uint8Array ? [data] : data) await handle.writeFile(part)
      // A file system that keeps no such time (or refuses it) still gets the file, dated when written.
      if (modified) await handle.utimes(new Date(), modified).catch(() => undefined)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    // Where the folder is not one (ENOTDIR), even removing the temporary name fails: the write's error counts.
    await rm(temp, { force: true }).catch(() => undefined)
    throw writeError(path, error)
  }
}

/** The bytes this process may still write on the disk holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const fs = await statfs(dir)
  return fs.bavail * fs.bsize
}

/**
 * A key that changes when the file is replaced or edited: its path, inode, size, and modification and change
 * times (an enhanced photo written again carries its original's modification time, but is a new file); null
 * if it cannot be read.
 */
export async function fileVersion(path: string): Promise<string | null> {
  const file = await stat(path).catch(() => null)
  return file ? `${resolve(path)}|${file.ino}|${file.size}|${file.mtimeMs}|${file.ctimeMs}` : null
}
