import type { TileProgressData } from '../shared/protocol.js'

/** What a request waiting on a measurement tells of its progress: no tiles yet, the engine timing this computer. */
export const MEASURING_PROGRESS: TileProgressData = { tilesDone: 0, tiles: 0, etaMs: null, measuring: true }

/**
 * Whether the engine is timing this computer (which device, int8 or float32, which tile side): work done
 * once per machine and model that can take seconds before a first photo's first tile. Whoever waits can
 * say so instead of an unexplained "preparing…".
 *
 * It also keeps timings and photos' tiles apart: both share the processor (or the GPU), so a measurement taken while
 * a photo's tiles run would be slow, remembered so on this machine for good, and slow the photo. A measurement waits
 * for the tile running to end, and the tiles asked for meanwhile wait for it (`tiling`, around each tile's network
 * run: a measurement asked for during a large photo slips in between two of its tiles, not after the photo).
 */
export class MeasuringSignal {
  private running = 0
  private tilesRunning = 0
  private readonly listeners = new Set<() => void>()
  private untiledWaiters: (() => void)[] = []
  private measuredWaiters: (() => void)[] = []

  /** Runs one measurement once no tile's network runs, telling every listener as it starts. */
  async during<T>(measure: () => Promise<T>): Promise<T> {
    this.running++
    try {
      while (this.tilesRunning > 0) await new Promise<void>((wake) => this.untiledWaiters.push(wake))
      for (const listener of this.listeners) listener()
      return await measure()
    } finally {
      this.running--
      if (this.running === 0) this.measuredWaiters = wakeAll(this.measuredWaiters)
    }
  }

  /** Runs a tile's network once no measurement runs or waits to; measurements asked for meanwhile wait for it. */
  async tiling<T>(run: () => Promise<T>): Promise<T> {
    while (this.running > 0) await new Promise<void>((wake) => this.measuredWaiters.push(wake))
    this.tilesRunning++
    try {
      return await run()
    } finally {
      this.tilesRunning--
      if (this.tilesRunning === 0) this.untiledWaiters = wakeAll(this.untiledWaiters)
    }
  }

  /** Calls `listener` now if a measurement is running, and whenever one starts, until the returned stop is called. */
  watch(listener: () => void): () => void {
    if (this.running > 0 && this.tilesRunning === 0) listener()
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}

function wakeAll(waiters: (() => void)[]): (() => void)[] {
  for (const wake of waiters) wake()
  return []
}
