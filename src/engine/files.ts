import { randomBytes } from 'node:crypto'
import { open, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { EnhanceError } from '../shared/errors.js'

function writeError(path: string, error: unknown): EnhanceError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new EnhanceError(
      'DISK_FULL',
      `The disk is full; ${path} was not written. Free some space and try again.`,
    )
  }
  return new EnhanceError(
    'INVALID_ARGUMENT',
    `Cannot write ${path} (${code ?? String(error)}). Check the folder exists and is writable.`,
  )
}

/** Writes to a temporary name beside the target, fsyncs, then renames: the target is only ever complete. */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw writeError(path, error)
  }
}
