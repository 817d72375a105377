import type { EstimateReply, ModelSpecData } from '../shared/protocol.js'
import { hasTimeToCome, isToCome } from '../shared/states.js'
import type { QueueRunner } from './runner.js'
import { jobModel } from './types.js'
import { sameModels } from '../shared/model.js'
import type { Job } from './types.js'

/** What estimates need from the engine: the EngineClient's `estimate`. */
export interface Estimator {
  estimate(
    model: ModelSpecData,
    tile: number | 'auto',
    inputs: string[],
    options: { held?: () => boolean; signal?: AbortSignal; measure?: boolean },
  ): Promise<EstimateReply>
}

/** A job's photos asked for (one whose size could not be read, once) with its models, and the answer awaited. */
interface Asked {
  inputs: Set<string>
  model: ModelSpecData
  waiting: AbortController | null
}

/**
 * How long each photo of the jobs still to finish would take, as the engine estimates it from its size and this
 * computer's measured speed: what a job's time left goes by (`estimatedTimeLeft`), so that a large scan counts as
 * much as it takes. Each photo is asked for once, when it joins its job (again only if the engine failed to answer).
 * `measure` false: from the tile speeds this computer measured before only, so that a run never waits on a
 * measurement for them (the CLI's live line); none measured yet, its photos are asked for again at the next `sync`.
 */
export class JobEstimates {
  /** Per job, each photo's estimate by input (a photo none could be made for is not there). */
  private readonly estimates = new Map<string, Map<string, number>>()
  private readonly asked = new Map<string, Asked>()
  private closed = false
  private nothingMeasured = false

  constructor(
    private readonly runner: Pick<QueueRunner, 'jobs' | 'job' | 'items'>,
    private readonly engine: Estimator,
    private readonly onEstimated: (jobId: string) => void,
    private readonly measure = true,
  ) {}

  /**
   * Not measuring, the engine's last answer was that no tile speed is measured here yet: asking again before a tile has
   * run would read every photo's header for nothing.
   */
  get unmeasured(): boolean {
    return this.nothingMeasured
  }

  /** The estimates of a job's photos, by input. */
  of(jobId: string): ReadonlyMap<string, number> | undefined {
    return this.estimates.get(jobId)
  }

  /** Asks the engine for the photos of jobs still to finish that have none yet; forgets jobs gone (their asks stop). */
  sync(): void {
    if (this.closed) return
    const jobs = this.runner.jobs
    for (const jobId of this.asked.keys()) if (!jobs.some((job) => job.id === jobId)) this.forget(jobId)
    for (const job of jobs) this.syncJob(job)
  }

  /** Stops a job's ask under way and forgets its estimates: its answer, when it comes, is not kept. */
  private forget(jobId: string): void {
    this.asked.get(jobId)?.waiting?.abort()
    this.asked.delete(jobId)
    this.estimates.delete(jobId)
  }

  /** Stops the asks under way and asks nothing more: the engine is to finish, with nothing of theirs left running. */
  close(): void {
    this.closed = true
    for (const asked of this.asked.values()) asked.waiting?.abort()
  }

  /**
   * Asks for a job's photos to come not asked for yet, unless an answer for it is awaited (it asks again then); all of
   * them again once the job's models changed.
   */
  private syncJob(job: Job): void {
    const model = jobModel(job)
    const known = this.asked.get(job.id)
    if (known && !sameModels(known.model, model)) this.forget(job.id)
    const asked = this.asked.get(job.id) ?? { inputs: new Set<string>(), model, waiting: null }
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
    const waiting = new AbortController()
    asked.waiting = waiting
    this.asked.set(job.id, asked)
    // Never presumed hung: an album on a network drive that froze would otherwise have the engine restarted under the
    // photo it is enhancing, for a courtesy. Its photos wait on that drive anyway, and say so.
    const options = { held: () => true, signal: waiting.signal, measure: this.measure }
    const reply = await this.engine
      .estimate(asked.model, job.spec.settings.tile, inputs, options)
      .catch(() => null)
    asked.waiting = null
    // A job cleared from the queue meanwhile was forgotten, and its ask stopped: its answer is not kept.
    if (this.closed || this.asked.get(job.id) !== asked) return
    // An engine restarting meanwhile, or (not measuring) no tile speed measured yet: they are asked for again at the
    // next change, not at once, lest an engine that cannot answer be asked for ever.
    if (!reply || (!this.measure && reply.perPhotoMs === null)) {
      if (reply) this.nothingMeasured = true
      for (const input of inputs) asked.inputs.delete(input)
      return
    }
    this.nothingMeasured = false
    const { perPhotoMs } = reply
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
