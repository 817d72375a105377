import { readdirSync } from 'node:fs'
import { constants, setPriority } from 'node:os'

/*
 * The engine works in the background, flat out on every core for minutes: below normal priority it gives way to
 * what the person is doing meanwhile (a browser, a photo editor, the app's own window) and still has every core
 * when nothing else wants them. Imported first. Linux keeps a priority per thread: each thread there already (Node's
 * own, and libuv's pool, from which libvips makes its workers) is lowered, and those made later take it.
 */
function threadsNow(): number[] {
  if (process.platform !== 'linux') return [0]
  try {
    return readdirSync('/proc/self/task').map(Number)
  } catch {
    return [0] // no /proc (a bare container): this thread, whose later threads take its priority
  }
}

const threads = threadsNow()
for (const thread of threads) {
  try {
    setPriority(thread, constants.priority.PRIORITY_BELOW_NORMAL)
  } catch {
    // A system that refuses it (or a thread gone meanwhile): that thread runs at normal priority, as it did.
  }
}
