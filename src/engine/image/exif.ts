import { crc32 } from 'node:zlib'
import { injectHeifExif } from './exif-heif.js'
import { EXIF_IFD, forEachEntry, injectTiffExif } from './exif-tiff.js'

export const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0] // "Exif\0\0"
const ORIENTATION_TAG = 0x0112
const PIXEL_X_TAG = 0xa002
const PIXEL_Y_TAG = 0xa003
const IMAGE_WIDTH_TAG = 0x0100
const IMAGE_LENGTH_TAG = 0x0101
const X_RESOLUTION_TAG = 0x011a
const Y_RESOLUTION_TAG = 0x011b
const RESOLUTION_UNIT_TAG = 0x0128
const RATIONAL = 5
const INCHES = 2

/** The TIFF part of an EXIF block, without the "Exif\0\0" prefix sharp and JPEG use. */
export function tiffPart(exif: Uint8Array): Uint8Array {
  const prefixed = EXIF_HEADER.every((b, i) => exif[i] === b)
  return prefixed ? exif.subarray(6) : exif
}

/** An EXIF block as sharp gives one ("Exif\0\0" + TIFF) from a container's TIFF block; undefined for one too short. */
export function exifBlock(tiff: Uint8Array): Uint8Array | undefined {
  return tiff.length > 8 ? Buffer.concat([Uint8Array.from(EXIF_HEADER), tiff]) : undefined
}

/**
 * Returns a copy of the EXIF block that describes the output: Orientation 1 (upright), since the
 * pixels are already rotated and a viewer that applied the old tag would turn the photo twice, the
 * image size set to the output's (the Exif pixel dimensions, and IFD0's where an editor wrote it), and
 * no thumbnail: the camera's (IFD1) is of the photo as it was stored, sideways where it was to be
 * turned, and file managers show it in their small views.
 */
export function exifForOutput(exif: Uint8Array, width: number, height: number, density?: number): Uint8Array {
  const copy = new Uint8Array(exif) // not slice(): a Buffer's shares its memory
  const tiff = tiffPart(copy)
  if (tiff.length < 8) return copy
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength)
  const little = tiff[0] === 0x49
  let exifIfd = 0
  const ifd0 = view.getUint32(4, little)
  forEachEntry(view, little, ifd0, (at, tag) => {
    if (tag === ORIENTATION_TAG) view.setUint16(at + 8, 1, little)
    if (tag === EXIF_IFD) exifIfd = view.getUint32(at + 8, little)
    if (tag === IMAGE_WIDTH_TAG || tag === IMAGE_LENGTH_TAG)
      setSize(view, little, at, tag === IMAGE_WIDTH_TAG ? width : height)
    if (density !== undefined) setDensity(view, little, at, tag, density)
  })
  unlinkNextIfd(view, little, ifd0)
  forEachEntry(view, little, exifIfd, (at, tag) => {
    if (tag === PIXEL_X_TAG || tag === PIXEL_Y_TAG)
      setSize(view, little, at, tag === PIXEL_X_TAG ? width : height)
  })
  return copy
}

/** Writes a size into the entry at `at` as one LONG: a SHORT may not hold the enlarged size. */
function setSize(view: DataView, little: boolean, at: number, size: number): void {
  view.setUint16(at + 2, 4, little)
  view.setUint32(at + 4, 1, little)
  view.setUint32(at + 8, size, little)
}

/**
 * Writes `density` pixels per inch into the entry at `at` where it is a resolution (a RATIONAL, whose value lies
 * elsewhere in the block) or the resolution's unit: a file whose EXIF said 72 would be printed at that.
 */
function setDensity(view: DataView, little: boolean, at: number, tag: number, density: number): void {
  if (tag === RESOLUTION_UNIT_TAG) view.setUint16(at + 8, INCHES, little)
  if (tag !== X_RESOLUTION_TAG && tag !== Y_RESOLUTION_TAG) return
  const value = view.getUint32(at + 8, little)
  if (view.getUint16(at + 2, little) !== RATIONAL || value + 8 > view.byteLength) return
  view.setUint32(value, Math.round(density), little)
  view.setUint32(value + 4, 1, little)
}

/** Ends the chain of IFDs after `ifd` (IFD0), leaving out IFD1, the thumbnail's. */
function unlinkNextIfd(view: DataView, little: boolean, ifd: number): void {
  if (ifd < 8 || ifd + 2 > view.byteLength) return
  const next = ifd + 2 + view.getUint16(ifd, little) * 12
  if (next + 4 <= view.byteLength) view.setUint32(next, 0, little)
}

/** Inserts an APP1 Exif segment after SOI, and after the JFIF segment where there is one, as editors write them. */
function injectJpeg(file: Uint8Array, tiff: Uint8Array): Uint8Array {
  const segment = app1Segment(EXIF_HEADER, tiff)
  if (!segment) return file
  const at = afterJfif(file)
  return Buffer.concat([file.subarray(0, at), segment, file.subarray(at)])
}

