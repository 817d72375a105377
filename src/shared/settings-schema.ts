import * as colourPackage from '@img/colour'
import { OUTPUT_FORMATS } from './formats.js'
import { LARGEST_PRINT_INCHES, PRINT_DPI_RANGE } from './print-size.js'
import * as z from 'zod'
import { QUARTER_TURNS } from './turn.js'
import { isTaken } from './taken.js'
import { isCaption } from './caption.js'
import {
  METADATA_POLICIES,
  OVERWRITE_POLICIES,
  RESTORE_STRENGTHS,
  isQuality,
  isRestoreStrength,
  isTileSize,
} from './settings.js'
import type { EnhanceSettings } from './settings.js'

/**
 * Runtime schemas for the settings everything shares, so what comes from disk or from the window
 * is checked against the same rules as the types. zod: maintained, typed, no dependencies, and it
 * runs unchanged in main, the queue and the renderer.
 */
const side = z.number().int().min(1).max(1_000_000)
const inches = z.number().gt(0).max(LARGEST_PRINT_INCHES)

export const sizeSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('native') }),
  z.object({ mode: z.literal('scale'), scale: z.number().gt(0).max(16) }),
  z.object({ mode: z.literal('exact'), width: side, height: side }),
  z.object({ mode: z.literal('fit'), width: side, height: side }),
  z
    .object({
      mode: z.literal('print'),
      width: inches,
      height: inches,
      dpi: z.number().int().min(PRINT_DPI_RANGE[0]).max(PRINT_DPI_RANGE[1]),
      fill: z.boolean().optional(),
      border: z.boolean().optional(),
    })
    .refine((print) => !(print.fill && print.border), 'A print is filled or has a border, not both.'),
])

// CommonJS whose types declare an ES default export: imported as a namespace, its default is the function.
const Color = colourPackage.default as unknown as (text: string) => unknown

/** Whether sharp reads `text` as a colour: its own parser (@img/colour), so what passes here encodes. */
export function isColour(text: string): boolean {
  try {
    Color(text)
    return true
  } catch {
    return false
  }
}

/** Colours the encoder understands: #rgb, #rrggbb, a CSS colour name, rgb(…). */
export const colourSchema = z.string().max(64).refine(isColour, 'a colour such as #ffffff or white')

/**
 * Reads a value saved under an older field name: `from` becomes `to` where only `from` is there. Before
 * the realism and the transparency had names of their own, both were saved as `alpha`.
 */
export function renamedFrom(from: string, to: string): (value: unknown) => unknown {
  return (value) => {
    if (typeof value !== 'object' || value === null || !(from in value) || to in value) return value
    const { [from]: moved, ...rest } = value as Record<string, unknown>
    return { ...rest, [to]: moved }
  }
}

/** Output settings saved when transparency was `alpha`. */
export const renameLegacyAlpha = renamedFrom('alpha', 'transparency')

/** A quarter turn clockwise, in degrees. */
export const turnSchema = z.literal(QUARTER_TURNS)

/** How a photo lies when enhanced: mirrored or not, then turned (`Facing`). */
export const facingSchema = z.strictObject({ turn: turnSchema, mirrored: z.boolean() })

/** When a photo was taken, as kept: `Taken`. */
export const takenSchema = z.string().refine(isTaken, 'a date such as 1962, 1962-07 or 1962-07-14')

/** What is written under a photo, as kept: `Caption`. */
export const captionSchema = z.string().refine(isCaption, 'a caption of plain text, at most 2000 characters')

export const settingsObject = z.object({
  size: sizeSchema,
  format: z.enum([...OUTPUT_FORMATS, 'same']),
  quality: z.number().refine(isQuality, 'a whole number from 1 to 100'),
  background: colourSchema,
  transparency: z.enum(['lanczos', 'model']),
  tile: z.union([z.literal('auto'), z.number().refine(isTileSize, 'a tile side from 16 to 4096')]),
  metadata: z.enum(METADATA_POLICIES).optional(),
  readDamaged: z.boolean().optional(),
  restoreColours: z.boolean().optional(),
  restoreStrength: z
    .number()
    .refine(isRestoreStrength, `a strength from ${RESTORE_STRENGTHS[0]} to ${RESTORE_STRENGTHS[1]}`)
    .optional(),
  removeDust: z.boolean().optional(),
  removeScratches: z.boolean().optional(),
  turn: turnSchema.optional(),
  mirrored: z.boolean().optional(),
  taken: takenSchema.optional(),
  takenFromNames: z.boolean().optional(),
  caption: captionSchema.optional(),
  captionFromNames: z.boolean().optional(),
})

export const settingsSchema: z.ZodType<EnhanceSettings> = z.preprocess(renameLegacyAlpha, settingsObject)

/** What is mended before enhancing, each said (`repairsOf`): chosen for one photo or a job after it was made. */
export const repairsSchema = settingsObject
  .pick({ restoreColours: true, restoreStrength: true, removeDust: true, removeScratches: true })
  .required()

/** Places of one photo kept from dust and scratch removal, in its upright pixels. */
export const keptSchema = z
  .array(
    z.strictObject({ x: z.number().int().min(0).max(1_000_000), y: z.number().int().min(0).max(1_000_000) }),
  )
  .max(1000)

/** Whether `kept` lists places of a photo as `keptSchema` allows. */
export function isKept(kept: unknown): boolean {
  return keptSchema.safeParse(kept).success
}

/** Whether `facing` is a quarter turn and whether the photo is mirrored first (`Facing`). */
export function isFacing(facing: unknown): boolean {
  return facingSchema.safeParse(facing).success
}

/** Whether `repairs` says each repair, with a strength in range. */
export function isRepairs(repairs: unknown): boolean {
  return repairsSchema.safeParse(repairs).success
}

export const policySchema = z.enum(OVERWRITE_POLICIES)

/** Realism runs from 0 (faithful) to 1 (realistic); new jobs start halfway. */
export const DEFAULT_REALISM = 0.5
export const realismSchema = z.number().min(0).max(1)

/** Whether `realism` is a realism amount (ESRGAN's interpolation α): a finite number from 0 to 1. */
export function isRealism(realism: number): boolean {
  return realismSchema.safeParse(realism).success
}

export const modelSpecSchema = z.object({
  path: z.string().min(1),
  // Saved before the realism had its own name: `alpha`, as in ESRGAN's network interpolation.
  blend: z
    .preprocess(
      renamedFrom('alpha', 'realism'),
      z.object({ path: z.string().min(1), realism: realismSchema }),
    )
    .optional(),
})
