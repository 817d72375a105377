import { open, stat } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import sharp from 'sharp'
import type { Metadata, Sharp, SharpOptions } from 'sharp'
import { EnhanceError, firstLineOf, messageOf } from '../../shared/errors.js'
import { DEFAULT_MAX_INPUT_PIXELS, cameraRawMessage, isCameraRaw } from '../../shared/formats.js'
import { BMP_HEADER_BYTES, BmpError, decodeBmp, pixelDataBytes, readBmpHeader } from './bmp.js'
import type { BmpHeader } from './bmp.js'
import { checkImageFormat } from './sniff.js'
import { isLinearFloatGrey, linearGreyRaster } from './float-grey.js'
import { Turns } from './turns.js'
import type { ReadableFormat } from './sniff.js'
import { findHeicDecoder, withDecodedHeic } from './system-heic.js'
import type { DecodePurpose, HeicDecoder } from './system-heic.js'
import { isColourless } from './types.js'
import type { DecodedImage, ImageMetadata, RasterImage } from './types.js'

// Each photo passes through once, so libvips' operation cache only holds memory: with it on, enhancing a
// 2000×1500 photo ×4 peaked at 2.77 GB RSS, without it at 1.76 GB (bench/pipeline.ts).
sharp.cache(false)

const COPY_AGAIN =
  'Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.'

/**
 * How views read a photo (thumbnails, the compare view's tiles): as photo viewers do, a cut-short or
 * damaged file as far as it goes. They write no result, so there is nothing to refuse.
 */
export const VIEW_FAIL_ON = 'none' as const

const SIXTEEN_BIT = new Set(['ushort', 'short', 'uint', 'int', 'float', 'double'])

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
  // sharp's own words for a file that is not there; a TIFF "missing required" field is damage, not absence.
  if (/Input file is missing|ENOENT/.test(message))
    return new EnhanceError('FILE_NOT_FOUND', `${path} does not exist.`)
  return new EnhanceError(
    'CORRUPT_IMAGE',
    `${path} is damaged or truncated (${firstLineOf(error)}). ${COPY_AGAIN}`,
  )
}

function tooLargeError(path: string, maxPixels: number): EnhanceError {
  return new EnhanceError(
    'IMAGE_TOO_LARGE',
    `${path} has more than ${maxPixels.toLocaleString('en')} pixels, the limit that guards against decompression bombs. Enhance a smaller copy of it.`,
  )
}

/**
 * Runs `read` on a sharp image of a HEIC coded with HEVC (`info`, its header as sharp reads it), decoded by
 * the system's decoder (`system-heic.ts`) and upright, once its size in the header is within the pixel
 * limit. Every reader of photos (the engine, thumbnails, the compare view) comes here when sharp says HEVC.
 */
