import type { ItemState, JobState } from '../shared/api.js'
import type { ErrorCode } from '../shared/errors.js'
import type { Precision } from '../shared/model.js'
import type { ModelSpecData } from '../shared/protocol.js'
import { repairsOf, sameRepairs } from '../shared/settings.js'
import type { EnhanceSettings, KeptPlace, OverwritePolicy, Repairs } from '../shared/settings.js'
import { facingOf } from '../shared/turn.js'
import type { Facing, QuarterTurn } from '../shared/turn.js'
import type { Taken } from '../shared/taken.js'
import type { Caption } from '../shared/caption.js'
import type { Chosen } from '../shared/chosen-words.js'
import type { Shard } from './shard.js'
import { captionNamedFor, takenNamed } from './taken-names.js'

export type { OverwritePolicy } from '../shared/settings.js'

/** What a job is, decided when it is created (only its folder may change, before any photo is saved). */
export interface JobSpec {
  inputs: string[]
  recursive: boolean
  outDir: string
  model: ModelSpecData
  settings: EnhanceSettings
  /** Output name template: {name}, {scale}, {size}, {alpha}, {model}; the extension follows the format. */
  naming: string
  policy: OverwritePolicy
  /** One share of an album run by several processes: every output is planned, only this share run. */
  shard?: Shard
}

export type { ItemState, JobState }

/** A photo skipped as a person asked: not enhanced, until put back. */
export function skippedAsAsked(item: Pick<Item, 'state' | 'skipReason'>): boolean {
  return item.state === 'skipped' && item.skipReason === 'asked'
}

/** Done or cancelled: nothing more will run unless the user asks again. */
export function isFinished(job: { state: JobState }): boolean {
  return job.state === 'done' || job.state === 'cancelled'
}

export interface Job {
  id: string
  spec: JobSpec
  state: JobState
  /** Why a job paused by itself (disk full, folder not writable). */
  pauseReason?: { code: ErrorCode; message: string }
  createdAt: number
  /** Position among jobs; lower runs first. */
  order: number
  /** Files seen while scanning that are not images. */
  ignored: number
  /** Of those, the ones a person put there (not system files), by extension: what to tell them was left out. */
  leftOut?: Record<string, number>
  /** Milliseconds spent running items. */
  busyMs: number
  /** One of its inputs is a folder, as its scan found: it can be watched for new photos (unknown in older queues). */
  ofFolders?: boolean
  /** Realism chosen after the job was created, for all its photos (overrides the spec's). */
  realism?: number
  /** Repairs chosen after the job was created, for all its photos (override the spec's settings). */
  repairs?: Required<Repairs>
  /** A turn chosen after the job was created, for all its photos (overrides the spec's `--turn` and `--mirror`). */
  turn?: QuarterTurn
  /** Mirrored before that turn (not said in queues older than mirroring: not mirrored). */
  mirrored?: boolean
  /** When its photos were taken, chosen after it was created (overrides the spec's `--taken`; null: not said). */
  taken?: Taken | null
  /** Its photos dated as their names say, chosen after it was created (`taken` then unsaid). */
  takenFromNames?: boolean
  /** What is written under its photos, chosen after it was created (overrides the spec's `--caption`; null: none). */
  caption?: Caption | null
  /** Its photos captioned as their names say, chosen after it was created (`caption` then unsaid). */
  captionFromNames?: boolean
  /**
   * Its model's own scale, read when the job was made where its names say it ({scale}, or {size} at the model's own
   * size); 4 where not (and in jobs made before it was read).
   */
  modelScale?: number
  /** The app watches its folders: photos saved into them later join it (`WatchedJobs`). */
  watching?: boolean
  /** Models chosen after the job was created, for all its photos (override the spec's): the other bundled pair. */
  model?: ModelSpecData
}

export interface Item {
  id: string
  jobId: string
  input: string
  output: string
  state: ItemState
  error?: { code: ErrorCode; message: string }
  /** Times the engine died while this item ran; after two it is skipped. */
  crashes: number
  ms?: number
  /** Its time from reading to writing where the engine told it (`EnhanceReply.ranMs`): what paces the photos to come. */
  ranMs?: number
  /** The execution provider that actually ran it (cpu, cuda, dml, coreml). */
  provider?: string
  /** The arithmetic that ran it: fp32, fp16 or int8. */
  precision?: Precision
  /** The tile side that ran it (after any out-of-memory retries). */
  tile?: number
  /** The engine's note on how it ran (`EnhanceReply.note`), kept until the photo runs again. */
  note?: string
  /** Why it is skipped: its output was there, the engine crashed on it twice, or a person asked. */
  skipReason?: 'exists' | 'crashed' | 'asked'
  /** Enhance this photo as far as its cut-short or damaged file can be read (asked after a PARTIAL_IMAGE). */
  readDamaged?: boolean
  /** Realism chosen for this photo alone (overrides the job's). */
  realism?: number
  /** Repairs chosen for this photo alone (override the job's): one portrait kept without dust removal. */
  repairs?: Required<Repairs>
  /** Places of it that dust and scratch removal leave as they are (a catchlight they took), in its file's pixels. */
  kept?: KeptPlace[]
  /** Its own quarter turn, clockwise (overrides the job's): a print laid sideways on the scanner. */
  turn?: QuarterTurn
  /** Mirrored before its own turn: a slide scanned from the wrong side (said only with `turn`). */
  mirrored?: boolean
  /** When it was taken (overrides its job's date; null: not said, whatever its job's says). */
  taken?: Taken | null
  /** What is written under it (overrides its job's `--caption`; null: none, whatever its job's says). */
  caption?: Caption | null
  /**
   * Its photo's file (`readSignature`) when those places were kept: once the file is edited (cropped, straightened),
   * they are no longer the same places of it, and its next run lets them go.
   */
  keptOn?: string | null
  /** Files it was written to before a change of realism or models renamed it ({alpha}, {model}): its own to reuse. */
  earlierOutputs?: string[]
  /**
   * Its photo's file when it was last read (`readSignature`: size and modification time; null: it was not there):
   * one that is no longer so was changed since, and the job continued takes it again.
   */
  readAs?: string | null
}

