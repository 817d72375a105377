import type {
  ChoiceTarget,
  CropPreview,
  EnhanceApi,
  ItemView,
  PhotoRef,
  Region,
} from '../../../shared/api.js'
import { folderOf, photoCount } from '../../../shared/job-title.js'
import type { DamageMark } from '../../../shared/protocol.js'
import type { ErrorData } from '../../../shared/errors.js'
import { repairsOf, sameRepairs } from '../../../shared/settings.js'
import type { KeptPlace, PhotoPoint, Repairs } from '../../../shared/settings.js'
import { capitalised, percent, photoOf, printable, repairWords, shownName } from './format.js'
import { keepingPixel, markAt } from './marks.js'
import type { PreferencesStore } from './preferences.svelte.js'
import type { ModelChoice } from '../../../shared/preferences.js'
import { choiceOf } from './pairs.js'
import { pairWords } from '../../../shared/chosen-words.js'
import type { BundledPair } from './pairs.js'
import { UPRIGHT, sameFacing, turnedPoint, turnedSize, unturnedPoint } from '../../../shared/turn.js'
import type { Facing } from '../../../shared/turn.js'

export const THUMBNAIL_ALPHAS = [0, 0.25, 0.5, 0.75, 1]
/** What Realism shows beside the photo: before and after, the five levels, or the region with each bundled pair. */
export type RealismPanes = 'before-after' | 'levels' | 'pairs'
/** The region, in photo pixels: large enough to judge texture, small enough to render in about a second. */
export const REGION_SIDE = 128

/**
 * The realism slider: a region of one photo, re-rendered at the chosen α (and, for a queued photo, with the repairs
 * and kept places chosen here). Requests are serialised; while one runs, only the latest is kept for the next.
 */
