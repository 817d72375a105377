import { stat } from 'node:fs/promises'
import sharp from 'sharp'
import type { Metadata, Sharp, SharpOptions } from 'sharp'
import { EnhanceError, messageOf } from '../../shared/errors.js'
import { DEFAULT_MAX_INPUT_PIXELS, cameraRawMessage, isCameraRaw } from '../../shared/formats.js'
import { readBmp } from './bmp-file.js'
import { isLinearFloatGrey, linearGreyRaster } from './float-grey.js'
import { checkJpegScans } from './jpeg-scans.js'
import type { DecodedPicture } from './decoder-worker.js'
import { decodeJp2 } from './jp2.js'
import { decodeJxl } from './jxl.js'
import { decodePsd } from './psd.js'
import { rasterOf } from './raster.js'
import { COPY_AGAIN, decodeError, decoderWords, partialMessage, tooLargeError } from './read-errors.js'
import { checkImageFormat } from './sniff.js'
import type { ReadableFormat } from './sniff.js'
import { findHeicDecoder, withDecodedHeic } from './system-heic.js'
import type { DecodePurpose, HeicDecoder } from './system-heic.js'
import { isColourless, uprightSize } from './types.js'
import type { DecodedPhoto, ImageMetadata, RasterImage, ReadLimits } from './types.js'

// Each photo passes through once, so libvips' operation cache only holds memory: with it on, enhancing a
// 2000×1500 photo ×4 peaked at 2.77 GB RSS, without it at 1.76 GB (bench/pipeline.ts).
sharp.cache(false)

/**
 * How views read a photo (thumbnails, the compare view's tiles): as photo viewers do, a cut-short or
 * damaged file as far as it goes. They write no result, so there is nothing to refuse.
 */
export const VIEW_FAIL_ON = 'none' as const

const SIXTEEN_BIT = new Set(['ushort', 'short', 'uint', 'int', 'float', 'double'])

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
    return read(orient ? image.rotate() : image, { ...decoded, ...(orient ? uprightSize(decoded) : {}) })
  }
  return withDecodedHeic(path, primary, decoder, readDecoded, { purpose, signal })
}

/**
 * What libtiff only warns about but means part of the picture is missing, not a blemish: strips that run
 * past the end of the file (a TIFF cut short after its directory), a JPEG-coded strip whose tables were
 * cut off, or one smaller than its directory says (a 1 KB file claiming 81 MP was otherwise enhanced, black, for
 * some 20 minutes). libvips reads the missing part as black, so such a file counts as cut short.
 */
const MISSING_DATA =
  /Read error (?:at scanline|on strip|on tile)|Quantization table 0x[0-9a-f]+ was not defined|Improper JPEG strip\/tile size/i

/**
 * What libvips and libpng say of an ICC profile they could not use ("corrupt profile"; "iCCP: profile 'icc': …: tag
 * count too large"): the pixels are read without it, as sRGB. A profile whose chunk's checksum is wrong but which
 * parses ("iCCP: CRC error") is used, and says nothing of a profile.
 */
const DAMAGED_PROFILE = /profile/i

function metadataOf(info: Metadata): ImageMetadata {
  const meta: ImageMetadata = {
    format: info.format ?? 'unknown',
    gray: info.space === 'b-w' || info.space === 'grey16' || (info.channels ?? 3) <= 2,
    hasAlpha: info.hasAlpha ?? false,
  }
  if (info.exif) meta.exif = new Uint8Array(info.exif)
  if (info.icc) meta.icc = new Uint8Array(info.icc)
  if (info.xmp) meta.xmp = info.xmp.toString('utf8')
  if (info.density) meta.density = info.density
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
  const format = await checkReadableImage(path)
  if (format === 'bmp') return readBmp(path, { maxPixels, readDamaged })
  if (isWasmDecoded(format)) {
    const picture = await WASM_DECODERS[format](path, { maxPixels, readDamaged, signal })
    return readDecodedPicture(format, picture, maxPixels)
  }
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
        warning: decoderWords(warning),
      }
    } catch (error) {
      return refuseOrReadDamaged(path, error, options, damaged)
    }
  }
}

