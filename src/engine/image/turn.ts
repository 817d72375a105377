import type { EngineSettings, KeptPlace } from '../../shared/settings.js'
import { turnedPoint, turnedSize } from '../../shared/turn.js'
import type { QuarterTurn } from '../../shared/turn.js'
import type { DecodedPhoto, RasterImage } from './types.js'

/**
 * `image` turned clockwise by `turn`, pixel for pixel: a quarter turn only moves samples, so it is an index map here
 * rather than a round trip through sharp's raw input, which reads 16-bit samples by colourspace, not by depth.
 */
export function turnedRaster(image: RasterImage, turn: QuarterTurn): RasterImage {
  if (turn === 0) return image
  const { width, height, channels, pixels } = image
  const turned = new (pixels.constructor as typeof Uint8Array | typeof Uint16Array)(pixels.length)
  const [first, acrossStep, downStep] = landingSteps(turn, width, height)
  for (let y = 0, from = 0; y < height; y++)
    for (let x = 0; x < width; x++, from += channels) {
      const at = (first + x * acrossStep + y * downStep) * channels
      for (let c = 0; c < channels; c++) turned[at + c] = pixels[from + c]!
    }
  return { ...image, ...turnedSize(image, turn), pixels: turned }
}

/**
 * Where pixel (x, y) of a `width` × `height` raster lands once turned, as a pixel index: first + x * acrossStep +
 * y * downStep (`turnedPoint`, unrolled for whole rasters).
 */
function landingSteps(turn: 90 | 180 | 270, width: number, height: number): [number, number, number] {
  if (turn === 90) return [height - 1, height, -1]
  if (turn === 180) return [width * height - 1, -1, -width]
  return [(width - 1) * height, -height, 1]
}

/** A decoded photo turned as asked; what its file says of it (colour, dpi, EXIF) holds as it was. */
export function turnedPhoto(decoded: DecodedPhoto, turn: QuarterTurn): DecodedPhoto {
  return turn ? { ...decoded, image: turnedRaster(decoded.image, turn) } : decoded
}

/**
 * A photo as read, turned as `settings` ask, with the places it keeps from dust and scratch removal where they lie on
 * it so turned. The photo as read is not kept: only one of the two rasters outlives this call.
 */
export function turnedAsAsked(
  read: DecodedPhoto,
  { turn = 0, kept = [] }: Pick<EngineSettings, 'turn' | 'kept'>,
): { decoded: DecodedPhoto; kept: KeptPlace[] } {
  return { decoded: turnedPhoto(read, turn), kept: turnedPlaces(kept, turn, read.image) }
}

/** Places kept on a photo of `size` (its file's upright pixels), where they are once it is turned by `turn`. */
export function turnedPlaces(
  kept: readonly KeptPlace[],
  turn: QuarterTurn,
  size: { width: number; height: number },
): KeptPlace[] {
  return kept.map((place) => turnedPoint(place, turn, size))
}
