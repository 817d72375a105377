/**
 * Windows bitmaps (BMP), which libvips cannot read: old scans and Paint's pictures. Written here because the
 * npm decoders fall short of the files people have: fast-bmp reads only the V5 header, and bmp-ts (bmp-js's
 * lineage) writes 1-, 4- and 8-bit pixels to the wrong bytes when asked for RGBA and treats 24-bit as transparent.
 * Every header Windows and OS/2 wrote (12 to 124 bytes), 1/2/4/8-bit palettes, RLE4 and RLE8, 16/24/32-bit with or
 * without bit-field masks, bottom-up and top-down, into 8-bit RGB (RGBA where the alpha says something).
 */
import type { RasterImage } from './types.js'

export type BmpCompression = 'none' | 'rle8' | 'rle4' | 'bitfields'

export interface BmpHeader {
  width: number
  height: number
  topDown: boolean
  bitsPerPixel: number
  compression: BmpCompression
  /** Where the pixels start, from the start of the file. */
  dataOffset: number
  /** RGB triplets, for 1- to 8-bit pixels. */
  palette: Uint8Array
  /** Red, green, blue and alpha masks for 16- and 32-bit pixels (alpha 0 for none). */
  masks: [number, number, number, number]
  /** Every palette entry is a grey: a greyscale scan. */
  greyPalette: boolean
}

/** Why a BMP cannot be read: its headers make no sense, or it uses a variant Enhance does not decode. */
export class BmpError extends Error {
  constructor(
    readonly kind: 'corrupt' | 'unsupported',
    message: string,
  ) {
    super(message)
  }
}

/** Enough of the file for every header and the largest palette. */
export const BMP_HEADER_BYTES = 14 + 124 + 16 + 256 * 4

const COMPRESSION: Record<number, BmpCompression | undefined> = {
  0: 'none',
  1: 'rle8',
  2: 'rle4',
  3: 'bitfields',
  6: 'bitfields',
}
const OTHER_COMPRESSION: Record<number, string> = {
  4: 'a JPEG inside',
  5: 'a PNG inside',
  11: 'CMYK',
  12: 'CMYK RLE8',
  13: 'CMYK RLE4',
}

/** The headers of a BMP file, from its first `BMP_HEADER_BYTES` bytes (or all of it, if shorter). */
export function readBmpHeader(head: Uint8Array): BmpHeader {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const need = (bytes: number): void => {
    if (head.byteLength < bytes) throw new BmpError('corrupt', 'its header is cut short')
  }
  need(26)
  const dataOffset = view.getUint32(10, true)
  const infoSize = view.getUint32(14, true)
  const core = infoSize === 12
  if (!core && infoSize < 16) throw new BmpError('corrupt', `its header size (${infoSize}) is not a BMP's`)
  need(14 + (core ? 12 : 16))
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true)
  const rawHeight = core ? view.getInt16(20, true) : view.getInt32(22, true)
  const bitsPerPixel = view.getUint16(core ? 24 : 28, true)
  const code = infoSize >= 20 ? (need(34), view.getUint32(30, true)) : 0
  const compression = COMPRESSION[code]
  if (!compression)
    throw new BmpError('unsupported', `it is coded as ${OTHER_COMPRESSION[code] ?? `type ${code}`}`)
  if (width <= 0 || rawHeight === 0 || rawHeight === -0x80000000)
    throw new BmpError('corrupt', `its size (${width}×${rawHeight}) is not a picture's`)
  const valid =
    compression === 'none'
      ? [1, 2, 4, 8, 16, 24, 32].includes(bitsPerPixel)
      : compression === 'rle8'
        ? bitsPerPixel === 8
        : compression === 'rle4'
          ? bitsPerPixel === 4
          : bitsPerPixel === 16 || bitsPerPixel === 32
  if (!valid) throw new BmpError('unsupported', `it has ${bitsPerPixel}-bit pixels coded as ${compression}`)
  const masks = readMasks(view, infoSize, code, bitsPerPixel)
  const palette = readPalette(head, view, infoSize, bitsPerPixel, code)
  return {
    width,
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel,
    compression,
    dataOffset,
    palette,
    masks,
    greyPalette: bitsPerPixel <= 8 && isGreyPalette(palette),
  }
}

