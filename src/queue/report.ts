import type { QueueState } from './state.js'
import { isToCome } from '../shared/states.js'
import { withPhotoLeft } from '../shared/durations.js'
import { itemCaption, itemFacing, itemRealism, itemTaken } from './types.js'
import type { Item, ItemState, Job } from './types.js'

export interface JobReport {
  id: string
  state: Job['state']
  pauseReason?: Job['pauseReason']
  total: number
  counts: Record<ItemState, number>
  ignored: number
  busyMs: number
  /** Finished items per minute of busy time. */
  perMinute: number | null
  etaMs: number | null
}

export function countStates(items: Item[]): Record<ItemState, number> {
  const counts: Record<ItemState, number> = {
    queued: 0,
    running: 0,
    done: 0,
    failed: 0,
    cancelled: 0,
    skipped: 0,
  }
  for (const item of items) counts[item.state]++
  return counts
}

/**
 * What a photo done says of those to come: its time from reading to writing where the engine told it, so that the
 * model's loading, which the first photo alone pays, does not count for each one; else its whole time.
 */
function pacingMs(item: Item): number | undefined {
  return item.ranMs ?? item.ms
}

/** The mean of `timeOf` over its photos done, each timed; null before any was. */
function meanDoneMs(items: readonly Item[], timeOf: (item: Item) => number | undefined): number | null {
  const times = items.flatMap((i) => (i.state === 'done' ? (timeOf(i) ?? []) : []))
  return times.length ? times.reduce((s, ms) => s + ms, 0) / times.length : null
}

/**
 * The time left for a job's photos at the mean of those done, and the part of it that is the photo being enhanced
 * (`inFlightMs`, counted whole); null before any photo is done.
 */
export function meanTimeLeft(items: readonly Item[]): { ms: number; inFlightMs: number } | null {
  const mean = meanDoneMs(items, pacingMs)
  if (mean === null) return null
  const running = items.filter((i) => i.state === 'running').length
  const toCome = items.filter((i) => isToCome(i.state)).length
  return { ms: Math.round(toCome * mean), inFlightMs: Math.round(running * mean) }
}

export function jobReport(job: Job, items: Item[]): JobReport {
  const counts = countStates(items)
  const msPerItem = meanDoneMs(items, (item) => item.ms)
  return {
    id: job.id,
    state: job.state,
    ...(job.pauseReason ? { pauseReason: job.pauseReason } : {}),
    total: items.length,
    counts,
    ignored: job.ignored,
    busyMs: job.busyMs,
    perMinute: msPerItem ? 60_000 / msPerItem : null,
    etaMs: meanTimeLeft(items)?.ms ?? null,
  }
}

/**
 * The time left for a job's photos from each one's estimate (`estimates`, by input), at the pace its photos done went
 * against theirs (`paced`, each timed by `pacingMs`; without one, the estimates' own); null where a photo still to
 * enhance has none. Photos of different sizes then count as much as they take, where the mean of those done counted
 * each one alike. `inFlightMs`: the part of it that is the photo being enhanced, counted whole (its own progress says
 * better how far it is).
 *
 * The photos done weigh against the estimates' own pace as much as one photo to come would: a few small photos, each
 * slowed by what every photo costs whatever its size, would otherwise scale a large scan to come by their ratio. Once
 * photos done amount to several photos to come, their pace is the one.
 */
export function estimatedTimeLeft(
  items: readonly Item[],
  estimates: ReadonlyMap<string, number>,
): { ms: number; inFlightMs: number; paced: boolean } | null {
  let left = 0
  let toCome = 0
  let inFlight = 0
  let doneMs = 0
  let doneEstimated = 0
  for (const item of items) {
    const estimate = estimates.get(item.input)
    if (isToCome(item.state)) {
      if (estimate === undefined) return null
      left += estimate
      toCome++
      if (item.state === 'running') inFlight += estimate
    } else if (item.state === 'done' && estimate !== undefined) {
      const ms = pacingMs(item)
      if (ms === undefined) continue
      doneMs += ms
      doneEstimated += estimate
    }
  }
  const paced = doneEstimated > 0
  const onePhotoToCome = toCome ? left / toCome : 0
  const pace = paced ? (doneMs + onePhotoToCome) / (doneEstimated + onePhotoToCome) : 1
  return { ms: Math.round(left * pace), inFlightMs: Math.round(inFlight * pace), paced }
}

