/**
 * Carries EXIF into a TIFF output. A TIFF holds EXIF as tags of its first IFD (camera, date, author)
 * plus sub-IFDs it points to (Exif, GPS, Interoperability). libvips writes none of them, so this
 * appends them in the output's byte order and a copy of IFD0 with the extra tags, then points the
 * header at that copy. Nothing libvips wrote moves.
 */

/** IFD0 tags worth keeping from the source: what describes the photo, not how its pixels were stored. */
const DESCRIPTIVE_TAGS = new Set([270, 271, 272, 305, 306, 315, 316, 33432])
export const EXIF_IFD = 34665
const GPS_IFD = 34853
const INTEROP_IFD = 40965
const POINTERS = new Set([EXIF_IFD, GPS_IFD, INTEROP_IFD])
/** Exif tags for compressed files only (components, bits per pixel, image size): TIFF says these itself. */
const NOT_IN_TIFF = new Set([0x9101, 0x9102, 0xa002, 0xa003])
/** Bytes per value unit for each TIFF type (a RATIONAL is two 4-byte units). */
const UNIT: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 4,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 4,
  11: 4,
  12: 8,
  13: 4,
}
const UNITS_PER_VALUE: Record<number, number> = { 5: 2, 10: 2 }

export interface Entry {
  tag: number
  type: number
  count: number
  /** The value bytes in the output's byte order; a sub-IFD for pointer tags. */
  value: Uint8Array
  ifd?: Entry[]
}

/** An entry of one SHORT or LONG (`type` 3 or 4) in the byte order asked. */
export function numberEntry(tag: number, type: 3 | 4, value: number, little: boolean): Entry {
  const bytes = new Uint8Array(type === 3 ? 2 : 4)
  const view = new DataView(bytes.buffer)
  if (type === 3) view.setUint16(0, value, little)
  else view.setUint32(0, value, little)
  return { tag, type, count: 1, value: bytes }
}

interface Tiff {
  bytes: Uint8Array
  view: DataView
  little: boolean
}

export function tiffOf(bytes: Uint8Array): Tiff | null {
  if (bytes.length < 8) return null
  const little = bytes[0] === 0x49 && bytes[1] === 0x49
  if (!little && !(bytes[0] === 0x4d && bytes[1] === 0x4d)) return null
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return view.getUint16(2, little) === 42 ? { bytes, view, little } : null
}

function valueBytes(
  tiff: Tiff,
  entryAt: number,
  type: number,
  count: number,
  little: boolean,
): Uint8Array | null {
  const unit = UNIT[type]
  if (!unit) return null
  const length = unit * (UNITS_PER_VALUE[type] ?? 1) * count
  const at = length <= 4 ? entryAt + 8 : tiff.view.getUint32(entryAt + 8, tiff.little)
  if (at + length > tiff.bytes.length) return null
  const value = tiff.bytes.slice(at, at + length)
  if (tiff.little !== little && unit > 1)
    for (let i = 0; i < length; i += unit) value.subarray(i, i + unit).reverse()
  return value
}

/** Calls `visit` with the offset and tag of each entry of the IFD at `ifd`. */
export function forEachEntry(
  view: DataView,
  little: boolean,
  ifd: number,
  visit: (at: number, tag: number) => void,
): void {
  if (ifd < 8 || ifd + 2 > view.byteLength) return
  const count = view.getUint16(ifd, little)
  for (let i = 0; i < count; i++) {
    const at = ifd + 2 + i * 12
    if (at + 12 > view.byteLength) return
    visit(at, view.getUint16(at, little))
  }
}