/** The masks of 16- and 32-bit pixels: in the header from V2 on, after a 40-byte one, or Windows' defaults. */
function readMasks(view: DataView, infoSize: number, code: number, bits: number): BmpHeader['masks'] {
  if (bits !== 16 && bits !== 32) return [0, 0, 0, 0]
  const bitfields = code === 3 || code === 6
  const at = (offset: number): number => (view.byteLength >= offset + 4 ? view.getUint32(offset, true) : 0)
  // A 32-bit BI_RGB's fourth byte is its alpha where any pixel sets it (decodeBmp decides); bit fields say.
  if (!bitfields) return bits === 16 ? [0x7c00, 0x3e0, 0x1f, 0] : [0xff0000, 0xff00, 0xff, 0xff000000]
  const alpha = infoSize >= 56 || code === 6 ? at(54 + 12) : 0
  return [at(54), at(58), at(62), alpha]
}

function readPalette(
  head: Uint8Array,
  view: DataView,
  infoSize: number,
  bits: number,
  code: number,
): Uint8Array {
  if (bits > 8) return new Uint8Array(0)
  const core = infoSize === 12
  const used = core || infoSize < 36 ? 0 : view.getUint32(46, true)
  const entries = Math.min(used === 0 ? 2 ** bits : used, 2 ** bits)
  // A 40-byte header with bit fields is followed by the masks; no palette follows those (they are > 8 bits).
  const start = 14 + infoSize + (infoSize === 40 && code === 6 ? 16 : infoSize === 40 && code === 3 ? 12 : 0)
  const step = core ? 3 : 4
  const palette = new Uint8Array(2 ** bits * 3)
  for (let i = 0; i < entries && start + i * step + 2 < head.byteLength; i++) {
    palette[i * 3] = head[start + i * step + 2]!
    palette[i * 3 + 1] = head[start + i * step + 1]!
    palette[i * 3 + 2] = head[start + i * step]!
  }
  return palette
}

function isGreyPalette(palette: Uint8Array): boolean {
  for (let i = 0; i < palette.length; i += 3)
    if (palette[i] !== palette[i + 1] || palette[i] !== palette[i + 2]) return false
  return true
}

/** The decoded picture, and how many of its rows the file held (fewer when it is cut short). */
export interface DecodedBmp {
  image: RasterImage
  rowsRead: number
}

/**
 * The pixels of a BMP whose header is `header`, from `data` (the file from its pixel data on), top row first.
 * Rows the file does not hold stay black; the caller decides whether a cut-short file is read at all.
 */
export function decodeBmp(header: BmpHeader, data: Uint8Array): DecodedBmp {
  const { width, height, bitsPerPixel, compression } = header
  const withAlpha = bitsPerPixel === 32 && header.masks[3] !== 0
  const channels = withAlpha ? 4 : 3
  const pixels = new Uint8Array(width * height * channels)
  const image: RasterImage = { width, height, channels, depth: 8, pixels }
  const rowsRead =
    compression === 'rle8' || compression === 'rle4'
      ? decodeRle(header, data, pixels)
      : bitsPerPixel <= 8
        ? decodeIndexed(header, data, pixels)
        : decodeDirect(header, data, pixels, channels)
  return { image: withAlpha && !alphaSaysAnything(image) ? withoutAlpha(image) : image, rowsRead }
}

/**
 * The most pixel data a BMP of this header can use: its rows, or for run-length coding a run per pixel and a
 * line's end per row. Bytes past that are not read, so a file padded with gigabytes costs nothing.
 */
export function pixelDataBytes(header: BmpHeader): number {
  const { width, height, bitsPerPixel, compression } = header
  if (compression === 'rle8' || compression === 'rle4') return 2 * width * height + 4 * height + 2
  return stride(width, bitsPerPixel) * height
}

function stride(width: number, bits: number): number {
  return Math.floor((width * bits + 31) / 32) * 4
}

/** The raster row where file row `row` goes: BMPs are stored bottom row first unless the height is negative. */
function targetRow(header: BmpHeader, row: number): number {
  return header.topDown ? row : header.height - 1 - row
}

/** Palette entry `index` into `rgb` at `at` (three stores: a subarray a pixel took 6–8× as long). */
function paint(rgb: Uint8Array, at: number, palette: Uint8Array, index: number): void {
  rgb[at] = palette[index * 3]!
  rgb[at + 1] = palette[index * 3 + 1]!
  rgb[at + 2] = palette[index * 3 + 2]!
}

function decodeIndexed(header: BmpHeader, data: Uint8Array, rgb: Uint8Array): number {
  const { width, height, bitsPerPixel: bits, palette } = header
  const rowBytes = stride(width, bits)
  const rows = Math.min(height, Math.floor(data.byteLength / rowBytes))
  const mask = (1 << bits) - 1
  for (let row = 0; row < rows; row++) {
    const source = row * rowBytes
    let out = targetRow(header, row) * width * 3
    for (let x = 0; x < width; x++, out += 3) {
      const bit = x * bits // the first bit of pixel x in its row, its leftmost pixel in the high bits
      const index = (data[source + (bit >> 3)]! >> (8 - bits - (bit & 7))) & mask
      paint(rgb, out, palette, index)
    }
  }
  return rows
}

