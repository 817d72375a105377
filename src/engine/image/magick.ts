/**
 * Photos sharp's libvips as shipped does not read, decoded by ImageMagick's WebAssembly build
 * (`@imagemagick/magick-wasm`: maintained by ImageMagick, one package for every platform, nothing to install) in a
 * worker thread (`decoder-worker.ts`): JPEG 2000 (OpenJPEG, `jp2.ts`) and Photoshop documents (`psd.ts`). It hands
 * over a TIFF the rest of Enhance reads like any other, its ICC profile in it; what the file holds beside the picture
 * is read by each format's own module.
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MemoryLimit } from '../../node/memory.js'
import {
  decodeTimeout,
  decoderTurns,
  notRendered,
  readPhotoBytes,
  renderablePixels,
  runDecoderWorker,
  unpackedFile,
} from './decoder-worker.js'
import type { ContainerMetadata, DecodedPicture, WasmDecoder, WasmReadOptions } from './decoder-worker.js'
import { MAGICK_WORKER_SOURCE } from './magick-worker-source.js'
import { damagedError } from './read-errors.js'

/** ImageMagick's build keeps 8 bits a channel (Q8): a deeper photo is read at 8. */
const DECODER_DEPTH = 8

/** ImageMagick's wasm32 build (`x86`), and the package's JavaScript (ES module) beside it. */
const wasmFile = unpackedFile('@imagemagick/magick-wasm/magick.wasm')
const bindings = pathToFileURL(join(dirname(wasmFile), '..', 'index.js')).href
let decoderModule: Promise<WebAssembly.Module> | undefined

/** ImageMagick's WebAssembly, compiled once per process (about 0.2 s) and shared with each worker. */
function decoder(): Promise<WebAssembly.Module> {
  decoderModule ??= readFile(wasmFile).then((bytes) => WebAssembly.compile(bytes))
  return decoderModule
}

interface WorkerAnswer {
  width?: number
  height?: number
  depth?: number
  tiff?: Uint8Array
  error?: string
}

/** How ImageMagick is to read one kind of file, and what the file says beside its picture. */
export interface MagickRead {
  decoder: WasmDecoder
  /** ImageMagick's coder for the file. */
  coder: string
  /** The bits per channel the photo has, from its header. */
  depth: number
  /** Its three channels are luma and chroma (sYCC), which ImageMagick hands over as they are. */
  ycc?: boolean
  meta: ContainerMetadata
}

/** ImageMagick's message without its coder and source line ("… `OpenJP2' @ error/jp2.c/JP2ErrorHandler/213"). */
function magickWords(message: string): string {
  return message.split(/\s*`[^`']*' @ /)[0]!.trim()
}

/**
 * A photo decoded by ImageMagick in its turn, within `maxPixels` and memory, from its `bytes` as `read` says; one it
 * cannot read is CORRUPT_IMAGE, in its words.
 */
export function decodeWithMagick(
  path: string,
  read: (bytes: Uint8Array) => MagickRead,
  { maxPixels, signal, timeoutMs }: WasmReadOptions,
  memory: MemoryLimit,
): Promise<DecodedPicture> {
  return decoderTurns.take(async () => {
    const bytes = await readPhotoBytes(path)
    const { decoder: wasmDecoder, coder, depth, ycc = false, meta } = read(bytes)
    const renderable = renderablePixels(wasmDecoder, maxPixels, memory)
    const answer = await runDecoderWorker<WorkerAnswer>({
      path,
      decoder: wasmDecoder,
      source: MAGICK_WORKER_SOURCE,
      workerData: {
        bindings,
        module: await decoder(),
        bytes,
        format: coder,
        ycc,
        maxPixels: renderable,
      },
      timeoutMs: timeoutMs ?? decodeTimeout(renderable),
      signal,
    })
    if (answer.error !== undefined) throw damagedError(path, magickWords(answer.error))
    const { width = 0, height = 0, tiff } = answer
    if (!tiff) throw notRendered(wasmDecoder, path, { pixels: width * height, maxPixels }, memory)
    const shallower = depth > DECODER_DEPTH ? { readShallowerThan: depth } : {}
    return { encoded: tiff, width, height, meta, ...shallower }
  }, signal)
}
