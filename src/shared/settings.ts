/** Output and processing settings shared by the CLI, the queue and the app. */
import type { OutputFormat } from './formats.js'
import type { QuarterTurn } from './turn.js'
import type { Taken } from './taken.js'
import type { Caption } from './caption.js'
import { percent } from './job-title.js'

/** How the output size is chosen. Sizes other than the model's scale are reached by a lanczos resize of the model output. */
export type SizeSpec =
  | { mode: 'native' }
  | { mode: 'scale'; scale: number }
  | { mode: 'exact'; width: number; height: number }
  | { mode: 'fit'; width: number; height: number }
  /**
   * Within a print of `width`×`height` inches (turned to the photo's orientation) at `dpi`, which the file says; with
   * `fill`, the whole print, the photo's edges cut to its shape; with `border`, the whole print too, the photo whole
   * on white around it (as labs print "fit with border").
   */
  | { mode: 'print'; width: number; height: number; dpi: number; fill?: boolean; border?: boolean }

/** How a photo's transparency (its alpha channel) is enlarged: by lanczos, or by the model as grey. */
export type TransparencyMode = 'lanczos' | 'model'

/** What happens when an output file already exists: skip the photo, replace the file, or add "_2". */
export const OVERWRITE_POLICIES = ['skip', 'overwrite', 'suffix'] as const
export type OverwritePolicy = (typeof OVERWRITE_POLICIES)[number]

/** What the output keeps of the input's metadata: everything, only the colour profile, or nothing. */
export const METADATA_POLICIES = ['all', 'profile', 'none'] as const
export type MetadataPolicy = (typeof METADATA_POLICIES)[number]

export interface EnhanceSettings {
  size: SizeSpec
  /** A format, or 'same' as the input (falling back to PNG where the input format cannot be written). */
  format: OutputFormat | 'same'
  quality: number
  background: string
  transparency: TransparencyMode
  /** Tile side in input pixels, or 'auto'. */
  tile: number | 'auto'
  /** Older queue journals have no policy: they mean 'all'. */
  metadata?: MetadataPolicy
  /** Enhance a cut-short or damaged photo as far as it can be read, instead of refusing it (PARTIAL_IMAGE). */
  readDamaged?: boolean
  /** Restore a faded print's colours (neutral black and white, no cast) before enhancing: `restoreFadedColour`. */
  restoreColours?: boolean
  /**
   * How far faded colours are restored: from `RESTORE_STRENGTHS[0]` to 1 (all the way the measurement says).
   * Absent in jobs made before it could be chosen: 1, as they were restored.
   */
  restoreStrength?: number
  /** Fill a print's specks of dust (small blobs on a smooth surround) before enhancing: `removeDust`. */
  removeDust?: boolean
  /** Fill a print's scratches and hairs (thin lines on a smooth surround) before enhancing: `removeScratches`. */
  removeScratches?: boolean
  /**
   * Turn each photo this far clockwise once its own orientation stands it upright: `--turn`, or (sent to the engine)
   * a photo's own turn or its job's from the app.
   */
  turn?: QuarterTurn
  /** Mirror each photo left to right before it is turned (`--mirror`, or a photo's or its job's from the app). */
  mirrored?: boolean
  /** When each photo was taken (`--taken`, or its job's date from the app), which its output says: see `Taken`. */
  taken?: Taken
  /** Each photo taken when its own name or its folders' say (`--taken names`: `dateNamed`), where they say it. */
  takenFromNames?: boolean
  /** What is written under each photo (`--caption`, or a photo's own from the app), which its output says. */
  caption?: Caption
  /** What is under each photo as its own name or its folders' say (`--caption names`: `captionNamed`). */
  captionFromNames?: boolean
}

/** What is mended in a photo before it is enhanced: an old print's faded colours, its dust, its scratches. */
export type Repairs = Pick<
  EnhanceSettings,
  'restoreColours' | 'restoreStrength' | 'removeDust' | 'removeScratches'
>

/** A pixel of a photo, upright, from its top left. */
export interface PhotoPoint {
  x: number
  y: number
}

/**
 * A place of a photo that dust and scratch removal leave as it is: a catchlight, or a line of the photo's own, that
 * the user saw marked as filled and kept.
 */
export type KeptPlace = PhotoPoint

/** The repairs one photo is made with, and the places it keeps from dust and scratch removal. */
export type PhotoRepairs = Repairs & { kept?: KeptPlace[] }

/** `settings`' repairs alone, each said (false where not asked): one key for the same repairs however they came. */
export function repairsOf(settings: Repairs): Required<Repairs> {
  return {
    restoreColours: settings.restoreColours ?? false,
    restoreStrength: settings.restoreStrength ?? 1,
    removeDust: settings.removeDust ?? false,
    removeScratches: settings.removeScratches ?? false,
  }
}

/**
 * What is mended before enhancing, in words ("faded colours restored, dust and scratches removed"); empty when
 * nothing.
 */
export function repairWords(repairs: Repairs): string {
  const { restoreColours, restoreStrength, removeDust, removeScratches } = repairsOf(repairs)
  const removed = [removeDust ? 'dust' : '', removeScratches ? 'scratches' : ''].filter(Boolean).join(' and ')
  const restored = `faded colours restored${restoreStrength < 1 ? ` ${percent(restoreStrength)}` : ''}`
  return [restoreColours ? restored : '', removed ? `${removed} removed` : '']
    .filter(Boolean)
    .join(removeDust && removeScratches ? ', ' : ' and ')
}