/** A mask's channel scaled to 0–255 by whole division, as Pillow and Firefox scale it: 5 bits' 20 of 31 is 164. */
function channelReader(mask: number): (pixel: number) => number {
  if (mask === 0) return () => 255
  let shift = 0
  while (((mask >>> shift) & 1) === 0) shift++
  const max = mask >>> shift
  return (pixel) => Math.floor((((pixel & mask) >>> shift) * 255) / max)
}

function decodeDirect(header: BmpHeader, data: Uint8Array, out: Uint8Array, channels: 3 | 4): number {
  const { width, height, bitsPerPixel: bits } = header
  const rowBytes = stride(width, bits)
  const rows = Math.min(height, Math.floor(data.byteLength / rowBytes))
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const [red, green, blue, alpha] = header.masks.map(channelReader) as [
    (p: number) => number,
    (p: number) => number,
    (p: number) => number,
    (p: number) => number,
  ]
  for (let row = 0; row < rows; row++) {
    const source = row * rowBytes
    let at = targetRow(header, row) * width * channels
    for (let x = 0; x < width; x++, at += channels) {
      if (bits === 24) {
        out[at] = data[source + x * 3 + 2]!
        out[at + 1] = data[source + x * 3 + 1]!
        out[at + 2] = data[source + x * 3]!
        continue
      }
      const pixel = bits === 16 ? view.getUint16(source + x * 2, true) : view.getUint32(source + x * 4, true)
      out[at] = red(pixel)
      out[at + 1] = green(pixel)
      out[at + 2] = blue(pixel)
      if (channels === 4) out[at + 3] = alpha(pixel)
    }
  }
  return rows
}

/**
 * Run-length coded pixels: runs, literal stretches, end of line, end of picture, and jumps; a run past the
 * edge is clipped, and pixels jumped over or never reached keep the palette's first colour, as Windows and
 * Pillow leave them. Returns the rows reached: all of them when the picture ends as it should, fewer when the
 * data runs out first.
 */
function decodeRle(header: BmpHeader, data: Uint8Array, rgb: Uint8Array): number {
  const { width, height, palette } = header
  for (let at = 0; at < rgb.length; at += 3) paint(rgb, at, palette, 0)
  const four = header.compression === 'rle4'
  let x = 0
  let row = 0
  let at = 0
  const put = (index: number): void => {
    if (x < width && row < height) {
      paint(rgb, (targetRow(header, row) * width + x) * 3, palette, index)
    }
    x++
  }
  while (at + 1 < data.byteLength && row < height) {
    const count = data[at]!
    const value = data[at + 1]!
    at += 2
    if (count > 0) {
      for (let i = 0; i < count; i++) put(four ? (i % 2 === 0 ? value >> 4 : value & 15) : value)
    } else if (value === 0) {
      x = 0
      row++
    } else if (value === 1) {
      return height
    } else if (value === 2) {
      if (at + 1 >= data.byteLength) break
      x += data[at]!
      row += data[at + 1]!
      at += 2
    } else {
      const bytes = four ? Math.ceil(value / 2) : value
      if (at + bytes > data.byteLength) break
      for (let i = 0; i < value; i++)
        put(four ? (i % 2 === 0 ? data[at + (i >> 1)]! >> 4 : data[at + (i >> 1)]! & 15) : data[at + i]!)
      at += bytes + (bytes % 2) // literal stretches are padded to whole 16-bit words
    }
  }
  return Math.min(row, height)
}

/**
 * Whether a 32-bit BMP's alpha says anything: a fourth byte that is 0 everywhere (how most programs write an
 * unused one) or 255 everywhere is no transparency.
 */
function alphaSaysAnything({ pixels }: RasterImage): boolean {
  const first = pixels[3]
  if (first !== 0 && first !== 255) return true
  for (let at = 7; at < pixels.length; at += 4) if (pixels[at] !== first) return true
  return false
}

function withoutAlpha({ width, height, pixels }: RasterImage): RasterImage {
  const rgb = new Uint8Array(width * height * 3)
  for (let i = 0, o = 0; i < pixels.length; i += 4, o += 3) {
    rgb[o] = pixels[i]!
    rgb[o + 1] = pixels[i + 1]!
    rgb[o + 2] = pixels[i + 2]!
  }
  return { width, height, channels: 3, depth: 8, pixels: rgb }
}
