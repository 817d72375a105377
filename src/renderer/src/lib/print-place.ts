import { filledPart, outputSize } from '../../../shared/settings.js'
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
  return bands.map((band) =>
    placeStyle({
      x: band.x / width,
      y: band.y / height,
      width: band.width / width,
      height: band.height / height,
    }),
  )
}

/** Where a photo lies in a frame, as shares of the frame's width and height (outside 0–1 where the frame cuts it). */
export interface Place {
  x: number
  y: number
  width: number
  height: number
}

export const WHOLE_FRAME: Place = { x: 0, y: 0, width: 1, height: 1 }

/**
 * Where the whole of a `photo` lies in its `result` made at `size`, so a "before" shown over the result matches it:
 * beyond the frame where a filled print cut its edges, within it where a print's border surrounds it.
 */
export function photoPlace(
  size: SizeSpec | undefined,
  photo: { width: number; height: number },
  result: { width: number; height: number },
): Place {
  const kept = size && filledPart(size, photo.width, photo.height)
  if (kept)
    return {
      // The cut edges' share, left of and above the frame (0 where none, not −0).
      x: (0 - kept.x) / kept.width,
      y: (0 - kept.y) / kept.height,
      width: photo.width / kept.width,
      height: photo.height / kept.height,
    }
  if (size?.mode !== 'print' || !size.border) return WHOLE_FRAME
  const fitted = outputSize(size, photo.width, photo.height, 1)
  return {
    x: Math.floor((result.width - fitted.width) / 2) / result.width,
    y: Math.floor((result.height - fitted.height) / 2) / result.height,
    width: fitted.width / result.width,
    height: fitted.height / result.height,
  }
}

/** A place as CSS percentages of its frame. */
export function placeStyle(place: Place): { left: string; top: string; width: string; height: string } {
  const percent = (share: number): string => `${share * 100}%`
  return {
    left: percent(place.x),
    top: percent(place.y),
    width: percent(place.width),
    height: percent(place.height),
  }
}

/**
 * A square region's centre (`side` px) moved within what filling a print (`size`) keeps of a `photo`, so the
 * region previewed is one that is printed; as it was where nothing is cut or the part kept cannot hold it.
 */
export function centreWithinPrint(
  size: SizeSpec | undefined,
  photo: { width: number; height: number },
  side: number,
  centre: { x: number; y: number },
): { x: number; y: number } {
  const kept = size && filledPart(size, photo.width, photo.height)
  if (!kept || kept.width < side || kept.height < side) return centre
  const within = (value: number, start: number, length: number): number =>
    Math.max(start + side / 2, Math.min(start + length - side / 2, value))
  return { x: within(centre.x, kept.x, kept.width), y: within(centre.y, kept.y, kept.height) }
}
