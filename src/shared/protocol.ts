import type { OutputFormat } from './formats.js'
import type { ErrorData } from './errors.js'
import type { ModelInfo, Precision } from './model.js'
import type { EngineSettings, PhotoPoint, PhotoRepairs } from './settings.js'
import type { Facing } from './turn.js'
import type { Told } from './caption.js'

/** The engine process protocol: typed requests in, typed events and one reply per request out. */
export interface ModelSpecData {
  path: string
  blend?: { path: string; realism: number }
}

/** A rectangle of a photo, in its upright pixels. */
export interface Region {
  x: number
  y: number
  width: number
  height: number
}

/** One photo to enhance, file to file: with which model, and how. */
export interface EnhanceJob {
  input: string
  output: string
  model: ModelSpecData
  settings: EngineSettings
}

export type EngineRequest =
  | ({ type: 'enhance'; id: number } & EnhanceJob)
  | { type: 'inspect'; id: number; path: string }
  | {
      type: 'crop'
      id: number
      input: string
      region: Region
      model: ModelSpecData
      /** As the photo's job or new jobs do: its faded colours restored, its dust filled, before enhancing. */
      repairs?: PhotoRepairs
      /** The photo facing as it is to be enhanced (mirrored, turned): `region` is of the photo so facing. */
      facing?: Facing
    }
  | { type: 'thumbnail'; id: number; input: string; maxSide: number; of: ViewedFile; facing?: Facing }
  | { type: 'photoTile'; id: number; input: string; column: number; row: number; facing?: Facing }
  | { type: 'warmUp'; id: number; model: ModelSpecData; tile: number | 'auto' }
  /**
   * How long enhancing `inputs` would take here (`--dry-run`): nothing is enhanced. `measure` false: from the tile
   * speeds measured here before only, nothing timed now. Cancelled, it stops between photos.
   */
  | {
      type: 'estimate'
      id: number
      model: ModelSpecData
      tile: number | 'auto'
      inputs: string[]
      measure?: boolean
    }
  | { type: 'split'; id: number; input: string; files: PrintFiles; readDamaged?: boolean }
  /**
   * A file Enhance wrote, dated or captioned anew in place (`restampFile`); answers false where it must be enhanced
   * again.
   */
  | { type: 'restamp'; id: number; output: string; told: Told }
  /** `keep`: the photo is to pick up where it stopped, so its tiles so far are saved first. */
  | { type: 'cancel'; id: number; keep?: boolean }

export interface EnhanceReply {
  output: string
  width: number
  height: number
  format: OutputFormat
  provider: string
  /** The arithmetic it ran in: fp32, fp16 or int8. */
  precision: Precision
  /** The tile side the photo ran with (out-of-memory retries may have halved it). */
  tile: number
  ms: number
  /**
   * From its reading to its writing, the model ready: what each photo of a batch takes, where `ms` also counts the
   * model's loading. Absent where the photo was not timed whole (picked up part-way, moved to the CPU) or tile speeds
   * were measured meanwhile.
   */
  ranMs?: number
  /** How it ran, when that needs saying: a GPU that gave up on it, a damaged file read as far as it goes. */
  note?: string
}

/** A model made ready before any photo asks for it: where it will run, and how long that took. */
export interface WarmUpReply {
  provider: string
  precision: Precision
  ms: number
}

/** How long some photos would take on this computer, as measured here, and on what. */
export interface EstimateReply {
  /** Null where no tile speed could be measured. */
  ms: number | null
  /** Each photo's, in the order asked (null: its size could not be read, or it is too large); null where `ms` is. */
  perPhotoMs: (number | null)[] | null
  /**
   * The whole photos' time, at the pace photos were enhanced at here (their reading, repairs and writing too); false:
   * the network's alone, as no photo was enhanced with these tiles yet.
   */
  fromRuns: boolean
  /** The photos counted: those whose size could be read. */
  photos: number
  /** Those that could not be read (the run would refuse them). */
  unread: number
  /** Those with more pixels than the engine's limit (`--max-pixels`): the run would refuse them too. */
  tooLarge: number
  /** The photos' own pixels, all told, in millions. */
  megapixels: number
  provider: string
  precision: Precision
}

