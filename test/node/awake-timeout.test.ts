import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { awakeTimeout } from '../../src/node/awake-timeout.js'

/** A clock that a test moves: by the timers' own steps while awake, and by a jump for a sleep. */
let now = 0
const clock = (): number => now
const awakeFor = (ms: number): void => {
  for (let t = 0; t < ms; t += 1_000) {
    now += 1_000
    vi.advanceTimersByTime(1_000)
  }
}
/** The machine asleep: the clock jumps and the next look at it comes late, as on waking. */
const asleepFor = (ms: number): void => {
  now += ms
  vi.advanceTimersByTime(1_000)
  now += 1_000
}

describe('a deadline counted in time awake', () => {
  beforeEach(() => {
    now = 0
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('ends after its time when the machine stays awake', () => {
    const ended = vi.fn()
    awakeTimeout(ended, 10_000, clock)
    awakeFor(9_000)
    expect(ended).not.toHaveBeenCalled()
    awakeFor(1_000)
    expect(ended).toHaveBeenCalledTimes(1)
    awakeFor(5_000)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  it('leaves out a night asleep: it ends only once its time awake has passed', () => {
    const ended = vi.fn()
    awakeTimeout(ended, 10 * 60_000, clock)
    awakeFor(60_000)
    asleepFor(8 * 3600_000)
    expect(ended).not.toHaveBeenCalled()
    awakeFor(8 * 60_000)
    expect(ended).not.toHaveBeenCalled()
    awakeFor(2 * 60_000)
    expect(ended).toHaveBeenCalledTimes(1)
  })

  it('does nothing once cleared', () => {
    const ended = vi.fn()
    awakeTimeout(ended, 3_000, clock).clear()
    awakeFor(10_000)
    expect(ended).not.toHaveBeenCalled()
  })
})
