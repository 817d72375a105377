import { FORMAT_MAX_SIDE } from '../../shared/formats.js'
import type { OutputFormat } from '../../shared/formats.js'
import { constants } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JpegOptions, Sharp, TiffOptions } from 'sharp'
import { EnhanceError } from '../../shared/errors.js'
import { bytesInWords, memoryLimit, memoryWords } from '../../node/memory.js'
import type { MemoryLimit } from '../../node/memory.js'
import type { MetadataPolicy } from '../../shared/settings.js'
import { exifForOutput, injectExif } from './exif.js'
import { toldXmp, xmpForOutput } from './xmp.js'
import { exifWithTold } from './exif-told.js'
import type { Caption } from '../../shared/caption.js'
import type { DateStamp } from '../../shared/taken.js'
import { DEFAULT_DENSITY, saysDensityInExif, tiffDensity, withDensity } from './density.js'
import { newExif } from './exif-new.js'
import { eightBitOf } from './types.js'
import { onWhite } from './border.js'
import { sharpOfRaster } from './raster.js'
import type { ImageMetadata, RasterImage } from './types.js'

const { MAX_LENGTH } = constants

interface Size {
  width: number
  height: number
}

export interface EncodeOptions {
  format: OutputFormat
  /** 1–100; ignored by PNG and TIFF, which are lossless. */
  quality: number
  /** The colour transparent areas are flattened onto for JPEG. */
  background: string
  /** Resize the raster to this size first (lanczos3), when it differs. */
  width: number
  height: number
  /** 'profile' drops EXIF and XMP (camera, GPS); 'none' also writes plain sRGB without a profile. */
  metadata: MetadataPolicy
  /** Pixels per inch the file says, in place of the photo's own (a print's). */
  density?: number | undefined
  /** The file's size where it is larger than the photo: the photo centred on white (a print with a border). */
  canvas?: { width: number; height: number } | null | undefined
  /** When the photo was taken, which the file says whatever `metadata` keeps of the input's: a person said it. */
  stamp?: DateStamp | undefined
  /** What is written under the photo, which the file says whatever `metadata` keeps of the input's. */
  caption?: Caption | undefined
}

/**
 * Bytes per output pixel that an encoder holds at once, beyond the raster: libwebp and libaom take the
 * whole picture (measured with sharp 0.35: 18.5 for WebP at 12000×8000, 40 for AVIF at 6000×4000).
 * JPEG, PNG and TIFF stream. A 10-bit AVIF takes 1.4× an 8-bit one's (79 against 56 on 1.5 MP of noise).
 */
const WHOLE_PICTURE_BYTES_PER_PIXEL: Partial<Record<OutputFormat, number>> = { webp: 19, avif: 41 }
const DEEP_AVIF_BYTES_PER_PIXEL = 58

/** The formats a 16-bit photo is written in at more than 8 bits: PNG and TIFF at 16, AVIF at 10. */
const DEEP_FORMATS: ReadonlySet<OutputFormat> = new Set(['png', 'tiff', 'avif'])

/**
 * AVIF's depth for a 16-bit photo: 10 bits, which every AVIF decoder reads (AV1's Main and High profiles; 12 needs
 * the Professional one), and which keeps a sky's gradient smooth where 8 bits band it.
 */
const AVIF_DEEP_BIT_DEPTH = 10

/**
 * Refuses, before any work, a size the format cannot hold or this computer could not encode; `deep`: a 16-bit
 * photo's, which AVIF writes at 10 bits.
 */
export function checkOutputSize(
  format: OutputFormat,
  { width, height, deep = false }: { width: number; height: number; deep?: boolean },
  memory: MemoryLimit = memoryLimit(),
): void {
  const limit = FORMAT_MAX_SIDE[format]
  const name = format.toUpperCase()
  if (Math.max(width, height) > limit) {
    throw new EnhanceError(
      'RESULT_TOO_LARGE',
      `${width}×${height} is larger than ${name} allows (${limit} px per side). Choose PNG or TIFF, or a smaller size.`,
    )
  }
  const perPixel =
    deep && format === 'avif' ? DEEP_AVIF_BYTES_PER_PIXEL : WHOLE_PICTURE_BYTES_PER_PIXEL[format]
  const needed = width * height * ((perPixel ?? 0) + 3)
  if (perPixel !== undefined && needed > memory.bytes / 2) {
    throw new EnhanceError(
      'RESULT_TOO_LARGE',
      `Encoding ${width}×${height} as ${name} needs about ${bytesInWords(needed)} of memory at once, more than half of ${memoryWords(memory)}. Choose JPEG, PNG or TIFF, which are written in strips, or a smaller size.`,
    )
  }
}

/**
 * Every raster of a photo lives in one typed array, and the model output plus its resized copy must
 * fit in memory together: a picture past either limit is refused before any work (PNG and TIFF are
 * encoded in strips, but the pixels they are made from are not).
 */
