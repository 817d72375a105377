/**
 * JPEG 2000 photos (`.jp2`, and bare `.j2k` codestreams), as archives and libraries deliver scans, which sharp's
 * libvips as shipped does not read. OpenJPEG decodes them, in ImageMagick's WebAssembly build
 * (`@imagemagick/magick-wasm`: maintained by ImageMagick, one package for every platform, nothing to install; the
 * WebAssembly builds of OpenJPEG alone leave out alpha and 16-bit colour). It hands over a TIFF the rest of Enhance
 * reads like any other, its ICC profile in it; what the container holds beside the picture is read by
 * `jp2-header.ts`.
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { memoryLimit } from '../../node/memory.js'
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
import type { DecodedPicture, WasmDecoder, WasmReadOptions } from './decoder-worker.js'
import { isCodestream, isYcc, jp2Metadata } from './jp2-header.js'
import { JP2_WORKER_SOURCE } from './jp2-worker-source.js'
import { damagedError } from './read-errors.js'

/** Its memory per pixel: OpenJPEG's 32-bit planes, ImageMagick's copy and the TIFF (measured: 48 MP, 1.1 GB). */
const JP2: WasmDecoder = { format: 'JPEG 2000', bytesPerPixel: 24 }

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

interface DecoderRun {
  maxPixels: number
  signal?: AbortSignal | undefined
  timeoutMs?: number | undefined
}

/** The file through the decoder's worker (`JP2_WORKER_SOURCE`); ImageMagick's words trimmed of where it said them. */
async function runDecoder(
  path: string,
  bytes: Uint8Array,
  { maxPixels, signal, timeoutMs = decodeTimeout(maxPixels) }: DecoderRun,
): Promise<WorkerAnswer & { width: number; height: number }> {
  const module = await decoder()
  const format = isCodestream(bytes) ? 'J2K' : 'JP2'
  const answer = await runDecoderWorker<WorkerAnswer>({
    path,
    decoder: JP2,
    source: JP2_WORKER_SOURCE,
    workerData: { bindings, module, bytes, format, ycc: isYcc(bytes), maxPixels },
    timeoutMs,
    signal,
  })
  if (answer.error !== undefined) throw damagedError(path, magickWords(answer.error))
  return { ...answer, width: answer.width ?? 0, height: answer.height ?? 0 }
}

/** ImageMagick's message without its coder and source line ("… `OpenJP2' @ error/jp2.c/JP2ErrorHandler/213"). */
function magickWords(message: string): string {
  return message.split(/\s*`[^`']*' @ /)[0]!.trim()
}

/**
 * A JPEG 2000 photo decoded in its turn, within `maxPixels` and memory, with the metadata its container holds. One
 * the decoder cannot read, or cut short (OpenJPEG reads no part of such a file here), is CORRUPT_IMAGE.
 */
export function decodeJp2(
  path: string,
  { maxPixels, signal, timeoutMs }: WasmReadOptions,
  memory: MemoryLimit = memoryLimit(),
): Promise<DecodedPicture> {
  return decoderTurns.take(async () => {
    const bytes = await readPhotoBytes(path)
    const renderable = renderablePixels(JP2, maxPixels, memory)
    const answer = await runDecoder(path, bytes, { maxPixels: renderable, signal, timeoutMs })
    const { width, height, depth = DECODER_DEPTH, tiff } = answer
    if (!tiff) throw notRendered(JP2, path, { pixels: width * height, maxPixels }, memory)
    const shallower = depth > DECODER_DEPTH ? { readShallowerThan: depth } : {}
    return { encoded: tiff, width, height, meta: jp2Metadata(bytes), ...shallower }
  }, signal)
}
