import type { EngineClient } from '../../engine/client.js'
import type { QueueRunner } from '../../queue/runner.js'
import type { Job } from '../../queue/types.js'
import { hasTimeToCome, isToCome } from '../../shared/states.js'

/** A job's photos asked for (one whose size could not be read, once), and whether an answer is awaited. */
interface Asked {
  inputs: Set<string>
  waiting: boolean
}

/**
 * How long each photo of the jobs still to finish would take, as the engine estimates it from its size and this
 * computer's measured speed: what a job's time left goes by (`estimatedTimeLeft`), so that a large scan counts as
 * much as it takes. Each photo is asked for once, when it joins its job (again only if the engine failed to answer).
 */
export class JobEstimates {
  /** Per job, each photo's estimate by input (a photo none could be made for is not there). */
  private readonly estimates = new Map<string, Map<string, number>>()
  private readonly asked = new Map<string, Asked>()

  constructor(
    private readonly runner: Pick<QueueRunner, 'jobs' | 'job' | 'items'>,
    private readonly engine: Pick<EngineClient, 'estimate'>,
    private readonly onEstimated: (jobId: string) => void,
  ) {}

  /** The estimates of a job's photos, by input. */
  of(jobId: string): ReadonlyMap<string, number> | undefined {
    return this.estimates.get(jobId)
  }

  /** Asks the engine for the photos of jobs still to finish that have none yet; forgets jobs gone. */
  sync(): void {
    const jobs = this.runner.jobs
    for (const jobId of this.asked.keys())
      if (!jobs.some((job) => job.id === jobId)) {
        this.asked.delete(jobId)
        this.estimates.delete(jobId)
      }
    for (const job of jobs) this.syncJob(job)
  }

  /** Asks for a job's photos to come not asked for yet, unless an answer for it is awaited (it asks again then). */
  private syncJob(job: Job): void {
    const asked = this.asked.get(job.id) ?? { inputs: new Set<string>(), waiting: false }
    // A job still finding its photos is asked for those found so far.
    if (!(job.state === 'scanning' || hasTimeToCome(job.state)) || asked.waiting) return
    const inputs = this.runner
      .items(job.id)
      .filter((item) => isToCome(item.state) && !asked.inputs.has(item.input))
      .map((item) => item.input)
    if (inputs.length) void this.ask(job, inputs, asked)
  }

  private async ask(job: Job, inputs: string[], asked: Asked): Promise<void> {
    for (const input of inputs) asked.inputs.add(input)
    asked.waiting = true
    this.asked.set(job.id, asked)
    // Never presumed hung: an album on a network drive that froze would otherwise have the engine restarted under the
    // photo it is enhancing, for a courtesy. Its photos wait on that drive anyway, and say so.
    const perPhotoMs = await this.engine
      .estimate(job.spec.model, job.spec.settings.tile, inputs, { held: () => true })
      .then(
        (reply) => reply.perPhotoMs,
        () => {
          // An engine restarting meanwhile: they are asked for again at the next change.
          for (const input of inputs) asked.inputs.delete(input)
          return null
        },
      )
    asked.waiting = false
    // A job cleared from the queue meanwhile was forgotten: its answer is not kept.
    if (this.asked.get(job.id) !== asked) return
    const estimates = this.estimates.get(job.id) ?? new Map<string, number>()
    inputs.forEach((input, index) => {
      const ms = perPhotoMs?.[index]
      if (ms !== null && ms !== undefined) estimates.set(input, ms)
    })
    this.estimates.set(job.id, estimates)
    this.onEstimated(job.id)
    // Photos found or put back meanwhile.
    const now = this.runner.job(job.id)
    if (now) this.syncJob(now)
  }
}