export function checkRasterSize(
  rasters: Array<{ width: number; height: number }>,
  channels: number,
  bytesPerSample: number,
  memory: MemoryLimit = memoryLimit(),
): void {
  const bytes = rasters.map((r) => r.width * r.height * channels * bytesPerSample)
  const largestBytes = Math.max(...bytes)
  const largest = rasters[bytes.indexOf(largestBytes)]!
  const total = bytes.reduce((a, b) => a + b, 0)
  if (largestBytes > MAX_LENGTH || total > memory.bytes / 2) {
    throw new EnhanceError(
      'RESULT_TOO_LARGE',
      `A ${largest.width}×${largest.height} result needs about ${bytesInWords(total)} of memory at once; ` +
        `${memory.container ? 'its container' : 'this computer'} allows ${bytesInWords(Math.min(MAX_LENGTH, memory.bytes / 2))}. Choose a smaller output size, or a smaller photo.`,
    )
  }
}

/**
 * Optimised Huffman tables make JPEGs about 5 % smaller, but libjpeg keeps every DCT coefficient in
 * memory for them (2 bytes each): 610 MB for a 12000×8000 output at 4:4:4. Past this budget they are
 * left out, and the encoder streams.
 */
const OPTIMISED_CODING_BUDGET = 256 * 2 ** 20

export function jpegOptions(quality: number, width: number, height: number): JpegOptions {
  const chromaSubsampling = quality >= 90 ? '4:4:4' : '4:2:0'
  const samplesPerPixel = chromaSubsampling === '4:4:4' ? 3 : 1.5
  const optimiseCoding = width * height * samplesPerPixel * 2 <= OPTIMISED_CODING_BUDGET
  return { quality, chromaSubsampling, optimiseCoding }
}

/**
 * Each row filtered as suits it (libpng's heuristic over its five filters): an enlarged photo is smooth, and its rows
 * compress to about 60 % of their unfiltered size for a tenth more time, so level 3 (zlib's speed past it buys little).
 * Measured on two ×4 outputs of 3072×2048 and 2880×2304: unfiltered at level 6, 14.3 and 16.2 MB in 303–329 ms;
 * filtered at 3, 8.5 and 8.7 MB in 341–362 ms; at 6, 8.2 and 8.3 MB in 645–740 ms.
 */
const PNG_OUTPUT = { compressionLevel: 3, adaptiveFiltering: true } as const

function formatted(
  pipeline: Sharp,
  options: EncodeOptions,
  file: { width: number; height: number },
  density: number,
  samples: { channels: number; bytes: number },
): Sharp {
  const quality = Math.round(Math.min(100, Math.max(1, options.quality)))
  switch (options.format) {
    case 'jpeg':
      return pipeline.jpeg(jpegOptions(quality, file.width, file.height))
    case 'webp':
      return pipeline.webp({ quality, effort: 4 })
    case 'avif':
      return pipeline.avif({
        quality,
        effort: 4,
        ...(samples.bytes === 2 ? { bitdepth: AVIF_DEEP_BIT_DEPTH } : {}),
      })
    case 'png':
      return pipeline.png(PNG_OUTPUT)
    case 'tiff':
      return pipeline.tiff(tiffOptions(density, file, samples))
  }
}

/**
 * A TIFF's offsets stop at 4 GiB, and LZW grows noisy pixels rather than shrinking them (16-bit film grain 1.12×,
 * noise 1.37×, measured; at most 1.5×), so a 48-bit scan ×4 could fail once enhanced. Past `DEFLATE_FROM_BYTES` of
 * pixels the file is compressed with Deflate, which never grows them (grain 0.84×, noise 1.00×); past
 * `BIGTIFF_FROM_BYTES`, which only the app reaches (Node 22's buffers pass 4 GiB, Node 20's do not), it is a BigTIFF
 * as well. Our EXIF step leaves a BigTIFF as it is: its XMP says the date and caption.
 */
export const DEFLATE_FROM_BYTES = 2 * 2 ** 30
export const BIGTIFF_FROM_BYTES = 4 * 2 ** 30 - 64 * 2 ** 20

/** sharp's TIFF options for a file of `file`'s size and `samples`, at `density` pixels per inch. */
export function tiffOptions(
  density: number,
  file: { width: number; height: number },
  samples: { channels: number; bytes: number },
): TiffOptions {
  const bytes = file.width * file.height * samples.channels * samples.bytes
  return {
    compression: bytes > DEFLATE_FROM_BYTES ? 'deflate' : 'lzw',
    predictor: 'horizontal',
    ...tiffDensity(density),
    ...(bytes > BIGTIFF_FROM_BYTES ? { bigtiff: true } : {}),
  }
}

function keptMetadata(meta: ImageMetadata, policy: MetadataPolicy): ImageMetadata {
  if (policy === 'all') return meta
  const kept: ImageMetadata = { format: meta.format, gray: meta.gray, hasAlpha: meta.hasAlpha }
  if (policy === 'profile' && meta.icc) kept.icc = meta.icc
  // Not private, and part of the file's layout: a scan prints at its size whatever else is dropped.
  if (meta.density) kept.density = meta.density
  return kept
}