/** Whether two choices of repairs mend the same way. */
export function sameRepairs(a: Repairs, b: Repairs): boolean {
  const [x, y] = [repairsOf(a), repairsOf(b)]
  return (Object.keys(x) as (keyof Repairs)[]).every((key) => x[key] === y[key])
}

/** What the engine runs with: 'same' already resolved to a format (`formatForInput`), so the bytes it
 * writes always match the extension the output was named with. */
export type EngineSettings = Omit<EnhanceSettings, 'format'> & {
  format: OutputFormat
  kept?: KeptPlace[]
  /** Its place among its job's photos dated alike, which keeps their order in time (`takenMoment`). */
  takenPlace?: number
}

/** Encoder quality: a whole number from 1 to 100. */
export function isQuality(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 100
}

/** A fixed tile side: 16 to 4096 input pixels. */
export function isTileSize(value: number): boolean {
  return Number.isInteger(value) && value >= 16 && value <= 4096
}

/** The restore strengths there are: from a touch to all the way. */
export const RESTORE_STRENGTHS = [0.1, 1] as const
/**
 * New jobs restore faded colours halfway. A photo's own colours and its fade are told apart only by what most
 * photos are like (a neutral black, white and greys), which many are not: on the 114 evaluation photos faded as
 * prints fade, all the way leaves them 9.6 ΔE2000 from their original colours (faded: 9.7) and changes an unfaded
 * one by 8.9; halfway leaves 7.9 (closer on 92 of 114) and changes an unfaded one by 4.4 (`test/eval/faded-colour.test.ts`).
 */
export const DEFAULT_RESTORE_STRENGTH = 0.5

/** A restore strength: a number from `RESTORE_STRENGTHS[0]` to 1. */
export function isRestoreStrength(value: number): boolean {
  return value >= RESTORE_STRENGTHS[0] && value <= RESTORE_STRENGTHS[1]
}

export const DEFAULT_SETTINGS: EnhanceSettings = {
  size: { mode: 'native' },
  format: 'same',
  quality: 92,
  background: '#ffffff',
  transparency: 'lanczos',
  tile: 'auto',
  metadata: 'all',
}

/** The output size for an input of `width`×`height` and a model of `scale`. */
export function outputSize(
  spec: SizeSpec,
  width: number,
  height: number,
  scale: number,
): { width: number; height: number } {
  switch (spec.mode) {
    case 'native':
      return { width: width * scale, height: height * scale }
    case 'scale':
      return {
        width: Math.max(1, Math.round(width * spec.scale)),
        height: Math.max(1, Math.round(height * spec.scale)),
      }
    case 'exact':
      return { width: spec.width, height: spec.height }
    case 'fit':
      return fitWithin(width, height, spec.width, spec.height)
    case 'print': {
      const box = printPixels(spec, width, height)
      return spec.fill ? box : fitWithin(width, height, box.width, box.height)
    }
  }
}

type PrintSize = Extract<SizeSpec, { mode: 'print' }>

/** A print's size in pixels at its dpi, turned to the orientation of a `width`×`height` photo. */
function printPixels(spec: PrintSize, width: number, height: number): { width: number; height: number } {
  const long = Math.round(Math.max(spec.width, spec.height) * spec.dpi)
  const short = Math.round(Math.min(spec.width, spec.height) * spec.dpi)
  return width >= height ? { width: long, height: short } : { width: short, height: long }
}

/**
 * The file's size where it is larger than the photo in it: a print with a border, the photo of `width`×`height`
 * (at any scale) centred on white to the print's size. Null where the file is the photo.
 */
export function borderedCanvas(
  spec: SizeSpec,
  width: number,
  height: number,
): { width: number; height: number } | null {
  return spec.mode === 'print' && spec.border ? printPixels(spec, width, height) : null
}

/**
 * The part of a `width`×`height` photo (at any scale) the output is made of where its size fills a print: the
 * photo's centre cut to the print's shape. Null where the whole photo is used.
 */
export function filledPart(
  spec: SizeSpec,
  width: number,
  height: number,
): { x: number; y: number; width: number; height: number } | null {
  if (spec.mode !== 'print' || !spec.fill) return null
  const print = outputSize(spec, width, height, 1)
  const shape = print.width / print.height
  const kept = {
    width: Math.min(width, Math.round(height * shape)),
    height: Math.min(height, Math.round(width / shape)),
  }
  return { x: Math.floor((width - kept.width) / 2), y: Math.floor((height - kept.height) / 2), ...kept }
}

/** `width`×`height` scaled to fit within `boxWidth`×`boxHeight`, its shape kept. */
function fitWithin(width: number, height: number, boxWidth: number, boxHeight: number) {
  const ratio = Math.min(boxWidth / width, boxHeight / height)
  return { width: Math.max(1, Math.round(width * ratio)), height: Math.max(1, Math.round(height * ratio)) }
}

/** The pixels per inch the output says where its size asks for one (a print's), else none: the photo's own is kept. */
export const outputDensity = (spec: SizeSpec): number | undefined =>
  spec.mode === 'print' ? spec.dpi : undefined
