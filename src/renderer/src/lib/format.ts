import type { EnhanceApi } from '../../../shared/api.js'
import type { ErrorData } from '../../../shared/errors.js'
import { formatSize } from '../../../shared/library.js'

export function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path
}

export function eta(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return ''
  const s = Math.round(ms / 1000)
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s left` : `${s} s left`
}

/** What to do next, in words, for each error code a person can meet. */
const ADVICE: Partial<Record<ErrorData['code'], string>> = {
  CORRUPT_IMAGE: 'The file is damaged. Try another copy of the photo.',
  UNSUPPORTED_FORMAT: 'Save the photo as JPEG, PNG, WebP or TIFF and add it again.',
  IMAGE_TOO_LARGE: 'Choose a smaller output size, or PNG/TIFF output.',
  DISK_FULL: 'Free some disk space, then press Resume.',
  OUTPUT_NOT_WRITABLE: 'Choose an output folder you can write to, then press Resume.',
  ENGINE_CRASHED: 'The engine restarted. Press Retry to try this photo again.',
  FILE_NOT_FOUND: 'The photo was moved or deleted. Add it again from its new place.',
  NETWORK_UNAVAILABLE: 'Check the internet connection and press Download again; it resumes where it stopped.',
  CHECKSUM_MISMATCH: 'The file was not the model listed, so it was deleted. Try again later.',
  CATALOGUE_MISMATCH: 'The file was not the model listed, so it was not installed.',
}

export function advice(error: ErrorData): string {
  return ADVICE[error.code] ?? ''
}

export function percent(alpha: number): string {
  return `${Math.round(alpha * 100)}%`
}

/** The paths of the files and folders dropped on the window (Electron knows them; a plain browser does not). */
export function droppedPaths(api: EnhanceApi, event: DragEvent): string[] {
  return [...(event.dataTransfer?.files ?? [])].map((file) => api.pathForFile(file)).filter(Boolean)
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
