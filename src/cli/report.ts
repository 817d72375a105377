import { basename } from 'node:path'
import type { ErrorData } from '../shared/errors.js'

export type BatchEvent =
  | { event: 'start'; inputs: string[] }
  | { event: 'item'; item: string; index: number; output: string }
  | { event: 'progress'; item: string; tile: number; tiles: number; etaMs: number | null }
  | { event: 'done'; item: string; output: string; ms: number; provider: string }
  | { event: 'failed'; item: string; code: ErrorData['code']; message: string }
  | { event: 'skipped'; item: string; output: string; reason: 'exists' }
  | { event: 'paused'; job: string; code: ErrorData['code']; message: string }
  | {
      event: 'summary'
      done: number
      failed: number
      skipped: number
      pending: number
      /** Unfinished jobs of other runs, left in the shared queue for `enhance --resume` or the app. */
      waiting: number
      ms: number
    }

export interface Reporter {
  emit(event: BatchEvent): void
  close(): void
}

/** --json: one JSON object per line on stdout, for scripts. */
export function ndjsonReporter(write: (line: string) => void): Reporter {
  return { emit: (event) => write(JSON.stringify(event)), close: () => undefined }
}

function formatEta(ms: number | null): string {
  if (ms === null) return ''
  const seconds = Math.round(ms / 1000)
  return seconds >= 60
    ? ` ETA ${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
    : ` ETA ${seconds}s`
}

/** A live bar on a terminal (one line redrawn), plain lines otherwise. */
export function humanReporter(write: (text: string) => void, tty: boolean): Reporter {
  let index = 0
  let live = false
  const line = (text: string): void => {
    write(`${live ? '\r\x1b[2K' : ''}${text}\n`)
    live = false
  }
  return {
    emit(event) {
      switch (event.event) {
        case 'item':
          index = event.index
          return
        case 'progress': {
          if (!tty) return
          const width = 24
          const filled = Math.round((event.tile / event.tiles) * width)
          const bar = '█'.repeat(filled) + '░'.repeat(width - filled)
          write(
            `\r\x1b[2K[${index}] ${basename(event.item)} ${bar} ${event.tile}/${event.tiles} tiles${formatEta(event.etaMs)}`,
          )
          live = true
          return
        }
        case 'done':
          return line(
            `✓ ${event.item} → ${event.output} (${(event.ms / 1000).toFixed(1)} s, ${event.provider})`,
          )
        case 'failed':
          return line(`✗ ${event.item}: ${event.code}: ${event.message}`)
        case 'skipped':
          return line(`- ${event.item}: ${event.output} exists (use --overwrite to replace it)`)
        case 'paused':
          return line(`‖ Paused: ${event.code}: ${event.message} Fix it, then run enhance --resume.`)
        case 'summary':
          line(
            `${event.done} enhanced, ${event.failed} failed, ${event.skipped} skipped in ${(event.ms / 1000).toFixed(1)} s`,
          )
          if (event.waiting > 0)
            line(
              `${event.waiting} other unfinished ${event.waiting === 1 ? 'job waits' : 'jobs wait'} in the queue: enhance --resume (or the app) continues them.`,
            )
          return
        case 'start':
          return
      }
    },
    close: () => (live ? write('\n') : undefined),
  }
}
