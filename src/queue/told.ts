import type { Told } from '../shared/caption.js'

/**
 * Whether a choice took back a date or a caption a photo's output said (`before`): its own, its job's, or one its
 * names do not say (a job's date, before its names were asked, which say nothing of it). Its file is enhanced again:
 * what its original says comes back only from the original.
 */
export function tookBack(before: Told, now: Told): boolean {
  return Boolean((before.stamp && !now.stamp) || (before.caption !== undefined && now.caption === undefined))
}

/** Whether a photo's file would say the same date, at the same album place, and the same caption. */
export function sameTold(before: Told, now: Told): boolean {
  return (
    before.stamp?.taken === now.stamp?.taken &&
    before.stamp?.place === now.stamp?.place &&
    before.caption === now.caption
  )
}
