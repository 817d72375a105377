import type { ErrorData } from './errors.js'
import type { DeviceDecision } from './device.js'
import type { LibraryItem } from './library.js'
import type { ModelInfo } from './model.js'
import type { CropReply, PreviewData, Region, TileProgressData } from './protocol.js'
import type { Preferences, WindowPreferencesPatch } from './preferences.js'

/** A call's outcome as data: Electron's IPC keeps only `message` from a thrown error, so codes travel here. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData }

export type JobState = 'scanning' | 'queued' | 'running' | 'paused' | 'done' | 'cancelled'
export type ItemState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'skipped'

export interface JobView {
  id: string
  state: JobState
  pauseReason?: ErrorData
  inputs: string[]
  outDir: string
  alpha: number | null
  total: number
  counts: Record<ItemState, number>
  etaMs: number | null
}

export interface ItemView {
  id: string
  jobId: string
  input: string
  output: string
  state: ItemState
  /** The realism it is (or was) enhanced at; null without a GAN partner. */
  alpha: number | null
  error?: ErrorData
  /** Where it ran (cpu, cuda, dml, coreml), once done. */
  provider?: string
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
}

/** A downscaled view of a photo, with the upright size of the photo itself. */
export interface ImageUrl {
  url: string
  width: number
  height: number
  originalWidth: number
  originalHeight: number
}

/** The slider's crop as the renderer shows it: the engine's reply with the PNG as a data: URL. */
export type CropPreview = Omit<CropReply, 'png'> & { alpha: number; url: string }

/** Events pushed to the renderer: the engine's progress and previews, with previews as data: URLs. */
export type AppEvent =
  | { type: 'job'; job: JobView }
  | { type: 'item'; item: ItemView }
  | ({ type: 'progress'; jobId: string; itemId: string } & TileProgressData)
  | ({ type: 'preview'; jobId: string; itemId: string; url: string } & Omit<PreviewData, 'rgb'>)
  | { type: 'download'; id: string; progress: DownloadProgressData }
  | { type: 'removed'; jobId: string }

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
  inspectModel(path: string): Promise<Result<ModelInfo>>
  /** Checks a checkpoint in the engine, then copies it into the app's models folder. */
  importModel(path: string): Promise<Result<ModelEntry>>
  /** The bundled models and the catalogue's, with what is installed. */
  listLibrary(): Promise<Result<LibraryItem[]>>
  /** Downloads a catalogue model (progress arrives as `download` events), checks it and installs it. */
  downloadModel(id: string): Promise<Result<LibraryItem>>
  /** Stops a download; its call then answers CANCELLED and nothing is left on disk. */
  cancelDownload(id: string): Promise<void>
  /** Deletes an installed catalogue model; new jobs that used it go back to the bundled pair. */
  removeModel(id: string): Promise<Result<null>>
  /** Opens the native dialog (in tests: the harness picks); null when the user cancels. */
  chooseInputs(kind: 'files' | 'folder'): Promise<string[] | null>
  /** The folder dialog; main stores the chosen folder as the output folder for new jobs. null when cancelled. */
  chooseOutputFolder(): Promise<string | null>
  /** Enhances photos and folders (with subfolders) with the stored preferences: folder, format, realism… */
  addJob(inputs: string[]): Promise<Result<JobView>>
  listJobs(): Promise<JobView[]>
  listItems(jobId: string): Promise<ItemView[]>
  pauseJob(jobId: string): Promise<void>
  resumeJob(jobId: string): Promise<void>
  cancelJob(jobId: string): Promise<void>
  retryJob(jobId: string): Promise<number>
  reorderJobs(jobIds: string[]): Promise<void>
  /** Takes a job out of the queue (cancelling it if it runs); its photos stay on disk. */
  removeJob(jobId: string): Promise<void>
  /** Removes every finished job; returns how many. */
  clearFinishedJobs(): Promise<number>
  /** Shows a photo's output (or a job's output folder) in the system's file manager, by id: never a path. */
  showInFolder(target: { jobId: string; itemId?: string }): Promise<Result<null>>
  /** Realism for one photo of a job, or (no itemId) for all of it; finished photos are enhanced again. */
  setAlpha(target: { jobId: string; itemId?: string }, alpha: number): Promise<Result<number>>
  /** A downscaled view of a photo main handed out (dialog, drop, or a queue input or output). */
  imageUrl(path: string, maxSide: number): Promise<Result<ImageUrl>>
  /** Enhances `region` of a photo at realism `alpha` with the bundled pair: the slider's live crop. */
  previewCrop(input: string, region: Region, alpha: number): Promise<Result<CropPreview>>
  /** What `auto` last measured and chose, and why; null before anything ran on `auto`. */
  deviceChoice(): Promise<DeviceDecision | null>
  /** The settings store. Changing the device restarts the engine between photos. */
  getPreferences(): Promise<Preferences>
  updatePreferences(patch: WindowPreferencesPatch): Promise<Result<Preferences>>
  onEvent(listener: (event: AppEvent) => void): () => void
  /** The path of a file dropped on the window (Electron's webUtils; not an IPC call). */
  pathForFile(file: File): string
}

export type { DeviceChoice } from './preferences.js'
export type { Region } from './protocol.js'

export type ApiMethod = Exclude<keyof EnhanceApi, 'onEvent' | 'pathForFile'>

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
  addJob: 'enhance:addJob',
  listJobs: 'enhance:listJobs',
  listItems: 'enhance:listItems',
  pauseJob: 'enhance:pauseJob',
  resumeJob: 'enhance:resumeJob',
  cancelJob: 'enhance:cancelJob',
  retryJob: 'enhance:retryJob',
  reorderJobs: 'enhance:reorderJobs',
  removeJob: 'enhance:removeJob',
  clearFinishedJobs: 'enhance:clearFinishedJobs',
  showInFolder: 'enhance:showInFolder',
  setAlpha: 'enhance:setAlpha',
  imageUrl: 'enhance:imageUrl',
  previewCrop: 'enhance:previewCrop',
  deviceChoice: 'enhance:deviceChoice',
  getPreferences: 'enhance:getPreferences',
  updatePreferences: 'enhance:updatePreferences',
}

export const EVENT_CHANNEL = 'enhance:event'
