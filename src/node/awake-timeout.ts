/** Two looks at the clock further apart than this: the machine was asleep (or suspended) in between. */
const ASLEEP_AFTER_MS = 5_000
const LOOK_EVERY_MS = 1_000

export interface AwakeTimeout {
  clear(): void
}

/**
 * Calls `callback` once `ms` of time awake have passed. Node's own timers can count the time a laptop spends
 * asleep (on Windows libuv evaluates them on waking: nodejs/node#6763, libuv/libuv#962), so a 10-minute deadline
 * on a photo running when the lid closed ended the moment it opened again, and killed a working engine as hung.
 * This one looks at the clock every second and leaves out any gap longer than a few seconds. It never keeps
 * the process alive.
 */
export function awakeTimeout(
  callback: () => void,
  ms: number,
  clock: () => number = () => performance.now(),
): AwakeTimeout {
  let awake = 0
  let last = clock()
  const look = setInterval(
    () => {
      const now = clock()
      if (now - last <= ASLEEP_AFTER_MS) awake += now - last
      last = now
      if (awake < ms) return
      clearInterval(look)
      callback()
    },
    Math.min(LOOK_EVERY_MS, ms),
  )
  look.unref()
  return { clear: () => clearInterval(look) }
}
