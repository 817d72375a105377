import { EnhanceError } from '../../shared/errors.js'
import { LIMITS, boundedNumel, isCount, tooLarge } from './limits.js'
import { DTYPE_SIZE, decodeElements, lazyTensor } from './tensor.js'
import type { DType, StateDict } from './tensor.js'

const DTYPES: Record<string, DType> = {
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  F64: 'float64',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
}

const MAX_HEADER = 100 * 1024 * 1024

function corrupt(detail: string): EnhanceError {
  return new EnhanceError(
    'CORRUPT_CHECKPOINT',
    `The .safetensors file is damaged (${detail}). Download it again.`,
  )
}

/** Checks the 8-byte header length and the JSON opening brace that every .safetensors file starts with. */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false
  const length = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
  return length > 1n && length <= BigInt(MAX_HEADER) && bytes[8] === 0x7b
}

interface HeaderEntry {
  dtype: string
  shape: number[]
  data_offsets: [number, number]
}

function parseHeader(bytes: Uint8Array): { entries: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) throw corrupt('shorter than its header')
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true))
  if (length > MAX_HEADER || 8 + length > bytes.length)
    throw corrupt('header length past the end of the file')
  try {
    const entries: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length)),
    )
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
      throw corrupt('header is not an object')
    return { entries: entries as Record<string, unknown>, dataStart: 8 + length }
  } catch (error) {
    if (error instanceof EnhanceError) throw error
    throw corrupt('header is not valid JSON')
  }
}

function isEntry(value: unknown): value is HeaderEntry {
  if (typeof value !== 'object' || value === null) return false
  const e = value as Partial<HeaderEntry>
  return (
    typeof e.dtype === 'string' &&
    Array.isArray(e.shape) &&
    e.shape.length <= 8 &&
    e.shape.every(isCount) &&
    Array.isArray(e.data_offsets) &&
    e.data_offsets.length === 2 &&
    e.data_offsets.every(isCount)
  )
}

export interface SafetensorsFile {
  tensors: StateDict
  metadata: Record<string, string>
}

export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { entries, dataStart } = parseHeader(bytes)
  const data = bytes.subarray(dataStart)
  const tensors: StateDict = new Map()
  let metadata: Record<string, string> = {}
  for (const [name, entry] of Object.entries(entries)) {
    if (name === '__metadata__') {
      metadata = stringRecord(entry)
      continue
    }
    if (!isEntry(entry)) throw corrupt(`bad header entry for ${name}`)
    const dtype = DTYPES[entry.dtype]
    if (!dtype)
      throw new EnhanceError(
        'UNSUPPORTED_FORMAT',
        `Tensor ${name} has type ${entry.dtype}, which is not supported.`,
      )
    const [begin, end] = entry.data_offsets
    const count = boundedNumel(entry.shape, LIMITS.storageBytes / DTYPE_SIZE[dtype])
    if (count === null) throw tooLarge(`a tensor ${name} of shape ${entry.shape.join('×')}`)
    if (end > data.length || end - begin !== count * DTYPE_SIZE[dtype])
      throw corrupt(`tensor ${name} has wrong offsets`)
    tensors.set(
      name,
      lazyTensor(entry.shape, dtype, () => decodeElements(data.subarray(begin, end), dtype, 0, count)),
    )
  }
  return { tensors, metadata }
}

/** `__metadata__` is a map of strings by the format's rules; anything else in it is dropped. */
function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  )
}

/** Writes float32 tensors (the app's export and test helper; training writes its own with PyTorch). */
export function writeSafetensors(tensors: StateDict, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {}
  let offset = 0
  for (const [name, tensor] of tensors) {
    const size = tensor.data.length * 4
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + size] }
    offset += size
  }
  if (Object.keys(metadata).length) header['__metadata__'] = metadata
  let json = JSON.stringify(header)
  json += ' '.repeat((8 - (json.length % 8)) % 8)
  const headerBytes = new TextEncoder().encode(json)
  const out = new Uint8Array(8 + headerBytes.length + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true)
  out.set(headerBytes, 8)
  let at = 8 + headerBytes.length
  for (const tensor of tensors.values()) {
    out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), at)
    at += tensor.data.byteLength
  }
  return out
}
