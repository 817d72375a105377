import type { FilledCounts } from '../../shared/protocol.js'
import type { KeptPlace, PhotoRepairs, Repairs } from '../../shared/settings.js'
import { filledDust, findDust } from './dust.js'
import type { FoundDust } from './dust.js'
import { restoreFadedColour } from './faded-colour.js'
import type { RestoredColour } from './faded-colour.js'
import { readArea } from './read-area.js'
import { filledScratches, findScratches } from './scratches.js'
import type { FoundScratches } from './scratches.js'
import type { DecodedPhoto, RasterImage } from './types.js'

/** A photo with its dust and scratches filled where that was asked, and how many specks and lines were. */
export interface Filled extends FilledCounts {
  image: RasterImage
}

/** A photo as it is to be enhanced, and how many specks of dust and scratches were filled where that was asked. */
export type Repaired = RestoredColour & FilledCounts

/** Where a photo's dust and scratches are, as far as asked: found once, filled as often as the kept places change. */
export interface FoundDamage {
  dust?: FoundDust
  scratches?: FoundScratches
}

/**
 * The dust and scratches of `image` where `repairs` asks for their removal. Scratches are looked for once every speck
 * is filled (a speck on a scratch would widen it past a scratch's width), whichever specks are kept later.
 */
export async function foundAsAsked(
  image: RasterImage,
  density: number | undefined,
  { removeDust = false, removeScratches = false }: Repairs,
): Promise<FoundDamage> {
  const dust = removeDust ? await findDust(image, density) : undefined
  if (!removeScratches) return { dust }
  const dustless = dust ? filledDust(image, dust).image : image
  return { dust, scratches: await findScratches(dustless, density) }
}

/** `image` with `found`'s dust and scratches filled, but near the `kept` places; else its own raster. */
export function filledAsFound(
  image: RasterImage,
  found: FoundDamage,
  kept: readonly KeptPlace[] = [],
): Filled {
  const filled: Filled = { image }
  if (found.dust)
    ({ image: filled.image, specks: filled.specks } = filledDust(filled.image, found.dust, kept))
  if (found.scratches)
    ({ image: filled.image, scratches: filled.scratches } = filledScratches(
      filled.image,
      found.scratches,
      kept,
    ))
  return filled
}

/** A decoded photo with its dust and scratches filled where the job asks (but at its kept places); else its raster. */
export async function filledAsAsked({ image, meta }: DecodedPhoto, repairs: PhotoRepairs): Promise<Filled> {
  return filledAsFound(image, await foundAsAsked(image, meta.density, repairs), repairs.kept)
}

/**
 * A decoded photo as it is to be enhanced: its dust and scratches filled (or as `filled` says, when they were
 * already) and its faded colour restored where the job asks, else as it was read. Dust first: a speck on a scratch
 * would widen it past a scratch's width; colours last: a light speck or scratch would count among the lightest
 * pixels taken for the photo's white. The colours of a damaged file are measured on the part that was read.
 */
export async function repairedAsAsked(
  decoded: DecodedPhoto,
  repairs: PhotoRepairs,
  filled?: Filled,
): Promise<Repaired> {
  const { image: cleaned, ...found } = filled ?? (await filledAsAsked(decoded, repairs))
  const { restoreColours = false, restoreStrength: strength } = repairs
  const colourless = decoded.meta.colourless ?? false
  // A damaged file's missing part is its decoder's grey: not the photo's colours.
  const area = decoded.damage && restoreColours ? readArea(decoded.image) : undefined
  const restored = restoreColours
    ? restoreFadedColour(cleaned, colourless, { area, strength })
    : { image: cleaned, colourless }
  return { ...restored, ...found }
}

/** What dust and scratch removal did, for the photo's note: nothing where neither was asked. */
export function repairNotes({ specks, scratches }: Repaired): string[] {
  const notes: string[] = []
  if (specks === 0) notes.push('No dust was found to remove.')
  else if (specks !== undefined)
    notes.push(`${specks} speck${specks === 1 ? '' : 's'} of dust ${were(specks)} filled before enhancing.`)
  if (scratches === 0) notes.push('No scratches or hairs were found to remove.')
  else if (scratches !== undefined)
    notes.push(
      `${scratches} ${scratches === 1 ? 'scratch or hair' : 'scratches or hairs'} ${were(scratches)} filled before enhancing.`,
    )
  return notes
}

const were = (n: number): string => (n === 1 ? 'was' : 'were')
