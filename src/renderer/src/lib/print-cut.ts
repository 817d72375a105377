import { filledPart } from '../../../shared/settings.js'
import type { SizeSpec } from '../../../shared/settings.js'
import type { Region } from '../../../shared/api.js'

/**
 * The bands of a `width`×`height` photo that filling a print (`size`) cuts off, as percentages of the photo: the
 * two at its sides or at its top and bottom. None where the size fills no print or the photo has its shape.
 */
export function cutBands(
  size: SizeSpec | undefined,
  width: number,
  height: number,
): { left: string; top: string; width: string; height: string }[] {
  const kept = size && filledPart(size, width, height)
  if (!kept) return []
  const bands: Region[] = [
    { x: 0, y: 0, width: kept.x, height },
    { x: kept.x + kept.width, y: 0, width: width - kept.x - kept.width, height },
    { x: 0, y: 0, width, height: kept.y },
    { x: 0, y: kept.y + kept.height, width, height: height - kept.y - kept.height },
  ].filter((band) => band.width > 0 && band.height > 0)
  const share = (length: number, of: number): string => `${(length / of) * 100}%`
  return bands.map((band) => ({
    left: share(band.x, width),
    top: share(band.y, height),
    width: share(band.width, width),
    height: share(band.height, height),
  }))
}
