import { QueueWriteError } from './journal.js'
import { lockQueue } from './lock.js'
import { QueueRunner } from './runner.js'
import type { Cleanup, QueueEngine } from './runner.js'
import { QueueStore } from './store.js'

export interface QueueSession {
  runner: QueueRunner
  close(): void
}

/** Opens (and locks) the durable queue in `dir`, with its runner bound to `engine`. */
export async function openQueue(dir: string, engine: QueueEngine, cleanup: Cleanup): Promise<QueueSession> {
  const unlock = await lockQueue(dir)
  try {
    const store = new QueueStore(dir)
    const runner = new QueueRunner(store, engine, cleanup)
    return {
      runner,
      close: () => {
        // The photo in flight goes back to the queue, not to "cancelled": quitting is no decision about it.
        // Its tiles so far are kept, for it to pick up there.
        try {
          runner.suspendCurrent()
        } catch (error) {
          // Not recorded (the queue's drive gone): the next start finds it running, and queues it again all the same.
          if (!(error instanceof QueueWriteError)) throw error
        } finally {
          store.close()
          unlock()
        }
      },
    }
  } catch (error) {
    unlock()
    throw error
  }
}
