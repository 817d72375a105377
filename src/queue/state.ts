import type { Repairs } from '../shared/settings.js'
import type { QuarterTurn } from '../shared/turn.js'
import type { Taken } from '../shared/taken.js'
import type { Caption } from '../shared/caption.js'
import type { ModelSpecData } from '../shared/protocol.js'
import type { Item, Job, JobState } from './types.js'

/** What is chosen for a whole job after it was made, and for one photo of it. */
type WholeJobChoice =
  'realism' | 'repairs' | 'turn' | 'mirrored' | 'taken' | 'takenFromNames' | 'caption' | 'captionFromNames'

/** Whole-job choices that only say how the others are read: photos have none of their own to replace. */
const JOB_ONLY: ReadonlySet<WholeJobChoice> = new Set(['takenFromNames', 'captionFromNames'])

/** One durable change. The queue's state is the snapshot with these applied in order. */
export type QueueEntry =
  | { t: 'job'; job: Job }
  | { t: 'items'; items: Item[] }
  | { t: 'job-state'; jobId: string; state: JobState; pauseReason?: Job['pauseReason'] }
  | {
      t: 'job-stats'
      jobId: string
      ignored?: number
      leftOut?: Record<string, number>
      busyMs?: number
      ofFolders?: boolean
    }
  /** A realism for the whole job: it replaces any chosen per photo. */
  | { t: 'job-realism'; jobId: string; realism: number }
  /** Repairs for the whole job: they replace any chosen per photo. */
  | { t: 'job-repairs'; jobId: string; repairs: Required<Repairs> }
  /** A turn (and mirror) for the whole job: it replaces any chosen per photo. */
  | { t: 'job-turn'; jobId: string; turn: QuarterTurn; mirrored?: boolean }
  /**
   * When the whole job's photos were taken (null: not said), or each as its names say (`fromNames`, `taken` null): it
   * replaces any date chosen per photo.
   */
  | { t: 'job-taken'; jobId: string; taken: Taken | null; fromNames?: true }
  /**
   * What is written under the whole job's photos (null: none), or each as its names say (`fromNames`, `caption` null):
   * it replaces any caption chosen per photo.
   */
  | { t: 'job-caption'; jobId: string; caption: Caption | null; fromNames?: true }
  /**
   * Other models for the whole job (`modelScale`: the new model's own scale, where its names say it): its photos are
   * enhanced with them from now on.
   */
  | { t: 'job-model'; jobId: string; model: ModelSpecData; modelScale?: number }
  /** Another output folder, chosen before the job saved any photo. */
  | { t: 'job-outdir'; jobId: string; outDir: string }
  | { t: 'job-watch'; jobId: string; watching: boolean }
  | { t: 'item'; id: string; patch: Partial<Omit<Item, 'id' | 'jobId'>> }
  | { t: 'order'; jobIds: string[] }
  | { t: 'forget'; jobId: string }

export interface QueueSnapshot {
  jobs: Job[]
  items: Item[]
}

/** The in-memory queue: jobs by id, items by id and by job (in scan order). */
export class QueueState {
  readonly jobs = new Map<string, Job>()
  readonly items = new Map<string, Item>()
  private readonly byJob = new Map<string, string[]>()

  static from(snapshot: QueueSnapshot | null, entries: QueueEntry[]): QueueState {
    const state = new QueueState()
    for (const job of snapshot?.jobs ?? []) state.apply({ t: 'job', job })
    if (snapshot?.items.length) state.apply({ t: 'items', items: snapshot.items })
    for (const entry of entries) state.apply(entry)
    return state
  }

