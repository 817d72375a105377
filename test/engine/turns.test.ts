import { describe, expect, it } from 'vitest'
import { Turns } from '../../src/engine/image/turns.js'
import { codeOf } from '../helpers/errors.js'

/** Work that marks itself running until `release` is called, logging its start. */
function gated(log: string[], running: { now: number; most: number }) {
  const releases = new Map<string, () => void>()
  const work = (name: string) => () =>
    new Promise<string>((done) => {
      log.push(name)
      running.most = Math.max(running.most, ++running.now)
      releases.set(name, () => {
        running.now--
        done(name)
      })
    })
  const release = (name: string) => releases.get(name)!()
  return { work, release }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('Turns', () => {
  it('runs at most its limit at once, the rest in the order they came, each place passed straight on', async () => {
    const turns = new Turns(2)
    const log: string[] = []
    const running = { now: 0, most: 0 }
    const { work, release } = gated(log, running)
    const results = ['a', 'b', 'c', 'd', 'e'].map((name) => turns.take(work(name)))
    await settle()
    expect(log).toEqual(['a', 'b'])
    release('b')
    // A newcomer right after b finished, before c has started, still waits behind c, d and e.
    for (let tick = 0; tick < 10; tick++) await Promise.resolve()
    const late = turns.take(work('f'))
    await settle()
    expect(log).toEqual(['a', 'b', 'c'])
    for (const name of ['a', 'c', 'd', 'e']) {
      release(name)
      await settle()
    }
    release('f')
    expect(await Promise.all([...results, late])).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
    expect(running.most).toBe(2)
  })

  it('lets work cancelled in line leave it, never run, and gives its place to the next; a failure frees its own', async () => {
    const turns = new Turns(1)
    const log: string[] = []
    const { work, release } = gated(log, { now: 0, most: 0 })
    const first = turns.take(work('first'))
    const cancel = new AbortController()
    const cancelled = codeOf(() => turns.take(work('cancelled'), cancel.signal))
    const next = turns.take(work('next'))
    await settle()
    cancel.abort()
    expect(await cancelled).toBe('CANCELLED')
    release('first')
    await settle()
    expect(log).toEqual(['first', 'next'])
    release('next')
    expect([await first, await next]).toEqual(['first', 'next'])
    await expect(turns.take(() => Promise.reject(new Error('broken')))).rejects.toThrow('broken')
    expect(await turns.take(() => Promise.resolve('after a failure'))).toBe('after a failure')
    const already = new AbortController()
    already.abort()
    expect(await codeOf(() => turns.take(work('never'), already.signal))).toBe('CANCELLED')
    expect(log).toEqual(['first', 'next'])
  })
})
