/**
 * Dates or captions a file Enhance wrote anew, in place of enhancing its photo again: a person said when an album was
 * taken, or what a photo shows, after its photos were done, and only what the file says of itself changes. Its EXIF
 * and XMP are written again with what they told (its pixels are the same bytes), in a JPEG, PNG, WebP or TIFF; an
 * AVIF, whose metadata lives among the boxes that index its picture, is enhanced again instead.
 */
import { readFile, stat } from 'node:fs/promises'
import { inflateSync } from 'node:zlib'
import sharp from 'sharp'
import { MAX_RESULT_PIXELS } from '../../shared/formats.js'
import type { OutputFormat } from '../../shared/formats.js'
import { takenMoment } from '../../shared/taken.js'
import type { Told } from '../../shared/caption.js'
import { writeFileAtomic } from '../../node/files.js'
import { DEFAULT_DENSITY } from './density.js'
import {
  EXIF_HEADER,
  app1Segment,
  extendedWebp,
  firstPngChunk,
  pngChunk,
  pngChunks,
  riffChunk,
  tiffPart,
} from './exif.js'
import { IMAGE_DESCRIPTION, captionEntry, newExif, newExifIfd, takenEntry } from './exif-new.js'
import type { NewExifFile } from './exif-new.js'
import { fieldsOf, withoutEarlierDate } from './exif-taken.js'
import { exifWithTold } from './exif-told.js'
import { Appender, EXIF_IFD, numberEntry, tagOf, tiffOf, writeIfd } from './exif-tiff.js'
import { toldXmp, xmpWithTold } from './xmp.js'

const XMP_HEADER = [...Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1')]
const XMP_KEYWORD = 'XML:com.adobe.xmp'
const XMP_TAG = 700
const BYTE = 1
const LONG = 4 as const

/** What a file's new metadata is made from: its old EXIF and XMP, saying what was told; what a new EXIF says of it. */
interface Telling {
  told: Told
  file: NewExifFile
  exif(old: Uint8Array | undefined): Uint8Array
  xmp(old: string | undefined): string
}

/** The formats whose metadata is rewritten here, by their first bytes. */
function formatOf(file: Uint8Array): Exclude<OutputFormat, 'avif'> | null {
  const head = Buffer.from(file.subarray(0, 12))
  if (head[0] === 0xff && head[1] === 0xd8) return 'jpeg'
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]))) return 'png'
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'webp'
  return tiffOf(file) ? 'tiff' : null
}

/**
 * Writes what a person `told` of its photo into the file at `path` (its EXIF and XMP; when it was taken, its
 * modification time too), atomically; false where it is not a file whose metadata this rewrites (an AVIF, or one laid
 * out otherwise than Enhance writes): enhance it again then.
 */
export async function restampFile(path: string, told: Told): Promise<boolean> {
  const [file, { mtime }] = await Promise.all([readFile(path), stat(path)])
  const format = formatOf(file)
  if (!format) return false
  // A result may have more pixels than libvips lets in by default (268 MP): a ×4 of a photo over 16.8 MP.
  const asResult = { limitInputPixels: MAX_RESULT_PIXELS }
  const { width = 0, height = 0, density, icc } = await sharp(file, asResult).metadata()
  const fresh: NewExifFile = { width, height, format, density: density ?? DEFAULT_DENSITY, srgb: !icc }
  const { stamp, caption } = told
  const telling: Telling = {
    told,
    file: fresh,
    exif: (old) => (old && exifWithTold(old, told, fresh)) ?? newExif(fresh, stamp, caption),
    xmp: (old) => (old ? xmpWithTold(old, told) : toldXmp(told)),
  }
  const dated = RESTAMP[format](file, telling)
  if (!dated) return false
  await writeFileAtomic(path, dated, stamp ? takenMoment(stamp.taken, stamp.place) : mtime)
  return true
}

const RESTAMP: Record<
  Exclude<OutputFormat, 'avif'>,
  (file: Uint8Array, telling: Telling) => Uint8Array | null
> = {
  jpeg: restampJpeg,
  png: restampPng,
  webp: restampWebp,
  tiff: restampTiff,
}

