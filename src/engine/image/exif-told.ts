/**
 * Writes what a person told of a photo into its EXIF: when it was taken (`exifWithTaken`) and its caption
 * (ImageDescription, in IFD0, in place of any it had: a camera's "OLYMPUS DIGITAL CAMERA"). Nothing already in the
 * block moves: what changes is written again at its end, the IFDs after it still linked, and the header points there.
 */
import type { Caption, Told } from '../../shared/caption.js'
import { IMAGE_DESCRIPTION, captionEntry } from './exif-new.js'
import type { NewExifFile } from './exif-new.js'
import { exifWithTaken, fieldsOf, withOffsetAt } from './exif-taken.js'
import { Appender, tagOf, tiffOf, writeIfd } from './exif-tiff.js'
import { tiffPart } from './exif.js'

/**
 * A photo's `exif` saying what its person `told` (the block as it was where they told nothing); undefined where it is
 * not TIFF (a new block is made then).
 */
export function exifWithTold(
  exif: Uint8Array,
  { stamp, caption }: Told,
  file: NewExifFile,
): Uint8Array | undefined {
  const dated = stamp ? exifWithTaken(exif, stamp, file) : exif
  return dated && caption !== undefined ? exifWithCaption(dated, caption) : dated
}

/** The TIFF part of a photo's `exif` saying its `caption`; undefined where it is not TIFF. */
export function exifWithCaption(exif: Uint8Array, caption: Caption): Uint8Array | undefined {
  const tiff = tiffOf(tiffPart(exif))
  if (!tiff) return undefined
  const { bytes, view, little } = tiff
  const ifd0 = view.getUint32(4, little)
  if (ifd0 < 8 || ifd0 + 2 > bytes.length) return undefined
  const fields = fieldsOf(view, little, ifd0).filter((field) => tagOf(field, little) !== IMAGE_DESCRIPTION)
  const nextAt = ifd0 + 2 + view.getUint16(ifd0, little) * 12
  const next = nextAt + 4 <= bytes.length ? view.getUint32(nextAt, little) : 0
  const out = new Appender(bytes.length)
  const captioned = writeIfd(out, [captionEntry(caption)], little, fields, next)
  return withOffsetAt(Buffer.concat([bytes, out.bytes]), little, 4, captioned)
}
