import { existsSync } from 'node:fs'
import type { EngineClient } from '../engine/client.js'
import { modelScaleFor, previewJob } from '../queue/new-job.js'
import { modelLabel } from '../queue/plan.js'
import { jobChosen } from '../queue/types.js'
import { madeWords } from '../shared/chosen-words.js'
import { readQueueState } from '../queue/store.js'
import type { JobSpec } from '../queue/types.js'
import { leftOutText } from '../shared/formats.js'
import type { EstimateReply } from '../shared/protocol.js'
import type { PlanEstimate } from './report.js'
import { reporterFor, warnAboutSubfolders } from './jobs.js'
import type { Io } from './jobs.js'

/**
 * `--dry-run`: what the command would do, its photos found and named as a run finds and names them (around the outputs
 * the queue's other jobs will write): each photo and the file it would write (and whether that replaces one), those
 * skipped, what was left out, and how long it would take here. Nothing is enhanced or written, and the queue is only
 * read.
 */
export async function dryRun(
  spec: JobSpec,
  queueDir: string,
  { json, engine }: { json: boolean; engine: EngineClient },
  io: Io,
): Promise<number> {
  try {
    return await planRun(spec, queueDir, { json, engine }, io)
  } finally {
    engine.close()
  }
}

/** The estimate for all the photos, each one's left out. */
function allTold(estimate: EstimateReply): PlanEstimate {
  const { perPhotoMs, ...all } = estimate
  return all
}

async function planRun(
  spec: JobSpec,
  queueDir: string,
  { json, engine }: { json: boolean; engine: EngineClient },
  io: Io,
): Promise<number> {
  if (!spec.recursive) warnAboutSubfolders(spec, io)
  const modelScale = await modelScaleFor(spec, (path) => engine.inspect(path))
  const { job, items } = await previewJob(spec, readQueueState(queueDir), modelScale)
  const reporter = reporterFor(json, io)
  const leftOut = leftOutText(job.leftOut)
  if (job.leftOut && leftOut) reporter.emit({ event: 'left-out', files: job.leftOut, message: leftOut })
  const plan = { photos: 0, replacing: 0, skipped: 0 }
  const planned: string[] = []
  for (const item of items) {
    if (item.state === 'skipped') {
      plan.skipped++
      reporter.emit({ event: 'skipped', item: item.input, output: item.output, reason: 'exists' })
      continue
    }
    const replaces = existsSync(item.output)
    plan.photos++
    planned.push(item.input)
    if (replaces) plan.replacing++
    reporter.emit({ event: 'planned', item: item.input, output: item.output, replaces })
  }
  // Timing this computer takes a while, once per model and device: whoever waits is told why, once.
  let timing = false
  const onProgress = ({ measuring }: { measuring?: true }): void => {
    if (measuring && !timing) reporter.emit({ event: 'timing' })
    timing ||= measuring === true
  }
  const estimate = planned.length
    ? await engine.estimate(spec.model, spec.settings.tile, planned, { onProgress })
    : undefined
  const { model } = spec
  reporter.emit({
    event: 'plan',
    ...plan,
    model: modelLabel(model.path),
    ...(model.blend ? { blend: modelLabel(model.blend.path) } : {}),
    made: madeWords(jobChosen(job, items), spec.settings.size),
    ...(estimate ? { estimate: allTold(estimate) } : {}),
  })
  reporter.close()
  return 0
}
