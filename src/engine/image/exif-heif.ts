/**
 * Adds an EXIF item to a HEIF/AVIF file (ISO/IEC 23008-12): an `Exif` entry in `iinf`, its location in
 * `iloc`, a `cdsc` reference to the primary image in `iref`, and the block itself in an `mdat` at the
 * end. The grown `meta` box shifts the data after it, so every file offset in `iloc` moves with it.
 * libvips can only write EXIF it read from its input, and the engine encodes from raw pixels.
 */

import { readBoxes, viewOf } from './iso-boxes.js'
import type { Box } from './iso-boxes.js'

/** A cursor over big-endian fields of 0, 2, 4 or 8 bytes. */
class Reader {
  constructor(
    private readonly view: DataView,
    public at: number,
  ) {}
  read(size: number): number {
    const at = this.at
    this.at += size
    if (size === 0) return 0
    if (size === 1) return this.view.getUint8(at)
    if (size === 2) return this.view.getUint16(at)
    if (size === 4) return this.view.getUint32(at)
    if (size === 8) return Number(this.view.getBigUint64(at))
    throw new Error(`field of ${size} bytes`)
  }
}

class Writer {
  private readonly parts: number[] = []
  write(value: number, size: number): this {
    for (let i = size - 1; i >= 0; i--) this.parts.push(Math.floor(value / 2 ** (8 * i)) & 0xff)
    return this
  }
  text(value: string): this {
    for (const c of value) this.parts.push(c.charCodeAt(0))
    return this
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts)
  }
}

function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const size = 8 + payload.reduce((n, p) => n + p.length, 0)
  return Buffer.concat([new Writer().write(size, 4).text(type).bytes(), ...payload])
}

/** Version and flags of a full box. */
function fullHeader(file: Uint8Array, b: Box): { version: number; flags: number } {
  const word = viewOf(file).getUint32(b.body)
  return { version: word >>> 24, flags: word & 0xffffff }
}

interface ItemLocation {
  version: number
  offsetSize: number
  lengthSize: number
  baseOffsetSize: number
  indexSize: number
  items: number
  /** Byte ranges holding absolute file offsets (base offsets, or extent offsets without a base). */
  fileOffsets: { at: number; size: number }[]
  ids: number[]
}

function parseIloc(file: Uint8Array, iloc: Box): ItemLocation {
  const { version } = fullHeader(file, iloc)
  const r = new Reader(viewOf(file), iloc.body + 4)
  const sizes = r.read(2)
  const [offsetSize, lengthSize, baseOffsetSize] = [sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15]
  const indexSize = version > 0 ? sizes & 15 : 0
  const items = r.read(version < 2 ? 2 : 4)
  const fileOffsets: ItemLocation['fileOffsets'] = []
  const ids: number[] = []
  for (let i = 0; i < items; i++) {
    ids.push(r.read(version < 2 ? 2 : 4))
    const method = version > 0 ? r.read(2) & 15 : 0
    const dataReference = r.read(2)
    const inFile = method === 0 && dataReference === 0
    if (inFile && baseOffsetSize > 0) fileOffsets.push({ at: r.at, size: baseOffsetSize })
    r.read(baseOffsetSize)
    const extents = r.read(2)
    for (let e = 0; e < extents; e++) {
      r.read(indexSize)
      if (inFile && baseOffsetSize === 0 && offsetSize > 0) fileOffsets.push({ at: r.at, size: offsetSize })
      r.read(offsetSize)
      r.read(lengthSize)
    }
  }
  return { version, offsetSize, lengthSize, baseOffsetSize, indexSize, items, fileOffsets, ids }
}

/** The iloc box with every file offset past `from` moved by `shift`, and one more item. */
function grownIloc(
  file: Uint8Array,
  iloc: Box,
  loc: ItemLocation,
  from: number,
  shift: number,
  item: Uint8Array,
) {
  const copy = file.slice(iloc.start, iloc.end)
  const view = viewOf(copy)
  for (const { at, size } of loc.fileOffsets) {
    const r = new Reader(view, at - iloc.start)
    const value = r.read(size)
    if (value >= from) copy.set(new Writer().write(value + shift, size).bytes(), at - iloc.start)
  }
  const countAt = iloc.body + 6 - iloc.start
  copy.set(new Writer().write(loc.items + 1, loc.version < 2 ? 2 : 4).bytes(), countAt)
  return withBody(copy, iloc.body - iloc.start, item)
}

