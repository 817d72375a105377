import * as z from 'zod'
import { ERROR_CODES } from '../shared/errors.js'
import { PRECISIONS } from '../shared/model.js'
import {
  modelSpecSchema,
  policySchema,
  realismSchema,
  keptSchema,
  turnSchema,
  takenSchema,
  captionSchema,
  renamedFrom,
  repairsSchema,
  settingsSchema,
} from '../shared/settings-schema.js'
import type { QueueEntry, QueueSnapshot } from './state.js'
import type { Item, Job } from './types.js'

/** The queue's files are untrusted on load (DESIGN.md §4): every job, item and entry is checked. */
const id = z.string().min(1).max(200)
const path = z.string().min(1).max(4096)
const errorData = z.object({ code: z.enum(ERROR_CODES), message: z.string() })
const count = z.number().int().min(0)
/** A model's own scale, as `inspect` reads it. */
const modelScale = z.number().int().min(1).max(16)

/** Jobs, items and entries written before the realism had its own name called it `alpha`. */
const legacyRealism = renamedFrom('alpha', 'realism')
function legacyEntry(value: unknown): unknown {
  const entry = value as { t?: unknown } | null
  return entry?.t === 'job-alpha' ? { ...(legacyRealism(entry) as object), t: 'job-realism' } : value
}

const jobObject = z.object({
  id,
  spec: z.object({
    inputs: z.array(path),
    recursive: z.boolean(),
    outDir: path,
    model: modelSpecSchema,
    settings: settingsSchema,
    naming: z.string().max(1000),
    policy: policySchema,
    shard: z.object({ index: count, count: z.number().int().min(1) }).optional(),
  }),
  state: z.enum(['scanning', 'queued', 'running', 'paused', 'done', 'cancelled']),
  pauseReason: errorData.optional(),
  createdAt: z.number(),
  order: z.number(),
  ignored: count,
  leftOut: z.record(z.string().max(64), count).optional(),
  busyMs: z.number().min(0),
  ofFolders: z.boolean().optional(),
  realism: realismSchema.optional(),
  repairs: repairsSchema.optional(),
  turn: turnSchema.optional(),
  mirrored: z.boolean().optional(),
  taken: takenSchema.nullable().optional(),
  takenFromNames: z.boolean().optional(),
  caption: captionSchema.nullable().optional(),
  captionFromNames: z.boolean().optional(),
  modelScale: modelScale.optional(),
  model: modelSpecSchema.optional(),
  watching: z.boolean().optional(),
})
const jobSchema: z.ZodType<Job> = z.preprocess(legacyRealism, jobObject)

const itemFields = {
  input: path,
  output: path,
  state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'skipped']),
  error: errorData.optional(),
  crashes: count,
  ms: z.number().min(0).optional(),
  ranMs: z.number().min(0).optional(),
  provider: z.string().optional(),
  precision: z.enum(PRECISIONS).optional(),
  tile: z.number().int().positive().optional(),
  note: z.string().max(4000).optional(),
  skipReason: z.enum(['exists', 'crashed', 'asked']).optional(),
  readDamaged: z.boolean().optional(),
  realism: realismSchema.optional(),
  repairs: repairsSchema.optional(),
  kept: keptSchema.optional(),
  turn: turnSchema.optional(),
  mirrored: z.boolean().optional(),
  taken: takenSchema.nullable().optional(),
  caption: captionSchema.nullable().optional(),
  earlierOutputs: z.array(path).optional(),
  readAs: z.string().max(64).nullable().optional(),
}

const itemSchema: z.ZodType<Item> = z.preprocess(legacyRealism, z.object({ id, jobId: id, ...itemFields }))

const entrySchema: z.ZodType<QueueEntry> = z.preprocess(
  legacyEntry,
  z.discriminatedUnion('t', [
    z.object({ t: z.literal('job'), job: jobSchema }),
    z.object({ t: z.literal('items'), items: z.array(itemSchema) }),
    z.object({
      t: z.literal('job-state'),
      jobId: id,
      state: z.enum(['scanning', 'queued', 'running', 'paused', 'done', 'cancelled']),
      pauseReason: errorData.optional(),
    }),
    z.object({
      t: z.literal('job-stats'),
      jobId: id,
      ignored: count.optional(),
      leftOut: z.record(z.string().max(64), count).optional(),
      busyMs: z.number().min(0).optional(),
      ofFolders: z.boolean().optional(),
    }),
    z.object({ t: z.literal('job-realism'), jobId: id, realism: realismSchema }),
    z.object({ t: z.literal('job-repairs'), jobId: id, repairs: repairsSchema }),
    z.object({ t: z.literal('job-turn'), jobId: id, turn: turnSchema, mirrored: z.boolean().optional() }),
    z.object({
      t: z.literal('job-taken'),
      jobId: id,
      taken: takenSchema.nullable(),
      fromNames: z.literal(true).optional(),
    }),
    z.object({
      t: z.literal('job-caption'),
      jobId: id,
      caption: captionSchema.nullable(),
      fromNames: z.literal(true).optional(),
    }),
    z.object({
      t: z.literal('job-model'),
      jobId: id,
      model: modelSpecSchema,
      modelScale: modelScale.optional(),
    }),
    z.object({ t: z.literal('job-outdir'), jobId: id, outDir: path }),
    z.object({ t: z.literal('job-watch'), jobId: id, watching: z.boolean() }),
    z.object({
      t: z.literal('item'),
      id,
      patch: z.preprocess(legacyRealism, z.object(itemFields).partial()),
    }),
    z.object({ t: z.literal('order'), jobIds: z.array(id) }),
    z.object({ t: z.literal('forget'), jobId: id }),
  ]),
)

export function parseEntry(value: unknown): QueueEntry | null {
  const result = entrySchema.safeParse(value)
  return result.success ? result.data : null
}

/** The snapshot's valid jobs and items, and how many were dropped. */
export function parseSnapshot(value: unknown): { snapshot: QueueSnapshot; dropped: number } | null {
  if (typeof value !== 'object' || value === null) return null
  const { jobs, items } = value as { jobs?: unknown; items?: unknown }
  if (!Array.isArray(jobs) || !Array.isArray(items)) return null
  const keptJobs = jobs.flatMap((j) => {
    const r = jobSchema.safeParse(j)
    return r.success ? [r.data] : []
  })
  const keptItems = items.flatMap((i) => {
    const r = itemSchema.safeParse(i)
    return r.success ? [r.data] : []
  })
  return {
    snapshot: { jobs: keptJobs, items: keptItems },
    dropped: jobs.length - keptJobs.length + items.length - keptItems.length,
  }
}
