import { describe, expect, it } from 'vitest'
import { MeasuringSignal } from '../../src/engine/measuring.js'

describe('the measuring signal', () => {
  it('tells a watcher of each measurement that starts, and one that is already running, until it stops watching', async () => {
    const signal = new MeasuringSignal()
    const heard: string[] = []
    let finish = (): void => undefined
    const running = signal.during(() => new Promise<string>((resolve) => (finish = () => resolve('rates'))))
    const stop = signal.watch(() => heard.push('already running'))
    finish()
    expect(await running).toBe('rates')
    await signal.during(() => Promise.resolve())
    stop()
    await signal.during(() => Promise.resolve())
    const late: string[] = []
    signal.watch(() => late.push('heard'))
    expect(heard).toEqual(['already running', 'already running'])
    expect(late).toEqual([]) // nothing runs now
  })

  it('counts a failed measurement as finished', async () => {
    const signal = new MeasuringSignal()
    await expect(signal.during(() => Promise.reject(new Error('no memory')))).rejects.toThrow('no memory')
    const heard: string[] = []
    signal.watch(() => heard.push('heard'))
    expect(heard).toEqual([])
  })
})

/** A promise to settle by hand, and whether it has. */
function deferred(): { promise: Promise<void>; settle: () => void } {
  let settle = (): void => undefined
  const promise = new Promise<void>((resolve) => (settle = resolve))
  return { promise, settle }
}

const turns = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5))

describe('measurements and photos’ tiles kept apart', () => {
  it('a measurement waits for the tiles running, and tiles asked for meanwhile wait for it', async () => {
    const signal = new MeasuringSignal()
    const log: string[] = []
    signal.watch(() => log.push('told: measuring'))
    const firstTiles = deferred()
    const photo = signal.tiling(async () => {
      log.push('photo 1 tiles start')
      await firstTiles.promise
      log.push('photo 1 tiles end')
    })
    const measuring = deferred()
    const measurement = signal.during(async () => {
      log.push('measure start')
      await measuring.promise
      log.push('measure end')
    })
    await turns()
    const second = signal.tiling(async () => {
      log.push('photo 2 tiles')
      await Promise.resolve()
    })
    await turns()
    // Photo 1's tiles still run: the measurement waits, and so do photo 2's tiles, behind it.
    expect(log).toEqual(['photo 1 tiles start'])
    firstTiles.settle()
    await turns()
    expect(log).toEqual(['photo 1 tiles start', 'photo 1 tiles end', 'told: measuring', 'measure start'])
    measuring.settle()
    await Promise.all([photo, measurement, second])
    expect(log.slice(4)).toEqual(['measure end', 'photo 2 tiles'])
  })

  it('runs a measurement within a measurement (int8 while choosing a device), and tiles at once when none runs', async () => {
    const signal = new MeasuringSignal()
    const inner = await signal.during(() => signal.during(() => Promise.resolve('int8 timed')))
    expect(inner).toBe('int8 timed')
    expect(await signal.tiling(() => Promise.resolve('tiles'))).toBe('tiles')
    // A measurement that failed lets the tiles waiting for it go on.
    const failed = signal.during(() => Promise.reject(new Error('session lost')))
    const tiles = signal.tiling(() => Promise.resolve('after'))
    await expect(failed).rejects.toThrow('session lost')
    expect(await tiles).toBe('after')
  })
})
