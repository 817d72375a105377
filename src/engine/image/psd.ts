/**
 * Photoshop documents (`.psd`, `.psb`), as restorers keep their work on a scan: the merged picture Photoshop saves
 * beside the layers, as every other program reads it, decoded here (`psd-merged.ts`), 16 bits kept; one saved without
 * it ("Maximize Compatibility" off) has its layers merged by ImageMagick's WebAssembly build (`magick.ts`), at 8 bits.
 * Their header and image resources are read by `psd-header.ts`.
 */
import { throwIfCancelled } from '../../shared/errors.js'
import { memoryLimit } from '../../node/memory.js'
import type { MemoryLimit } from '../../node/memory.js'
import { decoderTurns, notRendered, readPhotoBytes, renderablePixels } from './decoder-worker.js'
import type { DecodedPicture, WasmDecoder, WasmReadOptions } from './decoder-worker.js'
import { decodeWithMagick } from './magick.js'
import { mergedPictureTiff } from './psd-merged.js'
import {
  checkLayersMergeable,
  checkPsdReadable,
  psdHeader,
  psdMetadata,
  psdResources,
  psdSections,
  readPsdHeader,
} from './psd-header.js'
import { damagedError } from './read-errors.js'

/**
 * Its memory per pixel: the file and the TIFF, 2 bytes a sample in each, up to 5 samples a pixel (RGB, transparency,
 * a selection; measured: 12 MP 16-bit RGB, 0.2 GB).
 */
const PSD: WasmDecoder = { format: 'Photoshop', bytesPerPixel: 20 }

/**
 * ImageMagick's merge of the layers: its picture and its TIFF, 32 bytes a pixel, and the file about three times over
 * (ours, its copy, the layers it decodes from it), whatever their number: measured on 12 MP documents, 1.22 GB for 5
 * layers (1.25 GB so estimated), 0.50 GB for one (0.67).
 */
function layersDecoder(file: Uint8Array, { width, height }: { width: number; height: number }): WasmDecoder {
  return {
    format: 'Photoshop',
    bytesPerPixel: 32 + Math.ceil((3 * file.length) / Math.max(1, width * height)),
  }
}

/**
 * A Photoshop document decoded in its turn, within `maxPixels` and memory, with the metadata its resources hold. One
 * in a mode or depth Enhance does not read is UNSUPPORTED_FORMAT, with how to save it so; one that cannot be read
 * CORRUPT_IMAGE.
 */
export async function decodePsd(
  path: string,
  options: WasmReadOptions,
  memory: MemoryLimit = memoryLimit(),
): Promise<DecodedPicture> {
  const header = await readPsdHeader(path)
  checkPsdReadable(path, header)
  const merged = await decodeMergedPicture(path, options, memory)
  if (merged) return merged
  checkLayersMergeable(path, header)
  return mergeLayers(path, options, memory)
}

/** A document's merged picture, in its turn; null for one saved without it (its layers are to be merged). */
function decodeMergedPicture(
  path: string,
  { maxPixels, signal }: WasmReadOptions,
  memory: MemoryLimit,
): Promise<DecodedPicture | null> {
  return decoderTurns.take(async () => {
    const bytes = await readPhotoBytes(path)
    throwIfCancelled(signal) // the decode itself is a pass over the file: not stopped part-way, and never long
    const header = psdHeader(path, bytes)
    const { width, height } = header
    if (width * height > renderablePixels(PSD, maxPixels, memory))
      throw notRendered(PSD, path, { pixels: width * height, maxPixels }, memory)
    try {
      const sections = psdSections(bytes)
      const { profile, realMergedPicture, meta } = psdResources(bytes, sections)
      if (!realMergedPicture) return null
      return { encoded: mergedPictureTiff(bytes, header, sections, profile), width, height, meta }
    } catch (error) {
      throw damagedError(path, damageWords(error))
    }
  }, signal)
}

/** A document's layers merged by ImageMagick, in its turn, at 8 bits. */
function mergeLayers(path: string, options: WasmReadOptions, memory: MemoryLimit): Promise<DecodedPicture> {
  const read = (bytes: Uint8Array) => {
    const header = psdHeader(path, bytes)
    checkPsdReadable(path, header)
    return {
      decoder: layersDecoder(bytes, header),
      coder: 'PSD',
      depth: header.depth,
      meta: psdMetadata(bytes),
    }
  }
  return decodeWithMagick(path, read, options, memory)
}

/** What in a document does not add up: a length that reads past the end of it (DataView's RangeError) said so. */
function damageWords(error: unknown): string {
  if (error instanceof RangeError) return 'a length in it goes past the end of the file'
  return error instanceof Error ? error.message : String(error)
}
