import { writeSync } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'

/**
 * A disk that fills up mid-write takes what fits and says so only by the count written, with no error: the rest is
 * written again, which then fails with the disk's own error (ENOSPC). Without this, a line, a snapshot or a download's
 * last bytes were silently cut short.
 */
function progressed(written: number): number {
  if (written <= 0) throw Object.assign(new Error('A write made no progress.'), { code: 'EIO' })
  return written
}

/** All of `bytes` at the file's position. */
export function writeFullySync(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length;) done += progressed(writeSync(fd, bytes, done))
}

/** All of `bytes` at `position`. */
export async function writeFully(file: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, position + done)
    done += progressed(bytesWritten)
  }
}
