import type { QueueRunner } from '../queue/runner.js'
import { jobRealism } from '../queue/types.js'
import type { Job } from '../queue/types.js'
import { modelsNamed, readCatalog } from '../engine/catalog.js'
import { checkPair } from '../shared/model.js'
import type { ModelInfo } from '../shared/model.js'
import { photoCount } from '../shared/job-title.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'
import { MODELS_DIR, resolveModelSpec } from './models.js'
import type { InstalledLookup } from './models.js'
import { RESUME_HINT } from './queue-tell.js'

const USAGE = 'enhance queue model <job> <name|id|file> [--blend <name|id|file>]'

/** How the command names models: as `--model` and `--blend` do, and the models reading them. */
export interface ModelNaming {
  blend: string | undefined
  installed: InstalledLookup
  inspect: (path: string) => Promise<ModelInfo>
}

/**
 * `enhance queue model <job> <name|id|file> [--blend <name|id|file>]`: the models a job's photos are enhanced with from
 * now on, named as `--model` and `--blend` name them (`enhance-psnr-x4`: the pair for clean, sharp originals), at the
 * realism they had. Each is read first (a missing file, or two that cannot be blended, is refused here). Nothing is
 * enhanced here: done photos wait to be enhanced again with them at the next run.
 */
export async function chooseModels(
  runner: QueueRunner,
  job: Job,
  words: string[],
  { blend, installed, inspect }: ModelNaming,
  io: Io,
): Promise<void> {
  if (words.length > 1) throw invalid(`Too many words: ${USAGE}`)
  const named = requireValue(words[0], `the model: ${USAGE}`)
  const realism = jobRealism(job)
  const model = resolveModelSpec(
    { model: named, ...(blend ? { blend } : {}), ...(realism === null ? {} : { realism }) },
    MODELS_DIR,
    installed,
  )
  const read = await inspect(model.path)
  if (model.blend) checkPair(read, await inspect(model.blend.path))
  runner.hold()
  const again = await runner.chooseModels(job.id, model)
  await runner.idle()
  const chosen = `The photos of ${job.id.slice(0, 8)} are enhanced with ${modelsNamed(MODELS_DIR, readCatalog(MODELS_DIR), model)} from now on`
  io.out(
    again
      ? `${chosen}: ${photoCount(again)} will be enhanced again so, ${RESUME_HINT}`
      : `${chosen}: none is done or waiting, so nothing will be enhanced.`,
  )
}
