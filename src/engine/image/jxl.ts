/**
 * JPEG XL photos, which sharp's libvips does not read, decoded by jxl-oxide (`jxl-oxide-wasm`: a decoder in Rust,
 * conformance-tested, built to WebAssembly, so one package serves every platform with nothing to install) into a
 * PNG that the rest of Enhance reads like any other: upright, its ICC profile and bit depth kept. Its EXIF and
 * XMP, which the container holds beside the picture, are read here.
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { brotliDecompressSync } from 'node:zlib'
import { EnhanceError } from '../../shared/errors.js'
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
import type { ContainerMetadata, DecodedPicture, WasmDecoder, WasmReadOptions } from './decoder-worker.js'
import { exifBlock } from './exif.js'
import { containerBoxes, viewOf } from './iso-boxes.js'
import type { Box } from './iso-boxes.js'
import { JXL_WORKER_SOURCE } from './jxl-worker-source.js'
import { damagedError, partialMessage } from './read-errors.js'

/** Its memory per pixel is in the decoder's float planes and the PNG it writes (measured: 50 MP, 1.6 GB). */
const JXL: WasmDecoder = { format: 'JPEG XL', bytesPerPixel: 32 }

/** XMP or EXIF blocks past this size are left out: a Brotli box could otherwise unpack to any size. */
const MAX_METADATA_BYTES = 16 * 2 ** 20

const packageDir = dirname(unpackedFile('jxl-oxide-wasm/package.json'))
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

/** The file through the decoder's worker (`JXL_WORKER_SOURCE`), stopped on a timeout or when `signal` aborts. */
async function runDecoder(
  path: string,
  bytes: Uint8Array,
  { maxPixels, sizeOnly, signal, timeoutMs = decodeTimeout(maxPixels) }: DecoderRun,
): Promise<WorkerAnswer> {
  const module = await decoder()
  const bindings = pathToFileURL(join(packageDir, 'jxl_oxide_wasm.js')).href
  return runDecoderWorker<WorkerAnswer>({
    path,
    decoder: JXL,
    source: JXL_WORKER_SOURCE,
    workerData: { bindings, module, bytes, maxPixels, sizeOnly },
    timeoutMs,
    signal,
  })
}

/**
 * A JPEG XL photo decoded in its turn, within `maxPixels` and memory, with the metadata its container holds. A file
 * cut short is refused (PARTIAL_IMAGE) unless `readDamaged`; one the decoder cannot read is CORRUPT_IMAGE.
 */
export function decodeJxl(
  path: string,
  { maxPixels, readDamaged, signal, timeoutMs }: WasmReadOptions,
  memory: MemoryLimit = memoryLimit(),
): Promise<DecodedPicture> {
  return decoderTurns.take(async () => {
    const bytes = await readPhotoBytes(path)
    const renderable = renderablePixels(JXL, maxPixels, memory)
    const answer = await runDecoder(path, bytes, {
      maxPixels: renderable,
      sizeOnly: false,
      signal,
      timeoutMs,
    })
    if (answer.error !== undefined) throw damagedError(path, answer.error)
    const { width = 0, height = 0, complete = false, png } = answer
    if (!png) throw notRendered(JXL, path, { pixels: width * height, maxPixels }, memory)
    const damage = complete ? undefined : 'the file ends before the last of its picture'
    if (damage && !readDamaged) throw new EnhanceError('PARTIAL_IMAGE', partialMessage(path, damage))
    return { encoded: png, width, height, meta: jxlMetadata(bytes), ...(damage ? { damage } : {}) }
  }, signal)
}

/** A JPEG XL photo's upright size from its header alone. */
export async function jxlSize(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readPhotoBytes(path)
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
export function jxlMetadata(file: Uint8Array): ContainerMetadata {
  const boxes = containerBoxes(file)
  if (!boxes) return {} // the picture says nothing more
  const meta: ContainerMetadata = {}
  const exif = boxPayload(file, boxes, 'Exif')
  const block = exif && exif.length > 4 ? exifBlock(exif.subarray(4 + viewOf(exif).getUint32(0))) : undefined
  if (block) meta.exif = block
  const xmp = boxPayload(file, boxes, 'xml ')
  if (xmp) meta.xmp = new TextDecoder().decode(xmp)
  return meta
}
