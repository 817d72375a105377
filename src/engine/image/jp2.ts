/**
 * JPEG 2000 photos (`.jp2`, and bare `.j2k` codestreams), as archives and libraries deliver scans, decoded by OpenJPEG
 * in ImageMagick's WebAssembly build (`magick.ts`; the WebAssembly builds of OpenJPEG alone leave out alpha and 16-bit
 * colour); their header and boxes read by `jp2-header.ts`.
 */
import { memoryLimit } from '../../node/memory.js'
import type { MemoryLimit } from '../../node/memory.js'
import type { DecodedPicture, WasmDecoder, WasmReadOptions } from './decoder-worker.js'
import { jp2Header } from './jp2-header.js'
import { decodeWithMagick } from './magick.js'

/** Its memory per pixel: OpenJPEG's 32-bit planes, ImageMagick's copy and the TIFF (measured: 48 MP, 1.1 GB). */
const JP2: WasmDecoder = { format: 'JPEG 2000', bytesPerPixel: 24 }

/**
 * A JPEG 2000 photo decoded in its turn, within `maxPixels` and memory, with the metadata its container holds. One
 * the decoder cannot read, or cut short (OpenJPEG reads no part of such a file here), is CORRUPT_IMAGE.
 */
export function decodeJp2(
  path: string,
  options: WasmReadOptions,
  memory: MemoryLimit = memoryLimit(),
): Promise<DecodedPicture> {
  const read = (bytes: Uint8Array) => {
    const { codestream, ...header } = jp2Header(bytes)
    return { decoder: JP2, coder: codestream ? 'J2K' : 'JP2', ...header }
  }
  return decodeWithMagick(path, read, options, memory)
}
