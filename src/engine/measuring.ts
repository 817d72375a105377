import type { TileProgressData } from '../shared/protocol.js'

/** What a request waiting on a measurement tells of its progress: no tiles yet, the engine timing this computer. */
export const MEASURING_PROGRESS: TileProgressData = { tilesDone: 0, tiles: 0, etaMs: null, measuring: true }

/**
 * Whether the engine is timing this computer (which device, int8 or float32, which tile side): work done
 * once per machine and model that can take seconds before a first photo's first tile. Whoever waits can
 * say so instead of an unexplained "preparing…".
 */
export class MeasuringSignal {
  private running = 0
  private readonly listeners = new Set<() => void>()

  /** Runs one measurement, telling every listener that it started. */
  async during<T>(measure: () => Promise<T>): Promise<T> {
    this.running++
    for (const listener of this.listeners) listener()
    try {
      return await measure()
    } finally {
      this.running--
    }
  }

  /** Calls `listener` now if a measurement is running, and whenever one starts, until the returned stop is called. */
  watch(listener: () => void): () => void {
    if (this.running > 0) listener()
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
