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
