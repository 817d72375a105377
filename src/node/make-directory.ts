import { accessSync, constants, mkdirSync, statSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { errnoCode, pathTooLong } from './errno.js'
import { driveNotAnswering } from './file-access.js'

/**
 * Why `dir` cannot be (or become) a folder, as the end of a sentence, or null: checked before any work,
 * so a mistyped path is refused at once instead of failing each write.
 */
export function folderProblem(dir: string): string | null {
  let found: Stats | undefined
  try {
    found = statSync(dir, { throwIfNoEntry: false })
  } catch (error) {
    if (errnoCode(error) === 'ENOTDIR') return 'cannot be a folder: a folder above it is a file'
    return null // unreadable here: the write that needs it says why
  }
  return found && !found.isDirectory() ? 'is not a folder' : null
}

const READ_ONLY_DRIVE =
  'is on a read-only drive (a CD or DVD, a locked SD card, or a share mounted read-only)'

/**
 * Whether `dir`, or the folder it would be made in, is on a drive mounted read-only: known before any work,
 * unlike a permission, which some network drives decide only when asked to write.
 */
function onReadOnlyDrive(dir: string): boolean {
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      accessSync(at, constants.W_OK)
      return false
    } catch (error) {
      const code = errnoCode(error)
      if (code === 'EROFS') return true
      if (code !== 'ENOENT' || dirname(at) === at) return false
    }
  }
}

/** Why nothing can be written in `dir` (to be made if missing), as the end of a sentence, or null. */
export function writeProblem(dir: string): string | null {
  return onReadOnlyDrive(dir) ? READ_ONLY_DRIVE : null
}

function notADirectory(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', path })
}

/**
 * `mkdir -p`, one level at a time. Node's `{ recursive: true }` spins forever at full CPU where an existing
 * parent cannot hold children and the child answers ENOENT (a path under /proc, measured on Node 20 here; a
 * dangling symlink it does report): the parent answers EEXIST, and it retries. This
 * walks up to the nearest existing folder, then makes each missing one, so such a path fails at once with
 * its own error code.
 */
export function makeDirectory(dir: string): void {
  const target = resolve(dir)
  const missing: string[] = []
  for (let at = target; ; at = dirname(at)) {
    let found: Stats
    try {
      found = statSync(at)
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || dirname(at) === at) throw error
      missing.push(at)
      continue
    }
    // A parent that is no folder fails its child's mkdir below with ENOTDIR; the folder itself, here.
    if (at === target && !found.isDirectory()) throw notADirectory(at)
    break
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at)
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error // EEXIST: made meanwhile, or a link whose child fails next
    }
  }
}

/**
 * Why an output folder could not be made, coded for the queue: a job pauses on it until the folder is fixed,
 * except for a path too long, which is this photo's alone.
 */
export function outputFolderError(dir: string, error: unknown): EnhanceError {
  const tooLong = pathTooLong(dir, error)
  if (tooLong) return tooLong
  if (errnoCode(error) === 'ENOTDIR') {
    const why = folderProblem(dir) ?? 'cannot be a folder: it, or a folder above it, is a file'
    return new EnhanceError('OUTPUT_NOT_WRITABLE', `${dir} ${why}. Choose another output folder.`)
  }
  const gone = driveNotAnswering(dir, error)
  if (gone) return new EnhanceError('OUTPUT_NOT_WRITABLE', `Cannot create ${dir}: ${gone}. Reconnect it.`)
  if (errnoCode(error) === 'EROFS')
    return new EnhanceError('OUTPUT_NOT_WRITABLE', `${dir} ${READ_ONLY_DRIVE}. Choose another output folder.`)
  return new EnhanceError(
    'OUTPUT_NOT_WRITABLE',
    `Cannot create ${dir} (${errnoCode(error) ?? String(error)}): check that its drive is connected and you may write there.`,
  )
}
