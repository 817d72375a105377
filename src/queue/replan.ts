import { existsSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import { OutputPlanner, modelLabel } from './plan.js'
import { sizeVars } from '../shared/naming.js'
import { jobModel, jobRealism } from './types.js'
import type { Item, Job, JobSpec } from './types.js'

/** An item's changes, by item id: what re-planning decided, for the runner to commit. */
export type ItemPatches = Map<string, Partial<Omit<Item, 'id' | 'jobId'>>>

export function plannerFor(
  job: Pick<Job, 'spec' | 'modelScale' | 'model'>,
  realism: number | undefined,
  exists?: (path: string) => boolean,
): OutputPlanner {
  const vars = {
    ...sizeVars(job.spec.settings.size, job.modelScale),
    ...(realism === undefined ? {} : { realism }),
    model: modelLabel(jobModel(job).path),
  }
  return new OutputPlanner(job.spec, vars, exists)
}

/** Where an item's output sits below its job's folder. */
const relativeDirOf = (job: Job, item: Item) => relative(resolve(job.spec.outDir), dirname(item.output))

/**
 * Photos enhanced again at `realism` (none: their model has no partner) get the names the job's template now gives
 * them: where it says {alpha}, {model} or the model's scale, a new realism or new models show in it. The earlier output
 * stays as it was; a file that is not the photo's own is never replaced unless the job overwrites.
 */
export function outputsRenamed(
  job: Job,
  all: Item[],
  moving: Item[],
  realism: number | undefined,
  othersOutputs: string[],
): ItemPatches {
  const patches: ItemPatches = new Map()
  const policy = job.spec.policy === 'overwrite' ? 'overwrite' : 'suffix'
  // A photo's own outputs, current and earlier, are its to replace: choosing a realism again reuses its file.
  const own = new Set(moving.flatMap((i) => [i.output, ...(i.earlierOutputs ?? [])]))
  const planner = plannerFor(
    { ...job, spec: { ...job.spec, policy } },
    realism,
    (path) => !own.has(path) && existsSync(path),
  )
  planner.protect(all.map((i) => i.input))
  const ids = new Set(moving.map((i) => i.id))
  for (const other of all) if (!ids.has(other.id)) planner.reserve(other.output)
  for (const output of othersOutputs) planner.reserve(output)
  for (const item of moving) {
    const { output } = planner.plan({ path: item.input, relativeDir: relativeDirOf(job, item) })
    if (output === item.output) continue
    const earlierOutputs = [...(item.earlierOutputs ?? []).filter((p) => p !== output), item.output]
    patches.set(item.id, { output, earlierOutputs })
  }
  return patches
}

/**
 * Every output of a job planned anew in another folder, with its naming and conflict rules. A photo
 * skipped because its output existed in the old folder may run in the new one, or be skipped there.
 */
export function outputsInFolder(
  job: Job,
  items: Item[],
  outDir: string,
  othersOutputs: string[],
): ItemPatches {
  const planner = plannerFor({ ...job, spec: { ...job.spec, outDir } }, jobRealism(job) ?? undefined)
  planner.protect(items.map((i) => i.input))
  for (const output of othersOutputs) planner.reserve(output)
  const patches: ItemPatches = new Map()
  for (const item of items) {
    const { output, skip } = planner.plan({ path: item.input, relativeDir: relativeDirOf(job, item) })
    const state = skip
      ? { state: 'skipped' as const, skipReason: 'exists' as const }
      : item.skipReason === 'exists'
        ? { state: 'queued' as const, skipReason: undefined }
        : {}
    patches.set(item.id, { output, ...state })
  }
  return patches
}

/** A spec as text with its keys in order: two runs of one command give the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`
  return JSON.stringify(value) ?? 'null'
}

export function sameSpec(a: JobSpec, b: JobSpec): boolean {
  return canonical(a) === canonical(b)
}