/** A copy of a box (bytes from its start) with `extra` appended to its payload and its size fixed. */
function withBody(copy: Uint8Array, body: number, extra: Uint8Array): Uint8Array {
  const out = Buffer.concat([copy, extra])
  const view = viewOf(out)
  if (body === 16) view.setBigUint64(8, BigInt(out.length))
  else view.setUint32(0, out.length)
  return out
}

function ilocItem(loc: ItemLocation, id: number, offset: number, length: number): Uint8Array | null {
  if (loc.offsetSize === 0 && loc.baseOffsetSize === 0) return null
  const w = new Writer().write(id, loc.version < 2 ? 2 : 4)
  if (loc.version > 0) w.write(0, 2) // construction method 0: a file offset
  w.write(0, 2) // data reference 0: this file
  w.write(loc.offsetSize === 0 ? offset : 0, loc.baseOffsetSize)
  w.write(1, 2).write(0, loc.indexSize)
  w.write(loc.offsetSize === 0 ? 0 : offset, loc.offsetSize)
  // A length field of size 0 means "to the end of the file", where the block is.
  return w.write(length, loc.lengthSize).bytes()
}

function primaryItem(file: Uint8Array, children: Box[]): number | null {
  const pitm = children.find((b) => b.type === 'pitm')
  if (!pitm) return null
  return new Reader(viewOf(file), pitm.body + 4).read(fullHeader(file, pitm).version === 0 ? 2 : 4)
}

/** The HEIF "Exif" item payload: the offset of the TIFF header, then "Exif\0\0" and the TIFF data. */
function exifPayload(tiff: Uint8Array): Uint8Array {
  return Buffer.concat([new Writer().write(6, 4).text('Exif\0\0').bytes(), tiff])
}

/** Returns the HEIF/AVIF file with the EXIF block (TIFF data) added, or unchanged if its layout is unusual. */
export function injectHeifExif(file: Uint8Array, tiff: Uint8Array): Uint8Array {
  try {
    return inject(file, tiff) ?? file
  } catch {
    return file
  }
}

function inject(file: Uint8Array, tiff: Uint8Array): Uint8Array | null {
  const meta = readBoxes(file, 0, file.length).find((b) => b.type === 'meta')
  if (!meta) return null
  const children = readBoxes(file, meta.body + 4, meta.end)
  const iinf = children.find((b) => b.type === 'iinf')
  const iloc = children.find((b) => b.type === 'iloc')
  const primary = primaryItem(file, children)
  if (!iinf || !iloc || primary === null) return null
  const loc = parseIloc(file, iloc)
  const id = Math.max(...loc.ids, primary) + 1
  const iref = children.find((b) => b.type === 'iref')
  const irefWide = iref ? fullHeader(file, iref).version > 0 : false
  if (id > 0xffff) return null // would need 32-bit item ids (infe v3); encoders write a handful of items

  const infe = box('infe', new Writer().write(0x02000001, 4).write(id, 2).write(0, 2).text('Exif\0').bytes())
  const idSize = irefWide ? 4 : 2
  const cdsc = box('cdsc', new Writer().write(id, idSize).write(1, 2).write(primary, idSize).bytes())
  const payload = exifPayload(tiff)
  const placeholder = ilocItem(loc, id, 0, payload.length)
  if (!placeholder) return null
  const growth = infe.length + placeholder.length + cdsc.length + (iref ? 0 : 12)
  const offset = file.length + growth + 8

  const parts = children.map((child) => {
    if (child === iloc)
      return grownIloc(file, iloc, loc, meta.end, growth, ilocItem(loc, id, offset, payload.length)!)
    if (child === iinf) return grownIinf(file, iinf, infe)
    if (child === iref) return withBody(file.slice(child.start, child.end), child.body - child.start, cdsc)
    return file.subarray(child.start, child.end)
  })
  if (!iref) parts.push(box('iref', new Uint8Array(4), cdsc))
  const metaHeader = file.slice(meta.start, meta.body + 4)
  const newMeta = withBody(metaHeader, meta.body - meta.start, Buffer.concat(parts))
  return Buffer.concat([file.subarray(0, meta.start), newMeta, file.subarray(meta.end), box('mdat', payload)])
}

function grownIinf(file: Uint8Array, iinf: Box, infe: Uint8Array): Uint8Array {
  const copy = file.slice(iinf.start, iinf.end)
  const wide = fullHeader(file, iinf).version > 0
  const countAt = iinf.body + 4 - iinf.start
  const count = new Reader(viewOf(copy), countAt).read(wide ? 4 : 2)
  copy.set(new Writer().write(count + 1, wide ? 4 : 2).bytes(), countAt)
  return withBody(copy, iinf.body - iinf.start, infe)
}
