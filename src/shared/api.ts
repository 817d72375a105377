import type { ErrorData } from './errors.js'
import type { DeviceDecision, DeviceOffer } from './device.js'
import type { DriveWait } from './drive-wait.js'
import type { LibraryItem } from './library.js'
import type { ModelInfo } from './model.js'
import type { CropReply, PreviewData, Region, TileProgressData } from './protocol.js'
import type { ModelChoice, Preferences, WindowPreferencesPatch } from './preferences.js'
import type { KeptPlace, Repairs, SizeSpec } from './settings.js'
import type { Facing } from './turn.js'
import type { Taken } from './taken.js'
import type { Caption } from './caption.js'
import type { Chosen } from './chosen-words.js'

/** A call's outcome as data: Electron's IPC keeps only `message` from a thrown error, so codes travel here. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData }

export type JobState = 'scanning' | 'queued' | 'running' | 'paused' | 'done' | 'cancelled'
export type ItemState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped'

/** A job as the window is told of it: what was chosen for its photos (`Chosen`), and how it stands. */
export interface JobView extends Chosen {
  id: string
  state: JobState
  pauseReason?: ErrorData
  inputs: string[]
  outDir: string
  /** The size its photos are made: the model's scale, a factor, a box or a print. */
  size: SizeSpec
  /** Its models in words where they are not the default pair ("the pair for clean, sharp originals"). */
  models?: string
  /** Its models' files: which of the pairs compared in Realism it is enhanced with. */
  pair: ModelChoice
  total: number
  counts: Record<ItemState, number>
  etaMs: number | null
  /** `etaMs` is the engine's estimate from its photos' sizes alone, none of them done yet to pace it. */
  etaEstimated?: true
  /**
   * The part of `etaMs` that is the photo being enhanced, counted whole: the window puts the photo's own time left
   * (from its tiles) in its place, so the card's time goes down with every tile, not once per photo.
   */
  inFlightMs: number | null
  /** What the scan left out of the inputs, in words (`leftOutText`), when anything was. */
  leftOut?: string
  /** It was made of a folder (or more), which can be watched for new photos. */
  watchable: boolean
  /** Photos saved into its folders later join it (`watchJob`). */
  watching: boolean
}

/**
 * What a choice is made for: a whole job, the photos lying in one of its folders (`folder`, the folder's whole path as
 * its photos' paths name it: not those in folders within), or one photo (`itemId`).
 */
export interface ChoiceTarget {
  jobId: string
  itemId?: string
  folder?: string
}

/** What Realism applies to a photo or a whole job: a realism, repairs, or both. */
export interface PhotoChoice {
  realism?: number
  repairs?: Required<Repairs>
  /** One photo's places kept from dust and scratch removal (not a whole job's). */
  kept?: KeptPlace[]
  /** How it lies (a quarter turn, a mirror): one photo's, or every photo's of a job (replacing those per photo). */
  facing?: Facing
  /** When it was taken, as its output says: one photo's, or every photo's of a job (null: not said). */
  taken?: Taken | null
  /** Every photo of a job dated as its name or folders say (a job's choice only), replacing dates given before. */
  takenFromNames?: true
  /** What is written under it, as its output says: one photo's, or every photo's of a job (null: none). */
  caption?: Caption | null
  /** Every photo of a job captioned as its name or folders say (a job's choice only), replacing captions given before. */
  captionFromNames?: true
}

export interface ItemView {
  id: string
  jobId: string
  input: string
  output: string
  state: ItemState
  /** The realism it is (or was) enhanced at; null without a GAN partner. */
  realism: number | null
  /** What is mended before it is enhanced: its job's, or its own. */
  repairs: Required<Repairs>
  /** Its places kept from dust and scratch removal, in its file's upright pixels (`unturnedPoint`). */
  kept: KeptPlace[]
  /** How it lies (mirrored, turned clockwise): its own, or its job's. */
  facing: Facing
  /** When it was taken: its own date, or its job's; null where nobody said. */
  taken: Taken | null
  /** What is written under it: its own caption, or its job's; null where nobody wrote one. */
  caption: Caption | null
  error?: ErrorData
  /** Skipped as a person asked: not enhanced, until put back. */
  skippedAsAsked?: true
  /** Where it ran (cpu, cuda, dml, coreml), once done. */
  provider?: string
  /** The engine's note on how it ran (`EnhanceReply.note`). */
  note?: string
}

export interface ModelEntry {
  name: string
  path: string
  /** Shipped with the app; otherwise imported by the user into the app's models folder. */
  bundled: boolean
  info: ModelInfo
  /** The GAN partner that enables the realism slider. */
  pair?: string
  /** What it is good for, in a line (bundled and catalogue models). */
  description?: string
  /** A bundled pair's use in plain words ("Clean, sharp originals"), and whether it is the default. */
  useFor?: string
  isDefault?: boolean
}