function startsWith(bytes: Uint8Array, at: number, prefix: number[]): boolean {
  return prefix.every((byte, i) => bytes[at + i] === byte)
}

/** A JPEG with its EXIF and XMP (APP1) written again after JFIF, as editors place them; the rest as it was. */
function restampJpeg(file: Uint8Array, telling: Telling): Uint8Array | null {
  const kept: Uint8Array[] = []
  let exif: Uint8Array | undefined
  let xmp: string | undefined
  let at = 2
  for (;;) {
    const marker = file[at + 1]!
    if (at + 4 > file.length || file[at] !== 0xff || marker === 0xff) return null // not laid out as libjpeg writes
    if (marker === 0xda) break // the picture's scans, to the end
    const segment = file.subarray(at, at + 2 + ((file[at + 2]! << 8) | file[at + 3]!))
    if (marker === 0xe1 && startsWith(segment, 4, EXIF_HEADER))
      exif = segment.subarray(4 + EXIF_HEADER.length)
    else if (marker === 0xe1 && startsWith(segment, 4, XMP_HEADER))
      xmp = Buffer.from(segment.subarray(4 + XMP_HEADER.length)).toString('utf8')
    else kept.push(segment)
    at += segment.length
  }
  const exifSegment = app1Segment(EXIF_HEADER, tiffPart(telling.exif(exif)))
  const xmpSegment = app1Segment(XMP_HEADER, Buffer.from(telling.xmp(xmp), 'utf8'))
  if (!exifSegment || !xmpSegment) return null
  const jfif = kept[0]?.[1] === 0xe0 ? kept.splice(0, 1) : []
  return Buffer.concat([file.subarray(0, 2), ...jfif, exifSegment, xmpSegment, ...kept, file.subarray(at)])
}

/** The XMP a PNG text chunk holds (libvips writes it compressed, zTXt; the standard says iTXt), or undefined. */
function pngXmp(type: string, data: Uint8Array): string | undefined {
  const text = Buffer.from(data)
  const end = text.indexOf(0)
  if (end < 0 || text.toString('latin1', 0, end) !== XMP_KEYWORD) return undefined
  if (type === 'zTXt') return inflateSync(text.subarray(end + 2)).toString('utf8')
  if (type === 'tEXt') return text.toString('latin1', end + 1)
  const compressed = text[end + 1] === 1
  const language = text.indexOf(0, end + 3)
  const translated = text.indexOf(0, language + 1)
  const body = text.subarray(translated + 1)
  return (compressed ? inflateSync(body) : body).toString('utf8')
}

/** A PNG with its eXIf and XMP (iTXt) chunks written again before its first IDAT; the rest as it was. */
function restampPng(file: Uint8Array, telling: Telling): Uint8Array | null {
  const idat = firstPngChunk(file, ['IDAT'])
  if (!idat) return null
  const before: Uint8Array[] = []
  const after: Uint8Array[] = []
  let exif: Uint8Array | undefined
  let xmp: string | undefined
  for (const { at, type, size } of pngChunks(file)) {
    const data = file.subarray(at + 8, at + size - 4)
    const text = ['iTXt', 'zTXt', 'tEXt'].includes(type) ? pngXmp(type, data) : undefined
    if (type === 'eXIf') exif = data
    else if (text !== undefined) xmp = text
    else (at < idat.at ? before : after).push(file.subarray(at, at + size))
  }
  const itxt = Buffer.concat([
    Buffer.from(`${XMP_KEYWORD}\0\0\0\0\0`, 'latin1'),
    Buffer.from(telling.xmp(xmp), 'utf8'),
  ])
  const dated = [pngChunk('eXIf', tiffPart(telling.exif(exif))), pngChunk('iTXt', itxt)]
  return Buffer.concat([file.subarray(0, 8), ...before, ...dated, ...after])
}

