import type { PrecisionChoice } from '../../shared/model.js'
import type { DeviceRequest } from './providers.js'
import type { ModelSession } from './session.js'

export interface SessionKey {
  /** Content hash of the model, or of the blend pair ("a+b"). */
  model: string
  realism: number
  device: DeviceRequest
  precision: PrecisionChoice
}

function keyString(key: SessionKey): string {
  return `${key.model}|${key.realism}|${key.device}|${key.precision}`
}

/**
 * Keeps the most recently used sessions alive so moving the realism slider back and forth
 * does not rebuild them; evicted sessions are released.
 */
export class SessionCache {
  private readonly sessions = new Map<string, Promise<ModelSession>>()

  constructor(private readonly capacity = 3) {}

  async get(key: SessionKey, create: () => Promise<ModelSession>): Promise<ModelSession> {
    const id = keyString(key)
    let pending = this.sessions.get(id)
    if (pending) {
      this.sessions.delete(id)
    } else {
      pending = create()
      pending.catch(() => this.sessions.delete(id))
    }
    this.sessions.set(id, pending)
    await this.evict()
    return pending
  }

  get size(): number {
    return this.sessions.size
  }

  private async evict(): Promise<void> {
    while (this.sessions.size > this.capacity) {
      const [oldest, session] = this.sessions.entries().next().value as [string, Promise<ModelSession>]
      this.sessions.delete(oldest)
      await session.then((s) => s.release()).catch(() => undefined)
    }
  }

  async clear(): Promise<void> {
    const all = [...this.sessions.values()]
    this.sessions.clear()
    await Promise.all(all.map((s) => s.then((x) => x.release()).catch(() => undefined)))
  }
}
