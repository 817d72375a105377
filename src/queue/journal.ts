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
import { errnoCode, isDiskFull } from '../node/errno.js'
import { driveNotAnswering } from '../node/file-access.js'
import { writeFullySync } from '../node/write-fully.js'
import { EnhanceError } from '../shared/errors.js'

/**
 * The queue's own folder refused a change (its disk full, its drive gone): nothing of it was kept, and what was
 * recorded before stands.
 */
export class QueueWriteError extends EnhanceError {}

/** How a drive that cannot add to a file it wrote says so: a cloud drive mounted without a write cache. */
const CANNOT_APPEND = new Set(['ESPIPE', 'EBADF', 'EINVAL', 'EPERM', 'EOPNOTSUPP', 'ENOTSUP', 'ENOSYS'])

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
  /** Where a failed append could not be cut back (its drive gone): the next append, on its drive again, cuts there first. */
  private tornAt: number | null = null

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

  /**
   * Refuses, before any work, a folder whose drive cannot keep a journal: one that cannot add to a file it wrote
   * and closed (a cloud drive mounted without a write cache), which would fail at the first change of a later run,
   * or one that stopped answering.
   */
  checkAppendable(): void {
    const probe = join(this.dir, `.queue-probe-${process.pid}`)
    try {
      for (const [flags, text] of [
        ['w', 'a'],
        ['a', 'b'],
      ] as const) {
        const fd = openSync(probe, flags)
        try {
          writeFullySync(fd, Buffer.from(text))
          fsyncSync(fd)
        } finally {
          closeQuietly(fd)
        }
      }
      if (readFileSync(probe, 'utf8') !== 'ab')
        throw Object.assign(new Error('appended text lost'), { code: 'EINVAL' })
    } catch (error) {
      // A full disk says nothing of the drive: the queue opens, and a change that does not fit pauses its job.
      if (!isDiskFull(error)) throw this.writeError(error)
    } finally {
      removeQuietly(probe)
    }
  }

  /** Appends one entry; on a failure (a full disk, a drive gone), the journal is cut back to the entries before it. */
  append(entry: Entry): void {
    let end: number | null = null
    try {
      this.fd ??= openSync(this.journalPath, 'a')
      if (this.tornAt !== null) this.cutBackTo(this.tornAt)
      this.tornAt = null
      end = fstatSync(this.fd).size
      writeFullySync(this.fd, Buffer.from(`${JSON.stringify(entry)}\n`))
      fsyncSync(this.fd)
    } catch (error) {
      // A torn line would join the next entry's, and loading would skip both.
      if (end !== null) this.tryCutBackTo(end)
      // A drive that dropped its connection leaves this handle dead: the next change, once it is back, opens anew.
      this.close()
      throw this.writeError(error)
    }
    this.appended++
  }

  private tryCutBackTo(size: number): void {
    try {
      this.cutBackTo(size)
    } catch {
      this.tornAt = size
    }
  }

  private cutBackTo(size: number): void {
    try {
      ftruncateSync(this.fd!, size)
    } catch {
      // Windows opens a file to append without the right to truncate it (libuv drops FILE_WRITE_DATA).
      truncateSync(this.journalPath, size)
    }
  }

  /** A system call's refusal as the coded error the queue pauses with; any other failure as it came. */
  private writeError(error: unknown): unknown {
    const code = errnoCode(error)
    if (code === undefined) return error
    if (isDiskFull(error))
      return new QueueWriteError(
        'DISK_FULL',
        `The disk holding the queue, ${this.dir}, is full, so the job's progress cannot be recorded. Free some space there and try again; nothing done so far is lost.`,
      )
    return new QueueWriteError(
      'QUEUE_NOT_WRITABLE',
      `The queue in ${this.dir} cannot be written: ${this.whyNot(error, code)}`,
    )
  }

  private whyNot(error: unknown, code: string): string {
    const gone = driveNotAnswering(this.journalPath, error)
    if (gone) return `${gone}. Reconnect it; nothing recorded so far is lost.`
    if (code === 'EACCES')
      return `this user may not write there now (${code}). Make it writable again, or keep the queue elsewhere (--queue-dir, or ENHANCE_DATA_DIR).`
    if (code === 'EROFS')
      return `its drive is read-only now (${code}). Keep the queue elsewhere (--queue-dir, or ENHANCE_DATA_DIR).`
    if (CANNOT_APPEND.has(code))
      return `its drive cannot add to a file it wrote (${code}), as a cloud drive mounted without a write cache cannot (rclone mount without --vfs-cache-mode writes, an S3 or Cloud Storage mount). Keep the queue on a local disk (--queue-dir, or ENHANCE_DATA_DIR), or mount that drive with a write cache.`
    return `its drive refused a write (${code}). Check the drive, or keep the queue elsewhere (--queue-dir, or ENHANCE_DATA_DIR).`
  }

  /** True when enough entries piled up that the owner should call compact(). */
  get wantsCompaction(): boolean {
    return this.appended >= this.compactEvery
  }

  compact(snapshot: Snapshot): void {
    const temp = `${this.snapshotPath}.tmp`
    try {
      this.writeSnapshot(temp, snapshot)
      renameSync(temp, this.snapshotPath)
      this.close()
      truncateSync(this.journalPath, 0)
    } catch (error) {
      throw this.writeError(error)
    }
    this.appended = 0
  }

  /** A snapshot cut short (a full disk) is removed: it must never replace the last whole one and empty the journal. */
  private writeSnapshot(temp: string, snapshot: Snapshot): void {
    const fd = openSync(temp, 'w')
    try {
      writeFullySync(fd, Buffer.from(JSON.stringify(snapshot)))
      fsyncSync(fd)
    } catch (error) {
      closeQuietly(fd)
      removeQuietly(temp)
      throw error
    }
    closeSync(fd)
  }

  /** Every entry was fsynced when written: a close that fails (a drive gone) loses nothing. */
  close(): void {
    if (this.fd !== null) closeQuietly(this.fd)
    this.fd = null
  }
}

/** Best effort: on a drive gone, a temporary file stays until the next run's write over it. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true })
  } catch {
    // left for the next run
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // nothing of it was left unwritten
  }
}
