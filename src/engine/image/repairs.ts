import type { Repairs } from '../../shared/settings.js'
import { removeDust } from './dust.js'
import { restoreFadedColour } from './faded-colour.js'
import type { RestoredColour } from './faded-colour.js'
import { readArea } from './read-area.js'
import type { DecodedPhoto } from './types.js'

/** A photo as it is to be enhanced, and how many specks of dust were filled where that was asked. */
export type Repaired = RestoredColour & { specks?: number }

/**
 * A decoded photo as it is to be enhanced: its dust filled and its faded colour restored where the job asks, else
 * as it was read. Dust first: a light speck would count among the lightest pixels taken for the photo's white.
 * The colours of a damaged file are measured on the part that was read.
 */
export async function repairedAsAsked(
  { image, meta, damage }: DecodedPhoto,
  { restoreColours = false, removeDust: dust = false }: Repairs,
): Promise<Repaired> {
  const { colourless = false, density } = meta
  const cleaned = dust ? await removeDust(image, density) : { image }
  const specks = 'specks' in cleaned ? { specks: cleaned.specks } : {}
  // A damaged file's missing part is its decoder's grey: not the photo's colours.
  const area = damage && restoreColours ? readArea(image) : undefined
  const restored = restoreColours
    ? restoreFadedColour(cleaned.image, colourless, area)
    : { image: cleaned.image, colourless }
  return { ...restored, ...specks }
}

/** What the dust removal did, for the photo's note: none where it was not asked. */
export function dustNote({ specks }: Repaired): string | null {
  if (specks === undefined) return null
  if (specks === 0) return 'No dust was found to remove.'
  return `${specks} speck${specks === 1 ? '' : 's'} of dust ${specks === 1 ? 'was' : 'were'} filled before enhancing.`
}