  apply(entry: QueueEntry): void {
    switch (entry.t) {
      case 'job':
        this.jobs.set(entry.job.id, { ...entry.job })
        if (!this.byJob.has(entry.job.id)) this.byJob.set(entry.job.id, [])
        return
      case 'items':
        for (const item of entry.items) {
          if (!this.items.has(item.id)) this.byJob.get(item.jobId)?.push(item.id)
          this.items.set(item.id, { ...item })
        }
        return
      case 'job-state': {
        const job = this.jobs.get(entry.jobId)
        if (!job) return
        job.state = entry.state
        if (entry.pauseReason) job.pauseReason = entry.pauseReason
        else delete job.pauseReason
        return
      }
      case 'job-stats': {
        const job = this.jobs.get(entry.jobId)
        if (!job) return
        if (entry.ignored !== undefined) job.ignored = entry.ignored
        if (entry.leftOut !== undefined) job.leftOut = entry.leftOut
        if (entry.busyMs !== undefined) job.busyMs = entry.busyMs
        if (entry.ofFolders !== undefined) job.ofFolders = entry.ofFolders
        return
      }
      case 'job-realism':
        return this.chooseForJob(entry.jobId, { realism: entry.realism })
      case 'job-repairs':
        return this.chooseForJob(entry.jobId, { repairs: entry.repairs })
      case 'job-turn':
        return this.chooseForJob(entry.jobId, { turn: entry.turn, mirrored: entry.mirrored ?? false })
      case 'job-taken':
        return this.chooseForJob(
          entry.jobId,
          entry.fromNames
            ? { taken: undefined, takenFromNames: true }
            : { taken: entry.taken, takenFromNames: false },
        )
      case 'job-caption':
        return this.chooseForJob(
          entry.jobId,
          entry.fromNames
            ? { caption: undefined, captionFromNames: true }
            : { caption: entry.caption, captionFromNames: false },
        )
      case 'job-model': {
        const job = this.jobs.get(entry.jobId)
        if (!job) return
        job.model = entry.model
        if (entry.modelScale === undefined) delete job.modelScale
        else job.modelScale = entry.modelScale
        return
      }
      case 'job-outdir': {
        const job = this.jobs.get(entry.jobId)
        if (job) job.spec = { ...job.spec, outDir: entry.outDir }
        return
      }
      case 'job-watch': {
        const job = this.jobs.get(entry.jobId)
        if (job) job.watching = entry.watching
        return
      }
      case 'item': {
        const item = this.items.get(entry.id)
        if (!item) return
        Object.assign(item, entry.patch)
        if (entry.patch.state && entry.patch.state !== 'failed' && !('error' in entry.patch))
          delete item.error
        // A note and a time belong to the run that wrote them: the next run of the photo starts without either.
        if (entry.patch.state && !('note' in entry.patch)) delete item.note
        if (entry.patch.state && !('ranMs' in entry.patch)) delete item.ranMs
        return
      }
      case 'order':
        entry.jobIds.forEach((id, order) => {
          const job = this.jobs.get(id)
          if (job) job.order = order
        })
        return
      case 'forget':
        for (const id of this.byJob.get(entry.jobId) ?? []) this.items.delete(id)
        this.byJob.delete(entry.jobId)
        this.jobs.delete(entry.jobId)
        return
    }
  }

  /** A choice for a whole job (its realism, repairs, facing, date or caption): it replaces the same one per photo. */
  private chooseForJob(jobId: string, choice: Pick<Job, WholeJobChoice>): void {
    const job = this.jobs.get(jobId)
    if (!job) return
    Object.assign(job, choice)
    for (const item of this.itemsOf(jobId))
      for (const key of Object.keys(choice) as WholeJobChoice[])
        if (!JOB_ONLY.has(key)) delete item[key as keyof Item]
  }

  itemsOf(jobId: string): Item[] {
    return (this.byJob.get(jobId) ?? []).map((id) => this.items.get(id)!)
  }

  orderedJobs(): Job[] {
    return [...this.jobs.values()].sort((a, b) => a.order - b.order || a.createdAt - b.createdAt)
  }

  snapshot(): QueueSnapshot {
    return { jobs: [...this.jobs.values()], items: [...this.items.values()] }
  }
}