/** Reads an IFD's entries (in `little` byte order), following pointer tags; `keep` filters the tags. */
function readIfd(
  tiff: Tiff,
  at: number,
  little: boolean,
  keep: (tag: number) => boolean,
  depth = 0,
): Entry[] {
  const entries: Entry[] = []
  if (depth > 3) return entries
  forEachEntry(tiff.view, tiff.little, at, (entryAt, tag) => {
    if (!keep(tag)) return
    const type = tiff.view.getUint16(entryAt + 2, tiff.little)
    const values = tiff.view.getUint32(entryAt + 4, tiff.little)
    if (POINTERS.has(tag)) {
      const ifd = readIfd(tiff, tiff.view.getUint32(entryAt + 8, tiff.little), little, inTiff, depth + 1)
      if (ifd.length) entries.push({ tag, type: 4, count: 1, value: new Uint8Array(4), ifd })
      return
    }
    const value = valueBytes(tiff, entryAt, type, values, little)
    if (value) entries.push({ tag, type, count: values, value })
  })
  return entries
}

/** Appends bytes at word-aligned offsets, as TIFF requires for IFDs and values. */
export class Appender {
  private readonly chunks: Uint8Array[] = []
  constructor(private end: number) {}
  add(bytes: Uint8Array): number {
    if (this.end % 2) this.push(new Uint8Array(1))
    const at = this.end
    this.push(bytes)
    return at
  }
  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes)
    this.end += bytes.length
  }
  get bytes(): Uint8Array {
    return Buffer.concat(this.chunks)
  }
}

/** Writes an IFD with its values and sub-IFDs; returns its offset. `raw` entries are copied as they are. */
export function writeIfd(
  out: Appender,
  entries: Entry[],
  little: boolean,
  raw: Uint8Array[] = [],
  next = 0,
): number {
  const fields = entries.map((entry) => {
    const field = new Uint8Array(12)
    const view = new DataView(field.buffer)
    view.setUint16(0, entry.tag, little)
    view.setUint16(2, entry.type, little)
    view.setUint32(4, entry.count, little)
    if (entry.ifd) view.setUint32(8, writeIfd(out, entry.ifd, little), little)
    else if (entry.value.length <= 4) field.set(entry.value, 8)
    else view.setUint32(8, out.add(entry.value), little)
    return field
  })
  const all = [...fields, ...raw].sort((a, b) => tagOf(a, little) - tagOf(b, little))
  const ifd = new Uint8Array(2 + all.length * 12 + 4)
  const view = new DataView(ifd.buffer)
  view.setUint16(0, all.length, little)
  all.forEach((field, i) => ifd.set(field, 2 + i * 12))
  view.setUint32(2 + all.length * 12, next, little)
  return out.add(ifd)
}

const inTiff = (tag: number) => !NOT_IN_TIFF.has(tag)

export function tagOf(field: Uint8Array, little: boolean): number {
  return new DataView(field.buffer, field.byteOffset).getUint16(0, little)
}

/** Returns the TIFF file with the EXIF block's descriptive tags and sub-IFDs added, or unchanged. */
export function injectTiffExif(file: Uint8Array, exif: Uint8Array): Uint8Array {
  const output = tiffOf(file)
  const source = tiffOf(exif)
  if (!output || !source) return file
  const ifd0 = output.view.getUint32(4, output.little)
  if (ifd0 + 2 > file.length) return file
  const count = output.view.getUint16(ifd0, output.little)
  const existing = Array.from({ length: count }, (_, i) => file.slice(ifd0 + 2 + i * 12, ifd0 + 14 + i * 12))
  const present = new Set(existing.map((field) => tagOf(field, output.little)))
  const wanted = (tag: number) => (DESCRIPTIVE_TAGS.has(tag) || POINTERS.has(tag)) && !present.has(tag)
  const added = readIfd(source, source.view.getUint32(4, source.little), output.little, wanted)
  if (!added.length) return file
  const next = output.view.getUint32(ifd0 + 2 + count * 12, output.little)
  const out = new Appender(file.length)
  const newIfd0 = writeIfd(out, added, output.little, existing, next)
  const result = Buffer.concat([file, out.bytes])
  new DataView(result.buffer, result.byteOffset).setUint32(4, newIfd0, output.little)
  return result
}
