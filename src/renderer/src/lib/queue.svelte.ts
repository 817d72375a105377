import type {
  ChoiceTarget,
  AppEvent,
  EnhanceApi,
  HandedVia,
  ItemView,
  JobView,
  PhotoChoice,
  PhotoInputKind,
} from '../../../shared/api.js'
import type { DriveWait } from '../../../shared/drive-wait.js'
import type { ErrorData } from '../../../shared/errors.js'
import type { TileProgressData } from '../../../shared/protocol.js'
import { copiedText, splitFailure, splitText } from './format.js'
import { moved } from './reorder.js'
import { mirroredFacing, turnedFacing } from '../../../shared/turn.js'
import type { Facing } from '../../../shared/turn.js'
import type { Taken } from '../../../shared/taken.js'
import type { Caption } from '../../../shared/caption.js'

export type SplitState = { scans: number; done: number } | { text: string } | null

export interface PreviewTile {
  x: number
  y: number
  width: number
  height: number
  url: string
}

/** The queue as the renderer sees it, kept current by the main process's events. */
export class QueueStore {
  #jobs = $state<JobView[]>([])
  #items = $state<Record<string, ItemView[]>>({})
  #progress = $state<Record<string, TileProgressData>>({})
  /** The photos in flight (by item) and the scans (by job) that wait on a drive that does not answer. */
  #waiting = $state<Record<string, DriveWait>>({})
  #previews = $state<Record<string, { width: number; height: number; tiles: PreviewTile[] }>>({})
  #error = $state<ErrorData | null>(null)
  /** Split scans: how many of the scans chosen are split so far, or what came of it, in words. */
  #split = $state<SplitState>(null)
  /** The photo whose result was last copied, and what was copied, in words. */
  #copied = $state<{ itemId: string; text: string } | null>(null)
  #unsubscribe: () => void

  constructor(private readonly api: EnhanceApi) {
    this.#unsubscribe = api.onEvent((event) => this.apply(event))
    void this.refresh()
  }

  get jobs(): JobView[] {
    return this.#jobs
  }
  /** The job `jobId` names, while the queue has it. */
  job(jobId: string): JobView | undefined {
    return this.#jobs.find((job) => job.id === jobId)
  }
  get error(): ErrorData | null {
    return this.#error
  }
  dismissError(): void {
    this.#error = null
  }
  get split(): SplitState {
    return this.#split
  }
  dismissSplit(): void {
    this.#split = null
  }
  get copied(): { itemId: string; text: string } | null {
    return this.#copied
  }
  items(jobId: string): ItemView[] {
    return this.#items[jobId] ?? []
  }
  progress(itemId: string): TileProgressData | undefined {
    return this.#progress[itemId]
  }
  /** What a photo in flight (`id`: its item's), or a job finding its photos (its job's), waits for. */
  waitingFor(id: string): DriveWait | undefined {
    return this.#waiting[id]
  }
  preview(itemId: string): { width: number; height: number; tiles: PreviewTile[] } | undefined {
    return this.#previews[itemId]
  }

