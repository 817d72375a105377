import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'

/**
 * Durability as an append-only journal with atomic compaction. Every change is one JSON line,
 * written and fsynced before the caller acts on it; a crash can leave only a torn last line,
 * which loading ignores. Compaction writes a snapshot to a temporary file, fsyncs and renames it
 * over the old one, then empties the journal.
 *
 * Why not SQLite: better-sqlite3 is a native module that must be rebuilt for Electron's ABI and
 * node:sqlite needs Node 22; the queue needs ordered, durable appends, which a journal gives with
 * no dependency and a format a person can read.
 */
export class Journal<Snapshot, Entry> {
  private fd: number | null = null
  private appended = 0

  constructor(
    private readonly dir: string,
    private readonly compactEvery = 5000,
  ) {}

  private get snapshotPath(): string {
    return join(this.dir, 'queue.snapshot.json')
  }
  private get journalPath(): string {
    return join(this.dir, 'queue.journal')
  }

  /** The last snapshot and the entries after it; a torn or corrupt tail line is dropped. */
  load(): { snapshot: Snapshot | null; entries: Entry[]; droppedTail: boolean } {
    const snapshot = existsSync(this.snapshotPath)
      ? (JSON.parse(readFileSync(this.snapshotPath, 'utf8')) as Snapshot)
      : null
    const entries: Entry[] = []
    let droppedTail = false
    if (existsSync(this.journalPath)) {
      const text = readFileSync(this.journalPath, 'utf8')
      let validBytes = 0
      for (const line of text.split('\n')) {
        if (line === '') {
          validBytes += 1
          continue
        }
        try {
          entries.push(JSON.parse(line) as Entry)
          validBytes += Buffer.byteLength(line) + 1
        } catch {
          droppedTail = true
          break
        }
      }
      if (droppedTail) truncateSync(this.journalPath, Math.min(validBytes, Buffer.byteLength(text)))
    }
    this.appended = entries.length
    return { snapshot, entries, droppedTail }
  }

  append(entry: Entry): void {
    this.fd ??= openSync(this.journalPath, 'a')
    writeSync(this.fd, `${JSON.stringify(entry)}\n`)
    fsyncSync(this.fd)
    this.appended++
  }

  /** True when enough entries piled up that the owner should call compact(). */
  get wantsCompaction(): boolean {
    return this.appended >= this.compactEvery
  }

  compact(snapshot: Snapshot): void {
    const temp = `${this.snapshotPath}.tmp`
    const fd = openSync(temp, 'w')
    try {
      writeSync(fd, JSON.stringify(snapshot))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, this.snapshotPath)
    this.close()
    truncateSync(this.journalPath, 0)
    this.appended = 0
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }
}