/**
 * Files and folders the user chose in a dialog or dropped on the window. Main keeps their paths; the
 * window gets an id to refer to them by, and their names to show (DESIGN.md §4: main owns every path).
 */
export interface Selection {
  id: string
  names: string[]
}

/** The longest side of a photo put on the clipboard: a bitmap there holds 4 bytes a pixel (268 MB at this size). */
export const CLIPBOARD_MAX_SIDE = 8192

/** What `copyResult` put on the clipboard, and the size of the file it came from. */
export interface CopiedImage {
  width: number
  height: number
  originalWidth: number
  originalHeight: number
}

/** How photos were handed to the window: pasted, or dropped on it. */
export const HANDED_VIA = ['paste', 'drop'] as const
export type HandedVia = (typeof HANDED_VIA)[number]

/** One image handed over by its bytes, at most: a 100-megapixel photo as PNG, with room. */
export const MAX_HANDED_IMAGE_BYTES = 512 * 2 ** 20

/**
 * Photos pasted or dropped, as they reach main: the paths of files (copied or dragged in the file manager),
 * the bytes of images that have no file (copied, or dragged from a browser), and how many of those were
 * larger than `MAX_HANDED_IMAGE_BYTES` and left behind.
 */
export interface HandedPhotos {
  via: HandedVia
  paths: string[]
  images: Uint8Array[]
  oversized: number
}

/** Scans of several prints split into one photo per print (`splitScans`), ready to enhance. */
export interface SplitOutcome {
  /** The prints, chosen as photos are: `addJob` enhances them. Null when no scan gave any. */
  prints: Selection | null
  /** How many scans were looked at, and where their prints are (a "Prints" folder beside them). */
  scans: number
  folder: string
  /** The scans that gave no prints, by name, with why. */
  failed: { name: string; error: ErrorData }[]
}

/** Photos, or folders of photos. */
export type PhotoInputKind = 'files' | 'folder'

/** What the File menu adds: photos, a folder of them, or scans to split into their prints first. */
export type MenuAddKind = PhotoInputKind | 'scans'

/** What a dialog offers: photos, folders of photos, or model checkpoints. */
export type InputKind = PhotoInputKind | 'model'

/** One file of a selection, by its position. */
export interface ChosenFile {
  selection: string
  index: number
}

/** A photo the window may show or crop: a chosen file, or a queued photo's input or output. */
export type PhotoRef = ChosenFile | { jobId: string; itemId: string; side: 'input' | 'output' }

/** A downscaled view of a photo, with the upright size of the photo itself. */
export interface ImageUrl {
  url: string
  width: number
  height: number
  originalWidth: number
  originalHeight: number
}

/** 1:1 views load a photo in square tiles of this side (the last column and row may be smaller). */
export const PHOTO_TILE_SIDE = 512

/** One tile of a photo at its own size, upright: where it sits, and its pixels as a data: URL. */
export interface ImageTile {
  url: string
  left: number
  top: number
  width: number
  height: number
}

/** The slider's crop as the renderer shows it: the engine's reply with both PNGs as data: URLs. */
export type CropPreview = Omit<CropReply, 'png' | 'before' | 'markedBefore'> & {
  realism: number
  url: string
  beforeUrl: string
  /** Where dust or scratches were asked: the "before" with what they filled marked. */
  markedBeforeUrl?: string
}

/** Events pushed to the renderer: the engine's progress and previews, with previews as data: URLs. */
export type AppEvent =
  | { type: 'job'; job: JobView }
  | { type: 'item'; item: ItemView }
  | ({ type: 'progress'; jobId: string; itemId: string } & TileProgressData)
  | ({ type: 'preview'; jobId: string; itemId: string; url: string } & Omit<PreviewData, 'png'>)
  /**
   * The photo in flight (or, with no `itemId`, the job's scan) waits on a drive that does not answer, since `since`;
   * or (`answered`) no longer.
   */
  | ({ type: 'waiting'; jobId: string; itemId?: string; answered: boolean } & DriveWait)
  | { type: 'download'; id: string; progress: DownloadProgressData }
  /** Split scans: `done` of the chosen scans split so far (prints found or not). */
  | { type: 'splitting'; done: number }
  | { type: 'removed'; jobId: string }
  /** The menu's Add Photos…, Add Folder… or Split Scans…: the window does what its own button does. */
  | { type: 'add'; kind: MenuAddKind }
  /** Photos or folders opened with Enhance from the system (Open with, the app's icon), to start a job on. */
  | { type: 'opened'; selection: Selection }

