/**
 * An EXIF block made for a photo that has none of its own, where its file has something to say there: when it was
 * taken, or a print's pixels per inch in a format with no header for them (WebP, AVIF). It holds what the standard
 * requires of every block (ExifTool's -validate finds nothing missing): the resolution, the Exif version, the colour
 * space and the pixel size, and for a JPEG how its colours are sampled.
 */
import type { OutputFormat } from '../../shared/formats.js'
import type { Caption } from '../../shared/caption.js'
import { exifDateTime } from '../../shared/taken.js'
import type { DateStamp } from '../../shared/taken.js'
import { Appender, EXIF_IFD, numberEntry, writeIfd } from './exif-tiff.js'
import type { Entry } from './exif-tiff.js'

export const DATE_TIME_ORIGINAL = 0x9003
export const IMAGE_DESCRIPTION = 0x010e
const ASCII = 2
const SHORT = 3 as const
const LONG = 4 as const
const RATIONAL = 5
const UNDEFINED = 7
const INCHES = 2
const SRGB = 1
const UNCALIBRATED = 0xffff

export interface NewExifFile {
  width: number
  height: number
  /** Pixels per inch. */
  density: number
  format: OutputFormat
  /** Whether its pixels are sRGB (no profile, or sRGB's): else they are in the photo's own profile. */
  srgb: boolean
}

const short = (tag: number, value: number, little = true): Entry => numberEntry(tag, SHORT, value, little)
const long = (tag: number, value: number, little = true): Entry => numberEntry(tag, LONG, value, little)

function rational(tag: number, value: number): Entry {
  const bytes = Buffer.alloc(8)
  bytes.writeUInt32LE(Math.round(value), 0)
  bytes.writeUInt32LE(1, 4)
  return { tag, type: RATIONAL, count: 1, value: bytes }
}

function undefinedBytes(tag: number, bytes: number[]): Entry {
  return { tag, type: UNDEFINED, count: bytes.length, value: new Uint8Array(bytes) }
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0))

/** The Exif IFD's entry saying when the photo was taken. */
export function takenEntry({ taken, place }: DateStamp): Entry {
  const value = new TextEncoder().encode(`${exifDateTime(taken, place)}\0`)
  return { tag: DATE_TIME_ORIGINAL, type: ASCII, count: value.length, value }
}

/** IFD0's entry saying the photo's caption, in UTF-8 as the Metadata Working Group asks of ImageDescription. */
export function captionEntry(caption: Caption): Entry {
  const value = new TextEncoder().encode(`${caption}\0`)
  return { tag: IMAGE_DESCRIPTION, type: ASCII, count: value.length, value }
}

/**
 * The Exif IFD of a new block, in the byte order asked (a TIFF's own), saying when the photo was taken where that
 * is given (`stamp`); a TIFF says its pixel size in its own header, not here.
 */
export function newExifIfd(file: NewExifFile, stamp: DateStamp | undefined, little = true): Entry[] {
  const jpeg = file.format === 'jpeg'
  return [
    undefinedBytes(0x9000, ascii('0232')), // ExifVersion
    ...(stamp ? [takenEntry(stamp)] : []),
    ...(jpeg ? [undefinedBytes(0x9101, [1, 2, 3, 0])] : []), // ComponentsConfiguration: Y, Cb, Cr
    undefinedBytes(0xa000, ascii('0100')), // FlashpixVersion
    short(0xa001, file.srgb ? SRGB : UNCALIBRATED, little), // ColorSpace
    // PixelXDimension, PixelYDimension
    ...(file.format === 'tiff' ? [] : [long(0xa002, file.width, little), long(0xa003, file.height, little)]),
  ]
}

/** The new block (the TIFF part, little-endian), saying when the photo was taken and its caption where given. */
export function newExif(file: NewExifFile, stamp?: DateStamp, caption?: Caption): Uint8Array {
  const jpeg = file.format === 'jpeg'
  const exifIfd = newExifIfd(file, stamp)
  const ifd0: Entry[] = [
    ...(caption === undefined ? [] : [captionEntry(caption)]),
    rational(0x011a, file.density), // XResolution
    rational(0x011b, file.density),
    short(0x0128, INCHES), // ResolutionUnit
    ...(jpeg ? [short(0x0213, 1)] : []), // YCbCrPositioning: centred
    { tag: EXIF_IFD, type: LONG, count: 1, value: new Uint8Array(4), ifd: exifIfd },
  ]
  const header = new Uint8Array([0x49, 0x49, 42, 0, 0, 0, 0, 0])
  const out = new Appender(header.length)
  const at = writeIfd(out, ifd0, true)
  const block = Buffer.concat([header, out.bytes])
  block.writeUInt32LE(at, 4)
  return block
}
