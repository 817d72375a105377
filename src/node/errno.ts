import { readlinkSync } from 'node:fs'
import { EnhanceError } from '../shared/errors.js'

/** The `code` of a failed system call (ENOENT, ENOSPC, …), or undefined for any other error. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * The coded error for a path the system refused as too long as a whole (ENAMETOOLONG: past 4,096 bytes on
 * Linux; each name is already cut to fit), or undefined for any other error.
 */
export function pathTooLong(path: string, error: unknown): EnhanceError | undefined {
  if (errnoCode(error) !== 'ENAMETOOLONG') return undefined
  return new EnhanceError(
    'PATH_TOO_LONG',
    `${path} is a longer path than this system allows (${Buffer.byteLength(path)} bytes), so this photo was not written. Choose an output folder with a shorter path, or a shorter naming template.`,
  )
}

/** Whether a write failed because the disk (or the user's quota on it) is full. */
export function isDiskFull(error: unknown): boolean {
  const code = errnoCode(error)
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/**
 * FILE_NOT_FOUND for a file that is not there (never was, or was moved or deleted since); a link whose file is
 * gone (a photo on a drive not plugged in) says where it points and what to do.
 */
export function missingFileError(path: string): EnhanceError {
  const target = linkTarget(path)
  return new EnhanceError(
    'FILE_NOT_FOUND',
    target === null
      ? `${path} is not there: it was moved, renamed or deleted, or its name is mistyped.`
      : `${path} is a link to ${target}, which is not there: plug in the drive it is on, or find where it moved.`,
  )
}

function linkTarget(path: string): string | null {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}
