/** Why a photo or folder cannot be read (not there, or not allowed), said with what to do. */
import { readlinkSync, statSync } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { permissionRemedy } from '../shared/formats.js'
import { errnoCode, isDriveGone } from './errno.js'

/**
 * FILE_NOT_FOUND for a file that is not there (never was, or was moved or deleted since); a link whose file is
 * gone (a photo on a drive not plugged in) says where it points and what to do.
 */
export function missingFileError(path: string): EnhanceError {
  const target = linkTarget(path)
  return new EnhanceError(
    'FILE_NOT_FOUND',
    target === null
      ? `${path} is not there: it was moved, renamed or deleted.`
      : `${path} is a link to ${target}, which is not there: plug in the drive it is on, or find where it moved.`,
  )
}

/**
 * Refuses, before any work, a photo or folder named that is plainly not there (FILE_NOT_FOUND): before the queue is
 * waited on, so a mistyped name is not said to be busy. One on a drive that does not answer is left to the scan,
 * which says so (and to a watch, which waits for it).
 */
export function refuseMissing(paths: string[]): void {
  const missing = paths.find((path) => {
    try {
      return statSync(path, { throwIfNoEntry: false }) === undefined
    } catch (error) {
      return errnoCode(error) === 'ENOTDIR' // a file's name taken for a folder's: not there either
    }
  })
  if (missing !== undefined) throw missingFileError(missing)
}

/** Whether `path` is there, looked at without holding the process: on a drive that hangs, only the caller waits. */
export function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  )
}

/** Whether `path` is a folder (not there, or not readable: no), looked at without holding the process. */
export function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  )
}

/** Where a link points, as written in it; null for a path that is no link (or not there). */
export function linkTarget(path: string): string | null {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}

/** Whether the system refused to open a file or folder for its permissions (or, on macOS, privacy settings). */
export function isPermissionDenied(error: unknown): boolean {
  const code = errnoCode(error)
  return code === 'EACCES' || code === 'EPERM'
}

/** PERMISSION_DENIED for a photo or folder the system does not let Enhance read, saying how to allow it. */
export function permissionError(path: string): EnhanceError {
  return new EnhanceError(
    'PERMISSION_DENIED',
    `${path} cannot be opened: the system does not let Enhance read it. ${permissionRemedy('it')}, then try again.`,
  )
}

/**
 * Why `path` could not be read or written (after "Cannot read <path>: ") when its drive stopped answering (a network drive lost its connection, a
 * USB drive or card was removed), or null when the failure is the file's own. A read error (EIO) is the drive's only
 * where its folder cannot be looked at either: on a drive still there, it is a damaged file (a scratched disc's).
 */
export function driveNotAnswering(path: string, error: unknown): string | null {
  const code = errnoCode(error)
  const folder = dirname(path)
  if (!isDriveGone(error) && !(code === 'EIO' && !canLookAt(folder))) return null
  return `its drive stopped answering (${code}): a network drive lost its connection, or a USB drive or memory card was removed`
}

function canLookAt(folder: string): boolean {
  try {
    statSync(folder)
    return true
  } catch {
    return false
  }
}

/** INPUT_UNAVAILABLE for a photo or folder whose drive stopped answering (its job waits for it), or null. */
export function inputDriveGone(path: string, error: unknown): EnhanceError | null {
  const gone = driveNotAnswering(path, error)
  return gone ? new EnhanceError('INPUT_UNAVAILABLE', `Cannot read ${path}: ${gone}. Reconnect it.`) : null
}

/** Windows and macOS file systems usually ignore case: "A.jpg" and "a.jpg" are one file there. */
export function pathKey(path: string): string {
  return process.platform === 'linux' ? path : path.toLowerCase()
}
