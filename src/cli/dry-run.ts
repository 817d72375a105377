import { existsSync } from 'node:fs'
import { EngineClient, forkEngine } from '../engine/client.js'
import { modelScaleFor, previewJob } from '../queue/new-job.js'
import { modelLabel } from '../queue/plan.js'
import { jobChosen } from '../queue/types.js'
import { madeWords } from '../shared/chosen-words.js'
import { readQueueState } from '../queue/store.js'
import type { JobSpec } from '../queue/types.js'
import { leftOutText } from '../shared/formats.js'
import type { ModelInfo } from '../shared/model.js'
import { reporterFor, warnAboutSubfolders } from './jobs.js'
import type { Io } from './jobs.js'

/** A model as the engine reads it (in its own process, as a run reads it), the engine let go after. */
async function inspectInEngine(engine: EngineClient, path: string): Promise<ModelInfo> {
  try {
    return await engine.inspect(path)
  } finally {
    engine.close()
  }
}

/**
 * `--dry-run`: what the command would do, its photos found and named as a run finds and names them (around the outputs
 * the queue's other jobs will write): each photo and the file it would write (and whether that replaces one), those
 * skipped, what was left out. Nothing is enhanced or written, and the queue is only read.
 */
export async function dryRun(
  spec: JobSpec,
  queueDir: string,
  {
    json,
    engine = () => new EngineClient(() => forkEngine()),
  }: { json: boolean; engine?: () => EngineClient },
  io: Io,
): Promise<number> {
  if (!spec.recursive) warnAboutSubfolders(spec, io)
  const modelScale = await modelScaleFor(spec, (path) => inspectInEngine(engine(), path))
  const { job, items } = await previewJob(spec, readQueueState(queueDir), modelScale)
  const reporter = reporterFor(json, io)
  const leftOut = leftOutText(job.leftOut)
  if (job.leftOut && leftOut) reporter.emit({ event: 'left-out', files: job.leftOut, message: leftOut })
  const plan = { photos: 0, replacing: 0, skipped: 0 }
  for (const item of items) {
    if (item.state === 'skipped') {
      plan.skipped++
      reporter.emit({ event: 'skipped', item: item.input, output: item.output, reason: 'exists' })
      continue
    }
    const replaces = existsSync(item.output)
    plan.photos++
    if (replaces) plan.replacing++
    reporter.emit({ event: 'planned', item: item.input, output: item.output, replaces })
  }
  const { model } = spec
  reporter.emit({
    event: 'plan',
    ...plan,
    model: modelLabel(model.path),
    ...(model.blend ? { blend: modelLabel(model.blend.path) } : {}),
    made: madeWords(jobChosen(job, items), spec.settings.size),
  })
  reporter.close()
  return 0
}
