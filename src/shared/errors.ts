/** Stable error codes. They cross process and IPC boundaries as data, never as class instances. */
export const ERROR_CODES = [
  'UNSUPPORTED_FORMAT',
  'CORRUPT_CHECKPOINT',
  'CORRUPT_IMAGE',
  /** Cut short or damaged, but part of it can be read (`--read-damaged` enhances that part). */
  'PARTIAL_IMAGE',
  /** The photo has more pixels than the decompression-bomb limit (`--max-pixels` raises it). */
  'IMAGE_TOO_LARGE',
  /** The result asked for is too large to hold or to write in its format: a smaller size (or format) is not. */
  'RESULT_TOO_LARGE',
  'UNKNOWN_ARCHITECTURE',
  'INCOMPATIBLE_MODELS',
  'DEGENERATE_MODEL',
  'UNSAFE_CHECKPOINT',
  'OUT_OF_MEMORY',
  'DEVICE_UNAVAILABLE',
  'DISK_FULL',
  'OUTPUT_NOT_WRITABLE',
  /** A result's whole path is longer than the system allows: that photo fails, the others go on. */
  'PATH_TOO_LONG',
  'FILE_NOT_FOUND',
  /** A photo or folder the system does not let Enhance read (its permissions, or macOS's privacy settings). */
  'PERMISSION_DENIED',
  /** The folders chosen hold no photo Enhance reads: no job is made (a shard's share may still be none). */
  'NO_PHOTOS',
  /** A file to be written is there already, and nothing said to replace it (a print of a scan split before). */
  'OUTPUT_EXISTS',
  /** A scan to split into its prints shows none: no scanner glass around them, or prints that cannot be told from it. */
  'NO_PRINTS',
  /** A queued photo's folder is not there now (moved, renamed, its drive unplugged): the job pauses. */
  'INPUT_UNAVAILABLE',
  'INVALID_ARGUMENT',
  'CANCELLED',
  'ENGINE_CRASHED',
  /** The engine process exited before it was ready: the machine's fault, not a photo's, so the job pauses. */
  'ENGINE_NOT_STARTED',
  'TIMED_OUT',
  'CHECKSUM_MISMATCH',
  'CATALOGUE_MISMATCH',
  'NETWORK_UNAVAILABLE',
  'DOWNLOAD_NOT_FOUND',
  'SERVER_ERROR',
  'TLS_ERROR',
  'TOO_MANY_REDIRECTS',
  'INSECURE_URL',
  'QUEUE_BUSY',
  /** The queue's own folder refused a change (its drive stopped answering, or cannot add to a file): the job pauses. */
  'QUEUE_NOT_WRITABLE',
  'INTERNAL',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * Pauses whose cause may clear by itself, with nobody at the computer: a drive that answers again, a folder back in
 * its place, space freed. A watch looks again at its next look instead of ending.
 */
const CLEARS_BY_ITSELF: ErrorCode[] = [
  'DISK_FULL',
  'OUTPUT_NOT_WRITABLE',
  'INPUT_UNAVAILABLE',
  'QUEUE_NOT_WRITABLE',
]

export function clearsByItself(reason: ErrorData | undefined): boolean {
  return reason !== undefined && CLEARS_BY_ITSELF.includes(reason.code)
}

/** What crosses IPC and process boundaries: Electron's `handle` keeps only `message`, so send both. */
export interface ErrorData {
  code: ErrorCode
  message: string
}

export class EnhanceError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'EnhanceError'
    this.code = code
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message }
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}

/** A photo refused because its file is cut short or damaged, though part of it can be read as far as it goes. */
export function canReadDamaged(item: { state: string; error?: ErrorData }): boolean {
  return item.state === 'failed' && item.error?.code === 'PARTIAL_IMAGE'
}

/** The error of work stopped because it was cancelled (a pause, a cancel, the app quitting). */
export function cancelledError(): EnhanceError {
  return new EnhanceError('CANCELLED', 'Cancelled.')
}

/**
 * The reason a photo is stopped with when it is to pick up where it stopped (a pause, the app quitting): its
 * tiles so far are kept for its next run.
 */
export const KEEP_PROGRESS = 'keep-progress'

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError()
}

/**
 * `work`, or CANCELLED the moment `signal` aborts: the caller goes on while the work it left settles unseen (a read
 * from a drive that stopped answering, which nothing can stop). With no signal, `work` itself.
 */
export function cancellable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work
  if (signal.aborted) return Promise.reject(cancelledError())
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError())
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** The message of what was thrown, whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The first line of what was thrown: native libraries' messages run on with detail no sentence needs. */
export function firstLineOf(error: unknown): string {
  return messageOf(error).split('\n')[0]!
}

/** Turns anything thrown into coded data; unknown failures become INTERNAL with their message kept. */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof EnhanceError) return error.toData()
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const { code, message } = error
    if (isErrorCode(code) && typeof message === 'string') return { code, message }
  }
  return { code: 'INTERNAL', message: `Unexpected failure: ${messageOf(error)}` }
}
