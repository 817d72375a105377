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