export async function readThroughSystemDecoder<T>(
  path: string,
  info: Metadata,
  options: ReadOptions,
  read: (upright: Sharp, decoded: Metadata & { width: number; height: number }) => Promise<T>,
  {
    purpose = 'photo',
    decoder = findHeicDecoder(),
    signal,
  }: { purpose?: DecodePurpose; decoder?: HeicDecoder | null; signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const maxPixels = options.limitInputPixels
  if ((info.width ?? 0) * (info.height ?? 0) > maxPixels) throw tooLargeError(path, maxPixels)
  const primary = info.pagePrimary ?? 0
  const readDecoded = async (file: string, orient: boolean): Promise<T> => {
    const image = sharp(file, options)
    const decoded = await image.metadata()
    const turned = orient && (decoded.orientation ?? 1) >= 5
    const [width, height] = turned ? [decoded.height, decoded.width] : [decoded.width, decoded.height]
    return read(orient ? image.rotate() : image, { ...decoded, width, height })
  }
  return withDecodedHeic(path, primary, decoder, readDecoded, { purpose, signal })
}

/**
 * What libtiff only warns about but means part of the picture is missing, not a blemish: strips that run
 * past the end of the file (a TIFF cut short after its directory), or a JPEG-coded strip whose tables were
 * cut off. libvips reads the missing part as black, so such a file counts as cut short.
 */
const MISSING_DATA =
  /Read error (?:at scanline|on strip|on tile)|Quantization table 0x[0-9a-f]+ was not defined/i

function metadataOf(info: Metadata): ImageMetadata {
  const meta: ImageMetadata = {
    format: info.format ?? 'unknown',
    gray: info.space === 'b-w' || info.space === 'grey16' || (info.channels ?? 3) <= 2,
    hasAlpha: info.hasAlpha ?? false,
  }
  if (info.exif) meta.exif = new Uint8Array(info.exif)
  if (info.icc) meta.icc = new Uint8Array(info.icc)
  if (info.xmp) meta.xmp = info.xmp.toString('utf8')
  if ((info.pages ?? 1) > 1) meta.pages = info.pages
  return meta
}

export interface DecodeOptions {
  /** Photos with more pixels are refused before they are decoded (IMAGE_TOO_LARGE). */
  maxPixels?: number
  /** A photo whose file is cut short or damaged is read as far as it goes, as photo viewers show it. */
  readDamaged?: boolean
  /** Stops a decode that takes long (the system's HEIC decoder) when the photo is cancelled. */
  signal?: AbortSignal | undefined
}

/**
 * A decoded photo; `damage` says what was wrong with a damaged file read as far as it goes, `warning`
 * what the decoder reported about a file it read.
 */
export type DecodedPhoto = DecodedImage & { damage?: string; warning?: string }

/**
 * Decodes the first frame, applies EXIF orientation, and converts to sRGB through the embedded
 * ICC profile (or the CMYK default), keeping 16-bit depth and alpha. A file the decoder only warns
 * about is read, and `warning` says what it reported. A file that is cut short or damaged is refused
 * (PARTIAL_IMAGE where part of it can be read) unless `readDamaged` asks for the part libvips can read,
 * with the rest filled as its decoder fills it (grey for JPEG, black for PNG).
 */
export async function decodeImage(
  path: string,
  { maxPixels = DEFAULT_MAX_INPUT_PIXELS, readDamaged = false, signal }: DecodeOptions = {},
): Promise<DecodedPhoto> {
  if ((await checkReadableImage(path)) === 'bmp')
    return bmpReads.take(() => readBmp(path, { maxPixels, readDamaged }))
  const options: ReadOptions = { limitInputPixels: maxPixels, pages: 1 }
  const damaged = { maxPixels, readDamaged }
  try {
    return await readPixels(path, { ...options, failOn: 'warning' }, signal)
  } catch (warning) {
    // Ours, not the decoder's (a HEIC the system's decoder could not read): said as it is.
    if (warning instanceof EnhanceError) throw warning
    if (MISSING_DATA.test(messageOf(warning))) return refuseOrReadDamaged(path, warning, options, damaged)
    try {
      // Warnings only: a JPEG's stray bytes are common and harmless, so the photo is read and its note
      // passes on what the decoder said.
      return {
        ...(await readPixels(path, { ...options, failOn: 'truncated' }, signal)),
        warning: firstLineOf(warning),
      }
    } catch (error) {
      return refuseOrReadDamaged(path, error, options, damaged)
    }
  }
}

/** A file the decoder gave up on: refused with its reason, or, when asked and possible, read as far as it goes. */
async function refuseOrReadDamaged(
  path: string,
  error: unknown,
  options: ReadOptions,
  { maxPixels, readDamaged }: Limits,
): Promise<DecodedPhoto> {
  const refused = decodeError(path, error, maxPixels)
  if (refused.code !== 'CORRUPT_IMAGE') throw refused
  const lenient: ReadOptions = { ...options, failOn: VIEW_FAIL_ON }
  if (!(await partlyReadable(path, lenient))) throw refused
  const damage = firstLineOf(error)
  if (!readDamaged) throw new EnhanceError('PARTIAL_IMAGE', partialMessage(path, damage))
  return { ...(await readPixels(path, lenient)), damage }
}

/** The pixel limit, and whether a damaged file is read as far as it goes. */
type Limits = Required<Pick<DecodeOptions, 'maxPixels' | 'readDamaged'>>

/** sharp's options for reading a photo, its pixel limit always set. */
type ReadOptions = SharpOptions & { limitInputPixels: number }

/**
 * The decoder's own pixels and metadata for `options`, upright; sharp's errors as they come. A HEIC coded
 * with HEVC, which sharp cannot decode, is read through the system's decoder, its metadata its own.
 */
async function readPixels(path: string, options: ReadOptions, signal?: AbortSignal): Promise<DecodedImage> {
  const info = await sharp(path, options).metadata()
  const meta = metadataOf(info)
  const withColourless = (image: RasterImage): DecodedImage => ({
    image,
    meta: { ...meta, colourless: isColourless(image) },
  })
  if (info.compression === 'hevc')
    return readThroughSystemDecoder(
      path,
      info,
      options,
      async (upright, decoded) =>
        withColourless(await rasterOf(upright, SIXTEEN_BIT.has(decoded.depth ?? 'uchar'))),
      { signal },
    )
  const upright = sharp(path, options).rotate()
  if (isLinearFloatGrey(info)) return withColourless(await linearGreyRaster(upright))
  return withColourless(await rasterOf(upright, SIXTEEN_BIT.has(info.depth ?? 'uchar')))
}

/** sharp over a raster decoded here (a BMP's, a linear float grey's), for the views that shrink or cut it. */
export function sharpOfRaster({ width, height, channels, pixels }: RasterImage): Sharp {
  return sharp(pixels, { raw: { width, height, channels } })
}

/** `decoder`'s pixels in sRGB, 16 bits per channel where the photo has more than 8, alpha kept. */
async function rasterOf(decoder: Sharp, deep: boolean): Promise<RasterImage> {
  const { data, info: out } = await decoder
    .toColourspace(deep ? 'rgb16' : 'srgb')
    .raw({ depth: deep ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true })
  const pixels = deep
    ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const channels = out.channels === 4 ? 4 : 3
  return { width: out.width, height: out.height, channels, depth: deep ? 16 : 8, pixels }
}

/**
 * Whether the lenient decoder makes a picture of the file, checked small: a JPEG shrinks on load, so a
 * tiny file that claims a huge photo is not decoded whole only to be refused.
 */
function partlyReadable(path: string, lenient: SharpOptions): Promise<boolean> {
  return sharp(path, lenient)
    .resize(64, 64, { fit: 'inside' })
    .raw()
    .toBuffer()
    .then(
      () => true,
      () => false,
    )
}

function partialMessage(path: string, damage: string): string {
  return `${path} is cut short or damaged (${damage}), but part of it can be read. ${COPY_AGAIN}`
}

/**
 * What every reader of a photo checks first, the engine and the views alike: the file is there, not empty,
 * and its content is a format Enhance reads (`sniff.ts`); a file that cannot be opened is coded like the
 * decoder's errors.
 */
export async function checkReadableImage(path: string): Promise<ReadableFormat> {
  // By name: most RAW files are TIFF inside, and libvips would read their first image, a thumbnail or raw sensor data.
  if (isCameraRaw(path)) throw new EnhanceError('UNSUPPORTED_FORMAT', cameraRawMessage(path))
  const coded = (error: unknown): Promise<never> =>
    Promise.reject(error instanceof EnhanceError ? error : decodeError(path, error))
  const { size } = await stat(path).catch(coded)
  if (size === 0) throw new EnhanceError('CORRUPT_IMAGE', `${path} is empty (0 bytes). ${COPY_AGAIN}`)
  return checkImageFormat(path).catch(coded)
}

/**
 * A BMP, which libvips cannot read, decoded by `bmp.ts` once its header is within the pixel limit, reading no
 * more of the file than its pixels take. A file cut short is refused (PARTIAL_IMAGE) unless `readDamaged`, its
 * missing rows black.
 */
async function readBmp(path: string, { maxPixels, readDamaged }: Limits): Promise<DecodedPhoto> {
  const file = await open(path, 'r').catch((error: unknown) => Promise.reject(decodeError(path, error)))
  try {
    const { size } = await file.stat()
    const head = await readAt(file, 0, Math.min(size, BMP_HEADER_BYTES))
    const header = bmpHeader(path, head)
    if (header.width * header.height > maxPixels) throw tooLargeError(path, maxPixels)
    const data = await readAt(
      file,
      header.dataOffset,
      Math.min(pixelDataBytes(header), Math.max(0, size - header.dataOffset)),
    )
    const { image, rowsRead } = decodeBmp(header, data)
    const damage =
      rowsRead < header.height ? `only ${rowsRead} of its ${header.height} rows are in the file` : undefined
    if (rowsRead === 0)
      throw new EnhanceError(
        'CORRUPT_IMAGE',
        `${path} is cut short: none of its pixels are in the file. ${COPY_AGAIN}`,
      )
    if (damage && !readDamaged) throw new EnhanceError('PARTIAL_IMAGE', partialMessage(path, damage))
    const meta = { format: 'bmp', gray: header.greyPalette, hasAlpha: image.channels === 4 }
    return { image, meta: { ...meta, colourless: isColourless(image) }, ...(damage ? { damage } : {}) }
  } finally {
    await file.close()
  }
}

/** Up to `length` bytes of `file` from `position`: fewer where the file ends first. */
async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await file.read(bytes, filled, length - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return bytes.subarray(0, filled)
}

/** A BMP's header, or the coded refusal of one that makes no sense or is a variant Enhance does not decode. */
function bmpHeader(path: string, head: Uint8Array): BmpHeader {
  try {
    return readBmpHeader(head)
  } catch (error) {
    if (!(error instanceof BmpError)) throw error
    if (error.kind === 'unsupported')
      throw new EnhanceError(
        'UNSUPPORTED_FORMAT',
        `${path} is a BMP, but ${error.message}, which Enhance cannot read. Open it in an image editor and save it as PNG.`,
      )
    throw new EnhanceError(
      'CORRUPT_IMAGE',
      `${path} is damaged: it begins as a BMP, but ${error.message}. ${COPY_AGAIN}`,
    )
  }
}

/** Two BMPs read at most at once: each is held whole, and an album's visible thumbnails come all at once. */
const bmpReads = new Turns(2)

/**
 * Runs `use` on a BMP's pixels (read as far as they go, as views read) as sharp and as a raster, in its turn:
 * for the views that shrink or cut it.
 */
export function withBmp<T>(
  path: string,
  maxPixels: number,
  use: (image: Sharp, raster: RasterImage) => Promise<T>,
): Promise<T> {
  return bmpReads.take(async () => {
    const { image } = await readBmp(path, { maxPixels, readDamaged: true })
    return use(sharpOfRaster(image), image)
  })
}
