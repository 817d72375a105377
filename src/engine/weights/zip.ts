import { inflateRawSync } from 'node:zlib'
import { EnhanceError } from '../../shared/errors.js'
import { isCount, tooLarge } from './limits.js'

/** A read-only view of a ZIP archive held in memory (PyTorch ≥ 1.6 checkpoints are ZIP files). */
export interface ZipArchive {
  names(): string[]
  /** An entry's bytes; an entry that declares more than `maxBytes` is refused before it is inflated. */
  read(name: string, maxBytes: number): Uint8Array
}

interface Entry {
  method: number
  compressedSize: number
  size: number
  localHeaderOffset: number
}

const EOCD = 0x06054b50
const ZIP64_LOCATOR = 0x07064b50
const ZIP64_EOCD = 0x06064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const MAX32 = 0xffffffff

function corrupt(detail: string): EnhanceError {
  return new EnhanceError(
    'CORRUPT_CHECKPOINT',
    `The checkpoint archive is damaged (${detail}). Download it again.`,
  )
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}

export function openZip(bytes: Uint8Array): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const entries = readCentralDirectory(bytes, view)
  return {
    names: () => [...entries.keys()],
    read(name, maxBytes) {
      const entry = entries.get(name)
      if (!entry) throw corrupt(`missing entry ${name}`)
      if (entry.size > maxBytes)
        throw tooLarge(`an entry ${name} of ${entry.size} bytes where ${maxBytes} at most fit`)
      return readEntry(bytes, view, entry)
    },
  }
}

function findEndOfCentralDirectory(view: DataView): number {
  if (view.byteLength < 22) throw corrupt('too short to be an archive')
  const earliest = Math.max(0, view.byteLength - 22 - 0xffff)
  for (let at = view.byteLength - 22; at >= earliest; at--) {
    if (view.getUint32(at, true) === EOCD) return at
  }
  throw corrupt('no end-of-archive record; the file is probably truncated')
}

function centralDirectoryBounds(view: DataView): { offset: number; count: number } {
  const eocd = findEndOfCentralDirectory(view)
  let count = view.getUint16(eocd + 10, true)
  let offset = view.getUint32(eocd + 16, true)
  const locator = eocd - 20
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR) {
    const zip64 = Number(view.getBigUint64(locator + 8, true))
    if (zip64 + 56 > view.byteLength || view.getUint32(zip64, true) !== ZIP64_EOCD)
      throw corrupt('bad ZIP64 record')
    count = Number(view.getBigUint64(zip64 + 32, true))
    offset = Number(view.getBigUint64(zip64 + 48, true))
  }
  if (!isCount(count) || !isCount(offset)) throw corrupt('bad ZIP64 record')
  return { offset, count }
}

function readCentralDirectory(bytes: Uint8Array, view: DataView): Map<string, Entry> {
  const { offset, count } = centralDirectoryBounds(view)
  const entries = new Map<string, Entry>()
  const decoder = new TextDecoder()
  let at = offset
  for (let i = 0; i < count; i++) {
    if (at + 46 > view.byteLength || view.getUint32(at, true) !== CENTRAL)
      throw corrupt('bad directory entry')
    const nameLength = view.getUint16(at + 28, true)
    const extraLength = view.getUint16(at + 30, true)
    const commentLength = view.getUint16(at + 32, true)
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength))
    const entry: Entry = {
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
    }
    applyZip64Extra(view, at + 46 + nameLength, extraLength, entry)
    entries.set(name, entry)
    at += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

/** ZIP64 keeps 64-bit sizes in an extra field, in this order, for each 32-bit field set to 0xFFFFFFFF. */
function applyZip64Extra(view: DataView, start: number, length: number, entry: Entry): void {
  const end = start + length
  if (end > view.byteLength) throw corrupt('a directory entry runs past the end of the file')
  for (let at = start; at + 4 <= end;) {
    const id = view.getUint16(at, true)
    const size = view.getUint16(at + 2, true)
    if (at + 4 + size > end) throw corrupt('a truncated extra field')
    if (id === 0x0001) {
      let field = at + 4
      const next = (): number => {
        if (field + 8 > at + 4 + size) throw corrupt('a truncated ZIP64 extra field')
        const value = Number(view.getBigUint64(field, true))
        if (!isCount(value)) throw corrupt('a ZIP64 size out of range')
        field += 8
        return value
      }
      if (entry.size === MAX32) entry.size = next()
      if (entry.compressedSize === MAX32) entry.compressedSize = next()
      if (entry.localHeaderOffset === MAX32) entry.localHeaderOffset = next()
    }
    at += 4 + size
  }
}

function readEntry(bytes: Uint8Array, view: DataView, entry: Entry): Uint8Array {
  const at = entry.localHeaderOffset
  if (at + 30 > view.byteLength || view.getUint32(at, true) !== LOCAL) throw corrupt('bad file header')
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true)
  const end = start + entry.compressedSize
  if (end > bytes.byteLength) throw corrupt('an entry reaches past the end of the file')
  const raw = bytes.subarray(start, end)
  if (entry.method === 0) return raw
  if (entry.method === 8) {
    let inflated: Uint8Array
    try {
      // Inflates to the declared size at most, so a small bomb can't grow past what was checked.
      inflated = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) })
    } catch {
      throw corrupt('compressed data does not inflate to its declared size')
    }
    if (inflated.byteLength !== entry.size) throw corrupt('an entry inflates to another size than declared')
    return inflated
  }
  throw corrupt(`unsupported compression method ${entry.method}`)
}