/**
 * The formats libvips as sharp ships it does not read, each with its decoder, whose picture sharp reads: WebAssembly in
 * a worker (`decoder-worker.ts`), or, for a Photoshop document's merged picture, the engine's own (`psd-merged.ts`).
 */
export const WASM_DECODERS = { jxl: decodeJxl, jp2: decodeJp2, psd: decodePsd } as const
type WasmDecoded = keyof typeof WASM_DECODERS

export function isWasmDecoded(format: ReadableFormat): format is WasmDecoded {
  return Object.hasOwn(WASM_DECODERS, format)
}

/**
 * A JPEG XL, JPEG 2000 or Photoshop photo, decoded by its WebAssembly decoder (`jxl.ts`, `jp2.ts`, `psd.ts`) to a
 * file sharp reads, and
 * read from it, with the metadata its container holds.
 */
async function readDecodedPicture(
  format: WasmDecoded,
  { encoded, meta: held, damage, readShallowerThan }: DecodedPicture,
  maxPixels: number,
): Promise<DecodedPhoto> {
  const decoder = sharp(encoded, { limitInputPixels: maxPixels })
  const info = await decoder.metadata()
  const image = await rasterOf(decoder, SIXTEEN_BIT.has(info.depth ?? 'uchar'))
  const meta = { ...metadataOf(info), ...held, format, colourless: isColourless(image) }
  return { image, meta, ...(damage ? { damage } : {}), ...(readShallowerThan ? { readShallowerThan } : {}) }
}

/** A file the decoder gave up on: refused with its reason, or, when asked and possible, read as far as it goes. */
async function refuseOrReadDamaged(
  path: string,
  error: unknown,
  options: ReadOptions,
  { maxPixels, readDamaged }: ReadLimits,
): Promise<DecodedPhoto> {
  const refused = decodeError(path, error, maxPixels)
  if (refused.code !== 'CORRUPT_IMAGE') throw refused
  const lenient: ReadOptions = { ...options, failOn: VIEW_FAIL_ON }
  if (!(await partlyReadable(path, lenient))) throw refused
  const damage = decoderWords(error)
  if (!readDamaged) throw new EnhanceError('PARTIAL_IMAGE', partialMessage(path, damage))
  return { ...(await readPixels(path, lenient)), damage }
}

/** sharp's options for reading a photo, its pixel limit always set. */
type ReadOptions = SharpOptions & { limitInputPixels: number }

/**
 * The decoder's own pixels and metadata for `options`, upright; sharp's errors as they come. A HEIC coded
 * with HEVC, which sharp cannot decode, is read through the system's decoder, its metadata its own.
 */
async function readPixels(path: string, options: ReadOptions, signal?: AbortSignal): Promise<DecodedPhoto> {
  const warnings: string[] = []
  const heard = (image: Sharp): Sharp => image.on('warning', (said: string) => warnings.push(said))
  const info = await heard(sharp(path, options)).metadata()
  const meta = metadataOf(info)
  const withColourless = (image: RasterImage): DecodedPhoto => {
    const profileDamage = warnings.find((said) => DAMAGED_PROFILE.test(said))
    // Not applied, so not carried: the colours were read as sRGB, and the result says so.
    if (profileDamage) delete meta.icc
    return {
      image,
      meta: { ...meta, colourless: isColourless(image) },
      ...(profileDamage ? { profileDamage } : {}),
    }
  }
  if (info.compression === 'hevc')
    return readThroughSystemDecoder(
      path,
      info,
      options,
      async (upright, decoded) =>
        withColourless(await rasterOf(upright, SIXTEEN_BIT.has(decoded.depth ?? 'uchar'))),
      { signal },
    )
  const upright = heard(sharp(path, options)).rotate()
  if (isLinearFloatGrey(info)) return withColourless(await linearGreyRaster(upright))
  return withColourless(await rasterOf(upright, SIXTEEN_BIT.has(info.depth ?? 'uchar')))
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
  const format = await checkImageFormat(path).catch(coded)
  if (format === 'jpeg') await checkJpegScans(path).catch(coded)
  return format
}
