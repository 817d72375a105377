import { EnhanceError, messageOf } from '../../shared/errors.js'
import { DEFAULT_MAX_INPUT_PIXELS } from '../../shared/formats.js'
import {
  inputDriveGone,
  isPermissionDenied,
  missingFileError,
  permissionError,
} from '../../node/file-access.js'

/** What to do about a damaged file: the readers of photos end their refusals with it. */
export const COPY_AGAIN =
  'Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.'

/** The coded error for a photo sharp could not read. */
export function decodeError(
  path: string,
  error: unknown,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): EnhanceError {
  const message = messageOf(error)
  if (/exceeds pixel limit/i.test(message)) return tooLargeError(path, maxPixels)
  // Every caller has sniffed the content as a format Enhance reads (`checkReadableImage`), so no loader
  // taking it means the rest of the file is damaged: a TIFF cut short loses the directory at its end.
  if (/unsupported image format|contains unsupported/i.test(message))
    return new EnhanceError(
      'CORRUPT_IMAGE',
      `${path} begins as a photo Enhance reads, but the rest of it cannot be read: it is damaged or cut short, or an unusual variant of its format. ${COPY_AGAIN} If it opens in another program, save it there as JPEG or PNG.`,
    )
  // libvips reads no 8-bit CIELab TIFF (a scanner's or Photoshop's Lab mode) and calls its header corrupt.
  if (/bad labq format/i.test(message))
    return new EnhanceError(
      'UNSUPPORTED_FORMAT',
      `${path} is a TIFF in Lab colours, which Enhance cannot read. Open it in an image editor and save it in RGB colours (Image › Mode › RGB in Photoshop), as TIFF or JPEG.`,
    )
  const gone = inputDriveGone(path, error)
  if (gone) return gone
  if (isPermissionDenied(error) || /permission denied|operation not permitted/i.test(message))
    return permissionError(path)
  // sharp's own words for a file that is not there; a TIFF "missing required" field is damage, not absence.
  if (/Input file is missing|ENOENT/.test(message)) return missingFileError(path)
  return damagedError(path, decoderWords(error))
}

/** The refusal of a file its decoder could not read, in the decoder's `words` (CORRUPT_IMAGE). */
export function damagedError(path: string, words: string): EnhanceError {
  return new EnhanceError('CORRUPT_IMAGE', `${path} is damaged or truncated (${words}). ${COPY_AGAIN}`)
}

/**
 * What the decoder said of a file: the first line of its message but sharp's own framing of a warning it was told to
 * fail on, which says nothing of the file ("Warning treated as error due to failOn setting").
 */
export function decoderWords(error: unknown): string {
  const lines = messageOf(error).split('\n')
  return (
    lines.find((line) => line.trim() !== '' && !/treated as error due to failOn/i.test(line)) ?? lines[0]!
  )
}

/** A photo over the pixel limit (IMAGE_TOO_LARGE). */
export function tooLargeError(path: string, maxPixels: number): EnhanceError {
  return new EnhanceError(
    'IMAGE_TOO_LARGE',
    `${path} has more than ${maxPixels.toLocaleString('en')} pixels, the limit that guards against decompression bombs. Enhance a smaller copy of it.`,
  )
}

/** A damaged file's refusal (PARTIAL_IMAGE) where part of it can be read. */
export function partialMessage(path: string, damage: string): string {
  return `${path} is cut short or damaged (${damage}), but part of it can be read. ${COPY_AGAIN}`
}
