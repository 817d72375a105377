import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AwakeClock, awakeTimeout } from '../../src/node/awake-time.js'

/** Clocks a test moves: by the timers' own steps while awake, and by a jump for a sleep. */
let now = 0
let cpu = 0
const clocks = { now: (): number => now, cpu: (): number => cpu }
const awakeFor = (ms: number): void => {
  for (let t = 0; t < ms; t += 1_000) {
    now += 1_000
    vi.advanceTimersByTime(1_000)
  }
}
/** The machine asleep: the clock jumps, with no CPU used, and the next look at it comes late, as on waking. */
const asleepFor = (ms: number): void => {
  now += ms
  vi.advanceTimersByTime(1_000)
  now += 1_000
}

beforeEach(() => {
  now = 0
  cpu = 0
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

describe('a deadline counted in time awake', () => {
  it('ends after its time when the machine stays awake', () => {
    const ended = vi.fn()
    awakeTimeout(ended, 10_000, clocks)
    awakeFor(9_000)
    expect(ended).not.toHaveBeenCalled()
    awakeFor(1_000)
    expect(ended).toHaveBeenCalledTimes(1)
    awakeFor(5_000)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  it('leaves out a night asleep: it ends only once its time awake has passed', () => {
    const ended = vi.fn()
    awakeTimeout(ended, 10 * 60_000, clocks)
    awakeFor(60_000)
    asleepFor(8 * 3600_000)
    expect(ended).not.toHaveBeenCalled()
    awakeFor(8 * 60_000)
    expect(ended).not.toHaveBeenCalled()
    awakeFor(2 * 60_000)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  it('counts its time from a restart again', () => {
    const ended = vi.fn()
    const timeout = awakeTimeout(ended, 10_000, clocks)
    awakeFor(8_000)
    timeout.restart()
    awakeFor(9_000)
    expect(ended).not.toHaveBeenCalled()
    awakeFor(1_000)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  it('does nothing once cleared', () => {
    const ended = vi.fn()
    awakeTimeout(ended, 3_000, clocks).clear()
    awakeFor(10_000)
    expect(ended).not.toHaveBeenCalled()
  })
})

describe('time awake', () => {
  it('counts a long stretch in which the process was busy (CPU used), not one in which it was asleep', () => {
    const clock = new AwakeClock(clocks)
    awakeFor(3_000)
    // 20 s of synchronous work: the timers could not look, but the CPU time went on.
    now += 20_000
    cpu += 19_000
    expect(clock.elapsed()).toBe(23_000)
    asleepFor(3600_000)
    expect(clock.elapsed()).toBe(24_000)
    clock.stop()
  })
})
