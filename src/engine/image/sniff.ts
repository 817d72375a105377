import { open } from 'node:fs/promises'
import { EnhanceError } from '../../shared/errors.js'
import { EXTRACT_ARCHIVE, READABLE_FORMATS_TEXT } from '../../shared/formats.js'
import { isCodestream } from './jp2-header.js'

/**
 * The formats Enhance reads, judged by content, never by name: libvips would also load SVG (and the
 * files an SVG points at), PDF and others by sniffing, so anything else is refused before sharp sees it.
 */
export type ReadableFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'heif' | 'bmp' | 'jxl' | 'jp2' | 'psd'

/** The sizes of the header after a BMP's first 14 bytes: Windows' (12, 40 … 124) and OS/2's (16 … 64). */
const BMP_INFO_SIZES = new Set([12, 16, 40, 52, 56, 64, 108, 124])

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis'])

type Ascii = (from: number, to: number) => string

/** The bytes of `head` from `from` to `to` as Latin-1 text, to compare with a format's signature. */
function asciiOf(head: Uint8Array): Ascii {
  return (from, to) => String.fromCharCode(...head.subarray(from, to))
}

/** JPEG XL: a bare codestream, or the container's signature box (ISO/IEC 18181-1 and -2). */
const JXL_CONTAINER = [0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a]

function isJxl(head: Uint8Array): boolean {
  return (head[0] === 0xff && head[1] === 0x0a) || JXL_CONTAINER.every((b, i) => head[i] === b)
}

/** JPEG 2000: the JP2 container's signature box (ISO/IEC 15444-1 Annex I), or a bare codestream's SOC and SIZ markers. */
const JP2_SIGNATURE = [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]

/** A JPEG 2000 photo, but not a compound document (JPM, brand `jpm `: pages of layered images) OpenJPEG cannot read. */
function isJp2(head: Uint8Array, ascii: Ascii): boolean {
  if (isCodestream(head)) return true
  return JP2_SIGNATURE.every((b, i) => head[i] === b) && ascii(20, 24) !== 'jpm '
}

export function sniffFormat(head: Uint8Array): ReadableFormat | null {
  const ascii = asciiOf(head)
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b)
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg'
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png'
  if (ascii(0, 4) === 'GIF8') return 'gif'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp'
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'tiff'
  if (ascii(4, 8) === 'ftyp' && HEIF_BRANDS.has(ascii(8, 12))) return 'heif'
  if (isJxl(head)) return 'jxl'
  if (isJp2(head, ascii)) return 'jp2'
  // A Photoshop document: version 1, or 2 for a large one (PSB).
  if (ascii(0, 4) === '8BPS' && head[4] === 0 && (head[5] === 1 || head[5] === 2)) return 'psd'
  if (ascii(0, 2) === 'BM' && BMP_INFO_SIZES.has(head[14]! | (head[15]! << 8) | (head[16]! << 16)))
    return 'bmp'
  return null
}

/** MP4 and QuickTime brands: a phone's videos, and the .MOV half of an iPhone's Live Photo. */
const VIDEO_BRANDS = new Set(['qt  ', 'isom', 'iso2', 'mp41', 'mp42', 'M4V ', 'avc1', '3gp4', '3gp5'])

/** What a file Enhance does not read is ("a Photoshop document (PSD)"), and which advice fits it. */
interface OtherFormat {
  is: string
  kind: 'image' | 'video' | 'archive'
  recognised: (ascii: Ascii) => boolean
}

/** Formats people have that Enhance does not read, by their first bytes, so that a refusal names what the file is. */
const OTHER_FORMATS: readonly OtherFormat[] = [
  {
    is: 'a JPEG 2000 compound document (JPM)',
    kind: 'image',
    recognised: (ascii) => ascii(20, 24) === 'jpm ',
  },
  { is: 'a GIMP image (XCF)', kind: 'image', recognised: (ascii) => ascii(0, 9) === 'gimp xcf ' },
  { is: 'an OpenEXR image', kind: 'image', recognised: (ascii) => ascii(0, 4) === '\x76\x2f\x31\x01' },
  { is: 'a Radiance HDR image', kind: 'image', recognised: (ascii) => ascii(0, 2) === '#?' },
  { is: 'a PDF document', kind: 'image', recognised: (ascii) => ascii(0, 5) === '%PDF-' },
  {
    is: 'a video',
    kind: 'video',
    recognised: (ascii) => ascii(4, 8) === 'ftyp' && VIDEO_BRANDS.has(ascii(8, 12)),
  },
  // Google Takeout, shared albums and mail attachments come as archives.
  {
    is: 'a ZIP archive',
    kind: 'archive',
    recognised: (ascii) => ['PK\x03\x04', 'PK\x05\x06', 'PK\x07\x08'].includes(ascii(0, 4)),
  },
  { is: 'a 7z archive', kind: 'archive', recognised: (ascii) => ascii(0, 6) === '7z\xbc\xaf\x27\x1c' },
  { is: 'a RAR archive', kind: 'archive', recognised: (ascii) => ascii(0, 6) === 'Rar!\x1a\x07' },
  {
    is: 'a compressed archive',
    kind: 'archive',
    recognised: (ascii) =>
      ascii(0, 2) === '\x1f\x8b' || ascii(0, 3) === 'BZh' || ascii(0, 6) === '\xfd7zXZ\x00',
  },
]

/** What a file Enhance does not read is, when its first bytes say. */
function otherFormat(head: Uint8Array): OtherFormat | undefined {
  const ascii = asciiOf(head)
  return OTHER_FORMATS.find(({ recognised }) => recognised(ascii))
}

/** Refuses a file whose content is not one of the readable formats, with what to do about it. */
export async function checkImageFormat(path: string): Promise<ReadableFormat> {
  const head = new Uint8Array(24)
  const file = await open(path, 'r')
  try {
    await file.read(head, 0, head.length, 0)
  } finally {
    await file.close()
  }
  const format = sniffFormat(head)
  if (format === null) throw unreadableFormat(path, otherFormat(head))
  return format
}

/** The refusal for content Enhance cannot read, whatever the file's name says, and what to do about it. */
function unreadableFormat(path: string, other: OtherFormat | undefined): EnhanceError {
  return new EnhanceError('UNSUPPORTED_FORMAT', `${path} ${unreadableText(other)}`)
}

function unreadableText(other: OtherFormat | undefined): string {
  switch (other?.kind) {
    case 'video':
      return `is a video, which Enhance does not enhance: it enhances photos (${READABLE_FORMATS_TEXT}).`
    case 'archive':
      return `is ${other.is}, which Enhance does not open: ${EXTRACT_ARCHIVE}.`
    case 'image':
      return `is ${other.is}, which Enhance does not read. Open it in the program that made it or an image editor and save it as JPEG, PNG or TIFF.`
    case undefined:
      return `is not an image format Enhance can read (${READABLE_FORMATS_TEXT}), whatever its name says. Open it in an image editor and save it as JPEG or PNG.`
  }
}
