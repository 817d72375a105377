/**
 * A WebAssembly decoder (JPEG XL's, JPEG 2000's) run on one file in a worker thread of its own, so that a slow file
 * can be stopped (a timeout, a cancel) and the decoder's memory, which only grows, is given back when the worker ends.
 *
 * The worker's program is source text run with `eval`, not a module of its own: the app bundles the engine into
 * chunks whose location differs from the command's `dist/`, and a worker file would need a path in each.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { EnhanceError, cancelledError, messageOf, throwIfCancelled } from '../../shared/errors.js'
import { bytesInWords, memoryWords } from '../../node/memory.js'
import type { MemoryLimit } from '../../node/memory.js'
import { COPY_AGAIN, damagedError, decodeError, tooLargeError } from './read-errors.js'
import { Turns } from './turns.js'

/** A 32-bit WebAssembly decoder's memory cannot pass 4 GiB. */
const WEBASSEMBLY_MEMORY = 4 * 2 ** 30

/** Two decodes at most at once, of any of these formats: each holds its photo several times over. */
export const decoderTurns = new Turns(2)

/** What a container holds beside its picture, as the other readers' metadata says it. */
export interface ContainerMetadata {
  exif?: Uint8Array
  xmp?: string
  /** Pixels per inch, where the file says (a scan's). */
  density?: number
}

/** A photo a WebAssembly decoder read, handed to sharp as a file of a kind it reads. */
export interface DecodedPicture {
  /** The picture as a PNG or TIFF: upright, with the photo's ICC profile. */
  encoded: Uint8Array
  width: number
  height: number
  /** Set where the file is cut short: what it holds was rendered, the rest left as the decoder leaves it. */
  damage?: string
  /** The bits per channel the photo has, where the decoder read it at fewer (8). */
  readShallowerThan?: number
  meta: ContainerMetadata
}

export interface WasmReadOptions {
  maxPixels: number
  /** False: a file cut short is refused (PARTIAL_IMAGE), as the other formats are. */
  readDamaged: boolean
  signal?: AbortSignal | undefined
  /** How long the decoder may take (`decodeTimeout`, from the photo's size, where not said). */
  timeoutMs?: number
}

/** A WebAssembly decoder of one format, as its memory bound and its refusals name it. */
export interface WasmDecoder {
  /** The format, in the refusals ("JPEG XL"). */
  format: string
  /** Memory a decode takes per pixel at its peak, measured. */
  bytesPerPixel: number
}

/**
 * A decode that takes this long plus a millisecond per 250 pixels is stopped: 7× the time a 50 MP JPEG XL took on a
 * 2-core test machine (21 s), so only a file that keeps the decoder busy for nothing meets it.
 */
const TIMEOUT_BASE_MS = 60_000
const PIXELS_PER_MS = 250

/** How long a decode of up to `pixels` may take before it is stopped. */
export function decodeTimeout(pixels: number): number {
  return TIMEOUT_BASE_MS + pixels / PIXELS_PER_MS
}

/** Where a package's file is: in a packaged app, beside its archive (`asarUnpack` in electron-builder.yml). */
export function unpackedFile(specifier: string): string {
  return createRequire(import.meta.url)
    .resolve(specifier)
    .replace(/app\.asar(?=[\\/])/, 'app.asar.unpacked')
}

/** The most pixels a decode may render: the pixel limit, and what the decoder's memory allows on `memory`. */
export function renderablePixels(decoder: WasmDecoder, maxPixels: number, memory: MemoryLimit): number {
  const usable = Math.min(memory.bytes / 2, WEBASSEMBLY_MEMORY)
  return Math.min(maxPixels, Math.floor(usable / decoder.bytesPerPixel))
}

/** The refusal of a photo of `pixels` the decoder was not let render (`renderablePixels`). */
export function notRendered(
  decoder: WasmDecoder,
  path: string,
  { pixels, maxPixels }: { pixels: number; maxPixels: number },
  memory: MemoryLimit,
): EnhanceError {
  if (pixels > maxPixels) return tooLargeError(path, maxPixels)
  return new EnhanceError(
    'IMAGE_TOO_LARGE',
    `Decoding ${path} (${decoder.format}) needs about ${bytesInWords(pixels * decoder.bytesPerPixel)} of memory at once, more than the decoder can use on ${memoryWords(memory)}. Save it as a PNG or TIFF in another program first.`,
  )
}

/** A photo's bytes, for a decoder that takes them whole; refused as any unreadable photo is. */
export function readPhotoBytes(path: string): Promise<Uint8Array> {
  return readFile(path).catch((error: unknown) => Promise.reject(decodeError(path, error)))
}

export interface DecoderWorkerRun {
  /** The photo, for the refusals. */
  path: string
  decoder: WasmDecoder
  /** The worker's program (`eval`'d); it answers with one message. */
  source: string
  workerData: Record<string, unknown>
  timeoutMs: number
  signal?: AbortSignal | undefined
}

/** The one answer of `source` on `workerData`; refused on a timeout, when `signal` aborts, or if the worker fails. */
export function runDecoderWorker<Answer>({
  path,
  decoder,
  source,
  workerData,
  timeoutMs,
  signal,
}: DecoderWorkerRun): Promise<Answer> {
  throwIfCancelled(signal)
  const worker = new Worker(source, { eval: true, workerData })
  return new Promise<Answer>((resolve, reject) => {
    const stop = (error: EnhanceError): void => {
      reject(error)
      void worker.terminate()
    }
    const onAbort = (): void => stop(cancelledError())
    const timer = setTimeout(
      () =>
        stop(
          new EnhanceError(
            'TIMED_OUT',
            `${path} kept the ${decoder.format} decoder busy for over ${Math.round(timeoutMs / 1000)} s and it was stopped. ${COPY_AGAIN}`,
          ),
        ),
      timeoutMs,
    )
    signal?.addEventListener('abort', onAbort, { once: true })
    const settle = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
    }
    worker.once('message', (answer: Answer) => {
      settle()
      resolve(answer)
    })
    worker.once('error', (error) => {
      settle()
      reject(damagedError(path, messageOf(error)))
    })
    worker.once('exit', () => {
      settle()
      reject(damagedError(path, 'the decoder stopped without an answer'))
    })
  })
}
