import type { ErrorCode, ErrorData } from '../shared/errors.js'
import type { Item } from './types.js'

/**
 * Errors that are the folder's or the machine's fault, not the photo's: the job pauses until they are
 * fixed, instead of failing every photo after it the same way. A device that cannot run the job's model
 * is one: another device, chosen for the engine, runs the same job on resume.
 */
const PAUSING: ErrorCode[] = [
  'DISK_FULL',
  'OUTPUT_NOT_WRITABLE',
  'INPUT_UNAVAILABLE',
  'ENGINE_NOT_STARTED',
  'DEVICE_UNAVAILABLE',
]
/**
 * Failures that are the models' rather than the photo's: a file that is not a usable model, or a result the models'
 * scale or size made too large for this computer. Other models may well enhance such a photo.
 */
const MODELS_FAULT: ErrorCode[] = [
  'CORRUPT_CHECKPOINT',
  'UNSAFE_CHECKPOINT',
  'UNKNOWN_ARCHITECTURE',
  'INCOMPATIBLE_MODELS',
  'DEGENERATE_MODEL',
  'RESULT_TOO_LARGE',
  'OUT_OF_MEMORY',
]

/** Whether a photo failed for its models' sake (`MODELS_FAULT`), so that new models are worth a try on it. */
export function failedForItsModels(item: Pick<Item, 'state' | 'error'>): boolean {
  return item.state === 'failed' && item.error !== undefined && MODELS_FAULT.includes(item.error.code)
}

/** The first engine crash on a photo re-queues it for one more try; the second skips it. */
export const MAX_CRASHES = 2

/** Why the photo in flight was stopped on purpose: to run again (a pause, a new realism), for good, or skipped. */
export type StopReason = 'requeue' | 'cancel' | 'skip'

export interface FailureOutcome {
  item: Partial<Omit<Item, 'id' | 'jobId'>>
  /** Set when the whole job pauses, with the reason it shows. */
  pauseJob?: ErrorData
}

/**
 * What a photo's failed run does to it and its job, as a table from (why it was stopped, the error) to
 * the change: the queue's failure policy in one place.
 */
export function failureOutcome(
  error: ErrorData,
  item: Pick<Item, 'crashes'>,
  stopped: StopReason | undefined,
): FailureOutcome {
  // Stopped on purpose to run again, or to be skipped: whatever the engine answered (cancelled, or killed), no failure.
  if (stopped === 'requeue') return { item: { state: 'queued' } }
  if (stopped === 'skip') return { item: { state: 'skipped', skipReason: 'asked' } }
  if (error.code === 'CANCELLED') return { item: { state: 'cancelled' } }
  if (PAUSING.includes(error.code)) return { item: { state: 'queued' }, pauseJob: error }
  if (error.code === 'ENGINE_CRASHED') {
    const crashes = item.crashes + 1
    return crashes >= MAX_CRASHES
      ? { item: { state: 'skipped', skipReason: 'crashed', crashes, error } }
      : { item: { state: 'queued', crashes, error } }
  }
  return { item: { state: 'failed', error } }
}
