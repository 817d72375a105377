/**
 * When a photo was taken, as far as its person knows it: a year (1962), a month (1962-07), a day (1962-07-14) or a
 * moment (1962-07-14T15:30). A scanned print's file otherwise says the day it was scanned, and photo libraries sort
 * the album's photos there. Kept as ISO 8601 text as precise as it was given, which is how XMP says it; EXIF takes a
 * whole date and time, so there what is not known is the first of it, at midday (a viewer that reads a time as UTC
 * moves midnight into the day before, and a year into the one before; midday stays on its day).
 */
export type Taken = string

/** A date as a file says it: when, and the photo's place among its job's photos dated alike (`wholeMoment`). */
export interface DateStamp {
  taken: Taken
  place: number
}

/** The first surviving photograph is of 1826 or 1827: a date before it is a typing slip. */
export const FIRST_PHOTO_YEAR = 1826

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
]

interface TakenParts {
  year: number
  month?: number
  day?: number
  hour?: number
  minute?: number
  second?: number
}

const WRITTEN = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?)?)?$/

/** The parts of a date written as a year, year-month, year-month-day, optionally with a time; null if not one. */
function partsOf(text: string): TakenParts | null {
  const match = WRITTEN.exec(text.trim())
  if (!match) return null
  const [year, month, day, hour, minute, second] = match
    .slice(1)
    .map((n) => (n === undefined ? n : Number(n)))
  const parts: TakenParts = { year: year! }
  if (month !== undefined) parts.month = month
  if (day !== undefined) parts.day = day
  if (hour !== undefined) Object.assign(parts, { hour, minute: minute! })
  if (second !== undefined) parts.second = second
  return isOnCalendar(parts) ? parts : null
}

function isOnCalendar({ year, month = 1, day = 1, hour = 0, minute = 0, second = 0 }: TakenParts): boolean {
  const date = new Date(Date.UTC(year, month - 1, day))
  const sameDay = date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  return month >= 1 && month <= 12 && sameDay && hour < 24 && minute < 60 && second < 60
}

const two = (n: number): string => String(n).padStart(2, '0')

/** The parts written as ISO 8601, as precise as they are. */
function written(parts: TakenParts): Taken {
  let text = String(parts.year)
  if (parts.month !== undefined) text += `-${two(parts.month)}`
  if (parts.day !== undefined) text += `-${two(parts.day)}`
  if (parts.hour !== undefined) text += `T${two(parts.hour)}:${two(parts.minute!)}`
  if (parts.second !== undefined) text += `:${two(parts.second)}`
  return text
}

/** Whether `value` is a date as kept (one `readTaken` gives), of a year photos were taken in. */
export function isTaken(value: unknown): value is Taken {
  if (typeof value !== 'string') return false
  const parts = partsOf(value)
  return parts !== null && parts.year >= FIRST_PHOTO_YEAR && written(parts) === value
}

/**
 * A date a person typed, as kept (`1962-7-4 9:05` is `1962-07-04T09:05`), or the sentence saying why it is not one:
 * not a date on the calendar, before photography, or after `now`.
 */
export function readTaken(text: string, now = new Date()): { taken: Taken } | { problem: string } {
  const parts = partsOf(text)
  if (!parts)
    return {
      problem: `"${text}" is not a date: give a year (1962), a month (1962-07) or a day (1962-07-14), with a time if known (1962-07-14 15:30).`,
    }
  if (parts.year < FIRST_PHOTO_YEAR)
    return { problem: `${parts.year} is before the first photograph (1826).` }
  if (new Date(parts.year, (parts.month ?? 1) - 1, parts.day ?? 1) > now)
    return { problem: `${text.trim()} has not come yet.` }
  return { taken: written(parts) }
}

/** The latest place a photo keeps among those dated alike: a second before midnight. */
const LAST_PLACE = 12 * 60 * 60 - 1

/**
 * The whole date and time `taken` is written as: what is not known the first of it, at midday, and `place` seconds
 * after midday (a photo's place among its album's photos dated alike), so libraries sorting by time keep the album's
 * order, where all at one moment they sort as they please.
 */
function wholeMoment(taken: Taken, place: number): Required<TakenParts> {
  const { year, month = 1, day = 1, hour, minute = 0, second = 0 } = partsOf(taken)!
  if (hour !== undefined) return { year, month, day, hour, minute, second }
  const after = Math.min(Math.max(0, Math.floor(place)), LAST_PLACE)
  return {
    year,
    month,
    day,
    hour: 12 + Math.floor(after / 3600),
    minute: Math.floor(after / 60) % 60,
    second: after % 60,
  }
}

/**
 * The year a name says, where it says one photos were taken in (an album's folder "Summer 1962", a scan
 * "1962_03.jpg"): what the form for a date offers first. Null where it says none, or more than one; a decade
 * ("the 1950s") is none.
 */
export function yearNamed(name: string, now = new Date()): Taken | null {
  const years = [...name.matchAll(/(?<!\d)(\d{4})(?![\ds])/g)]
    .map((match) => Number(match[1]))
    .filter((year) => year >= FIRST_PHOTO_YEAR && year <= now.getFullYear())
  return new Set(years).size === 1 ? String(years[0]) : null
}

/**
 * The date a name says, as precisely as it says it: a day or a month written as ISO 8601 does (`1958-06-14 Wedding`,
 * `1962-07`), else the one year it names (`yearNamed`). Null where it says none, or more than one.
 */
export function dateNamed(name: string, now = new Date()): Taken | null {
  const written = [...name.matchAll(/(?<!\d)\d{4}-\d{2}(?:-\d{2})?(?!\d)/g)].flatMap(([text]) => {
    const read = readTaken(text, now)
    return 'taken' in read ? [read.taken] : []
  })
  const dates = new Set(written)
  if (dates.size > 1) return null
  return dates.size === 1 ? written[0]! : yearNamed(name, now)
}

/** The date as EXIF writes one, `YYYY:MM:DD HH:MM:SS` (`wholeMoment`). */
export function exifDateTime(taken: Taken, place = 0): string {
  const { year, month, day, hour, minute, second } = wholeMoment(taken, place)
  return `${year}:${two(month)}:${two(day)} ${two(hour)}:${two(minute)}:${two(second)}`
}

/** The date as a moment of this computer's local time (`wholeMoment`). */
export function takenMoment(taken: Taken, place = 0): Date {
  const { year, month, day, hour, minute, second } = wholeMoment(taken, place)
  return new Date(year, month - 1, day, hour, minute, second)
}

/** The date in words, as precise as it is: "taken in 1962", "taken in July 1962", "taken on 14 July 1962 at 15:30". */
export function takenWords(taken: Taken): string {
  const { year, month, day, hour, minute } = partsOf(taken)!
  if (month === undefined) return `taken in ${year}`
  if (day === undefined) return `taken in ${MONTHS[month - 1]} ${year}`
  const time = hour === undefined ? '' : ` at ${two(hour)}:${two(minute!)}`
  return `taken on ${day} ${MONTHS[month - 1]} ${year}${time}`
}
