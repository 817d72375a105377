/**
 * Photoshop documents (`.psd`, `.psb`), as restorers keep their work on a scan, decoded by ImageMagick's WebAssembly
 * build (`magick.ts`): the merged picture Photoshop saves beside the layers, as every other program reads it; its
 * header and image resources read by `psd-header.ts`.
 */
import { memoryLimit } from '../../node/memory.js'
import type { MemoryLimit } from '../../node/memory.js'
import type { DecodedPicture, WasmDecoder, WasmReadOptions } from './decoder-worker.js'
import { decodeWithMagick } from './magick.js'
import { checkPsdReadable, psdHeader, psdMetadata } from './psd-header.js'

/** Its memory per pixel: the file (16-bit: 6 B), ImageMagick's picture, the TIFF (measured: 12 MP, 8-bit, 0.3 GB). */
const PSD: WasmDecoder = { format: 'Photoshop', bytesPerPixel: 32 }

/**
 * A Photoshop document decoded in its turn, within `maxPixels` and memory, with the metadata its resources hold. One
 * in a mode or depth Enhance does not read is UNSUPPORTED_FORMAT, with how to save it so; one ImageMagick cannot read
 * CORRUPT_IMAGE.
 */
export function decodePsd(
  path: string,
  options: WasmReadOptions,
  memory: MemoryLimit = memoryLimit(),
): Promise<DecodedPicture> {
  const read = (bytes: Uint8Array) => {
    const header = psdHeader(path, bytes)
    checkPsdReadable(path, header)
    return { decoder: PSD, coder: 'PSD', depth: header.depth, firstImageOnly: true, meta: psdMetadata(bytes) }
  }
  return decodeWithMagick(path, read, options, memory)
}
