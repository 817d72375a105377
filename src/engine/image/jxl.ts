/**
 * JPEG XL photos, which sharp's libvips does not read, decoded by jxl-oxide (`jxl-oxide-wasm`: a decoder in Rust,
 * conformance-tested, built to WebAssembly, so one package serves every platform with nothing to install) into a
 * PNG that the rest of Enhance reads like any other: upright, its ICC profile and bit depth kept. Its EXIF and
 * XMP, which the container holds beside the picture, are read here.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { brotliDecompressSync } from 'node:zlib'
import { EnhanceError, cancelledError, messageOf, throwIfCancelled } from '../../shared/errors.js'
import { bytesInWords, memoryLimit, memoryWords } from '../../node/memory.js'
import type { MemoryLimit } from '../../node/memory.js'
import { EXIF_HEADER } from './exif.js'
import { readBoxes, viewOf } from './iso-boxes.js'
import type { Box } from './iso-boxes.js'
import { JXL_WORKER_SOURCE } from './jxl-worker-source.js'
import { COPY_AGAIN, damagedError, decodeError, partialMessage, tooLargeError } from './read-errors.js'
import { Turns } from './turns.js'

/** What a JPEG XL file holds beside its picture, as the other readers' metadata says it. */
export interface JxlMetadata {
  exif?: Uint8Array
  xmp?: string
}

export interface DecodedJxl {
  /** The picture as a PNG: upright, with the photo's ICC profile, 16-bit where the photo is deeper than 8 bits. */
  png: Uint8Array
  width: number
  height: number
  /** Set where the file is cut short: what it holds was rendered, the rest left as the decoder leaves it. */
  damage?: string
  meta: JxlMetadata
}

export interface JxlReadOptions {
  maxPixels: number
  /** False: a file cut short is refused (PARTIAL_IMAGE), as the other formats are. */
  readDamaged: boolean
  signal?: AbortSignal | undefined
  /** How long the decoder may take (`decodeTimeout`, from the photo's size, where not said). */
  timeoutMs?: number
}

/**
 * Memory a decode takes per pixel at its peak, in the decoder's float planes and the PNG it writes (measured: a 50 MP
 * photo, 1.6 GB); the decoder's WebAssembly memory cannot pass 4 GiB.
 */
const BYTES_PER_PIXEL = 32
const WEBASSEMBLY_MEMORY = 4 * 2 ** 30

/**
 * A decode that takes this long plus a millisecond per 250 pixels is stopped: 7× the time a 50 MP photo took on a
 * 2-core test machine (21 s), so only a file that keeps the decoder busy for nothing meets it.
 */
const TIMEOUT_BASE_MS = 60_000
const PIXELS_PER_MS = 250

/** XMP or EXIF blocks past this size are left out: a Brotli box could otherwise unpack to any size. */
const MAX_METADATA_BYTES = 16 * 2 ** 20

/** Two JPEG XL decodes at most at once: each holds its photo several times over (`BYTES_PER_PIXEL`). */
const decodes = new Turns(2)

/** Where the decoder's files are: in a packaged app, beside its archive (`asarUnpack` in electron-builder.yml). */
const packageDir = dirname(createRequire(import.meta.url).resolve('jxl-oxide-wasm/package.json')).replace(
  /app\.asar(?=[\\/])/,
  'app.asar.unpacked',
)
let decoderBytes: Promise<Uint8Array> | undefined

/** The decoder's WebAssembly, read once per process; each worker compiles it (about 30 ms). */
function decoder(): Promise<Uint8Array> {
  decoderBytes ??= readFile(join(packageDir, 'jxl_oxide_wasm_bg.wasm'))
  return decoderBytes
}

interface WorkerAnswer {
  width?: number
  height?: number
  complete?: boolean
  png?: Uint8Array
  error?: string
}

interface DecoderRun {
  maxPixels: number
  sizeOnly: boolean
  signal?: AbortSignal | undefined
  timeoutMs?: number | undefined
}

/** How long a decode of up to `pixels` may take before it is stopped. */
function decodeTimeout(pixels: number): number {
  return TIMEOUT_BASE_MS + pixels / PIXELS_PER_MS
}

