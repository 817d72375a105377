import { describe, expect, it, vi } from 'vitest'
import { EngineClient } from '../../src/engine/client.js'
import type { EngineChannel } from '../../src/engine/client.js'
import type { EngineEvent, EngineRequest, EnhanceJob } from '../../src/shared/protocol.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { codeOf } from '../helpers/errors.js'
import { KEEP_PROGRESS } from '../../src/shared/errors.js'
import type { EnhanceError } from '../../src/shared/errors.js'

/** A unit-test seam: an engine that is ready and then answers nothing, like one stuck in a parser. */
class HungEngine implements EngineChannel {
  static spawned: HungEngine[] = []
  readonly sent: EngineRequest[] = []
  killed = false
  private exit: (code: number | null) => void = () => undefined
  constructor() {
    HungEngine.spawned.push(this)
  }
  send(request: EngineRequest): void {
    this.sent.push(request)
  }
  onMessage(listener: (event: EngineEvent) => void): void {
    queueMicrotask(() => listener({ type: 'ready', pid: 1 }))
  }
  onExit(listener: (code: number | null) => void): void {
    this.exit = listener
  }
  kill(): void {
    this.killed = true
    this.exit(null)
  }
}

/** A photo's request to the engine, its result written beside it as PNG (nothing is written: the engine hangs). */
function photoRequest(input: string): EnhanceJob {
  return {
    input,
    output: input.replace(/\.jpg$/, '.png'),
    model: { path: 'm' },
    settings: { ...DEFAULT_SETTINGS, format: 'png' },
  }
}

const deadlines = {
  inspectMs: 50,
  cropMs: 50,
  splitMs: 50,
  imageMs: 50,
  enhanceIdleMs: 80,
  warmUpMs: 50,
  cancelGraceMs: 30,
  keepGraceMs: 30,
}

