import { randomUUID } from 'node:crypto'
import { namesModelScale } from '../shared/naming.js'
import { scanJob } from './scanner.js'
import type { QueueState } from './state.js'
import type { Item, ItemState, Job, JobSpec } from './types.js'

/** A photo in these states will be written (a paused job's too). A cancelled one is not waited for. */
const STILL_TO_WRITE: ReadonlySet<ItemState> = new Set(['queued', 'running'])

/** A job for `spec`, not yet scanned, after the queue's `jobs`; `modelScale` where its names say its model's scale. */
export function newJob(spec: JobSpec, jobs: Job[], modelScale: number | undefined): Job {
  return {
    id: randomUUID(),
    spec,
    state: 'scanning',
    createdAt: Date.now(),
    order: jobs.length ? Math.max(...jobs.map((j) => j.order)) + 1 : 0,
    ignored: 0,
    busyMs: 0,
    ...(modelScale === undefined ? {} : { modelScale }),
  }
}

/**
 * The outputs other jobs of the queue `state` are still to write, which `job` plans its own around: two jobs of one
 * album (at two realism levels, say) keep both results. A job that overwrites replaces them, as it would files.
 */
export function outputsOfOtherJobs(state: QueueState, job: Job): string[] {
  const outputs: string[] = []
  if (job.spec.policy === 'overwrite') return outputs
  for (const item of state.items.values())
    if (item.jobId !== job.id && STILL_TO_WRITE.has(item.state)) outputs.push(item.output)
  return outputs
}

/**
 * The scale of `spec`'s model where its names say it, as `inspect` reads the model; none where they do not, or where
 * it cannot be read (its first photo then fails with the reason, as it would anyway).
 */
export async function modelScaleFor(
  spec: JobSpec,
  inspect: ((path: string) => Promise<{ scale: number }>) | undefined,
): Promise<number | undefined> {
  if (!inspect || !namesModelScale(spec.naming, spec.settings.size)) return undefined
  return (await inspect(spec.model.path).catch(() => undefined))?.scale
}

/**
 * What a job for `spec` would hold if it were added to the queue `state` holds now: its photos found and named as
 * `QueueRunner.addJob` finds and names them (around the outputs other jobs will write), each queued or skipped, and
 * what it left out. Nothing is written, to the queue or anywhere else.
 */
export async function previewJob(
  spec: JobSpec,
  state: QueueState,
  modelScale: number | undefined,
): Promise<{ job: Job; items: Item[] }> {
  const job = newJob(spec, [...state.jobs.values()], modelScale)
  const items: Item[] = []
  const stats = await scanJob(
    () => job,
    [],
    outputsOfOtherJobs(state, job),
    (found) => items.push(...found),
  )
  return { job: { ...job, ...stats }, items }
}