/** The file through the decoder's worker (`JXL_WORKER_SOURCE`), stopped on a timeout or when `signal` aborts. */
async function runDecoder(
  path: string,
  bytes: Uint8Array,
  { maxPixels, sizeOnly, signal, timeoutMs = decodeTimeout(maxPixels) }: DecoderRun,
): Promise<WorkerAnswer> {
  const module = await decoder()
  throwIfCancelled(signal)
  const bindings = pathToFileURL(join(packageDir, 'jxl_oxide_wasm.js')).href
  const worker = new Worker(JXL_WORKER_SOURCE, {
    eval: true,
    workerData: { bindings, module, bytes, maxPixels, sizeOnly },
  })
  return new Promise<WorkerAnswer>((resolve, reject) => {
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
            `${path} kept the JPEG XL decoder busy for over ${Math.round(timeoutMs / 1000)} s and it was stopped. ${COPY_AGAIN}`,
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
    worker.once('message', (answer: WorkerAnswer) => {
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

/** The most pixels a decode may render: the pixel limit, and what the decoder's memory allows on `memory`. */
function renderablePixels(maxPixels: number, memory: MemoryLimit): number {
  return Math.min(maxPixels, Math.floor(Math.min(memory.bytes / 2, WEBASSEMBLY_MEMORY) / BYTES_PER_PIXEL))
}

/** The refusal of a photo the decoder was not let render (`renderablePixels`). */
function notRendered(path: string, pixels: number, maxPixels: number, memory: MemoryLimit): EnhanceError {
  if (pixels > maxPixels) return tooLargeError(path, maxPixels)
  return new EnhanceError(
    'IMAGE_TOO_LARGE',
    `Decoding ${path} (JPEG XL) needs about ${bytesInWords(pixels * BYTES_PER_PIXEL)} of memory at once, more than the decoder can use on ${memoryWords(memory)}. Save it as a PNG or TIFF in another program first.`,
  )
}

async function readJxlBytes(path: string): Promise<Uint8Array> {
  return readFile(path).catch((error: unknown) => Promise.reject(decodeError(path, error)))
}

/**
 * A JPEG XL photo decoded in its turn, within `maxPixels` and memory, with the metadata its container holds. A file
 * cut short is refused (PARTIAL_IMAGE) unless `readDamaged`; one the decoder cannot read is CORRUPT_IMAGE.
 */
export function decodeJxl(
  path: string,
  { maxPixels, readDamaged, signal, timeoutMs }: JxlReadOptions,
  memory: MemoryLimit = memoryLimit(),
): Promise<DecodedJxl> {
  return decodes.take(async () => {
    const bytes = await readJxlBytes(path)
    const renderable = renderablePixels(maxPixels, memory)
    const answer = await runDecoder(path, bytes, {
      maxPixels: renderable,
      sizeOnly: false,
      signal,
      timeoutMs,
    })
    if (answer.error !== undefined) throw damagedError(path, answer.error)
    const { width = 0, height = 0, complete = false, png } = answer
    if (!png) throw notRendered(path, width * height, maxPixels, memory)
    const damage = complete ? undefined : 'the file ends before the last of its picture'
    if (damage && !readDamaged) throw new EnhanceError('PARTIAL_IMAGE', partialMessage(path, damage))
    return { png, width, height, meta: jxlMetadata(bytes), ...(damage ? { damage } : {}) }
  }, signal)
}

/** A JPEG XL photo's upright size from its header alone. */
export async function jxlSize(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readJxlBytes(path)
  const answer = await runDecoder(path, bytes, { maxPixels: 0, sizeOnly: true })
  if (answer.error !== undefined) throw damagedError(path, answer.error)
  return { width: answer.width ?? 0, height: answer.height ?? 0 }
}

/** The payload of `boxes`' box of `type`, unpacked where it is a Brotli box (`brob`); undefined where it is not there. */
function boxPayload(file: Uint8Array, boxes: Box[], type: string): Uint8Array | undefined {
  const plain = boxes.find((box) => box.type === type)
  if (plain)
    return plain.end - plain.body <= MAX_METADATA_BYTES ? file.subarray(plain.body, plain.end) : undefined
  const packed = boxes.find(
    (box) => box.type === 'brob' && String.fromCharCode(...file.subarray(box.body, box.body + 4)) === type,
  )
  if (!packed) return undefined
  try {
    return brotliDecompressSync(file.subarray(packed.body + 4, packed.end), {
      maxOutputLength: MAX_METADATA_BYTES,
    })
  } catch {
    return undefined
  }
}

/** The EXIF and XMP of a JPEG XL container (ISO/IEC 18181-2): `Exif` (after a 4-byte offset) and `xml ` boxes. */
export function jxlMetadata(file: Uint8Array): JxlMetadata {
  let boxes: Box[]
  try {
    boxes = readBoxes(file, 0, file.length)
  } catch {
    return {} // a bare codestream, or a container whose boxes do not add up: the picture says nothing more
  }
  const meta: JxlMetadata = {}
  const exif = boxPayload(file, boxes, 'Exif')
  if (exif && exif.length > 4) {
    const tiff = exif.subarray(4 + viewOf(exif).getUint32(0))
    if (tiff.length > 8) meta.exif = Buffer.concat([Uint8Array.from(EXIF_HEADER), tiff])
  }
  const xmp = boxPayload(file, boxes, 'xml ')
  if (xmp) meta.xmp = new TextDecoder().decode(xmp)
  return meta
}