describe('engine deadlines and cancellation', () => {
  it('a request the engine never answers fails with TIMED_OUT and the engine is restarted', async () => {
    HungEngine.spawned = []
    const client = new EngineClient(() => new HungEngine(), deadlines)
    expect(await codeOf(() => client.inspect('/models/hostile.pth'))).toBe('TIMED_OUT')
    expect(HungEngine.spawned[0]!.killed).toBe(true)
    expect(await codeOf(() => client.inspect('/models/other.pth'))).toBe('TIMED_OUT')
    expect(await codeOf(() => client.thumbnail('/photos/hostile.jpg', 256))).toBe('TIMED_OUT')
    expect(HungEngine.spawned).toHaveLength(3)
    client.close()
  })

  it('a call running when the machine went to sleep is not taken for hung on waking: its deadline counts time awake', async () => {
    vi.useFakeTimers()
    try {
      let now = 0
      const client = new EngineClient(
        () => new HungEngine(),
        { ...deadlines, inspectMs: 10 * 60_000 },
        { now: () => now, cpu: () => 0 },
      )
      let code: string | undefined
      void codeOf(() => client.inspect('/models/slow.pth')).then((c) => (code = c))
      const awakeFor = async (ms: number): Promise<void> => {
        for (let t = 0; t < ms; t += 1_000) {
          now += 1_000
          await vi.advanceTimersByTimeAsync(1_000)
        }
      }
      await awakeFor(60_000)
      // Asleep for a night: Node's timers see the hours go by, the process none of them until it wakes.
      await vi.advanceTimersByTimeAsync(8 * 3600_000)
      now += 8 * 3600_000
      await awakeFor(60_000)
      expect(code).toBeUndefined()
      await awakeFor(8 * 60_000 + 1_000)
      expect(code).toBe('TIMED_OUT')
      client.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it("a long photo is no hung engine while its tiles go on: the deadline counts from each tile's progress", async () => {
    vi.useFakeTimers()
    HungEngine.spawned = []
    try {
      let now = 0
      let tell: (event: EngineEvent) => void = () => undefined
      class WorkingEngine extends HungEngine {
        override onMessage(listener: (event: EngineEvent) => void): void {
          tell = listener
          super.onMessage(listener)
        }
      }
      const client = new EngineClient(
        () => new WorkingEngine(),
        { ...deadlines, enhanceIdleMs: 60_000 },
        { now: () => now, cpu: () => 0 },
      )
      const settings = { ...DEFAULT_SETTINGS, format: 'png' as const }
      const job = { input: '/photos/a.jpg', output: '/out/a.png', model: { path: '/m.pth' }, settings }
      const outcome = (promise: Promise<unknown>) =>
        promise.then(
          () => 'done',
          (e: EnhanceError) => e.code,
        )
      const awakeFor = async (ms: number): Promise<void> => {
        for (let t = 0; t < ms; t += 1_000) {
          now += 1_000
          await vi.advanceTimersByTimeAsync(1_000)
        }
      }
      // Each call's id, as the engine got it.
      const sentId = (n: number): number => HungEngine.spawned.at(-1)!.sent[n]!.id
      const progress = (id: number, done: number) =>
        tell({ type: 'progress', id, tilesDone: done, tiles: 100, etaMs: null })
      let first: string | undefined
      void outcome(client.enhance(job)).then((o) => (first = o))
      // A tile every 50 s for 10 minutes, each within the 60 s deadline, then the photo's reply.
      for (let tile = 1; tile <= 12; tile++) {
        await awakeFor(50_000)
        progress(sentId(0), tile)
      }
      tell({
        type: 'result',
        id: sentId(0),
        kind: 'enhance',
        value: {
          output: '/out/a.png',
          width: 4,
          height: 4,
          format: 'png',
          provider: 'cpu',
          precision: 'fp32',
          tile: 64,
          ms: 1,
        },
      })
      await vi.advanceTimersByTimeAsync(0)
      expect(first).toBe('done')
      // A photo whose tiles stop coming is taken for hung once the deadline passes after the last one.
      let second: string | undefined
      void outcome(client.enhance(job)).then((o) => (second = o))
      await awakeFor(50_000)
      progress(sentId(1), 1)
      await awakeFor(50_000)
      expect(second).toBeUndefined()
      await awakeFor(11_000)
      expect(second).toBe('TIMED_OUT')
      client.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('an engine waiting on a drive that does not answer is not taken for hung while the wait is told; once it answers, the deadline counts again', async () => {
    HungEngine.spawned = []
    const client = new EngineClient(() => new HungEngine(), deadlines)
    const request = photoRequest('/nas/a.jpg')
    let driveHangs = true
    let code: string | undefined
    void codeOf(() => client.enhance(request, { held: () => driveHangs })).then((c) => (code = c))
    // Five times the deadline (80 ms) without a word from the engine.
    await new Promise((r) => setTimeout(r, 400))
    expect(code).toBeUndefined()
    expect(HungEngine.spawned[0]!.killed).toBe(false)
    driveHangs = false
    while (code === undefined) await new Promise((r) => setTimeout(r, 5))
    expect(code).toBe('TIMED_OUT')
    expect(HungEngine.spawned[0]!.killed).toBe(true)
    client.close()
  })

  it('cancelling a stuck request answers CANCELLED at once and restarts the engine after the grace period', async () => {
    HungEngine.spawned = []
    const client = new EngineClient(() => new HungEngine(), { ...deadlines, inspectMs: 10_000 })
    const controller = new AbortController()
    const inspecting = codeOf(() => client.inspect('/models/hostile.pth', { signal: controller.signal }))
    await new Promise((r) => setTimeout(r, 10))
    const started = performance.now()
    controller.abort()
    expect(await inspecting).toBe('CANCELLED')
    expect(performance.now() - started).toBeLessThan(1000)
    expect(HungEngine.spawned[0]!.sent.map((r) => r.type)).toEqual(['inspect', 'cancel'])
    expect(HungEngine.spawned[0]!.killed).toBe(false)
    await new Promise((r) => setTimeout(r, 60))
    expect(HungEngine.spawned[0]!.killed).toBe(true)
    client.close()
  })

  it('closing waits for a paused photo to save, not for views left unanswered (on a frozen drive)', async () => {
    HungEngine.spawned = []
    const patient = { imageMs: 60_000, warmUpMs: 60_000, enhanceIdleMs: 60_000, keepGraceMs: 60_000 }
    const client = new EngineClient(() => new HungEngine(), { ...deadlines, ...patient })
    const thumbnail = codeOf(() => client.thumbnail('/nas/a.jpg', 256))
    const tile = codeOf(() => client.photoTile('/nas/a.jpg', 0, 0))
    await vi.waitFor(() => expect(HungEngine.spawned[0]!.sent).toHaveLength(2))
    // Before, it waited for them too, as long as it was given: here, 5 s and false.
    expect(await client.drain(5_000)).toBe(true)
    const pausing = new AbortController()
    const request = photoRequest('/nas/b.jpg')
    const photo = codeOf(() => client.enhance(request, { signal: pausing.signal }))
    await vi.waitFor(() => expect(HungEngine.spawned[0]!.sent).toHaveLength(3))
    pausing.abort(KEEP_PROGRESS)
    expect(await photo).toBe('CANCELLED')
    expect(await client.drain(100)).toBe(false)
    client.close()
    expect([await thumbnail, await tile]).toEqual(['CANCELLED', 'CANCELLED'])
  })

  it('a photo queued behind a hung inspect can be cancelled, and then fails CANCELLED instead of waiting', async () => {
    HungEngine.spawned = []
    const client = new EngineClient(() => new HungEngine(), {
      ...deadlines,
      inspectMs: 10_000,
      enhanceIdleMs: 10_000,
    })
    const inspect = codeOf(() => client.inspect('/models/hostile.pth'))
    const controller = new AbortController()
    const request = photoRequest('/in/a.jpg')
    const photo = codeOf(() => client.enhance(request, { signal: controller.signal }))
    await new Promise((r) => setTimeout(r, 10))
    controller.abort()
    expect(await photo).toBe('CANCELLED')
    // The stuck engine is restarted after the grace period; the inspect in it fails with it.
    expect(await inspect).toBe('ENGINE_CRASHED')
    client.close()
  })
})

/** A hung engine whose process, like a real one, exits a while after it is killed. */
class SlowToExitEngine extends HungEngine {
  private exitLater: (code: number | null) => void = () => undefined
  override onExit(listener: (code: number | null) => void): void {
    this.exitLater = listener
  }
  override kill(): void {
    this.killed = true
    setTimeout(() => this.exitLater(null), 30)
  }
}

describe('an engine let go before its process has exited', () => {
  const settle = (ms: number) => new Promise((r) => setTimeout(r, ms))

  it('for new settings: what was in flight fails CANCELLED, and the next request runs in a fresh engine', async () => {
    HungEngine.spawned = []
    const client = new EngineClient(() => new SlowToExitEngine(), { ...deadlines, inspectMs: 10_000 })
    const before = codeOf(() => client.inspect('/models/a.pth'))
    await settle(5)
    client.replace()
    expect(await before).toBe('CANCELLED')
    const after = codeOf(() => client.inspect('/models/b.pth'))
    await settle(60) // the first process has exited by now; its exit must not touch the second's request
    expect(HungEngine.spawned.map((e) => [e.killed, e.sent.map((r) => r.type)])).toEqual([
      [true, ['inspect']],
      [false, ['inspect']],
    ])
    client.close()
    expect(await after).toBe('CANCELLED')
  })

  it('after a hang: the others in it fail ENGINE_CRASHED at once, and the next request runs in a fresh engine', async () => {
    HungEngine.spawned = []
    const client = new EngineClient(() => new SlowToExitEngine(), { ...deadlines, imageMs: 10_000 })
    const thumbnail = codeOf(() => client.thumbnail('/photos/a.jpg', 256))
    expect(await codeOf(() => client.inspect('/models/hostile.pth'))).toBe('TIMED_OUT')
    const next = codeOf(() => client.thumbnail('/photos/b.jpg', 256))
    expect(await thumbnail).toBe('ENGINE_CRASHED')
    await settle(60)
    expect(HungEngine.spawned.map((e) => e.sent.length)).toEqual([2, 1])
    client.close()
    expect(await next).toBe('CANCELLED')
  })
})

/** An engine process that dies while starting (a native library that will not load), before it is ready. */
class DiesAtStart implements EngineChannel {
  static spawned = 0
  readonly sent: EngineRequest[] = []
  constructor() {
    DiesAtStart.spawned++
  }
  send(request: EngineRequest): void {
    this.sent.push(request)
  }
  onMessage(): void {}
  onExit(listener: (code: number | null) => void): void {
    setTimeout(() => listener(1), 5)
  }
  kill(): void {}
}

/** An engine process that never gets ready and never exits. */
class NeverReady extends HungEngine {
  override onMessage(): void {}
}

describe('an engine that does not start', () => {
  it('fails the request with ENGINE_NOT_STARTED when the process dies before it is ready', async () => {
    DiesAtStart.spawned = 0
    const client = new EngineClient(() => new DiesAtStart(), deadlines)
    const error = (await client.inspect('/models/a.pth').then(
      () => null,
      (e: unknown) => e,
    )) as EnhanceError
    expect([error.code, error.message]).toEqual([
      'ENGINE_NOT_STARTED',
      'The inference engine could not start (exit 1); if it keeps failing, reinstall Enhance.',
    ])
    expect(await codeOf(() => client.thumbnail('/photos/a.jpg', 256))).toBe('ENGINE_NOT_STARTED')
    expect(DiesAtStart.spawned).toBe(2)
    client.close()
  })

  it('times out a request waiting for an engine that never gets ready, and starts another', async () => {
    HungEngine.spawned = []
    const client = new EngineClient(() => new NeverReady(), deadlines)
    expect(await codeOf(() => client.inspect('/models/a.pth'))).toBe('TIMED_OUT')
    expect(HungEngine.spawned.map((e) => [e.killed, e.sent.length])).toEqual([[true, 0]])
    const controller = new AbortController()
    const waiting = codeOf(() => client.inspect('/models/b.pth', { signal: controller.signal }))
    await new Promise((r) => setTimeout(r, 10))
    controller.abort()
    expect(await waiting).toBe('CANCELLED')
    // Nothing was sent to an engine that was never ready, not even the cancel.
    expect(HungEngine.spawned.map((e) => e.sent.length)).toEqual([0, 0])
    client.close()
  })
})

/** A unit-test seam: an engine that answers every request with a crop reply, whatever was asked. */
class ConfusedEngine extends HungEngine {
  private listener: (event: EngineEvent) => void = () => undefined
  override onMessage(listener: (event: EngineEvent) => void): void {
    this.listener = listener
    super.onMessage(listener)
  }
  override send(request: EngineRequest): void {
    super.send(request)
    const crop = { png: new Uint8Array(), before: new Uint8Array(), width: 1, height: 1, ms: 1 }
    queueMicrotask(() => this.listener({ type: 'result', id: request.id, kind: 'crop', value: crop }))
  }
}

describe('engine replies', () => {
  it('are checked against the kind of request: a reply of another kind fails the call with INTERNAL', async () => {
    const client = new EngineClient(() => new ConfusedEngine(), deadlines)
    expect(await codeOf(() => client.inspect('/models/any.pth'))).toBe('INTERNAL')
    const crop = await client.crop('/in/a.jpg', { x: 0, y: 0, width: 1, height: 1 }, { path: 'm' })
    expect(crop).toMatchObject({ width: 1, height: 1, ms: 1 })
    client.close()
  })
})
