import type { ChoiceTarget, PhotoChoice } from '../shared/api.js'
import { EnhanceError } from '../shared/errors.js'
import { isFacing, isKept, isRealism, isRepairs } from '../shared/settings-schema.js'
import { RESTORE_STRENGTHS } from '../shared/settings.js'
import { isTaken } from '../shared/taken.js'
import { isCaption } from '../shared/caption.js'
import { jobModel } from './types.js'
import type { Job } from './types.js'

/** What a choice is made for: a whole job, the photos in one of its folders, or one photo. */
export type ChoiceScope = 'job' | 'folder' | 'photo'

/** Whom `target` names a choice for; refused where it names both one photo and a folder. */
export function scopeOf(target: ChoiceTarget): ChoiceScope {
  if (target.itemId !== undefined && target.folder !== undefined)
    throw new EnhanceError('INVALID_ARGUMENT', 'Choose for one photo or for a folder of photos, not both.')
  if (target.itemId !== undefined) return 'photo'
  return target.folder === undefined ? 'job' : 'folder'
}

/**
 * Throws a coded error, saying what to change, unless `choice` is one that `job` (or the photos of one of its folders,
 * or one photo: `scope`) can be enhanced with: something chosen, kept places for one photo only, names a whole job's
 * choice only, a facing, a date, a caption, a realism only where the job's model has a partner, each in range.
 */
export function checkChoice(
  job: Job,
  scope: ChoiceScope,
  { realism, repairs, kept, facing, taken, takenFromNames, caption, captionFromNames }: PhotoChoice,
): void {
  const refuse = (message: string): never => {
    throw new EnhanceError('INVALID_ARGUMENT', message)
  }
  const chosen = [realism, repairs, kept, facing, taken, takenFromNames, caption, captionFromNames].some(
    (choice) => choice !== undefined,
  )
  if (!chosen) refuse('Choose a realism, repairs, a turn, a date or a caption to apply.')
  if (facing !== undefined && !isFacing(facing))
    refuse(
      'A facing is a turn of 0, 90, 180 or 270 degrees clockwise, and whether the photo is mirrored first.',
    )
  if (taken !== undefined && taken !== null && !isTaken(taken))
    refuse('A date taken is a year (1962), a month (1962-07) or a day (1962-07-14), with a time if known.')
  if (takenFromNames && (scope !== 'job' || taken !== undefined))
    refuse("Dates from the photos' names are a whole job's choice, instead of a date.")
  if (captionFromNames && (scope !== 'job' || caption !== undefined))
    refuse("Captions from the photos' names are a whole job's choice, instead of a caption.")
  if (caption !== undefined && caption !== null && !isCaption(caption))
    refuse('A caption is plain text of at most 2000 characters, without spaces around it.')
  if (kept && scope !== 'photo') refuse('Places kept from dust and scratch removal belong to one photo.')
  if (kept && !isKept(kept)) refuse('Kept places are whole pixels of the photo, up to 1000 of them.')
  if (realism !== undefined && !jobModel(job).blend)
    refuse("This job's model has no realistic partner to blend with.")
  if (realism !== undefined && !isRealism(realism)) refuse('Realism must be between 0 and 1.')
  if (repairs && !isRepairs(repairs))
    refuse(
      `Repairs say whether each is made, with a strength from ${RESTORE_STRENGTHS[0]} to ${RESTORE_STRENGTHS[1]}.`,
    )
}
