import { statSync } from 'node:fs'

/**
 * Which write of a file this is. Not its modification time: an enhanced photo carries its original's, so a
 * photo written again looks unchanged by it; each atomic write makes a new file (inode) with a new change time.
 */
export function writeOf(path: string): string {
  const { ino, ctimeMs } = statSync(path)
  return `${ino}|${ctimeMs}`
}
