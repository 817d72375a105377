import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { EnhanceError } from '../shared/errors.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * One process owns a queue folder at a time (the app or one CLI run): a lock file holds its pid.
 * A lock left by a process that no longer exists (killed, power loss) is taken over.
 */
export function lockQueue(dir: string): () => void {
  mkdirSync(dir, { recursive: true })
  const path = join(dir, 'queue.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => rmSync(path, { force: true })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = Number(readFileSync(path, 'utf8'))
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new EnhanceError(
          'QUEUE_BUSY',
          `Another Enhance process (pid ${owner}) is using the queue in ${dir}. Wait for it, or use --queue-dir.`,
        )
      }
      rmSync(path, { force: true })
    }
  }
  throw new EnhanceError('QUEUE_BUSY', `Could not lock the queue in ${dir}.`)
}