/** A model download's progress, as the Models view shows it. */
export interface DownloadProgressData {
  received: number
  total: number
  bytesPerSecond: number
  etaSeconds: number | null
}

/**
 * Everything the renderer can ask of the main process. The preload exposes exactly these
 * methods as `window.api`; nothing generic (no send/invoke by channel name, no file access).
 */
export interface EnhanceApi {
  appVersion(): Promise<string>
  listModels(): Promise<Result<ModelEntry[]>>
  /** Reads a chosen checkpoint's architecture (nothing is installed). */
  inspectModel(file: ChosenFile): Promise<Result<ModelInfo>>
  /** Checks a chosen checkpoint in the engine, then copies it into the app's models folder. */
  importModel(file: ChosenFile): Promise<Result<ModelEntry>>
  /** The bundled models and the catalogue's, with what is installed. */
  listLibrary(): Promise<Result<LibraryItem[]>>
  /** Downloads a catalogue model (progress arrives as `download` events), checks it and installs it. */
  downloadModel(id: string): Promise<Result<LibraryItem>>
  /** Stops a download; its call then answers CANCELLED and nothing is left on disk. */
  cancelDownload(id: string): Promise<void>
  /** Deletes an installed catalogue model; new jobs that used it go back to the bundled pair. */
  removeModel(id: string): Promise<Result<null>>
  /** Opens the native dialog (in tests: the harness picks); null when the user cancels. */
  chooseInputs(kind: InputKind): Promise<Selection | null>
  /**
   * The files and folders of a drop. The preload reads their paths with Electron's webUtils and hands
   * them to main, so the window never names a path; null when none of them is a file on disk.
   */
  selectDropped(files: File[]): Promise<Selection | null>
  /**
   * The photos of a paste or a drop: files copied or dragged in the file manager (their paths, read as
   * `selectDropped` reads them) and images copied or dragged from a browser or another program (their bytes,
   * which main saves as photos in its own folder). NO_PHOTOS when there are neither.
   */
  takePhotos(files: File[], via: HandedVia): Promise<Result<Selection>>
  /** The folder dialog; main stores the chosen folder as the output folder for new jobs. null when cancelled. */
  chooseOutputFolder(): Promise<string | null>
  /**
   * Cuts each print out of a selection's scans (of several prints laid on a scanner's glass) and straightens it, into
   * a "Prints" folder beside them; prints there from an earlier split are kept as they are.
   */
  splitScans(selection: string): Promise<Result<SplitOutcome>>
  /** Enhances a selection's photos and folders (with subfolders) with the stored preferences. */
  addJob(selection: string): Promise<Result<JobView>>
  listJobs(): Promise<JobView[]>
  listItems(jobId: string): Promise<ItemView[]>
  pauseJob(jobId: string): Promise<void>
  resumeJob(jobId: string): Promise<void>
  /**
   * Watches a folder's job for photos saved into its folders (a scanner's, a phone's synced), or stops: each joins
   * it once whole, and one edited since it was enhanced is enhanced again. Kept across restarts.
   */
  watchJob(jobId: string, watching: boolean): Promise<void>
  cancelJob(jobId: string): Promise<void>
  retryJob(jobId: string): Promise<number>
  /**
   * Enhances a job's photos refused as cut short or damaged (PARTIAL_IMAGE), or one of them, as far as
   * their files can be read; answers how many were queued.
   */
  readDamaged(target: { jobId: string; itemId?: string }): Promise<number>
  /**
   * Skips one photo of a job, those of one of its folders or all, not enhanced (those queued, and the one in flight,
   * stopped), or puts photos skipped so back in the queue (`skip` false); answers how many changed.
   */
  skipPhotos(target: ChoiceTarget, skip: boolean): Promise<Result<number>>
  reorderJobs(jobIds: string[]): Promise<void>
  /** Takes a job out of the queue (cancelling it if it runs); its photos stay on disk. */
  removeJob(jobId: string): Promise<void>
  /** Removes every finished job; returns how many. */
  clearFinishedJobs(): Promise<number>
  /** Shows a photo's output (or a job's output folder) in the system's file manager, by id: never a path. */
  showInFolder(target: { jobId: string; itemId?: string }): Promise<Result<null>>
  /**
   * Puts an enhanced photo on the system clipboard, to paste into a chat, a mail or a document: as an sRGB
   * bitmap, shrunk to fit `CLIPBOARD_MAX_SIDE` where it is larger. Answers the size copied and the file's.
   */
  copyResult(target: { jobId: string; itemId: string }): Promise<Result<CopiedImage>>
  /** Asks for another output folder for a job that has saved no photo yet; null when the dialog is cancelled. */
  changeJobFolder(jobId: string): Promise<Result<JobView | null>>
  /** Shows the diagnostic log in the system's file manager, to send with a report. */
  showLogFile(): Promise<void>
  /**
   * A realism, repairs, a facing, a date or a caption for one photo of a job, the photos of one of its folders, or all
   * of it; finished photos are enhanced again (or only dated or captioned where they lie). Answers how many will be.
   */
  adjust(target: ChoiceTarget, choice: PhotoChoice): Promise<Result<number>>
  /**
   * Enhances a job's photos with that pair of the app's models from now on (null: the default pair), at the realism
   * they had: finished photos are enhanced again. Answers how many will be.
   */
  chooseJobModels(jobId: string, pair: ModelChoice | null): Promise<Result<number>>
  /** A downscaled view of a chosen photo, or of a queued photo's input or output. */
  imageUrl(photo: PhotoRef, maxSide: number): Promise<Result<ImageUrl>>
  /** One tile of a photo's own pixels, column and row counted in `PHOTO_TILE_SIDE` steps: 1:1 at any size. */
  imageTile(photo: PhotoRef, column: number, row: number): Promise<Result<ImageTile>>
  /**
   * Enhances `region` of a photo at realism `realism`, `repairs` made first (but at its `kept` places), with its job's
   * models (a chosen file: those of new jobs): the slider's live crop. With `pair`, with that pair of the app's models
   * instead (null: the default pair), as new jobs would run with it: the pairs compared on the photo.
   */
  previewCrop(
    photo: PhotoRef,
    region: Region,
    realism: number,
    repairs: Required<Repairs>,
    kept: KeptPlace[],
    pair?: ModelChoice | null,
  ): Promise<Result<CropPreview>>
  /** What `auto` last measured and chose, and why; null before anything ran on `auto`. */
  deviceChoice(): Promise<DeviceDecision | null>
  /** The devices Settings offers on this computer, each accelerator marked where it has no GPU for it. */
  devices(): Promise<DeviceOffer[]>
  /** The settings store. Changing the device restarts the engine between photos. */
  getPreferences(): Promise<Preferences>
  updatePreferences(patch: WindowPreferencesPatch): Promise<Result<Preferences>>
  onEvent(listener: (event: AppEvent) => void): () => void
}

