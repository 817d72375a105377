import type {
  CopiedImage,
  EnhanceApi,
  ItemView,
  JobView,
  PhotoRef,
  Selection,
  SplitOutcome,
} from '../../../shared/api.js'
import type { ErrorData } from '../../../shared/errors.js'
import type { FilledCounts } from '../../../shared/protocol.js'
import { clearsByItself } from '../../../shared/errors.js'
import { MEASURING_TEXT } from '../../../shared/device.js'
import { formatSize } from '../../../shared/library.js'
import { basename, percent, shownName } from '../../../shared/job-title.js'
import { printable } from '../../../shared/printable.js'
import type { TileProgressData } from '../../../shared/protocol.js'
import { repairWords, sameRepairs } from '../../../shared/settings.js'
import type { Repairs } from '../../../shared/settings.js'
import { facingWords } from '../../../shared/turn.js'
import type { Facing } from '../../../shared/turn.js'
import { takenWords } from '../../../shared/taken.js'
import type { Taken } from '../../../shared/taken.js'
import { captionQuoted } from '../../../shared/chosen-words.js'
import { roughly, withPhotoLeft } from '../../../shared/durations.js'
import { hasTimeToCome } from '../../../shared/states.js'
import type { Caption } from '../../../shared/caption.js'

export { jobTitle, percent, shownName } from '../../../shared/job-title.js'
// Text from outside (a message naming a file, a model's name) is shown through it.
export { printable } from '../../../shared/printable.js'
export { repairWords } from '../../../shared/settings.js'
export { captionQuoted } from '../../../shared/chosen-words.js'

/** A time of day as the person's own clock shows it ("14:02", "2:02 PM"). */
export function clockTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
}

