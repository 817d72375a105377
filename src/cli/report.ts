import { basename } from 'node:path'
import type { ErrorData } from '../shared/errors.js'
import type { EstimateReply } from '../shared/protocol.js'
import { MEASURING_TEXT } from '../shared/device.js'
import { driveWaitText } from '../shared/drive-wait.js'
import { roughly } from '../shared/durations.js'
import { fitLiveLine } from './live-line.js'
import type { LiveLine } from './live-line.js'
import { printableFields } from './printable.js'
import { pauseRemedy } from './remedies.js'

export type BatchEvent =
  | { event: 'start'; inputs: string[] }
  | { event: 'item'; item: string; index: number; total: number; output: string }
  | {
      event: 'progress'
      item: string
      tile: number
      tiles: number
      etaMs: number | null
      /**
       * The run's time left, this photo's included: from each photo's estimate (its size, and this computer's speed as
       * measured before) once they are known, else at the mean of the photos done; null before either.
       */
      batchEtaMs: number | null
      /** No tiles yet: the engine is timing this computer, once per machine and model. */
      measuring?: true
    }
  | {
      event: 'done'
      item: string
      output: string
      ms: number
      provider: string
      precision?: string
      tile?: number
      /** The engine's note on how it ran (`EnhanceReply.note`). */
      note?: string
    }
  | { event: 'failed'; item: string; code: ErrorData['code']; message: string }
  | { event: 'skipped'; item: string; output: string; reason: 'exists' }
  /** --dry-run: a photo that would be enhanced into `output` (`replaces`: a file of that name is there). */
  | { event: 'planned'; item: string; output: string; replaces: boolean }
  /**
   * --dry-run's end: how many photos would be enhanced (how many replacing a file), and skipped; the model (blended with
   * `blend`), and what they would be made with in words ("realism 50%", "dust removed", "×2").
   */
  | {
      event: 'plan'
      photos: number
      replacing: number
      skipped: number
      model: string
      blend?: string
      made: string[]
      /** How long it would take here, as measured on this computer (none: nothing would be enhanced). */
      estimate?: PlanEstimate
    }
  /** --dry-run: the engine is timing this computer for the estimate (once per model and device). */
  | { event: 'timing' }
  /** Files in the inputs that are not photos Enhance reads (system files aside), by extension. */
  | { event: 'left-out'; files: Record<string, number>; message: string }
  | { event: 'paused'; job: string; code: ErrorData['code']; message: string }
  /** --watch: nothing left to do, waiting for new photos in these folders. */
  | { event: 'watching'; folders: string[] }
  /**
   * The photo in flight (`item`; none: the scan for photos) waits on a drive that has not answered for `ms`; it goes
   * on when it answers. A later event of that photo means it answered.
   */
  | { event: 'waiting'; item?: string; folder: string; ms: number }
  /** That drive answered, after `ms`. */
  | { event: 'answered'; item?: string; folder: string; ms: number }
  /** --watch: the work waits for a drive or folder to come back, or for room; it goes on by itself. */
  | { event: 'held-up'; code: ErrorData['code']; message: string }
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

