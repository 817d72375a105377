import type { QueueRunner } from '../queue/runner.js'
import { jobRealism } from '../queue/types.js'
import type { Job } from '../queue/types.js'
import { EnhanceError } from '../shared/errors.js'
import { percent } from '../shared/job-title.js'
import { isRealism } from '../shared/settings-schema.js'
import { invalid, requireValue } from './args.js'
import type { Io } from './jobs.js'
import { chooseForNamed, namedAndValue } from './queue-tell.js'

const USAGE = 'enhance queue realism <job> [<photo|folder/|all>] 0.8 (0 faithful … 1 realistic, or 80%)'

/** A realism as `--alpha` takes it (0 to 1), or as the app shows it (`80%`). */
export function parseQueueRealism(text: string | undefined): number {
  const given = requireValue(text?.trim(), `realism: ${USAGE}`)
  const share = given.endsWith('%')
  const number = share ? given.slice(0, -1).trim() : given
  const realism = Number(number) / (share ? 100 : 1)
  if (number === '' || !isRealism(realism))
    throw invalid(
      `A realism is a number from 0 (faithful) to 1 (realistic), or a percentage; got "${given}".`,
    )
  return realism
}

/**
 * `enhance queue realism <job> [<photo|folder/|all>] <realism>`: the realism one photo of a job, the photos of one of
 * its folders, or all of them (replacing those chosen per photo) are enhanced at, as Realism's Apply does in the app.
 * Nothing is enhanced here: done photos wait to be enhanced again so at the next run.
 */
export async function chooseRealism(runner: QueueRunner, job: Job, words: string[], io: Io): Promise<void> {
  const id = job.id.slice(0, 8)
  if (jobRealism(job) === null)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `${id} is enhanced with one model, with no GAN partner to blend: it has no realism to choose.`,
    )
  const [named, given] = namedAndValue(words, USAGE)
  const realism = parseQueueRealism(given)
  io.out(
    await chooseForNamed(runner, job, named, { choice: { realism }, what: `Realism ${percent(realism)}` }),
  )
}
