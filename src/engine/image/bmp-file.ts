/** The BMP files people have, read from disk: `bmp.ts` decodes, this reads no more of a file than it needs. */
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { Sharp } from 'sharp'
import { EnhanceError } from '../../shared/errors.js'
import { BMP_HEADER_BYTES, BmpError, decodeBmp, pixelDataBytes, readBmpHeader } from './bmp.js'
import type { BmpHeader } from './bmp.js'
import { sharpOfRaster } from './raster.js'
import { COPY_AGAIN, decodeError, partialMessage, tooLargeError } from './read-errors.js'
import { Turns } from './turns.js'
import { isColourless } from './types.js'
import type { DecodedPhoto, RasterImage, ReadLimits } from './types.js'

/**
 * A BMP, which libvips cannot read, decoded by `bmp.ts` once its header is within the pixel limit, reading no
 * more of the file than its pixels take. A file cut short is refused (PARTIAL_IMAGE) unless `readDamaged`, its
 * missing rows black.
 */
async function readBmpFile(path: string, { maxPixels, readDamaged }: ReadLimits): Promise<DecodedPhoto> {
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

/** A BMP's size as its header says it, read alone. */
export async function bmpSize(path: string): Promise<{ width: number; height: number }> {
  const file = await open(path, 'r').catch((error: unknown) => Promise.reject(decodeError(path, error)))
  try {
    const { width, height } = bmpHeader(path, await readAt(file, 0, BMP_HEADER_BYTES))
    return { width, height }
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

/** A BMP's pixels and metadata, read in its turn (`readBmpFile`). */
export function readBmp(path: string, limits: ReadLimits): Promise<DecodedPhoto> {
  return bmpReads.take(() => readBmpFile(path, limits))
}

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
    const { image } = await readBmpFile(path, { maxPixels, readDamaged: true })
    return use(sharpOfRaster(image), image)
  })
}