/** "15s", "1m05s". */
export function duration(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}h${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}m`
  return seconds >= 60
    ? `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`
    : `${seconds}s`
}

/** "· 4s left", "· all 1m20s": this photo's time left, and the batch's once one photo has finished. */
function times(photoMs: number | null, batchMs: number | null): string[] {
  return [
    photoMs === null ? '' : ` · ${duration(photoMs)} left`,
    batchMs === null ? '' : ` · all ${duration(batchMs)}`,
  ].filter(Boolean)
}

function pausedLine(event: Extract<BatchEvent, { event: 'paused' }>): string {
  // Ctrl-C (or pause in the app) is the user's own decision: no error code, just how to go on.
  if (event.code === 'CANCELLED') return '‖ Paused. Run enhance --resume to continue.'
  return `‖ Paused: ${event.message} ${pauseRemedy(event.code)} (${event.code}).`
}

/** What --dry-run found, how they would be made, and how to do it. */
function planLines(plan: Extract<BatchEvent, { event: 'plan' }>): string {
  const { photos, replacing, skipped, model, blend, made } = plan
  const replaced = replacing ? ` (${replacing} replacing ${replacing === 1 ? 'its' : 'their'} file)` : ''
  const left = skipped ? `, ${skipped} skipped` : ''
  const doIt = photos ? ` Run it again without --dry-run to enhance ${photos === 1 ? 'it' : 'them'}.` : ''
  const how = `With ${model}${blend ? ` blended with ${blend}` : ''}${made.length ? `: ${made.join(' · ')}` : ''}.`
  const time = plan.estimate ? `\n  ${estimateWords(plan.estimate)}` : ''
  return `${photos} ${photos === 1 ? 'photo' : 'photos'} would be enhanced${replaced}${left}; nothing was written.${doIt}\n  ${how}${time}`
}

/** A plan's estimate, said for all its photos (each photo's is the app's, for its time left). */
export type PlanEstimate = Omit<EstimateReply, 'perPhotoMs'>

/** How long a plan would take here, on what, for which of its photos, and what that is measured on. */
function estimateWords(estimate: PlanEstimate): string {
  const { ms, photos, megapixels, provider, precision, fromRuns } = estimate
  if (ms === null) return `No time could be estimated: no tile could be timed on ${provider}.`
  const refused = leftOutWords(estimate)
  const mp = megapixels < 10 ? Number(megapixels.toPrecision(2)) : Math.round(megapixels)
  const on = `on ${provider} ${precision} (${photos} ${photos === 1 ? 'photo' : 'photos'}, ${mp} MP${refused})`
  return fromRuns
    ? `It would take ${roughly(ms)} ${on}, at the pace photos were enhanced on this computer.`
    : `The network would take ${roughly(ms)} ${on}, as timed on this computer; reading and writing each photo adds to it (once a photo is enhanced here, estimates count that too).`
}

/** The photos an estimate leaves out, and why ("; 1 whose size could not be read and 2 with more pixels than …"). */
function leftOutWords({ unread, tooLarge }: PlanEstimate): string {
  const why = [
    ...(unread ? [`${unread} whose size could not be read`] : []),
    ...(tooLarge ? [`${tooLarge} with more pixels than --max-pixels allows`] : []),
  ]
  const count = unread + tooLarge
  if (!count) return ''
  return `; ${why.join(' and ')} ${count === 1 ? 'is' : 'are'} left out, as the run would refuse ${count === 1 ? 'it' : 'them'}`
}

/**
 * A live bar on a terminal (one line redrawn, fitted to its width, read at each redraw: terminals are resized),
 * plain lines otherwise.
 */
export function humanReporter(
  write: (text: string) => void,
  tty: boolean,
  columns: () => number | undefined = () => undefined,
): Reporter {
  let index = 0
  let total = 0
  let live = false
  let watchingSaid = false
  const line = (text: string): void => {
    write(`${live ? '\r\x1b[2K' : ''}${text}\n`)
    live = false
  }
  const draw = (text: LiveLine): void => {
    write(`\r\x1b[2K${fitLiveLine(text, columns())}`)
    live = true
  }
  const redraw = (item: string, tail: string[], tiles?: LiveLine['tiles']): void =>
    draw({ position: `[${index}/${total}]`, name: basename(item), tail, ...(tiles ? { tiles } : {}) })
  return {
    emit(told) {
      // A terminal shows names, not the escape sequences they may hold; a log keeps them as they are.
      const event = tty ? printableFields(told) : told
      switch (event.event) {
        case 'item':
          index = event.index
          total = event.total
          // Until its first tile the photo is loading; a measurement, if any, says so itself.
          if (tty) redraw(event.item, [' · preparing…'])
          return
        case 'progress': {
          if (!tty) return
          if (event.measuring) return redraw(event.item, [` · ${MEASURING_TEXT}`])
          const tiles = { done: event.tile, of: event.tiles }
          return redraw(
            event.item,
            [` ${event.tile}/${event.tiles} tiles`, ...times(event.etaMs, event.batchEtaMs)],
            tiles,
          )
        }
        case 'done':
          return line(
            `✓ ${event.item} → ${event.output} (${(event.ms / 1000).toFixed(1)} s, ${event.provider}${event.precision ? ` ${event.precision}` : ''}${event.tile ? `, tiles of ${event.tile}` : ''})${event.note ? `\n  note: ${event.note}` : ''}`,
          )
        case 'failed':
          return line(`✗ ${event.item}: ${event.code}: ${event.message}`)
        case 'left-out':
          return line(`note: ${event.message}`)
        case 'skipped':
          return line(`- ${event.item}: ${event.output} exists (use --overwrite to replace it)`)
        case 'planned':
          return line(
            `+ ${event.item} → ${event.output}${event.replaces ? ' (replaces the file there)' : ''}`,
          )
        case 'plan':
          return line(planLines(event))
        case 'timing':
          return line(`For the estimate, ${MEASURING_TEXT}`)
        case 'paused':
          return line(pausedLine(event))
        case 'waiting':
          return line(
            `‖ Waiting: ${driveWaitText(event.folder, `for ${duration(event.ms)}`)}; Ctrl-C pauses.`,
          )
        case 'answered':
          return line(`  ${event.folder} answered after ${duration(event.ms)}; going on.`)
        case 'held-up':
          return line(
            `‖ Waiting: ${event.message} The watch looks again and goes on by itself (${event.code}).`,
          )
        case 'summary':
          line(
            `${event.done} enhanced, ${event.failed} failed, ${event.skipped} skipped in ${(event.ms / 1000).toFixed(1)} s`,
          )
          if (event.waiting > 0)
            line(
              `${event.waiting} other unfinished ${event.waiting === 1 ? 'job waits' : 'jobs wait'} in the queue: enhance --resume (or the app) continues them.`,
            )
          return
        case 'watching': {
          const folders =
            event.folders.length === 1 ? basename(event.folders[0]!) : `${event.folders.length} folders`
          const tail = [' for new photos', ' · Ctrl-C stops']
          if (tty) draw({ position: 'Watching', name: folders, tail })
          else if (!watchingSaid) line(`Watching ${folders}${tail.join('')}`)
          watchingSaid = true
          return
        }
        case 'start':
          return
      }
    },
    close: () => (live ? write('\n') : undefined),
  }
}