export class RealismStore {
  /** null until the user moves the slider: until then it shows the realism new jobs get. */
  #realism = $state<number | null>(null)
  /** The photo open, as shown: a queued photo facing as it is enhanced (its size the turned photo's). */
  #photo = $state<{
    ref: PhotoRef
    name: string
    url: string
    width: number
    height: number
    facing: Facing
  } | null>(null)
  #region = $state<Region | null>(null)
  #crop = $state<CropPreview | null>(null)
  #thumbnails = $state<CropPreview[]>([])
  /** The region rendered with each bundled pair, and what they were rendered for (`renderPairs`). */
  #pairs = $state<{ shown: PairsShown | null; crops: { pair: BundledPair; crop: CropPreview }[] }>({
    shown: null,
    crops: [],
  })
  /** The pairs' render under way, and the one asked for since (rendered next). */
  #pairsBusy = false
  #pairsWanted: PairsShown | null = null
  #busy = $state(false)
  #error = $state<ErrorData | null>(null)
  /** The α the latest render was asked for; a request is this, the photo and the region. */
  #wanted: number | null = null
  #opening = 0
  #target = $state<ItemView | null>(null)
  #applied = $state<string | null>(null)
  /** The repairs chosen here for the queued photo open (its own or its job's until changed); null for a chosen file. */
  #ownRepairs = $state<Required<Repairs> | null>(null)
  /** The places of the queued photo open kept from dust and scratch removal, as chosen here. */
  #kept = $state<KeptPlace[]>([])
  /** The repairs and kept places the crop shown was rendered with. */
  #shownRepairs: Required<Repairs> | null = null
  #shownKept: KeptPlace[] = []
  /** The pair the crop shown was rendered with: a queued photo's job's, or (a chosen file) new jobs'. */
  #shownModel: ModelChoice | null = null

  constructor(
    private readonly api: EnhanceApi,
    private readonly prefs: PreferencesStore,
    /** The pair a job of the queue is enhanced with (its card's `pair`). */
    private readonly pairOfJob: (jobId: string) => ModelChoice | undefined,
  ) {}

  /** The queued photo the slider is tuning, when it was opened from the queue. */
  get target(): ItemView | null {
    return this.#target
  }
  /** New jobs use a model without a GAN partner: the slider has nothing to blend. */
  get unpaired(): boolean {
    return this.prefs.value.model !== null && this.prefs.value.model.partner === null
  }
  /** What the last "apply" did, in words. */
  get applied(): string | null {
    return this.#applied
  }

  get realism(): number {
    return this.#realism ?? this.prefs.value.realism
  }
  get photo() {
    return this.#photo
  }
  get region(): Region | null {
    return this.#region
  }
  get crop(): CropPreview | null {
    return this.#crop
  }
  get thumbnails(): CropPreview[] {
    return this.#thumbnails
  }
  /** The region rendered with each bundled pair at the slider's realism, once `renderPairs` has; none while stale. */
  get pairs(): { pair: BundledPair; crop: CropPreview }[] {
    const { shown, crops } = this.#pairs
    const now = this.pairsRequest(shown?.pairs ?? [])
    return shown && now && samePairs(shown, now) ? crops : []
  }
  get busy(): boolean {
    return this.#busy
  }
  get error(): ErrorData | null {
    return this.#error
  }

  async choosePhoto(): Promise<void> {
    const chosen = await this.api.chooseInputs('files')
    if (!chosen) return
    this.#target = null
    this.#ownRepairs = null
    this.#kept = []
    await this.open({ selection: chosen.id, index: 0 }, printable(chosen.names[0]!))
  }

  /** Opens a photo of the queue, to choose its realism (or its whole job's). */
  async openItem(item: ItemView): Promise<void> {
    this.#target = item
    this.#ownRepairs = item.repairs
    this.#kept = item.kept
    if (item.realism !== null) this.#realism = item.realism
    await this.open(photoOf(item, 'input'), shownName(item.input), item.facing)
  }

  /**
   * A photo of the queue changed (a run let its kept places go, its file edited since): with it open here, it is shown
   * as it now is, and its kept places follow unless they were changed here.
   */
  async itemChanged(item: ItemView): Promise<void> {
    const target = this.#target
    if (!target || target.id !== item.id) return
    this.#target = item
    // Turned or mirrored: shown again as it now lies (its kept places, in its file's pixels, stay where they are).
    if (!sameFacing(item.facing, target.facing)) {
      await this.open(photoOf(item, 'input'), shownName(item.input), item.facing)
      return
    }
    if (!sameKept(target.kept, this.#kept) || sameKept(item.kept, this.#kept)) return
    this.#kept = item.kept
    await this.renderedAnew()
  }

  /**
   * What the preview mends before enhancing: with a queued photo open, the repairs chosen for it here; otherwise
   * those Settings asks of new jobs.
   */
  get repairs(): Required<Repairs> {
    return this.#ownRepairs ?? repairsOf(this.prefs.value.output)
  }

  /** The repairs chosen here differ from those the queued photo open is enhanced with. */
  get repairsChanged(): boolean {
    return !!this.#target && !sameRepairs(this.#target.repairs, this.repairs)
  }

  /** The queued photo's places kept from dust and scratch removal, as chosen here (in its file's pixels). */
  get kept(): readonly KeptPlace[] {
    return this.#kept
  }

  /** The kept places where they lie on the photo as shown, facing as it does. */
  get keptShown(): PhotoPoint[] {
    const photo = this.#photo
    return photo
      ? this.#kept.map((place) => turnedPoint(place, photo.facing, turnedSize(photo, photo.facing.turn)))
      : []
  }

  /** The places kept here differ from those the queued photo open is enhanced with. */
  get keptChanged(): boolean {
    return !!this.#target && !sameKept(this.#target.kept, this.#kept)
  }

  /** A click on the queued photo's marked "before", at `point` (photo pixels): the mark it reaches is toggled. */
  async keepAt(point: PhotoPoint): Promise<void> {
    const mark = markAt(this.#crop?.marks ?? [], point)
    if (mark) await this.toggleMark(mark)
  }

  /**
   * A mark of the crop shown: where filled, kept as it was (by one of its own pixels); where kept, given back to dust
   * and scratch removal (every place that holds it). Its crop is rendered again.
   */
  async toggleMark(mark: DamageMark): Promise<void> {
    const photo = this.#photo
    if (!this.#target || !photo) return
    // The mark names the places of the request it was rendered for: the list may have changed since.
    const holding = mark.keptBy.flatMap((i) => this.#shownKept[i] ?? [])
    // Marks are drawn on the photo as shown; a place is kept in its file's pixels.
    this.#kept = mark.keptBy.length
      ? this.#kept.filter((place) => !holding.some((held) => samePlace(held, place)))
      : [...this.#kept, unturnedPoint(keepingPixel(mark), photo.facing, photo)]
    await this.renderedAnew()
  }

  /** Gives every place the queued photo keeps back to dust and scratch removal (those in other regions too). */
  async letGoKept(): Promise<void> {
    if (!this.#target || this.#kept.length === 0) return
    this.#kept = []
    await this.renderedAnew()
  }

  /** Changes a repair for the queued photo open (applied with the realism), and renders its crop with it. */
  async setRepairs(change: Partial<Repairs>): Promise<void> {
    if (!this.#ownRepairs) return
    this.#ownRepairs = { ...this.#ownRepairs, ...change }
    await this.renderedAnew()
  }

  /**
   * Re-enhances the target photo, the photos of its folder, or its whole job, at the slider's realism with the repairs
   * chosen here (and the photo with its kept places).
   */
  async apply(scope: 'photo' | 'folder' | 'job'): Promise<void> {
    const target = this.#target
    if (!target) return
    const [realism, repairs, kept] = [this.realism, this.repairs, this.#kept]
    const chosen: Record<typeof scope, ChoiceTarget> = {
      photo: { jobId: target.jobId, itemId: target.id },
      folder: { jobId: target.jobId, folder: folderOf(target.input) },
      job: { jobId: target.jobId },
    }
    const result = await this.api.adjust(chosen[scope], {
      ...(target.realism === null ? {} : { realism }),
      repairs,
      ...(scope === 'photo' ? { kept } : {}),
    })
    this.#error = result.ok ? null : result.error
    if (result.ok) {
      const realismNow = target.realism === null ? null : realism
      this.#target = { ...target, realism: realismNow, repairs, ...(scope === 'photo' ? { kept } : {}) }
      const what = photoCount(result.value)
      const mended = repairWords(repairs) || 'no repairs'
      const chosen = realismNow === null ? `With ${mended}` : `Realism ${percent(realism)}, ${mended}`
      this.#applied = `${chosen}: ${what} will be enhanced again.`
    }
  }

  private async open(ref: PhotoRef, name: string, facing: Facing = UPRIGHT): Promise<void> {
    const opening = ++this.#opening
    this.#applied = null
    this.#error = null
    this.#photo = null
    this.#region = null
    this.#crop = null
    this.#thumbnails = []
    const image = await this.api.imageUrl(ref, 1024)
    if (opening !== this.#opening) return
    if (!image.ok) {
      this.#error = image.error
      return
    }
    const { url, originalWidth: width, originalHeight: height } = image.value
    this.#photo = { ref, name, url, width, height, facing }
    await this.pickAround(width / 2, height / 2)
  }

  /** Picks the square region (96 px, or the photo's short side) centred on a point, kept inside the photo. */
  async pickAround(x: number, y: number): Promise<void> {
    const photo = this.#photo
    if (!photo) return
    const side = Math.min(REGION_SIDE, photo.width, photo.height)
    const clamp = (value: number, size: number) => Math.max(0, Math.min(size - side, value - side / 2))
    this.#region = { x: clamp(x, photo.width), y: clamp(y, photo.height), width: side, height: side }
    await this.renderedAnew()
  }

  async setRealism(realism: number): Promise<void> {
    this.#realism = realism
    await this.render(realism)
  }

  /** A realism level picked from the thumbnails: shown, and kept as the slider's choice. */
  async choose(realism: number): Promise<void> {
    this.#realism = realism
    await Promise.all([this.commit(), this.render(realism)])
  }

  /** The slider was let go: with no queued photo open, its realism becomes the one for new jobs. */
  async commit(): Promise<void> {
    if (!this.#target && this.#realism !== null) await this.prefs.update({ realism: this.#realism })
  }

  /**
   * Settings' repairs (colours, dust), the pair Models chose for new jobs, or the pair of the queued photo's job
   * changed: the crop is rendered again as its photo will now be enhanced.
   */
  async refreshModels(): Promise<void> {
    if (this.#shownRepairs === null) return
    if (sameRepairs(this.#shownRepairs, this.repairs) && sameChoice(this.#shownModel, this.rendersWith))
      return
    await this.renderedAnew()
  }

  /** The pair the crop is rendered with: a queued photo's job's, or (a chosen file) new jobs' (null: the default). */
  get rendersWith(): ModelChoice | null {
    return this.#target ? (this.pairOfJob(this.#target.jobId) ?? null) : this.prefs.value.model
  }

  /**
   * Enhances the whole job of the queued photo open with `pair` from now on, at the realism it had: chosen after
   * comparing the pairs on its photo. Its crop follows once the job says so.
   */
  async useForJob(pair: BundledPair): Promise<void> {
    const target = this.#target
    if (!target) return
    const result = await this.api.chooseJobModels(target.jobId, choiceOf(pair))
    this.#error = result.ok ? null : result.error
    if (result.ok) {
      const named = capitalised(pairWords(pair.model.useFor ?? pair.model.name))
      this.#applied = `${named}: ${photoCount(result.value)} will be enhanced again.`
    }
  }

  /** The crop rendered again, what it is rendered from having changed: the five levels shown of it are stale. */
  private async renderedAnew(): Promise<void> {
    this.#thumbnails = []
    await this.render(this.realism)
  }

  /** A result is shown only if its photo and region are still the chosen ones: the user may have moved on. */
  private async render(realism: number): Promise<void> {
    this.#wanted = realism
    if (this.#busy) return
    this.#busy = true
    try {
      let request = this.request()
      while (request) {
        const { photo, region, realism, repairs, kept } = request
        const result = await this.api.previewCrop(photo, region, realism, repairs, kept)
        const latest = this.request()
        if (latest && sameSubject(latest, request)) {
          if (result.ok)
            [this.#crop, this.#shownRepairs, this.#shownKept, this.#shownModel] = [
              result.value,
              request.repairs,
              request.kept,
              request.model,
            ]
          this.#error = result.ok ? null : result.error
        }
        request = latest && !sameRequest(latest, request) ? latest : null
      }
    } finally {
      this.#busy = false
    }
  }

  private request(): CropRequest | null {
    const photo = this.#photo
    const region = this.#region
    return photo && region && this.#wanted !== null
      ? {
          photo: photo.ref,
          facing: photo.facing,
          region,
          realism: this.#wanted,
          repairs: this.repairs,
          kept: this.#kept,
          model: this.rendersWith,
        }
      : null
  }

  /**
   * The region rendered with each of `pairs` at the slider's realism, as its photo would be with it: which pair suits
   * this photo (for new jobs, or its job), seen before choosing. Asked again while one runs, the latest is rendered next.
   */
  async renderPairs(pairs: BundledPair[]): Promise<void> {
    this.#pairsWanted = this.pairsRequest(pairs)
    if (this.#pairsBusy) return
    this.#pairsBusy = true
    try {
      for (let asked = this.#pairsWanted; asked;) {
        const crops: { pair: BundledPair; crop: CropPreview }[] = []
        for (const pair of asked.pairs) {
          const { photo, region, realism, repairs, kept } = asked
          const result = await this.api.previewCrop(photo, region, realism, repairs, kept, choiceOf(pair))
          if (result.ok) crops.push({ pair, crop: result.value })
          else this.#error = result.error
        }
        this.#pairs = { shown: asked, crops }
        const latest = this.#pairsWanted
        asked = latest && !samePairs(latest, asked) ? latest : null
      }
    } finally {
      this.#pairsBusy = false
    }
  }

  /** What rendering `pairs` now asks for: the crop's photo, region and repairs, at the slider's realism. */
  private pairsRequest(pairs: BundledPair[]): PairsShown | null {
    const request = this.request()
    // Each pair is named: which one new jobs (or its job) have does not change them.
    return request && { ...request, realism: this.realism, model: null, pairs }
  }

  async renderThumbnails(): Promise<void> {
    const subject = this.request()
    if (!subject) return
    const thumbnails: CropPreview[] = []
    for (const realism of THUMBNAIL_ALPHAS) {
      const { photo, region, repairs, kept } = subject
      const result = await this.api.previewCrop(photo, region, realism, repairs, kept)
      if (result.ok) thumbnails.push(result.value)
    }
    const latest = this.request()
    if (latest && sameSubject(latest, subject)) this.#thumbnails = thumbnails
  }
}

interface CropRequest {
  photo: PhotoRef
  /** How the photo was shown facing: its regions are of the photo so facing. */
  facing: Facing
  region: Region
  realism: number
  repairs: Required<Repairs>
  kept: KeptPlace[]
  /** The pair that renders it: its job's, or (a chosen file) new jobs'. */
  model: ModelChoice | null
}

function sameSubject(a: CropRequest, b: CropRequest): boolean {
  const r = a.region
  const s = b.region
  return (
    samePhoto(a.photo, b.photo) &&
    sameFacing(a.facing, b.facing) &&
    r.x === s.x &&
    r.y === s.y &&
    r.width === s.width &&
    r.height === s.height &&
    sameRepairs(a.repairs, b.repairs) &&
    sameKept(a.kept, b.kept) &&
    sameChoice(a.model, b.model)
  )
}

function sameChoice(a: ModelChoice | null, b: ModelChoice | null): boolean {
  return a === b || (!!a && !!b && a.path === b.path && a.partner === b.partner)
}

function sameKept(a: readonly KeptPlace[], b: readonly KeptPlace[]): boolean {
  return a.length === b.length && a.every((p, i) => samePlace(p, b[i]!))
}

function samePlace(a: KeptPlace, b: KeptPlace): boolean {
  return a.x === b.x && a.y === b.y
}

function samePhoto(a: PhotoRef, b: PhotoRef): boolean {
  if ('selection' in a) return 'selection' in b && a.selection === b.selection && a.index === b.index
  return !('selection' in b) && a.jobId === b.jobId && a.itemId === b.itemId && a.side === b.side
}

function sameRequest(a: CropRequest, b: CropRequest): boolean {
  return sameSubject(a, b) && a.realism === b.realism
}

/** The region rendered with each of `pairs`, at a realism. */
type PairsShown = CropRequest & { pairs: BundledPair[] }

function samePairs(a: PairsShown, b: PairsShown): boolean {
  return (
    sameRequest(a, b) &&
    a.pairs.length === b.pairs.length &&
    a.pairs.every((pair, i) => pair.model.path === b.pairs[i]!.model.path)
  )
}
