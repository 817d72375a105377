import { cancelledError, throwIfCancelled } from '../../shared/errors.js'

/**
 * At most `limit` pieces of work at once, the rest waiting in line in the order they came; a finished one hands
 * its place straight to the next, so no newcomer takes it in between, and one cancelled while waiting leaves.
 * For work that holds a whole photo in memory (a HEIC's decoder, a BMP's pixels): an album's visible thumbnails
 * are all asked for at once.
 */
export class Turns {
  private running = 0
  private readonly waiting: (() => void)[] = []

  constructor(private readonly limit: number) {}

  async take<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    throwIfCancelled(signal)
    if (this.running < this.limit) this.running++
    else await this.handedOver(signal)
    try {
      return await work()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }

  private handedOver(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((start, reject) => {
      const leave = (): void => {
        this.waiting.splice(this.waiting.indexOf(take), 1)
        reject(cancelledError())
      }
      const take = (): void => {
        signal?.removeEventListener('abort', leave)
        start()
      }
      this.waiting.push(take)
      signal?.addEventListener('abort', leave, { once: true })
    })
  }
}