export function eta(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return ''
  const s = Math.round(ms / 1000)
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s left` : `${s} s left`
}

type JobTime = Pick<JobView, 'state' | 'etaMs' | 'etaEstimated' | 'inFlightMs'>

/**
 * The time a job's card says: while it runs, the time left at the pace of its photos done, the photo being enhanced
 * counted by its own tiles (`photo`); before any is done, the engine's estimate from their sizes, no more precise
 * than an estimate is ("about 12 min left").
 */
export function jobTimeLeft(job: JobTime, photo?: TileProgressData): string {
  const ms = jobMsLeft(job, photo)
  if (!ms) return ''
  if (!job.etaEstimated) return job.state === 'running' ? eta(ms) : ''
  return hasTimeToCome(job.state) ? `${roughly(ms)} left` : ''
}

/** A job's time left with the photo in flight's own time left in place of its whole share, where both are known. */
function jobMsLeft(
  { state, etaMs, inFlightMs }: JobTime,
  photo: TileProgressData | undefined,
): number | null {
  if (state !== 'running' || etaMs === null || inFlightMs === null || !photo) return etaMs
  return withPhotoLeft({ ms: etaMs, inFlightMs }, photo.etaMs)
}

/**
 * How far the photo being enhanced is: "75% · 2 s left", or "paused at 75%" while its job is paused; before
 * its first tile "preparing…" (loading), or what the engine is measuring on a first run; "waiting for its drive"
 * while a drive it is read from or written to does not answer (no time left is said: none can be known).
 */
export function photoProgress(
  progress: TileProgressData | undefined,
  paused: boolean,
  waitingForDrive = false,
): string {
  if (waitingForDrive && !paused) return 'waiting for its drive'
  if (!progress) return paused ? 'paused' : 'preparing…'
  if (progress.measuring) return paused ? 'paused' : MEASURING_TEXT
  const done = `${Math.floor((100 * progress.tilesDone) / Math.max(1, progress.tiles))}%`
  if (paused) return `paused at ${done}`
  const left = eta(progress.etaMs)
  return left ? `${done} · ${left}` : done
}

/**
 * A job's photos dealt with: enhanced, failed or skipped. A cancelled one was not, so a cancelled job's bar stops where
 * its work did (before, it filled: "0 of 3 enhanced" under a full bar).
 */
export function dealtWith({
  done,
  failed,
  skipped,
}: Pick<JobView['counts'], 'done' | 'failed' | 'skipped'>): number {
  return done + failed + skipped
}

/** Photos dealt with, plus the fraction of the one in progress: the job's bar moves with every tile. */
export function jobProgress(
  dealt: number,
  progress: { tilesDone: number; tiles: number } | undefined,
): number {
  return dealt + (progress ? progress.tilesDone / Math.max(1, progress.tiles) : 0)
}

/** A photo's state in words: a photo of a paused job is paused, not running. */
export function itemStateText(item: ItemView, jobState: JobView['state']): string {
  const state = item.state === 'running' && jobState === 'paused' ? 'paused' : item.state
  return item.provider ? `${state} on ${item.provider.toUpperCase()}` : state
}

/**
 * What to do next in the window, for the codes whose message cannot say it (a button to press, a photo to add
 * again). The engine's message says what to do anywhere; each surface adds how to get past it there (the
 * command line's are in cli/remedies.ts).
 */
const ADVICE: Partial<Record<ErrorData['code'], string>> = {
  PARTIAL_IMAGE:
    'Or press “Enhance what can be read”: the missing part is filled in grey or black, as photo viewers show it.',
  DISK_FULL: 'Free some disk space, then press Resume.',
  RESULT_TOO_LARGE: 'Choose a smaller Size (or another format) in Settings, then add the photo again.',
  OUTPUT_NOT_WRITABLE: 'Choose an output folder you can write to, then press Resume.',
  PATH_TOO_LONG: 'Change “Save to” to a folder nearer the top of the drive, then add the photo again.',
  INPUT_UNAVAILABLE: 'Then press Resume: the photos not yet enhanced go on.',
  QUEUE_NOT_WRITABLE: 'Then press Resume: the photos not yet enhanced go on.',
  ENGINE_CRASHED: 'The engine restarted. Press Retry to try this photo again.',
  ENGINE_NOT_STARTED: 'Press Resume to try again.',
  DEVICE_UNAVAILABLE:
    'Choose another device in Settings (Automatic picks one that works here), then press Resume.',
  FILE_NOT_FOUND: 'The photo was moved or deleted. Add it again from its new place.',
  NETWORK_UNAVAILABLE: 'Check the internet connection and press Download again; it resumes where it stopped.',
  CHECKSUM_MISMATCH: 'The file was not the model listed, so it was deleted. Try again later.',
  CATALOGUE_MISMATCH: 'The file was not the model listed, so it was not installed.',
}

/** What to do about a paused job: a watched one paused by a drive (gone, full) goes on by itself once it is back. */
export function pauseAdvice(job: Pick<JobView, 'pauseReason' | 'watching'>): string {
  if (!job.pauseReason) return ''
  if (job.watching && clearsByItself(job.pauseReason))
    return 'The watch goes on by itself once that is put right (it looks every 30 s), or press Resume.'
  return advice(job.pauseReason)
}

export function advice(error: ErrorData): string {
  return ADVICE[error.code] ?? ''
}

/** How many specks and scratches were filled, in words ("37 specks and 1 scratch"; "no specks"). */
export function filledWords({ specks, scratches }: FilledCounts): string {
  const count = (n: number, one: string, many: string) => `${n === 0 ? 'no' : n} ${n === 1 ? one : many}`
  return [
    specks === undefined ? '' : count(specks, 'speck', 'specks'),
    scratches === undefined ? '' : count(scratches, 'scratch', 'scratches'),
  ]
    .filter(Boolean)
    .join(' and ')
}

/** What the places kept hold over a whole photo, in words ("1 speck and 2 scratches kept"; "none kept"). */
export function heldWords(kept: FilledCounts): string {
  const some: FilledCounts = {
    ...(kept.specks ? { specks: kept.specks } : {}),
    ...(kept.scratches ? { scratches: kept.scratches } : {}),
  }
  return some.specks || some.scratches ? `${filledWords(some)} kept` : 'none kept'
}

/** How many places of a photo are kept from dust and scratch removal, in words ("1 place kept"; "none kept"). */
export function keptWords(count: number): string {
  return count === 0 ? 'none kept' : `${count} place${count === 1 ? '' : 's'} kept`
}

/**
 * A photo's kept places in words, where they keep anything: not while neither dust nor scratches are removed from it
 * (they are kept for when either is again).
 */
function keptInEffectWords({ repairs, kept }: Pick<ItemView, 'repairs' | 'kept'>): string[] {
  const count = repairs.removeDust || repairs.removeScratches ? kept.length : 0
  return count ? [keptWords(count)] : []
}

/**
 * A photo's own repairs, where they differ from its job's, and the places it keeps, in words ("Repairs for this photo
 * alone: scratches removed; 1 place kept"); empty when it is mended as its job is.
 */
export function ownRepairsWords(item: Pick<ItemView, 'repairs' | 'kept'>, jobRepairs: Repairs): string {
  const own = sameRepairs(item.repairs, jobRepairs) ? [] : [repairWords(item.repairs) || 'none']
  const kept = keptInEffectWords(item)
  return own.length || kept.length ? `Repairs for this photo alone: ${[...own, ...kept].join('; ')}` : ''
}

/**
 * How a queued photo is enhanced, in a sentence: "photo.jpg is at 50%, dust removed, 1 place kept, turned a quarter
 * right."; without a GAN partner, "photo.jpg: no repairs.".
 */
export function adjustedWords(
  item: Pick<ItemView, 'input' | 'realism' | 'repairs' | 'kept' | 'facing' | 'taken'>,
): string {
  const turned = facingWords(item.facing)
  const mended = [
    repairWords(item.repairs) || 'no repairs',
    ...keptInEffectWords(item),
    ...(turned ? [turned] : []),
    ...(item.taken ? [takenWords(item.taken)] : []),
  ]
  const name = shownName(item.input)
  return `${item.realism === null ? `${name}:` : `${name} is at ${percent(item.realism)},`} ${mended.join(', ')}.`
}

/** `text` with its first letter a capital, to begin a sentence. */
export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/**
 * A queued photo's own facing as its row says it, where it is not its job's: "Turned a quarter right", "Mirrored",
 * "Not turned".
 */
export function turnNote(facing: Facing): string {
  const words = facingWords(facing)
  return words ? capitalised(words) : 'Not turned'
}

/** A queued photo's own date as its row says it, where it is not its job's: "Taken in 1962", "No date taken". */
export function takenNote(taken: Taken | null): string {
  return taken ? capitalised(takenWords(taken)) : 'No date taken'
}

/** What a row says of its photo's own caption, where it differs from its job's. */
export function captionNote(caption: Caption | null): string {
  return caption ? `Caption: ${captionQuoted(caption)}` : 'No caption'
}

/** A caption's lines as a photo shown whole says them, characters a window would act on as codes. */
export function captionLines(caption: Caption): string[] {
  return caption.split('\n').map(printable)
}

/** `size` scaled up or down to fit inside `box`, keeping its shape; null until the box is laid out. */
export function fitInside(
  size: { width: number; height: number },
  box: { width: number; height: number },
): { width: number; height: number } | null {
  if (!box.width || !box.height) return null
  const scale = Math.min(box.width / size.width, box.height / size.height)
  return { width: Math.floor(size.width * scale), height: Math.floor(size.height * scale) }
}

/** A queued photo's input or output, as the window names it to main. */
export function photoOf(item: ItemView, side: 'input' | 'output'): PhotoRef {
  return { jobId: item.jobId, itemId: item.id, side }
}

/** The files and folders dropped on the window, handed to main as a selection; null when there are none. */
export function selectDropped(api: EnhanceApi, event: DragEvent): Promise<Selection | null> {
  const files = [...(event.dataTransfer?.files ?? [])]
  return files.length ? api.selectDropped(files) : Promise.resolve(null)
}

/** "Copied", or "Copied at 8192×6144 (the file is 16128×12096)" where the clipboard got it shrunk. */
export function copiedText(copied: CopiedImage): string {
  const { width, height, originalWidth, originalHeight } = copied
  if (width === originalWidth && height === originalHeight) return 'Copied'
  return `Copied at ${width}×${height} (the file is ${originalWidth}×${originalHeight})`
}

const counted = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/** What Split scans made: "4 prints cut from 2 scans into /Album/Prints, and enhanced below." */
export function splitText({ prints, scans, folder, failed }: SplitOutcome): string {
  const cut = prints?.names.length ?? 0
  const from = counted(scans - failed.length, 'scan', 'scans')
  if (cut === 0) return `No prints found on ${counted(scans, 'scan', 'scans')}.`
  return `${counted(cut, 'print', 'prints')} cut from ${from} into ${folder}, and enhanced below.`
}

/** Split scans at work: "Finding the prints on the scan…", or "… on 12 scans: 3 done". */
export function splittingText({ scans, done }: { scans: number; done: number }): string {
  if (scans === 1) return 'Finding the prints on the scan…'
  return `Finding the prints on ${scans} scans… ${done} done`
}

/** The first scan that gave no prints, as the error shown, with how many more did not either; null when all did. */
export function splitFailure({ failed }: SplitOutcome): ErrorData | null {
  const [first, ...more] = failed
  if (!first) return null
  const others = more.length ? ` (${counted(more.length, 'more scan', 'more scans')} gave none either.)` : ''
  return { code: first.error.code, message: `${first.error.message}${others}` }
}

/** "45% · 3.2 MB/s · 12 s left" for a download in progress. */
export function downloadStatus(p: {
  received: number
  total: number
  bytesPerSecond: number
  etaSeconds: number | null
}): string {
  const parts = [`${Math.floor((p.received / p.total) * 100)}%`, `${formatSize(p.bytesPerSecond)}/s`]
  if (p.etaSeconds !== null) parts.push(eta(p.etaSeconds * 1000))
  return parts.join(' · ')
}

/** The job's state in words, honest about failures: a job with failed photos is not simply "done". */
export function jobStatus(job: {
  state: string
  total: number
  counts: Record<string, number>
  watching?: boolean
}): {
  text: string
  warning: boolean
} {
  const { done = 0, failed = 0 } = job.counts
  if (job.state === 'done' && job.watching)
    return {
      text: failed ? `Watching for new photos, ${failed} failed` : 'Watching for new photos',
      warning: failed > 0,
    }
  if (job.state === 'done' && failed > 0)
    return { text: `Done, ${failed} of ${job.total} failed`, warning: true }
  if (job.state === 'cancelled')
    return { text: done ? `Cancelled after ${done} of ${job.total}` : 'Cancelled', warning: false }
  const words: Record<string, string> = {
    scanning: 'Finding photos…',
    queued: 'Waiting',
    running: 'Enhancing',
    paused: 'Paused',
    done: 'Done',
  }
  return { text: words[job.state] ?? job.state, warning: job.state === 'paused' }
}

/** Failures that another try can fix (a crash, memory, a full disk, permissions…); a damaged or missing file stays failed. */
const RETRYABLE: ReadonlySet<ErrorData['code']> = new Set([
  'PERMISSION_DENIED',
  'ENGINE_CRASHED',
  'ENGINE_NOT_STARTED',
  'OUT_OF_MEMORY',
  'TIMED_OUT',
  'DISK_FULL',
  'OUTPUT_NOT_WRITABLE',
  'DEVICE_UNAVAILABLE',
  'INTERNAL',
])

export function canRetry(item: { state: string; error?: ErrorData }): boolean {
  return item.state === 'failed' && item.error !== undefined && RETRYABLE.has(item.error.code)
}

/** One plain sentence for a failed photo: its name and what went wrong, without the path or the code. */
export function failureSentence(item: { input: string; error?: ErrorData }): string {
  const message = item.error?.message ?? ''
  const name = basename(item.input)
  const plain = message.split(item.input).join(name)
  return printable(plain.startsWith(name) ? plain : `${name}: ${plain}`)
}

/**
 * The button that opens photos in Realism, in words: "Realism 50%…" at the realism they share, "Realism…" where they
 * differ (null), "Repairs…" where their model has no GAN partner to blend (`blends` false).
 */
export function adjustingWords(blends: boolean, realism: number | null): string {
  if (!blends) return 'Repairs…'
  return realism === null ? 'Realism…' : `Realism ${percent(realism)}…`
}
