import type { Repairs } from '../../shared/settings.js'
import { removeDust } from './dust.js'
import { restoreFadedColour } from './faded-colour.js'
import type { RestoredColour } from './faded-colour.js'
import type { ImageMetadata, RasterImage } from './types.js'

/**
 * A decoded photo as it is to be enhanced: its dust filled and its faded colour restored where the job asks, else
 * as it was read. Dust first: a light speck would count among the lightest pixels taken for the photo's white.
 */
export async function repairedAsAsked(
  image: RasterImage,
  { colourless = false, density }: Pick<ImageMetadata, 'colourless' | 'density'>,
  { restoreColours = false, removeDust: dust = false }: Repairs,
): Promise<RestoredColour> {
  const cleaned = dust ? (await removeDust(image, density)).image : image
  return restoreColours ? restoreFadedColour(cleaned, colourless) : { image: cleaned, colourless }
}
