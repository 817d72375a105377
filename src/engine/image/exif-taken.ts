/**
 * Writes when a photo was taken into its EXIF (DateTimeOriginal, in the Exif IFD), where photo libraries and file
 * managers date and sort it. Nothing already in the block moves (a maker note's offsets stay true): the Exif IFD is
 * written again at its end with the date in place of any earlier one, and IFD0 points there.
 */
import type { DateStamp } from '../../shared/taken.js'
import { DATE_TIME_ORIGINAL, newExifIfd, takenEntry } from './exif-new.js'
import type { NewExifFile } from './exif-new.js'
import { Appender, EXIF_IFD, forEachEntry, numberEntry, tagOf, tiffOf, writeIfd } from './exif-tiff.js'
import type { Entry } from './exif-tiff.js'
import { tiffPart } from './exif.js'

/** What described the date it replaces: its time zone (OffsetTimeOriginal) and its fraction of a second. */
const OF_THE_EARLIER_DATE = new Set([DATE_TIME_ORIGINAL, 0x9011, 0x9291])
const PIXEL_X = 0xa002
const PIXEL_Y = 0xa003
const LONG = 4 as const

/** The 12-byte fields of the IFD at `ifd`, as they are. */
export function fieldsOf(view: DataView, little: boolean, ifd: number): Uint8Array[] {
  const fields: Uint8Array[] = []
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
  forEachEntry(view, little, ifd, (at) => fields.push(bytes.slice(at, at + 12)))
  return fields
}

/**
 * The TIFF part of a photo's `exif` saying when it was taken (`stamp`), and the size of the `file` where its Exif IFD
 * said none (a JPEG's must); undefined where it is not TIFF (a new block is made then). A block of IFD0 alone gains
 * the Exif IFD a new block has (its version, colour space, size), the date in it.
 */
export function exifWithTaken(exif: Uint8Array, stamp: DateStamp, file: NewExifFile): Uint8Array | undefined {
  const tiff = tiffOf(tiffPart(exif))
  if (!tiff) return undefined
  const { bytes, view, little } = tiff
  const date = takenEntry(stamp)
  const ifd0 = view.getUint32(4, little)
  let pointerAt = -1
  forEachEntry(view, little, ifd0, (at, tag) => {
    if (tag === EXIF_IFD) pointerAt = at
  })
  const out = new Appender(bytes.length)
  if (pointerAt < 0) {
    const ifd = newExifIfd(file, stamp, little)
    const pointer: Entry = { tag: EXIF_IFD, type: LONG, count: 1, value: new Uint8Array(4), ifd }
    const newIfd0 = writeIfd(out, [pointer], little, fieldsOf(view, little, ifd0))
    return withOffsetAt(Buffer.concat([bytes, out.bytes]), little, 4, newIfd0)
  }
  const fields = fieldsOf(view, little, view.getUint32(pointerAt + 8, little))
  const tags = new Set(fields.map((field) => tagOf(field, little)))
  const kept = withoutEarlierDate(fields, little)
  const sizes =
    tags.has(PIXEL_X) || tags.has(PIXEL_Y)
      ? []
      : [numberEntry(PIXEL_X, LONG, file.width, little), numberEntry(PIXEL_Y, LONG, file.height, little)]
  const datedIfd = writeIfd(out, [date, ...sizes], little, kept)
  return withOffsetAt(Buffer.concat([bytes, out.bytes]), little, pointerAt + 8, datedIfd)
}

/** An Exif IFD's fields without the date a new one replaces, nor what described it. */
export function withoutEarlierDate(fields: Uint8Array[], little: boolean): Uint8Array[] {
  return fields.filter((field) => !OF_THE_EARLIER_DATE.has(tagOf(field, little)))
}

/** `block` with the offset at `at` set to `to`. */
export function withOffsetAt(block: Uint8Array, little: boolean, at: number, to: number): Uint8Array {
  new DataView(block.buffer, block.byteOffset, block.byteLength).setUint32(at, to, little)
  return block
}
