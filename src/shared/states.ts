import type { ItemState, JobState } from './api.js'

/** Whether a job in `state` has a time to come to say: queued, running or paused (not finding its photos, nor ended). */
export function hasTimeToCome(state: JobState): boolean {
  return state === 'queued' || state === 'running' || state === 'paused'
}

/** Whether a photo in `state` is still to enhance: waiting, or being enhanced (and so can still be skipped). */
export function isToCome(state: ItemState): boolean {
  return state === 'queued' || state === 'running'
}

/** Whether a photo in `state` takes a new choice for the whole job: done (enhanced again) or still to enhance. */
export function isDoneOrToCome(state: ItemState): boolean {
  return state === 'done' || isToCome(state)
}
