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
 * A drive that stopped answering, not a file's fault: a network share whose connection dropped or whose server went
 * away (ENOTCONN from a FUSE drive such as sshfs whose program ended, ESTALE from NFS, the network's own codes), or
 * a card or drive removed (ENOMEDIUM, ENODEV, ENXIO).
 */
const DRIVE_GONE = new Set([
  'ENOTCONN',
  'ESTALE',
  'ENODEV',
  'ENXIO',
  'ENOMEDIUM',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ENETUNREACH',
  'ENETRESET',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EREMOTEIO',
  'ECOMM',
])

export function isDriveGone(error: unknown): boolean {
  return DRIVE_GONE.has(errnoCode(error) ?? '')
}