/** sharp embeds a profile from a file path, so the input's own profile goes through a temporary file. */
async function withProfile<T>(icc: Uint8Array | undefined, use: (profile: string) => Promise<T>): Promise<T> {
  if (!icc) return use('srgb')
  const path = join(tmpdir(), `enhance-${randomBytes(6).toString('hex')}.icc`)
  await writeFile(path, icc)
  try {
    return await use(path)
  } finally {
    await rm(path, { force: true })
  }
}

/**
 * Encodes an sRGB raster, converting back to the input's ICC profile and carrying its XMP and EXIF
 * (orientation reset to upright, image size the output's). 16-bit stays 16-bit for PNG and TIFF, and is 10-bit AVIF.
 */
export async function encodeImage(
  image: RasterImage,
  input: ImageMetadata,
  options: EncodeOptions,
): Promise<Uint8Array> {
  const file = options.canvas ?? options
  const deep = image.depth === 16 && DEEP_FORMATS.has(options.format)
  checkOutputSize(options.format, { width: file.width, height: file.height, deep })
  const meta = keptMetadata(input, options.metadata)
  const cmyk = meta.icc && /cmyk/i.test(new TextDecoder('latin1').decode(meta.icc.subarray(16, 20)))
  const icc = cmyk ? undefined : meta.icc
  // A format of 8 bits gets 8-bit pixels from here: libvips (sharp 0.35) transforms 16-bit pixels into its built-in
  // sRGB profile wrongly (below), and did so on the way to JPEG, WebP and AVIF too (a 48-bit scan's red −2.4 levels).
  const eightOrDeep = deep ? image : eightBitOf(image)
  const source = options.canvas
    ? await onWhite(eightOrDeep, options.width, options.height, options.canvas)
    : eightOrDeep
  return withProfile(icc, async (profile) => {
    let pipeline = sharpOfRaster(source)
    if (source.width !== file.width || source.height !== file.height) {
      pipeline = pipeline.resize(file.width, file.height, { fit: 'fill', kernel: 'lanczos3' })
    }
    if (options.format === 'jpeg' && image.channels === 4)
      pipeline = pipeline.flatten({ background: options.background })
    if (meta.gray) pipeline = pipeline.toColourspace(deep ? 'grey16' : 'b-w')
    else pipeline = pipeline.toColourspace(deep ? 'rgb16' : 'srgb')
    // An RGB profile on a grey image would turn it back into RGB. A 16-bit image without a profile
    // of its own stays untagged (sRGB implied, as it came): libvips (sharp 0.35) transforms 16-bit
    // pixels into its built-in sRGB profile wrongly, (26214, 33323, 29344) → (24241, 33580, 29055).
    const tag = (!meta.gray || icc) && options.metadata !== 'none' && !(deep && !icc)
    if (tag) pipeline = pipeline.withIccProfile(profile)
    const xmp = outputXmp(meta, options, file)
    if (xmp) pipeline = pipeline.withXmp(xmp)
    const density = options.density ?? meta.density ?? DEFAULT_DENSITY
    const encoded = withDensity(
      await formatted(pipeline, options, file, density, {
        channels: source.channels,
        bytes: deep ? 2 : 1,
      }).toBuffer(),
      options.format,
      density,
    )
    const exif = outputExif(meta, options, { ...file, srgb: !(tag && icc) })
    return exif ? injectExif(encoded, options.format, exif) : encoded
  })
}

/** The XMP the file carries: the photo's own made true of the output, or one saying only the date and caption asked. */
function outputXmp(
  meta: ImageMetadata,
  { density, stamp, caption }: EncodeOptions,
  file: Size,
): string | undefined {
  const told = { stamp, caption }
  if (meta.xmp) return xmpForOutput(meta.xmp, file.width, file.height, { density, ...told })
  return stamp || caption !== undefined ? toldXmp(told) : undefined
}

/**
 * The EXIF the file carries: the photo's own made true of the output, saying the date and caption asked; else a new
 * block where there is something to say, a date, a caption or a dpi a format has no header for.
 */
function outputExif(
  meta: ImageMetadata,
  { format, density: asked, stamp, caption }: EncodeOptions,
  file: Size & { srgb: boolean },
): Uint8Array | undefined {
  const density = asked ?? meta.density
  const fresh = { ...file, format, density: density ?? DEFAULT_DENSITY }
  const own = meta.exif && exifForOutput(meta.exif, file.width, file.height, asked)
  const told = own && exifWithTold(own, { stamp, caption }, fresh)
  if (told) return told
  const saysNothing = !stamp && caption === undefined
  if (saysNothing && (density === undefined || !saysDensityInExif(format))) return undefined
  return newExif(fresh, stamp, caption)
}

/** A plain sRGB PNG of a raster, for previews. */
export async function encodeRasterPng(image: RasterImage, enlarge = 1): Promise<Uint8Array> {
  let pipeline = sharpOfRaster(image).toColourspace('srgb')
  // The slider's "before": the same pixels at the model's zoom, smoothly (what a viewer shows).
  if (enlarge > 1)
    pipeline = pipeline.resize(image.width * enlarge, image.height * enlarge, { kernel: 'cubic' })
  return pipeline.png({ compressionLevel: 3 }).toBuffer()
}
