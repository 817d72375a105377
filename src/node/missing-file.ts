import { readlinkSync } from 'node:fs'
import { EnhanceError } from '../shared/errors.js'

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

/** Where a link points, as written in it; null for a path that is no link (or not there). */
export function linkTarget(path: string): string | null {
  try {
    return readlinkSync(path)
  } catch {
    return null
  }
}
