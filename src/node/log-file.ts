import { appendFile, mkdir, rename, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { printable } from '../shared/printable.js'

/** How large the log grows before it is set aside as `<name>.1`, the one before dropped: two files at most. */
export const LOG_MAX_BYTES = 1 << 20

/**
 * The app's diagnostic log, what a person sends with a report (Help › Show Log File). Each line is timestamped
 * and written in order; characters an editor or terminal acts on are written as their codes, so a photo's
 * name cannot begin a line of its own. Writing never throws: a log that cannot be written is no reason for
 * the app to stop. Hand-written because it is this small: a rotating-file library would bring its own
 * scheduling for one size check.
 */
export class LogFile {
  private size: number | null = null
  private last: Promise<void> = Promise.resolve()

  constructor(
    readonly path: string,
    private readonly maxBytes = LOG_MAX_BYTES,
  ) {}

  /** Appends `text`, a line for each of its lines, all under one time; resolves when it is written. */
  write(text: string): Promise<void> {
    const time = new Date().toISOString()
    const lines = text.split(/\r?\n/).map((line) => `${time} ${printable(line)}\n`)
    const written = this.last.then(() => this.append(lines.join(''))).catch(() => undefined)
    this.last = written
    return written
  }

  private async append(lines: string): Promise<void> {
    this.size ??= (await stat(this.path).catch(() => null))?.size ?? 0
    const bytes = Buffer.byteLength(lines)
    if (this.size > 0 && this.size + bytes > this.maxBytes) {
      await rename(this.path, `${this.path}.1`)
      this.size = 0
    }
    await mkdir(dirname(this.path), { recursive: true })
    await appendFile(this.path, lines)
    this.size += bytes
  }
}
