import { mkdirSync } from 'node:fs'
import { Journal } from './journal.js'
import { QueueState } from './state.js'
import type { QueueEntry, QueueSnapshot } from './state.js'

/** The queue state plus its journal: `commit` makes a change durable, then applies it. */
export class QueueStore {
  readonly state: QueueState
  private readonly journal: Journal<QueueSnapshot, QueueEntry>
  /** The journal's last line was torn by a crash and was dropped on load. */
  readonly recoveredTornTail: boolean

  constructor(dir: string, compactEvery = 5000) {
    mkdirSync(dir, { recursive: true })
    this.journal = new Journal(dir, compactEvery)
    const { snapshot, entries, droppedTail } = this.journal.load()
    this.state = QueueState.from(snapshot, entries)
    this.recoveredTornTail = droppedTail
  }

  commit(entry: QueueEntry): void {
    this.journal.append(entry)
    this.state.apply(entry)
    if (this.journal.wantsCompaction) this.journal.compact(this.state.snapshot())
  }

  compact(): void {
    this.journal.compact(this.state.snapshot())
  }

  close(): void {
    this.journal.close()
  }
}
