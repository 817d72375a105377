import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
} from 'node:fs'
import { join } from 'node:path'
import { isDiskFull } from '../node/errno.js'
import { writeFullySync } from '../node/write-fully.js'
import { EnhanceError } from '../shared/errors.js'

/** The queue's own disk refused a change (full): nothing of it was kept, and what was recorded before stands. */
export class QueueWriteError extends EnhanceError {}

/** How loading reads untrusted lines: a parser that returns null for anything it won't accept. */
export interface JournalParsers<Snapshot, Entry> {
  entry: (value: unknown) => Entry | null
  snapshot: (value: unknown) => { snapshot: Snapshot; dropped: number } | null
}

export interface JournalLoad<Snapshot, Entry> {
  snapshot: Snapshot | null
  entries: Entry[]
  /** The last line was torn by a crash (no newline, not JSON) and was cut off. */
  droppedTail: boolean
  /** Lines and snapshot records that were not valid and were skipped; the rest was kept. */
  skipped: number
  /** The snapshot could not be read at all and was set aside as `queue.snapshot.json.bad`. */
  snapshotSetAside: boolean
}

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
    private readonly parsers: JournalParsers<Snapshot, Entry>,
    private readonly compactEvery = 5000,
  ) {}

  private get snapshotPath(): string {
    return join(this.dir, 'queue.snapshot.json')
  }
  private get journalPath(): string {
    return join(this.dir, 'queue.journal')
  }

  /**
   * The last snapshot and the entries after it. Nothing on disk can stop loading: a bad line or
   * record is skipped and counted, the rest kept; only a torn last line (a crash mid-write) is cut.
   */
  load(repair = true): JournalLoad<Snapshot, Entry> {
    const result: JournalLoad<Snapshot, Entry> = {
      snapshot: null,
      entries: [],
      droppedTail: false,
      skipped: 0,
      snapshotSetAside: false,
    }
    this.loadSnapshot(result, repair)
    if (existsSync(this.journalPath)) this.loadEntries(readFileSync(this.journalPath, 'utf8'), result, repair)
    this.appended = result.entries.length
    return result
  }

  /** `repair`: set an unreadable snapshot aside and cut a torn tail; without it (a reader beside the owner) nothing is written. */
  private loadSnapshot(result: JournalLoad<Snapshot, Entry>, repair: boolean): void {
    if (!existsSync(this.snapshotPath)) return
    let parsed: ReturnType<JournalParsers<Snapshot, Entry>['snapshot']>
    try {
      parsed = this.parsers.snapshot(JSON.parse(readFileSync(this.snapshotPath, 'utf8')))
    } catch {
      parsed = null
    }
    if (parsed) {
      result.snapshot = parsed.snapshot
      result.skipped += parsed.dropped
    } else if (repair) {
      renameSync(this.snapshotPath, `${this.snapshotPath}.bad`)
      result.snapshotSetAside = true
    }
  }

  private loadEntries(text: string, result: JournalLoad<Snapshot, Entry>, repair: boolean): void {
    const lines = text.split('\n')
    // The text after the last newline is a line whose write a crash cut short, if it isn't valid.
    const tail = lines.pop() ?? ''
    for (const line of lines) {
      if (line === '') continue
      const entry = this.parse(line)
      if (entry) result.entries.push(entry)
      else result.skipped++
    }
    if (tail === '') return
    const entry = this.parse(tail)
    if (entry) {
      result.entries.push(entry)
    } else {
      if (repair) truncateSync(this.journalPath, Buffer.byteLength(text) - Buffer.byteLength(tail))
      result.droppedTail = true
    }
  }

  private parse(line: string): Entry | null {
    try {
      return this.parsers.entry(JSON.parse(line))
    } catch {
      return null
    }
  }

  /** Appends one entry; on a failure (a full disk), the journal is cut back to the entries before it. */
  append(entry: Entry): void {
    this.fd ??= openSync(this.journalPath, 'a')
    const end = fstatSync(this.fd).size
    try {
      writeFullySync(this.fd, Buffer.from(`${JSON.stringify(entry)}\n`))
      fsyncSync(this.fd)
    } catch (error) {
      // A torn line would join the next entry's, and loading would skip both.
      this.cutBackTo(end)
      throw this.writeError(error)
    }
    this.appended++
  }

  private cutBackTo(size: number): void {
    try {
      ftruncateSync(this.fd!, size)
    } catch {
      // Windows opens a file to append without the right to truncate it (libuv drops FILE_WRITE_DATA).
      truncateSync(this.journalPath, size)
    }
  }

  private writeError(error: unknown): unknown {
    if (!isDiskFull(error)) return error
    return new QueueWriteError(
      'DISK_FULL',
      `The disk holding the queue, ${this.dir}, is full, so the job's progress cannot be recorded. Free some space there and try again; nothing done so far is lost.`,
    )
  }

  /** True when enough entries piled up that the owner should call compact(). */
  get wantsCompaction(): boolean {
    return this.appended >= this.compactEvery
  }

  compact(snapshot: Snapshot): void {
    const temp = `${this.snapshotPath}.tmp`
    const fd = openSync(temp, 'w')
    try {
      // A snapshot cut short by a full disk must never replace the last whole one, and empty the journal.
      writeFullySync(fd, Buffer.from(JSON.stringify(snapshot)))
      fsyncSync(fd)
    } catch (error) {
      closeSync(fd)
      rmSync(temp, { force: true })
      throw this.writeError(error)
    }
    closeSync(fd)
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
