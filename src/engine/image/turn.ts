import type { EngineSettings, KeptPlace } from '../../shared/settings.js'
import { facingOf, turnedPoint, turnedSize } from '../../shared/turn.js'
import type { Facing } from '../../shared/turn.js'
import type { DecodedPhoto, RasterImage } from './types.js'

/**
 * `image` facing as asked (mirrored left to right, then turned clockwise), pixel for pixel: either only moves samples,
 * so it is an index map here rather than a round trip through sharp's raw input, which reads 16-bit samples by
 * colourspace, not by depth.
 */
export function turnedRaster(image: RasterImage, facing: Facing): RasterImage {
  if (!facing.turn && !facing.mirrored) return image
  const { width, height, channels, pixels } = image
  const turned = new (pixels.constructor as typeof Uint8Array | typeof Uint16Array)(pixels.length)
  const [first, acrossStep, downStep] = landingSteps(facing, width, height)
  for (let y = 0, from = 0; y < height; y++)
    for (let x = 0; x < width; x++, from += channels) {
      const at = (first + x * acrossStep + y * downStep) * channels
      for (let c = 0; c < channels; c++) turned[at + c] = pixels[from + c]!
    }
  return { ...image, ...turnedSize(image, facing.turn), pixels: turned }
}

/**
 * Where pixel (x, y) of a `width` × `height` raster lands once it faces as asked, as a pixel index: first +
 * x * acrossStep + y * downStep (`turnedPoint`, unrolled for whole rasters).
 */
function landingSteps({ turn, mirrored }: Facing, width: number, height: number): [number, number, number] {
  const [first, across, down] = turnSteps(turn, width, height)
  // Mirrored first: pixel x lands where pixel width - 1 - x would have.
  return mirrored ? [first + (width - 1) * across, -across, down] : [first, across, down]
}

function turnSteps(turn: Facing['turn'], width: number, height: number): [number, number, number] {
  if (turn === 90) return [height - 1, height, -1]
  if (turn === 180) return [width * height - 1, -1, -width]
  if (turn === 270) return [(width - 1) * height, -height, 1]
  return [0, 1, width]
}

/** A decoded photo facing as asked; what its file says of it (colour, dpi, EXIF) holds as it was. */
export function turnedPhoto(decoded: DecodedPhoto, facing: Facing): DecodedPhoto {
  const image = turnedRaster(decoded.image, facing)
  return image === decoded.image ? decoded : { ...decoded, image }
}

/**
 * A photo as read, facing as `settings` ask, with the places it keeps from dust and scratch removal where they lie on
 * it so facing. The photo as read is not kept: only one of the two rasters outlives this call.
 */
export function turnedAsAsked(
  read: DecodedPhoto,
  { turn, mirrored, kept = [] }: Pick<EngineSettings, 'turn' | 'mirrored' | 'kept'>,
): { decoded: DecodedPhoto; kept: KeptPlace[] } {
  const facing = facingOf(turn, mirrored)
  return { decoded: turnedPhoto(read, facing), kept: turnedPlaces(kept, facing, read.image) }
}

/** Places kept on a photo of `size` (its file's upright pixels), where they are once it faces as asked. */
export function turnedPlaces(
  kept: readonly KeptPlace[],
  facing: Facing,
  size: { width: number; height: number },
): KeptPlace[] {
  return kept.map((place) => turnedPoint(place, facing, size))
}