/**
 * A job's time left: from its photos' estimates where each one still to enhance has one (`estimatedTimeLeft`), else at
 * the mean of those done (`meanTimeLeft`, paced by them); null before either.
 */
export function timeLeft(
  items: readonly Item[],
  estimates?: ReadonlyMap<string, number>,
): { ms: number; inFlightMs: number; paced: boolean } | null {
  const estimated = estimates && estimatedTimeLeft(items, estimates)
  if (estimated) return estimated
  const mean = meanTimeLeft(items)
  return mean && { ...mean, paced: true }
}

/**
 * The time left for the photos of several jobs (each one's `timeLeft`, summed), with the photo being enhanced counted
 * by its own tiles (`photoMs`, its time left) where known; null while a job's is not known.
 */
export function runTimeLeft(
  jobs: readonly { items: readonly Item[]; estimates?: ReadonlyMap<string, number> | undefined }[],
  photoMs: number | null,
): number | null {
  const total = { ms: 0, inFlightMs: 0 }
  for (const { items, estimates } of jobs) {
    const left = timeLeft(items, estimates)
    if (!left) return null
    total.ms += left.ms
    total.inFlightMs += left.inFlightMs
  }
  return withPhotoLeft(total, photoMs)
}

/**
 * One CSV cell, quoted as RFC 4180 says where it must be. Text beginning as a spreadsheet formula does (`=`, `+`, `-`,
 * `@`, a tab or a carriage return: a caption typed as "=HYPERLINK(…)") begins with `'`, which spreadsheets show as text
 * (OWASP's advice on CSV injection); numbers and booleans are written as they are.
 */
function csvField(value: string | number | boolean | undefined): string {
  const text = value === undefined ? '' : String(value)
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/**
 * Every item with its status and error, how it is made (its realism, how it lies), and the date and caption its output
 * says (`jobOf`: its job), as CSV (RFC 4180) or JSON: an album's list to check, or to bring into a catalogue.
 */
export function exportItems(
  items: Item[],
  format: 'csv' | 'json',
  jobOf: (jobId: string) => Job | undefined,
): string {
  const rows = items.map((i) => {
    const job = jobOf(i.jobId)
    const facing = job && itemFacing(job, i)
    return {
      input: i.input,
      output: i.output,
      state: i.state,
      code: i.error?.code,
      message: i.error?.message,
      ms: i.ms,
      skipReason: i.skipReason,
      note: i.note,
      realism: (job && itemRealism(job, i)) ?? undefined,
      turn: facing?.turn,
      mirrored: facing ? facing.mirrored === true : undefined,
      taken: (job && itemTaken(job, i)) ?? undefined,
      caption: (job && itemCaption(job, i)) ?? undefined,
    }
  })
  if (format === 'json') return JSON.stringify(rows, null, 2)
  const header = [
    'input',
    'output',
    'state',
    'code',
    'message',
    'ms',
    'skipReason',
    'note',
    'realism',
    'turn',
    'mirrored',
    'taken',
    'caption',
  ] as const
  return [header.join(','), ...rows.map((r) => header.map((h) => csvField(r[h])).join(','))].join('\n') + '\n'
}

/** One report over several queues (the shards of an album): totals, and every failure with its code. */
export interface MergedReport {
  queues: number
  jobs: number
  total: number
  counts: Record<ItemState, number>
  /** Photos that more than one queue holds: with a sound partition, none. */
  duplicates: number
  failures: { input: string; output: string; code: string; message: string }[]
}

/** Every item of a queue, job by job in queue order. */
export function queueItems(state: QueueState): Item[] {
  return state.orderedJobs().flatMap((job) => state.itemsOf(job.id))
}

export function mergeReports(states: QueueState[]): MergedReport {
  const items = states.flatMap(queueItems)
  const counts = countStates(items)
  const inputs = new Set(items.map((i) => i.input))
  return {
    queues: states.length,
    jobs: states.reduce((n, state) => n + state.jobs.size, 0),
    total: items.length,
    counts,
    duplicates: items.length - inputs.size,
    failures: items
      .filter((i) => i.error && (i.state === 'failed' || i.state === 'skipped'))
      .map((i) => ({ input: i.input, output: i.output, code: i.error!.code, message: i.error!.message })),
  }
}
