import sharp from 'sharp'
import type { Sharp } from 'sharp'
import { DEFAULT_MAX_INPUT_PIXELS } from '../../shared/formats.js'
import { withBmp } from './bmp-file.js'
import {
  VIEW_FAIL_ON,
  WASM_DECODERS,
  checkReadableImage,
  isWasmDecoded,
  readThroughSystemDecoder,
} from './decode.js'
import { isLinearFloatGrey, linearGreyRaster } from './float-grey.js'
import { sharpOfRaster } from './raster.js'
import { decodeError } from './read-errors.js'
import type { DecodePurpose } from './system-heic.js'
import { uprightSize } from './types.js'
import { UPRIGHT, turnedSize } from '../../shared/turn.js'
import type { Facing } from '../../shared/turn.js'

/** A photo's size as it stands upright. */
export interface UprightSize {
  width?: number | undefined
  height?: number | undefined
}

/**
 * Runs `viewUpright` on a photo as the views read it (thumbnails, the compare view's tiles): upright, as far as
 * it goes, within `limitInputPixels`, through the reader its kind needs (sharp; the engine's BMP decoder; the
 * linear reading of a float grey TIFF; the JPEG XL, JPEG 2000 and Photoshop decoders; the system's HEIC decoder, writing a
 * file fit for `purpose`), with its upright size; facing as asked (a queued photo's input, as it is to be enhanced: mirrored,
 * turned), its size too.
 * The engine reads photos to enhance through `decodeImage`, the same way.
 */
export async function withViewedPhoto<T>(
  path: string,
  limitInputPixels: number,
  purpose: DecodePurpose,
  viewUpright: (image: Sharp, upright: UprightSize) => Promise<T>,
  { turn, mirrored }: Facing = UPRIGHT,
): Promise<T> {
  // sharp allows one rotation after the orientation's: the turn asked, which swaps the size's sides. It mirrors
  // (`flop`) before it rotates, whatever the order of the calls: the facing's own order.
  const view = (image: Sharp, upright: UprightSize): Promise<T> => {
    const faced = mirrored ? image.flop() : image
    return turn
      ? viewUpright(faced.rotate(turn), turnedSize({ width: upright.width, height: upright.height }, turn))
      : viewUpright(faced, upright)
  }
  const format = await checkReadableImage(path)
  // A BMP, a JPEG XL, a JPEG 2000 or a PSD is only ever an original (results are never written so), so the engine's limit
  // holds for it.
  const originalLimit = Math.min(limitInputPixels, DEFAULT_MAX_INPUT_PIXELS)
  if (format === 'bmp') return withBmp(path, originalLimit, view)
  if (isWasmDecoded(format)) {
    const read = { maxPixels: originalLimit, readDamaged: true }
    const { encoded, width, height } = await WASM_DECODERS[format](path, read)
    return view(sharp(encoded, { limitInputPixels: originalLimit }), { width, height })
  }
  const options = { limitInputPixels, failOn: VIEW_FAIL_ON }
  const header = await sharp(path, options)
    .metadata()
    .catch((error: unknown) => Promise.reject(decodeError(path, error)))
  if (header.compression === 'hevc') return readThroughSystemDecoder(path, header, options, view, { purpose })
  if (isLinearFloatGrey(header)) {
    const raster = await linearGreyRaster(sharp(path, options).rotate())
    return view(sharpOfRaster(raster), raster)
  }
  return view(sharp(path, options).rotate(), uprightSize(header))
}
