import type { QueueRunner } from '../queue/runner.js'
import type { Job } from '../queue/types.js'
import { photoCount } from '../shared/job-title.js'
import { invalid } from './args.js'
import type { Io } from './jobs.js'
import { RESUME_HINT, namedTarget } from './queue-tell.js'

/**
 * `enhance queue skip <job> <photo|folder/|all>` (or `unskip`): skips photos of a job waiting to be enhanced, as a
 * row's Skip does in the app, or puts photos skipped so back in the queue. Nothing is enhanced here.
 */
export function skipPhotos(runner: QueueRunner, job: Job, words: string[], skip: boolean, io: Io): void {
  const usage = `enhance queue ${skip ? 'skip' : 'unskip'} <job> <photo|folder/|all>`
  if (words.length !== 1) throw invalid(`Name the photos, and only them: ${usage}.`)
  const { target, whose } = namedTarget(runner, job, words[0]!)
  runner.hold()
  io.out(changedWords(runner.skipPhotos(target, skip), whose, skip))
}

function changedWords(changed: number, whose: string, skip: boolean): string {
  if (skip)
    return changed
      ? `Skipped ${whose}: ${photoCount(changed)}, not enhanced until "enhance queue unskip" (or Put back in the app).`
      : `Nothing skipped for ${whose}: only photos waiting to be enhanced are.`
  return changed
    ? `Put back ${whose}: ${photoCount(changed)} ${changed === 1 ? 'waits' : 'wait'} to be enhanced, ${RESUME_HINT}`
    : `Nothing put back for ${whose}: none was skipped.`
}
