import { stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { DriveWait } from '../shared/drive-wait.js'

export interface DriveWatchTiming {
  /** How often each folder is looked at while the work goes on. */
  lookEveryMs: number
  /** A look unanswered this long means the drive does not answer. */
  patienceMs: number
}

/** A folder on a sound drive, even a slow network one, answers a look within a second or two. */
export const DRIVE_TIMING: DriveWatchTiming = { lookEveryMs: 5_000, patienceMs: 15_000 }

interface Look {
  done: Promise<unknown>
  startedAt: number
  settled: boolean
}

/**
 * The looks not answered yet, shared by every watch: a drive that hangs holds each call made on it (one of libuv's
 * four file threads apiece), so a folder has at most one look pending, whoever asked.
 */
const pending = new Map<string, Look>()

function lookAt(folder: string, look: (folder: string) => Promise<unknown>): Look {
  const known = pending.get(folder)
  if (known) return known
  const started: Look = { done: Promise.resolve(), startedAt: Date.now(), settled: false }
  started.done = look(folder)
    .catch(() => undefined) // a drive that answers with an error answers: the work's own call says what it is
    .finally(() => {
      started.settled = true
      if (pending.get(folder) === started) pending.delete(folder)
    })
  pending.set(folder, started)
  return started
}

/**
 * Looks at each of `paths` once, telling `onWait` of one whose look goes unanswered for the patience (its drive
 * hangs); resolves once every one has answered (or failed). Made before synchronous looks at them, which would hold
 * the process in silence.
 */
export async function firstLooks(
  paths: readonly string[],
  onWait: (wait: DriveWait) => void,
  patienceMs = DRIVE_TIMING.patienceMs,
): Promise<void> {
  const since = Date.now()
  await Promise.all(
    paths.map(async (path) => {
      const told = setTimeout(() => onWait({ folder: path, since }), patienceMs)
      await lookAt(path, stat).done
      clearTimeout(told)
    }),
  )
}

/**
 * Whether `path` lies in a folder (or is one) whose drive hangs: a watch's look at it has gone unanswered for the
 * patience. Anything else read there (a thumbnail) waits as the photo does, and is not taken for a hung engine.
 */
export function onHangingDrive(path: string, patienceMs = DRIVE_TIMING.patienceMs): boolean {
  const now = Date.now()
  return [path, dirname(path)].some((folder) => {
    const look = pending.get(folder)
    return look !== undefined && now - look.startedAt >= patienceMs
  })
}

/**
 * Watches the folders a photo is read from and written to for a drive that hangs rather than fails: a network drive
 * whose server froze (an NFS hard mount, an SMB share), a failing disk. Its calls then neither answer nor fail, so the
 * work waits with no word. Each folder is looked at every `lookEveryMs`; one that leaves a look unanswered for
 * `patienceMs` is told (`onChange`), and told again (`answered`) when it answers.
 */
export class DriveWatch {
  private readonly timer: NodeJS.Timeout
  private readonly looks = new Map<string, Look>()
  private current: DriveWait | null = null
  private stopped = false

  constructor(
    folders: Iterable<string>,
    private readonly onChange: (wait: DriveWait, answered: boolean) => void,
    private readonly timing: DriveWatchTiming = DRIVE_TIMING,
    private readonly look: (folder: string) => Promise<unknown> = stat,
  ) {
    for (const folder of new Set(folders))
      this.looks.set(folder, { done: Promise.resolve(), startedAt: 0, settled: true })
    this.timer = setInterval(() => this.tick(), Math.min(timing.lookEveryMs, timing.patienceMs / 3))
    this.timer.unref()
  }

  /** The folder waited for now, or null. */
  get waiting(): DriveWait | null {
    return this.current
  }

  private tick(): void {
    const now = Date.now()
    let waiting: DriveWait | null = null
    for (const [folder, last] of this.looks) {
      if (!last.settled) {
        if (now - last.startedAt >= this.timing.patienceMs) waiting ??= { folder, since: last.startedAt }
      } else if (now - last.startedAt >= this.timing.lookEveryMs)
        this.looks.set(folder, lookAt(folder, this.look))
    }
    const before = this.current
    if (waiting?.folder === before?.folder) return
    this.current = waiting
    if (before) this.onChange(before, true)
    if (!waiting) return
    this.onChange(waiting, false)
    // Told the moment it answers, not at the next look.
    void this.looks.get(waiting.folder)!.done.then(() => this.stopped || this.tick())
  }

  /** Stops looking; `answered`: the work that waited is done, so the drive it waited on answered it. */
  stop(answered = false): void {
    if (this.stopped) return
    this.stopped = true
    clearInterval(this.timer)
    if (answered && this.current) this.onChange(this.current, true)
  }
}