/** How many specks of dust and scratches (or hairs) were filled in a photo: each only where it was asked. */
export interface FilledCounts {
  specks?: number
  scratches?: number
}

/** A speck or line that dust or scratch removal found, as much of it as lies in a crop's region. */
export interface DamageMark {
  kind: 'speck' | 'scratch'
  /** Which of the crop request's kept places hold it (their indices): none where it is filled. */
  keptBy: number[]
  /** Its pixels in the region, in photo pixels. */
  pixels: PhotoPoint[]
}

export interface CropReply {
  png: Uint8Array
  /** The same region of the input, enlarged to the same size with a bicubic filter. */
  before: Uint8Array
  /** Where dust or scratches were asked: the "before" with each pixel they filled tinted magenta. */
  markedBefore?: Uint8Array
  /** With it, how many specks and scratches were filled over the whole photo (each where it was asked). */
  filled?: FilledCounts
  /** With it, how many were found but left as they are, held by the places kept (over the whole photo). */
  kept?: FilledCounts
  /** With it, each speck and line found that reaches into the region, filled or kept. */
  marks?: DamageMark[]
  width: number
  height: number
  ms: number
}

/** What a view reads: a photo (the engine's pixel limit), or a result (×16 of it, a ×4 of the largest photo). */
export type ViewedFile = 'photo' | 'result'

/** A photo, upright, shrunk to fit `maxSide` (never enlarged), as PNG, and its own upright size. */
export interface ThumbnailReply {
  png: Uint8Array
  width: number
  height: number
  originalWidth: number
  originalHeight: number
}

/** One tile of a photo's own pixels for a 1:1 view, as PNG, and where it lies in the upright photo. */
export interface PhotoTileReply {
  png: Uint8Array
  left: number
  top: number
  width: number
  height: number
}

/** How far a photo is: `tilesDone` of its `tiles` (a tile's side is `tile` elsewhere, its rectangle a Region). */
export interface TileProgressData {
  tilesDone: number
  tiles: number
  etaMs: number | null
  /** Before the first tile: the engine is timing this computer (once per machine and model), no tiles yet. */
  measuring?: true
}

/** A finished tile, shrunk so a UI can paint the result as it forms: the full preview size and where it goes. */
export interface PreviewData {
  previewWidth: number
  previewHeight: number
  x: number
  y: number
  width: number
  height: number
  png: Uint8Array
}

/** Where a scan's prints are written: `base` numbered (`Prints/page 1.png` → `page 1-1.png`…), in `format`. */
export interface PrintFiles {
  base: string
  format: OutputFormat
  /**
   * What a print there already from an earlier split becomes: kept as it is (the app: splitting again gives the same
   * prints), replaced, or the scan refused (the command, without --overwrite: it may have been edited since).
   */
  existing: 'keep' | 'replace' | 'refuse'
  /** The scans in the prints' folder (the command's --out may be theirs): no print is ever written over one. */
  scans?: string[]
}

/** A print cut from a scan, written: its file, its size, and the turn it was straightened by (degrees, clockwise). */
export interface WrittenPrint {
  output: string
  width: number
  height: number
  turned: number
  /** It was there from an earlier split and kept as it was. */
  kept?: true
}

/** What each kind of request answers. */
export interface Replies {
  enhance: EnhanceReply
  inspect: ModelInfo
  crop: CropReply
  thumbnail: ThumbnailReply
  photoTile: PhotoTileReply
  warmUp: WarmUpReply
  estimate: EstimateReply
  split: WrittenPrint[]
  restamp: boolean
}
export type ReplyKind = keyof Replies

/** A reply, tagged with the kind of request it answers, so the client can check it got what it asked for. */
export type ResultEvent = {
  [K in ReplyKind]: { type: 'result'; id: number; kind: K; value: Replies[K] }
}[ReplyKind]

export type EngineEvent =
  | { type: 'ready'; pid: number }
  | ({ type: 'progress'; id: number } & TileProgressData)
  | ({ type: 'preview'; id: number } & PreviewData)
  | ResultEvent
  | { type: 'error'; id: number; error: ErrorData }

export type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>
export type PreviewEvent = Extract<EngineEvent, { type: 'preview' }>
