import { stat } from 'node:fs/promises'
import sharp from 'sharp'
import type { Metadata, SharpOptions } from 'sharp'
import { EnhanceError } from '../../shared/errors.js'
import { DEFAULT_MAX_INPUT_PIXELS } from '../../shared/formats.js'
import { checkImageFormat, unreadableFormat } from './sniff.js'
import type { DecodedImage, ImageMetadata } from './types.js'

// Each photo passes through once, so libvips' operation cache only holds memory: with it on, enhancing a
// 2000×1500 photo ×4 peaked at 2.77 GB RSS, without it at 1.76 GB (bench/pipeline.ts).
sharp.cache(false)

const COPY_AGAIN =
  'Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.'

const SIXTEEN_BIT = new Set(['ushort', 'short', 'uint', 'int', 'float', 'double'])

/**
 * The coded error for a photo sharp could not read. `compression` is what its header said, when it
 * could be read: a HEIC whose container reads fine would otherwise be called damaged.
 */
export function decodeError(
  path: string,
  error: unknown,
  compression?: string,
  maxPixels = DEFAULT_MAX_INPUT_PIXELS,
): EnhanceError {
  if (compression === 'hevc') return new EnhanceError('UNSUPPORTED_FORMAT', hevcMessage(path))
  const message = error instanceof Error ? error.message : String(error)
  if (/exceeds pixel limit/i.test(message)) {
    return new EnhanceError(
      'IMAGE_TOO_LARGE',
      `${path} has more than ${maxPixels.toLocaleString('en')} pixels, the limit that guards against decompression bombs. Enhance a smaller copy of it; or, if you trust this file, raise the limit with the enhance command's --max-pixels.`,
    )
  }
  if (/unsupported image format|contains unsupported/i.test(message)) return unreadableFormat(path)
  if (/missing|ENOENT/i.test(message)) return new EnhanceError('FILE_NOT_FOUND', `${path} does not exist.`)
  return new EnhanceError(
    'CORRUPT_IMAGE',
    `${path} is damaged or truncated (${message.split('\n')[0]}). ${COPY_AGAIN}`,
  )
}

function metadataOf(info: Metadata): ImageMetadata {
  const meta: ImageMetadata = {
    format: info.format ?? 'unknown',
    gray: info.space === 'b-w' || info.space === 'grey16' || (info.channels ?? 3) <= 2,
    hasAlpha: info.hasAlpha ?? false,
  }
  if (info.exif) meta.exif = new Uint8Array(info.exif)
  if (info.icc) meta.icc = new Uint8Array(info.icc)
  if (info.xmp) meta.xmp = info.xmp.toString('utf8')
  return meta
}

/**
 * Decodes the first frame, applies EXIF orientation, and converts to sRGB through the embedded
 * ICC profile (or the CMYK default), keeping 16-bit depth and alpha.
 */
export async function decodeImage(path: string, maxPixels = DEFAULT_MAX_INPUT_PIXELS): Promise<DecodedImage> {
  const size = await stat(path).then(
    (s) => s.size,
    (error: unknown) => Promise.reject(decodeError(path, error)),
  )
  if (size === 0) throw new EnhanceError('CORRUPT_IMAGE', `${path} is empty (0 bytes). ${COPY_AGAIN}`)
  await checkReadableImage(path)
  const options: SharpOptions = { limitInputPixels: maxPixels, failOn: 'truncated', pages: 1 }
  let info: Metadata | undefined
  try {
    info = await sharp(path, options).metadata()
    const meta = metadataOf(info)
    const deep = SIXTEEN_BIT.has(info.depth ?? 'uchar')
    const { data, info: out } = await sharp(path, options)
      .rotate()
      .toColourspace(deep ? 'rgb16' : 'srgb')
      .raw({ depth: deep ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true })
    const pixels = deep
      ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    const channels = out.channels === 4 ? 4 : 3
    return { image: { width: out.width, height: out.height, channels, depth: deep ? 16 : 8, pixels }, meta }
  } catch (error) {
    throw decodeError(path, error, info?.compression, maxPixels)
  }
}

/** The content check of `sniff.ts`, with a file that cannot be opened coded like the decoder's errors. */
export function checkReadableImage(path: string): Promise<void> {
  return checkImageFormat(path).then(
    () => undefined,
    (error: unknown) => Promise.reject(error instanceof EnhanceError ? error : decodeError(path, error)),
  )
}

function hevcMessage(path: string): string {
  return (
    `${path} is a HEIC photo coded with HEVC, as iPhones save them. Enhance reads HEIF and AVIF coded ` +
    'with AV1, but has no HEVC decoder (a patent-encumbered codec). Convert it to JPEG first: in Photos, ' +
    'File › Export; for new iPhone photos, Settings › Camera › Formats › Most Compatible.'
  )
}
