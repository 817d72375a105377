/** macOS names each file of one "Open with" in its own event, this close together. */
const BATCH_MS = 150

/**
 * Photos and folders the system asks the app to open, gathered into one job per gesture and held until the
 * window is ready for them: a launch names them before there is a window, and macOS may name them before
 * the app is ready at all.
 */
export class OpenRequests {
  #pending: string[] = []
  #timer: NodeJS.Timeout | null = null
  #deliver: ((paths: string[]) => void) | null = null

  add(paths: readonly string[]): void {
    if (paths.length === 0) return
    this.#pending.push(...paths)
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.#flush()
    }, BATCH_MS)
  }

  /** The window is ready: what waited goes to it now, and later requests as they come. */
  ready(deliver: (paths: string[]) => void): void {
    this.#deliver = deliver
    if (!this.#timer) this.#flush()
  }

  #flush(): void {
    if (!this.#deliver || this.#pending.length === 0) return
    const paths = [...new Set(this.#pending)]
    this.#pending = []
    this.#deliver(paths)
  }
}