export type { DeviceChoice } from './preferences.js'
export type { Region } from './protocol.js'

export type ApiMethod = Exclude<keyof EnhanceApi, 'onEvent'>

/** IPC channel per API method: one place, so main and preload cannot disagree. */
export const API_CHANNELS: { [K in ApiMethod]: `enhance:${K}` } = {
  appVersion: 'enhance:appVersion',
  listModels: 'enhance:listModels',
  inspectModel: 'enhance:inspectModel',
  importModel: 'enhance:importModel',
  listLibrary: 'enhance:listLibrary',
  downloadModel: 'enhance:downloadModel',
  cancelDownload: 'enhance:cancelDownload',
  removeModel: 'enhance:removeModel',
  chooseInputs: 'enhance:chooseInputs',
  chooseOutputFolder: 'enhance:chooseOutputFolder',
  selectDropped: 'enhance:selectDropped',
  takePhotos: 'enhance:takePhotos',
  splitScans: 'enhance:splitScans',
  addJob: 'enhance:addJob',
  listJobs: 'enhance:listJobs',
  listItems: 'enhance:listItems',
  pauseJob: 'enhance:pauseJob',
  resumeJob: 'enhance:resumeJob',
  watchJob: 'enhance:watchJob',
  cancelJob: 'enhance:cancelJob',
  retryJob: 'enhance:retryJob',
  readDamaged: 'enhance:readDamaged',
  skipPhotos: 'enhance:skipPhotos',
  reorderJobs: 'enhance:reorderJobs',
  removeJob: 'enhance:removeJob',
  clearFinishedJobs: 'enhance:clearFinishedJobs',
  showInFolder: 'enhance:showInFolder',
  copyResult: 'enhance:copyResult',
  showLogFile: 'enhance:showLogFile',
  changeJobFolder: 'enhance:changeJobFolder',
  adjust: 'enhance:adjust',
  chooseJobModels: 'enhance:chooseJobModels',
  imageUrl: 'enhance:imageUrl',
  imageTile: 'enhance:imageTile',
  previewCrop: 'enhance:previewCrop',
  deviceChoice: 'enhance:deviceChoice',
  devices: 'enhance:devices',
  getPreferences: 'enhance:getPreferences',
  updatePreferences: 'enhance:updatePreferences',
}

export const EVENT_CHANNEL = 'enhance:event'