/** `model` blended at `realism` (none without a GAN partner or a realism). */
export function modelAt(model: ModelSpecData, realism: number | null): ModelSpecData {
  return model.blend && realism !== null ? { ...model, blend: { ...model.blend, realism } } : model
}

/** The models a job's photos are enhanced with: those chosen since it was made, else its spec's. */
export function jobModel(job: Pick<Job, 'spec' | 'model'>): ModelSpecData {
  return job.model ?? job.spec.model
}

/** The realism a job's photos are enhanced at unless one has its own; null without a GAN partner. */
export function jobRealism(job: Job): number | null {
  const { blend } = jobModel(job)
  return blend ? (job.realism ?? blend.realism) : null
}

/** The realism an item is enhanced at, or null when its job's model has no GAN partner. */
export function itemRealism(job: Job, item: Item): number | null {
  const realism = jobRealism(job)
  return realism === null ? null : (item.realism ?? realism)
}

/** `photos` grouped by their realism as `realismOf` reads it, in the order each realism first comes. */
export function byRealism<R>(photos: Item[], realismOf: (item: Item) => R): Map<R, Item[]> {
  const groups = new Map<R, Item[]>()
  for (const photo of photos) {
    const realism = realismOf(photo)
    const group = groups.get(realism)
    if (group) group.push(photo)
    else groups.set(realism, [photo])
  }
  return groups
}

/** What a job's photos are mended with before enhancing, unless one has its own. */
export function jobRepairs(job: Job): Required<Repairs> {
  return job.repairs ?? repairsOf(job.spec.settings)
}

/** What an item is mended with before it is enhanced. */
export function itemRepairs(job: Job, item: Item): Required<Repairs> {
  return item.repairs ?? jobRepairs(job)
}

/** How a job's photos lie (mirrored, turned) unless one has its own facing. */
export function jobFacing(job: Job): Facing {
  const { settings } = job.spec
  return job.turn === undefined
    ? facingOf(settings.turn, settings.mirrored)
    : facingOf(job.turn, job.mirrored)
}

/** How an item lies when it is enhanced: its own facing, else its job's. */
export function itemFacing(job: Job, item: Item): Facing {
  return item.turn === undefined ? jobFacing(job) : facingOf(item.turn, item.mirrored)
}

/** What is written under a job's photos unless one has its own caption; null where nobody wrote one. */
export function jobCaption(job: Job): Caption | null {
  return job.caption === undefined ? (job.spec.settings.caption ?? null) : job.caption
}

/** Whether a job's photos are captioned as their names say, unless one has its own caption. */
export function jobCaptionFromNames(job: Job): boolean {
  return job.caption === undefined && (job.captionFromNames ?? job.spec.settings.captionFromNames ?? false)
}

/**
 * What is written under an item, as its output says: its own caption, else its job's, or (`--caption names`) what its
 * name or folders say; null where nobody wrote one.
 */
export function itemCaption(job: Job, item: Item): Caption | null {
  if (item.caption !== undefined) return item.caption
  return jobCaptionFromNames(job) ? captionNamedFor(item.input, job.spec.inputs) : jobCaption(job)
}

/** When a job's photos were taken unless one has its own date; null where nobody said. */
export function jobTaken(job: Job): Taken | null {
  return job.taken === undefined ? (job.spec.settings.taken ?? null) : job.taken
}

/**
 * When an item was taken, as its output says: its own date, else its job's, else (`--taken names`) the date its name
 * or folders say; null where nobody said.
 */
export function itemTaken(job: Job, item: Item): Taken | null {
  if (item.taken !== undefined) return item.taken
  return jobTakenFromNames(job) ? takenNamed(item.input, job.spec.inputs) : jobTaken(job)
}

/** Whether a job's photos are dated as their names say, unless one has its own date. */
export function jobTakenFromNames(job: Job): boolean {
  return job.taken === undefined && (job.takenFromNames ?? job.spec.settings.takenFromNames ?? false)
}

/**
 * What was chosen for a job's photos, unless one chose otherwise: its realism, repairs, facing, date and caption; and how
 * many of `items` (its photos) chose a realism or repairs otherwise.
 */
export function jobChosen(job: Job, items: Item[]): Chosen {
  const realism = jobRealism(job)
  const repairs = jobRepairs(job)
  return {
    realism,
    repairs,
    facing: jobFacing(job),
    taken: jobTaken(job),
    takenFromNames: jobTakenFromNames(job),
    caption: jobCaption(job),
    captionFromNames: jobCaptionFromNames(job),
    ownRealism: items.filter((item) => itemRealism(job, item) !== realism).length,
    ownRepairs: items.filter((item) => !sameRepairs(itemRepairs(job, item), repairs)).length,
  }
}
