import { createHash } from 'node:crypto'
import { realpathSync, rmSync } from 'node:fs'
import { makeDirectory } from '../node/make-directory.js'
import { connect, createServer } from 'node:net'
import type { Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { errnoCode } from '../node/errno.js'

/**
 * Where the lock of a queue folder listens. On Linux an abstract socket and on Windows a named pipe:
 * the operating system releases both the moment the owner dies (killed, crashed, still being reaped),
 * so no stale lock can outlive it and no reused pid can hold it. Elsewhere (macOS) a socket file,
 * taken over when nothing answers on it.
 */
export function lockAddress(dir: string, platform: NodeJS.Platform = process.platform): string {
  const id = createHash('sha256').update(realpathSync(dir)).digest('hex').slice(0, 24)
  if (platform === 'linux') return `\0enhance-queue-${id}`
  if (platform === 'win32') return `\\\\.\\pipe\\enhance-queue-${id}`
  return join(tmpdir(), `enhance-queue-${id}.sock`)
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(address, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** Whether a live process answers on a socket file (ECONNREFUSED or ENOENT: its owner is gone). */
function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function busy(dir: string): EnhanceError {
  return new EnhanceError(
    'QUEUE_BUSY',
    `Another Enhance process (the app or an enhance command) is running the queue in ${dir}. ` +
      'Wait for it to finish (or quit the app), or use --queue-dir for a separate queue. `enhance queue` can still show it.',
  )
}

/**
 * A queue folder that may not be made (a service's user whose home is not its own, a container run as another
 * user, a read-only drive), said with where to keep it instead; anything else as it came.
 */
function queueFolderError(dir: string, error: unknown): unknown {
  const code = errnoCode(error)
  if (code !== 'EACCES' && code !== 'EPERM' && code !== 'EROFS') return error
  return new EnhanceError(
    'PERMISSION_DENIED',
    `Enhance keeps its queue in ${dir}, which this user may not make or write (${code}). Name a folder it may ` +
      'write with --queue-dir, or set ENHANCE_DATA_DIR to one for all its data (queue, models, measurements).',
  )
}

/** One process runs a queue folder at a time (the app or one CLI run). Resolves with the unlock. */
export async function lockQueue(dir: string): Promise<() => void> {
  try {
    makeDirectory(dir)
  } catch (error) {
    throw queueFolderError(dir, error)
  }
  const address = lockAddress(dir)
  const server = createServer((socket) => socket.end())
  const isFile = !address.startsWith('\0') && !address.startsWith('\\\\.\\pipe\\')
  try {
    await listen(server, address)
  } catch (error) {
    if (errnoCode(error) !== 'EADDRINUSE') throw error
    if (!isFile || (await answers(address))) throw busy(dir)
    rmSync(address, { force: true })
    await listen(server, address).catch(() => Promise.reject(busy(dir)))
  }
  server.unref()
  return () => {
    server.close()
    if (isFile) rmSync(address, { force: true })
  }
}