/** A WebP, extended where it was simple, with its EXIF and XMP chunks written again last, as the format orders them. */
function restampWebp(simpleOrExtended: Uint8Array, telling: Telling): Uint8Array | null {
  const file = Buffer.from(extendedWebp(simpleOrExtended))
  if (file.toString('latin1', 12, 16) !== 'VP8X') return null
  const kept: Uint8Array[] = []
  let exif: Uint8Array | undefined
  let xmp: string | undefined
  for (let at = 12; at + 8 <= file.length;) {
    const fourcc = file.toString('latin1', at, at + 4)
    const size = file.readUInt32LE(at + 4)
    const data = file.subarray(at + 8, at + 8 + size)
    if (fourcc === 'EXIF') exif = data
    else if (fourcc === 'XMP ') xmp = data.toString('utf8')
    else kept.push(file.subarray(at, at + 8 + size + (size % 2)))
    at += 8 + size + (size % 2)
  }
  const dated = [
    riffChunk('EXIF', tiffPart(telling.exif(exif))),
    riffChunk('XMP ', Buffer.from(telling.xmp(xmp))),
  ]
  const out = Buffer.concat([file.subarray(0, 12), ...kept, ...dated])
  out.writeUInt32LE(out.length - 8, 4)
  out[20] = out[20]! | 0x0c // EXIF and XMP
  return out
}

/**
 * A TIFF with IFD0 and its Exif IFD written again after the file, saying the date and the caption told, and its XMP
 * (tag 700) with them; nothing already in the file moves, so its strips stay where IFD0 says.
 */
function restampTiff(file: Uint8Array, telling: Telling): Uint8Array | null {
  const tiff = tiffOf(file)
  if (!tiff) return null
  const { view, little } = tiff
  const ifd0 = view.getUint32(4, little)
  const fields = fieldsOf(view, little, ifd0)
  if (!fields.length) return null
  const field = (tag: number) => fields.find((f) => tagOf(f, little) === tag)
  const valueOf = (f: Uint8Array) => new DataView(f.buffer, f.byteOffset).getUint32(8, little)
  const exifField = field(EXIF_IFD)
  const xmpField = field(XMP_TAG)
  const oldXmp = xmpField
    ? Buffer.from(file.subarray(valueOf(xmpField), valueOf(xmpField) + countOf(xmpField, little))).toString(
        'utf8',
      )
    : undefined
  const out = new Appender(file.length)
  const { caption } = telling.told
  const exifIfd = toldExifIfd(out, view, little, exifField && valueOf(exifField), telling)
  const xmp = Buffer.from(telling.xmp(oldXmp), 'utf8')
  const rewritten = new Set([EXIF_IFD, XMP_TAG, ...(caption === undefined ? [] : [IMAGE_DESCRIPTION])])
  const others = fields.filter((f) => !rewritten.has(tagOf(f, little)))
  const nextAt = ifd0 + 2 + view.getUint16(ifd0, little) * 12
  if (nextAt + 4 > file.length) return null
  const next = view.getUint32(nextAt, little)
  const newIfd0 = writeIfd(
    out,
    [
      numberEntry(EXIF_IFD, LONG, exifIfd, little),
      { tag: XMP_TAG, type: BYTE, count: xmp.length, value: xmp },
      ...(caption === undefined ? [] : [captionEntry(caption)]),
    ],
    little,
    others,
    next,
  )
  const dated = Buffer.concat([file, out.bytes])
  new DataView(dated.buffer, dated.byteOffset).setUint32(4, newIfd0, little)
  return dated
}

/**
 * Where the TIFF's Exif IFD is once told: the one it had at `at` (written again with the date, where one is told), or
 * a new one with what the standard requires of one.
 */
function toldExifIfd(
  out: Appender,
  view: DataView,
  little: boolean,
  at: number | undefined,
  { told: { stamp }, file }: Telling,
): number {
  if (at === undefined) return writeIfd(out, newExifIfd(file, stamp, little), little)
  if (!stamp) return at
  return writeIfd(out, [takenEntry(stamp)], little, withoutEarlierDate(fieldsOf(view, little, at), little))
}

function countOf(field: Uint8Array, little: boolean): number {
  return new DataView(field.buffer, field.byteOffset).getUint32(4, little)
}
