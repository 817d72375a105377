import type { EngineClient } from '../../engine/client.js'
import type { QueueRunner } from '../../queue/runner.js'
import type { Job } from '../../queue/types.js'
import { hasTimeToCome } from '../../shared/durations.js'

/** The jobs whose card can only say an estimate: still to start or under way, with no photo done to time. */
function awaitsItsFirstPhoto(job: Job, runner: Pick<QueueRunner, 'items'>): boolean {
  return hasTimeToCome(job.state) && !runner.items(job.id).some((item) => item.state === 'done')
}

/**
 * How long each job would take before any of its photos is done, as the engine estimates it from their sizes and this
 * computer's measured speed: what its card says until the time its finished photos took takes over. Asked once per
 * job, and again when photos join it.
 */
export class JobEstimates {
  /** Per job: its estimate (null: none could be made) and how many photos it had then. */
  private readonly estimates = new Map<string, { ms: number | null; photos: number }>()
  private readonly asking = new Set<string>()

  constructor(
    private readonly runner: Pick<QueueRunner, 'jobs' | 'items'>,
    private readonly engine: Pick<EngineClient, 'estimate'>,
    private readonly onEstimated: (jobId: string) => void,
  ) {}

  /** The estimate of a job, where one was made for the photos it has. */
  of(jobId: string): number | undefined {
    const estimate = this.estimates.get(jobId)
    return estimate && estimate.photos === this.runner.items(jobId).length
      ? (estimate.ms ?? undefined)
      : undefined
  }

  /** Asks the engine for the jobs that need one and have none for the photos they have; forgets jobs gone. */
  sync(): void {
    const jobs = this.runner.jobs
    for (const jobId of this.estimates.keys())
      if (!jobs.some((job) => job.id === jobId)) this.estimates.delete(jobId)
    for (const job of jobs) {
      const photos = this.runner.items(job.id).length
      const known = this.estimates.get(job.id)?.photos === photos
      if (known || this.asking.has(job.id) || photos === 0 || !awaitsItsFirstPhoto(job, this.runner)) continue
      void this.ask(job, photos)
    }
  }

  private async ask(job: Job, photos: number): Promise<void> {
    this.asking.add(job.id)
    const inputs = this.runner.items(job.id).map((item) => item.input)
    try {
      // Never presumed hung: an album on a network drive that froze would otherwise have the engine restarted under the
      // photo it is enhancing, for a courtesy. Its photos wait on that drive anyway, and say so.
      const { ms } = await this.engine.estimate(job.spec.model, job.spec.settings.tile, inputs, {
        held: () => true,
      })
      this.estimates.set(job.id, { ms, photos })
    } catch {
      // An engine restarting meanwhile: the card waits for its photos' own times instead.
      this.estimates.set(job.id, { ms: null, photos })
    } finally {
      this.asking.delete(job.id)
    }
    this.onEstimated(job.id)
  }
}