  async refresh(): Promise<void> {
    this.#jobs = await this.api.listJobs()
    for (const job of this.#jobs) this.#items[job.id] = await this.api.listItems(job.id)
  }

  private apply(event: AppEvent): void {
    if (event.type === 'job') {
      if (event.job.state !== 'scanning') delete this.#waiting[event.job.id]
      const at = this.#jobs.findIndex((j) => j.id === event.job.id)
      if (at >= 0) this.#jobs[at] = event.job
      else this.#jobs.push(event.job)
    } else if (event.type === 'item') {
      const list = (this.#items[event.item.jobId] ??= [])
      const at = list.findIndex((i) => i.id === event.item.id)
      if (at >= 0) list[at] = event.item
      else list.push(event.item)
      // Only the photo being enhanced shows tiles: a photo that left "running" drops its previews, so a
      // long session does not keep every tile's image.
      if (event.item.state !== 'running') {
        delete this.#previews[event.item.id]
        delete this.#progress[event.item.id]
        delete this.#waiting[event.item.id]
      }
    } else if (event.type === 'waiting') {
      const id = event.itemId ?? event.jobId
      if (event.answered) delete this.#waiting[id]
      else this.#waiting[id] = { folder: event.folder, since: event.since }
    } else if (event.type === 'splitting') {
      if (this.#split && 'done' in this.#split) this.#split.done = event.done
    } else if (event.type === 'removed') {
      this.#jobs = this.#jobs.filter((j) => j.id !== event.jobId)
      delete this.#items[event.jobId]
    } else if (
      (event.type === 'progress' || event.type === 'preview') &&
      this.finished(event.jobId, event.itemId)
    ) {
      // A preview encoded in main can arrive after its photo finished: nothing to show any more.
    } else if (event.type === 'progress') {
      const { tilesDone, tiles, etaMs, measuring } = event
      this.#progress[event.itemId] = { tilesDone, tiles, etaMs, ...(measuring ? { measuring } : {}) }
    } else if (event.type === 'preview') {
      const preview = (this.#previews[event.itemId] ??= {
        width: event.previewWidth,
        height: event.previewHeight,
        tiles: [],
      })
      preview.tiles.push({ x: event.x, y: event.y, width: event.width, height: event.height, url: event.url })
    }
  }

  private finished(jobId: string, itemId: string): boolean {
    const state = this.#items[jobId]?.find((i) => i.id === itemId)?.state
    return state !== undefined && state !== 'running' && state !== 'queued'
  }

  /** Where the last finished photo actually ran (cpu, cuda, dml, coreml). */
  get lastProvider(): string | null {
    let last: string | null = null
    for (const job of this.#jobs)
      for (const item of this.items(job.id)) if (item.provider) last = item.provider
    return last
  }

  /** Add photos… / Add folder…: the dialog, then a job on what was chosen (nothing when cancelled). */
  async choose(kind: PhotoInputKind): Promise<void> {
    const chosen = await this.api.chooseInputs(kind)
    if (chosen) await this.add(chosen.id)
  }

  /**
   * Split scans…: the dialog, each scan's prints cut out and straightened, then a job enhancing them; a scan that gave
   * none is said as an error (the first one, with how many more).
   */
  async splitScans(): Promise<void> {
    const chosen = await this.api.chooseInputs('files')
    if (!chosen) return
    this.#split = { scans: chosen.names.length, done: 0 }
    const result = await this.api.splitScans(chosen.id)
    if (!result.ok) {
      this.#split = null
      this.#error = result.error
      return
    }
    const { prints } = result.value
    if (prints) await this.add(prints.id)
    this.#split = { text: splitText(result.value) }
    this.#error = splitFailure(result.value) ?? this.#error
  }

  /** Starts a job on a selection (from a dialog, a drop, or photos opened with Enhance). */
  async add(selection: string): Promise<boolean> {
    const result = await this.api.addJob(selection)
    this.#error = result.ok ? null : result.error
    if (result.ok) await this.refresh()
    return result.ok
  }

  /** An enhanced photo onto the clipboard, then a word under it saying so. */
  async copy(jobId: string, itemId: string): Promise<void> {
    const copied = await this.api.copyResult({ jobId, itemId })
    this.#error = copied.ok ? null : copied.error
    this.#copied = copied.ok ? { itemId, text: copiedText(copied.value) } : null
  }

  /** A paste or a drop: a job on the photos it holds, or why it holds none. */
  async take(files: File[], via: HandedVia): Promise<void> {
    const taken = await this.api.takePhotos(files, via)
    if (taken.ok) await this.add(taken.value.id)
    else this.#error = taken.error
  }

  pause = (id: string): Promise<void> => this.api.pauseJob(id)
  resume = (id: string): Promise<void> => this.api.resumeJob(id)
  watch = (id: string, watching: boolean): Promise<void> => this.api.watchJob(id, watching)
  cancel = (id: string): Promise<void> => this.api.cancelJob(id)
  retry = async (id: string): Promise<void> => {
    await this.api.retryJob(id)
  }
  readDamaged = async (target: { jobId: string; itemId?: string }): Promise<void> => {
    await this.api.readDamaged(target)
  }
  /** Skips one photo of a job, a folder's or all (not enhanced), or puts them back (`skip` false). */
  skip = async (target: ChoiceTarget, skip: boolean): Promise<void> => {
    const result = await this.api.skipPhotos(target, skip)
    this.#error = result.ok ? null : result.error
  }
  remove = (id: string): Promise<void> => this.api.removeJob(id)
  clearFinished = async (): Promise<void> => {
    await this.api.clearFinishedJobs()
  }
  showInFolder = async (target: { jobId: string; itemId?: string }): Promise<void> => {
    const result = await this.api.showInFolder(target)
    this.#error = result.ok ? null : result.error
  }

  changeFolder = async (jobId: string): Promise<void> => {
    const result = await this.api.changeJobFolder(jobId)
    this.#error = result.ok ? null : result.error
  }

  /** Turns a queued photo a quarter to the right (clockwise) or the left: it is enhanced again, turned. */
  async turn(item: ItemView, right: boolean): Promise<void> {
    await this.adjust({ jobId: item.jobId, itemId: item.id }, { facing: turnedFacing(item.facing, right) })
  }

  /** Mirrors a queued photo left to right as it is shown: it is enhanced again, mirrored. */
  async mirror(item: ItemView): Promise<void> {
    await this.adjust({ jobId: item.jobId, itemId: item.id }, { facing: mirroredFacing(item.facing) })
  }

  /**
   * Turns every photo of a job, or of one of its folders, a quarter from `from` (the job's facing, or the one its
   * folder's photos share), those turned on their own too: all enhanced again.
   */
  async turnAll(target: ChoiceTarget, from: Facing, right: boolean): Promise<void> {
    await this.adjust(target, { facing: turnedFacing(from, right) })
  }

  /** Mirrors every photo of a job, or of one of its folders, from `from` (as `turnAll`): all enhanced again. */
  async mirrorAll(target: ChoiceTarget, from: Facing): Promise<void> {
    await this.adjust(target, { facing: mirroredFacing(from) })
  }

  /**
   * Says when a photo, the photos of a folder of a job, or every photo of a job (replacing dates said per photo) was
   * taken; null: not said. A photo already enhanced has its file dated where it lies.
   */
  async date(target: ChoiceTarget, taken: Taken | null): Promise<void> {
    await this.adjust(target, { taken })
  }

  /**
   * Writes what is under a photo, the photos of a folder of a job, or every photo of a job (replacing captions written
   * per photo); null: none. A photo already enhanced has its file captioned where it lies.
   */
  async caption(target: ChoiceTarget, caption: Caption | null): Promise<void> {
    await this.adjust(target, { caption })
  }

  /** Dates every photo of a job as its own name or folders say (replacing dates said per photo). */
  async dateFromNames(job: JobView): Promise<void> {
    await this.adjust({ jobId: job.id }, { takenFromNames: true })
  }

  /** Captions every photo of a job as its own name or folders say (replacing captions written per photo). */
  async captionFromNames(job: JobView): Promise<void> {
    await this.adjust({ jobId: job.id }, { captionFromNames: true })
  }

  private async adjust(target: ChoiceTarget, choice: PhotoChoice): Promise<void> {
    const result = await this.api.adjust(target, choice)
    this.#error = result.ok ? null : result.error
  }

  /** Moves a job to position `to`; the queue runs jobs top to bottom. */
  async moveTo(jobId: string, to: number): Promise<void> {
    const from = this.#jobs.findIndex((j) => j.id === jobId)
    if (from < 0 || from === to) return
    this.#jobs = moved(this.#jobs, from, to)
    await this.api.reorderJobs(this.#jobs.map((j) => j.id))
  }

  destroy(): void {
    this.#unsubscribe()
  }
}
