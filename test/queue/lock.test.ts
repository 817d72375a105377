import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { lockQueue } from '../../src/queue/lock.js'
import { QueueRunner } from '../../src/queue/runner.js'
import { QueueStore, readQueueState } from '../../src/queue/store.js'
import type { JobSpec } from '../../src/queue/types.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { runCli } from '../helpers/cli-process.js'
import { codeOf } from '../helpers/errors.js'

/** A job over one folder of photos, written next to them. */
function oneFolderJob(photos: string): JobSpec {
  return {
    inputs: [photos],
    recursive: false,
    outDir: join(photos, 'out'),
    model: { path: 'm.safetensors' },
    settings: DEFAULT_SETTINGS,
    naming: '{name}',
    policy: 'skip',
  }
}

const LOCK_JS = fileURLToPath(new URL('../../dist/src/queue/lock.js', import.meta.url))

/** Another process that takes the queue's lock and holds it until it is killed. */
function holder(dir: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { lockQueue } = await import(${JSON.stringify(LOCK_JS)}); await lockQueue(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000)`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)))
  })
}

describe('the queue lock', () => {
  it('is held while its owner lives and free the moment it is killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-lock-'))
    const child = await holder(dir)
    expect(await codeOf(() => lockQueue(dir))).toBe('QUEUE_BUSY')
    await expect(lockQueue(dir)).rejects.toThrow(
      `Another Enhance process (the app or an enhance command) is running the queue in ${dir}. Wait for it to finish (or quit the app), or use --queue-dir for a separate queue.`,
    )
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    const unlock = await lockQueue(dir)
    // And it can be taken again after a clean unlock.
    unlock()
    ;(await lockQueue(dir))()
  })

  it('ignores a stale lock file that names a live process (pid 1), as the old pid lock did not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-lock-'))
    writeFileSync(join(dir, 'queue.lock'), '1')
    const unlock = await lockQueue(dir)
    unlock()
  })

  it('is not what a command naming a photo that is not there says: it says FILE_NOT_FOUND at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-lock-'))
    const photos = mkdtempSync(join(tmpdir(), 'enhance-lock-photos-'))
    writeFileSync(join(photos, 'a.jpg'), 'x')
    const child = await holder(dir)
    try {
      const run = (...inputs: string[]) =>
        runCli([...inputs, '--queue-dir', dir, '--out', join(photos, 'out')], join(photos, 'data'))
      const [missing, busy] = [
        await run(join(photos, 'a.jpg'), join(photos, 'b.jpg')),
        await run(join(photos, 'a.jpg')),
      ]
      expect([missing.status, missing.err.trim()]).toEqual([
        1,
        `error FILE_NOT_FOUND: ${join(photos, 'b.jpg')} is not there: it was moved, renamed or deleted.`,
      ])
      expect([busy.status, busy.err.split(':')[0]]).toEqual([1, 'error QUEUE_BUSY'])
    } finally {
      child.kill('SIGKILL')
    }
  })

  it('lets the read-only queue listing work while another process runs the queue', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-lock-'))
    const photos = mkdtempSync(join(tmpdir(), 'enhance-lock-photos-'))
    writeFileSync(join(photos, 'a.jpg'), 'x')
    const store = new QueueStore(dir)
    const runner = new QueueRunner(
      store,
      { enhance: () => Promise.reject(new Error('not run')) },
      { removeStalePartials: () => Promise.resolve(0) },
    )
    await runner.addJob(oneFolderJob(photos))
    store.close()
    const child = await holder(dir)
    try {
      const state = readQueueState(dir)
      expect([...state.jobs.values()].map((j) => state.itemsOf(j.id).length)).toEqual([1])
    } finally {
      child.kill('SIGKILL')
    }
  })
})

describe('closing the queue with a photo in flight', () => {
  it('leaves the photo to run again on the next start, not cancelled', async () => {
    const { openQueue } = await import('../../src/queue/session.js')
    const { EnhanceError } = await import('../../src/shared/errors.js')
    const dir = mkdtempSync(join(tmpdir(), 'enhance-close-'))
    const photos = mkdtempSync(join(tmpdir(), 'enhance-close-photos-'))
    writeFileSync(join(photos, 'a.jpg'), 'x')
    // The engine answers only when told to stop, the way a closing engine process does.
    const engine = {
      enhance: (_request: unknown, options: { signal?: AbortSignal }) =>
        new Promise<never>((_resolve, reject) => {
          const stop = (): void => reject(new EnhanceError('CANCELLED', 'closed'))
          if (options.signal?.aborted) stop()
          options.signal?.addEventListener('abort', stop)
        }),
    }
    const session = await openQueue(dir, engine, { removeStalePartials: () => Promise.resolve(0) })
    const job = await session.runner.addJob(oneFolderJob(photos))
    const running = session.runner.run()
    await expect.poll(() => session.runner.items(job.id)[0]!.state).toBe('running')
    session.close()
    await running
    const reopened = new QueueStore(dir)
    expect(['queued', 'running']).toContain(reopened.state.itemsOf(job.id)[0]!.state)
    reopened.close()
  })
})