/** A JPEG APP1 segment of `header` and `data` (EXIF's, XMP's); null where it is larger than a segment holds. */
export function app1Segment(header: ArrayLike<number>, data: Uint8Array): Uint8Array | null {
  const length = 2 + header.length + data.length
  if (length > 0xffff) return null
  const segment = new Uint8Array(2 + length)
  segment.set([0xff, 0xe1, length >> 8, length & 0xff])
  segment.set(header, 4)
  segment.set(data, 4 + header.length)
  return segment
}

/** Where a JPEG's segments go after SOI: past its JFIF segment (APP0) where it begins with one, else 2. */
export function afterJfif(file: Uint8Array): number {
  const jfif = file[2] === 0xff && file[3] === 0xe0
  return jfif ? 4 + ((file[4]! << 8) | file[5]!) : 2
}

export function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length)
  const view = new DataView(chunk.buffer)
  view.setUint32(0, data.length)
  chunk.set(new TextEncoder().encode(type), 4)
  chunk.set(data, 8)
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)))
  return chunk
}

/** Inserts an eXIf chunk before the first IDAT, as the PNG 1.5 extension requires. */
function injectPng(file: Uint8Array, tiff: Uint8Array): Uint8Array {
  const idat = firstPngChunk(file, ['IDAT'])
  if (!idat) return file
  return Buffer.concat([file.subarray(0, idat.at), pngChunk('eXIf', tiff), file.subarray(idat.at)])
}

/** The first of a PNG's chunks of one of `types`: where it starts, its type, and its whole size. */
export function firstPngChunk(
  file: Uint8Array,
  types: string[],
): { at: number; type: string; size: number } | undefined {
  for (const chunk of pngChunks(file)) if (types.includes(chunk.type)) return chunk
  return undefined
}

/** A PNG's chunks in order: where each starts, its type, and its whole size (data and the 12 bytes around it). */
export function* pngChunks(file: Uint8Array): Generator<{ at: number; type: string; size: number }> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  for (let at = 8; at + 8 <= file.length;) {
    const size = 12 + view.getUint32(at)
    yield { at, type: String.fromCharCode(...file.subarray(at + 4, at + 8)), size }
    at += size
  }
}

/**
 * A simple WebP (one VP8 or VP8L chunk, as sharp writes one without a profile) as an extended one, whose VP8X header
 * can say it holds EXIF; the canvas and alpha are read from the image's own header. Unchanged where it is neither.
 */
export function extendedWebp(file: Uint8Array): Uint8Array {
  const chunk = String.fromCharCode(...file.subarray(12, 16))
  if (file.length < 30 || (chunk !== 'VP8 ' && chunk !== 'VP8L')) return file
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  let width: number, height: number, alpha: boolean
  if (chunk === 'VP8 ') {
    width = view.getUint16(26, true) & 0x3fff
    height = view.getUint16(28, true) & 0x3fff
    alpha = false // lossy alpha is a chunk of its own, which only an extended WebP has
  } else {
    const bits = view.getUint32(21, true)
    width = (bits & 0x3fff) + 1
    height = ((bits >>> 14) & 0x3fff) + 1
    alpha = ((bits >>> 28) & 1) === 1
  }
  const vp8x = Buffer.alloc(18)
  vp8x.write('VP8X')
  vp8x.writeUInt32LE(10, 4)
  vp8x[8] = alpha ? 0x10 : 0
  vp8x.writeUIntLE(width - 1, 12, 3)
  vp8x.writeUIntLE(height - 1, 15, 3)
  const out = Buffer.concat([file.subarray(0, 12), vp8x, file.subarray(12)])
  out.writeUInt32LE(view.getUint32(4, true) + vp8x.length, 4)
  return out
}

/** A RIFF (WebP) chunk: its four letters, its size, its data and a byte to keep the next even. */
export function riffChunk(fourcc: string, data: Uint8Array): Uint8Array {
  const chunk = Buffer.alloc(8 + data.length + (data.length % 2))
  chunk.write(fourcc, 'latin1')
  chunk.writeUInt32LE(data.length, 4)
  chunk.set(data, 8)
  return chunk
}

/** Adds an EXIF chunk to a WebP, extended (VP8X) where it was simple, and sets its EXIF flag. */
function injectWebp(simpleOrExtended: Uint8Array, tiff: Uint8Array): Uint8Array {
  const file = extendedWebp(simpleOrExtended)
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  if (String.fromCharCode(...file.subarray(12, 16)) !== 'VP8X') return file
  const chunk = riffChunk('EXIF', tiff)
  const out = Buffer.concat([file, chunk])
  out[20] = out[20]! | 0x08
  new DataView(out.buffer, out.byteOffset).setUint32(4, view.getUint32(4, true) + chunk.length, true)
  return out
}

/** Writes the EXIF block into an encoded file of any output format. */
export function injectExif(file: Uint8Array, format: string, exif: Uint8Array): Uint8Array {
  const tiff = tiffPart(exif)
  if (format === 'jpeg') return injectJpeg(file, tiff)
  if (format === 'png') return injectPng(file, tiff)
  if (format === 'webp') return injectWebp(file, tiff)
  if (format === 'avif') return injectHeifExif(file, tiff)
  if (format === 'tiff') return injectTiffExif(file, tiff)
  return file
}
