/** Two looks at the clock further apart than this, with the process idle between: the machine was asleep. */
const ASLEEP_AFTER_MS = 5_000
const LOOK_EVERY_MS = 1_000

/** What an `AwakeClock` reads: a monotonic clock, and the CPU time the process has used (both in ms). */
export interface Clocks {
  now(): number
  cpu(): number
}

const processClocks: Clocks = {
  now: () => performance.now(),
  cpu: () => {
    const { user, system } = process.cpuUsage()
    return (user + system) / 1000
  },
}

/**
 * Time awake since it started. Node's own clocks and timers can count the time a laptop spends asleep (on
 * Windows libuv evaluates timers on waking: nodejs/node#6763, libuv/libuv#962), so a 10-minute deadline on a
 * photo running when the lid closed ended the moment it opened again (a working engine killed as hung), and
 * the photo's time and time left took in the whole night. This clock looks every second and leaves out a gap
 * of more than a few seconds in which the process used little CPU: a long synchronous stretch still counts.
 */
export class AwakeClock {
  private awake = 0
  private last: { now: number; cpu: number }
  private readonly look: NodeJS.Timeout

  /** `onLook` is told the time awake at each look, every `lookEveryMs` (at most a second). */
  constructor(
    private readonly clocks: Clocks = processClocks,
    { onLook, lookEveryMs = LOOK_EVERY_MS }: { onLook?: (awake: number) => void; lookEveryMs?: number } = {},
  ) {
    this.last = { now: clocks.now(), cpu: clocks.cpu() }
    this.look = setInterval(
      () => {
        // Looked at every time, told or not: a look between two is what tells a busy gap from sleep.
        const awake = this.elapsed()
        onLook?.(awake)
      },
      Math.min(LOOK_EVERY_MS, lookEveryMs),
    )
    this.look.unref()
  }

  /** Milliseconds awake since it started. */
  elapsed(): number {
    const at = { now: this.clocks.now(), cpu: this.clocks.cpu() }
    const gap = at.now - this.last.now
    if (gap <= ASLEEP_AFTER_MS || at.cpu - this.last.cpu >= gap / 2) this.awake += gap
    this.last = at
    return this.awake
  }

  /** Counts from zero again, from now. */
  reset(): void {
    this.awake = 0
    this.last = { now: this.clocks.now(), cpu: this.clocks.cpu() }
  }

  stop(): void {
    clearInterval(this.look)
  }
}

export interface AwakeTimeout {
  clear(): void
  /** Its time counts from now again (a sign of life from what it waits on). */
  restart(): void
}

/** Calls `callback` once `ms` of time awake (`AwakeClock`) have passed. It never keeps the process alive. */
export function awakeTimeout(callback: () => void, ms: number, clocks?: Clocks): AwakeTimeout {
  const clock: AwakeClock = new AwakeClock(clocks, {
    lookEveryMs: ms,
    onLook: (awake) => {
      if (awake < ms) return
      clock.stop()
      callback()
    },
  })
  return { clear: () => clock.stop(), restart: () => clock.reset() }
}
