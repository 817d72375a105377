/**
 * The structure of JPEG 2000 files, read without decoding them (ISO/IEC 15444-1): the codestream's SIZ marker (the
 * picture's size, its components' sampling) and the JP2 container's boxes (colour, resolution, EXIF, XMP).
 */
import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import type { ContainerMetadata } from './decoder-worker.js'
import { exifBlock, tiffPart } from './exif.js'
import { containerBoxes, readBoxes, viewOf } from './iso-boxes.js'
import type { Box } from './iso-boxes.js'
import { damagedError, decodeError } from './read-errors.js'

/** A bare codestream begins with its SOC and SIZ markers; anything else is the JP2 container. */
const CODESTREAM = [0xff, 0x4f, 0xff, 0x51]

export function isCodestream(bytes: Uint8Array): boolean {
  return CODESTREAM.every((byte, i) => bytes[i] === byte)
}

/** The UUIDs of the `uuid` boxes that hold XMP (Adobe's) and EXIF (JpgTiffExif->JP2), as ExifTool and Kakadu write. */
const XMP_UUID = 'be7acfcb97a942e89c71999491e3afac'
const EXIF_UUID = '4a706754696666457869662d3e4a5032'

/** The colr box's enumerated colour space for sYCC (Annex I.5.3.3). */
const SYCC = 18

/** The SIZ marker's fields that size the picture: the grid's extent less its offset (ISO/IEC 15444-1 A.5.1). */
function codestreamSize(start: Uint8Array): { width: number; height: number } {
  const view = viewOf(start)
  if (!isCodestream(start) || start.length < SIZ_BYTES) throw new Error('no SIZ')
  const [width, height] = [8, 12].map((field) => view.getUint32(field) - view.getUint32(field + 8))
  return { width: width!, height: height! }
}

/** A codestream's SOC marker and its SIZ marker up to the picture's offset. */
const SIZ_BYTES = 24

/** The start of the file's codestream: the file's own, or its `jp2c` box's, the boxes before it skipped unread. */
async function codestreamStart(file: FileHandle): Promise<Uint8Array> {
  const { size } = await file.stat()
  const read = async (at: number, length: number): Promise<Uint8Array> => {
    const bytes = new Uint8Array(Math.max(0, Math.min(length, size - at)))
    await file.read(bytes, 0, bytes.length, at)
    return bytes
  }
  const head = await read(0, SIZ_BYTES)
  if (isCodestream(head)) return head
  for (let at = 0; at + 8 <= size;) {
    const box = viewOf(await read(at, 16))
    const [length, type] = [box.getUint32(0), box.getUint32(4)]
    const large = length === 1
    const body = at + (large ? 16 : 8)
    if (type === JP2C) return read(body, SIZ_BYTES)
    const next = large ? at + Number(box.getBigUint64(8)) : at + length
    if (next <= at || length === 0) break
    at = next
  }
  throw new Error('no codestream')
}

const JP2C = 0x6a703263 // 'jp2c'

/** A JPEG 2000 photo's size from its codestream's header alone, in the container's `jp2c` box or bare. */
export async function jp2Size(path: string): Promise<{ width: number; height: number }> {
  const file = await open(path, 'r').catch((error: unknown) => Promise.reject(decodeError(path, error)))
  try {
    return codestreamSize(await codestreamStart(file))
  } catch {
    throw damagedError(path, 'its header cannot be read')
  } finally {
    await file.close()
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** The payload of the `uuid` box of `uuid` among `boxes`, after its 16-byte UUID. */
function uuidPayload(file: Uint8Array, boxes: Box[], uuid: string): Uint8Array | undefined {
  const box = boxes.find(({ type, body }) => type === 'uuid' && hex(file.subarray(body, body + 16)) === uuid)
  return box && file.subarray(box.body + 16, box.end)
}

/** Pixels per inch from a `resc` or `resd` box: numerator, denominator, power of ten, per metre, vertical first. */
function resolutionOf(file: Uint8Array, box: Box): number | undefined {
  if (box.end - box.body < 10) return undefined
  const view = viewOf(file)
  const [numerator, denominator] = [view.getUint16(box.body + 4), view.getUint16(box.body + 6)]
  const perMetre = (numerator / denominator) * 10 ** view.getInt8(box.body + 9)
  const perInch = Math.round(perMetre * 0.0254 * 100) / 100
  return Number.isFinite(perInch) && perInch > 0 ? perInch : undefined
}

/** The capture resolution (a scan's), else the display one, from the header box's `res ` box. */
function densityOf(file: Uint8Array, headerBoxes: Box[]): number | undefined {
  const res = headerBoxes.find((box) => box.type === 'res ')
  if (!res) return undefined
  const inRes = readBoxes(file, res.body, res.end)
  const resolution = (type: string): number | undefined => {
    const box = inRes.find((one) => one.type === type)
    return box && resolutionOf(file, box)
  }
  return resolution('resc') ?? resolution('resd')
}

/**
 * The EXIF, XMP and resolution of a JP2 container (ISO/IEC 15444-1 Annex I): `uuid` boxes for EXIF (a TIFF block, some
 * writers putting "Exif\0\0" before it) and XMP, and `res ` in the header box.
 */
function metadataOf(file: Uint8Array, boxes: Box[], headerBoxes: Box[]): ContainerMetadata {
  const meta: ContainerMetadata = {}
  const exif = uuidPayload(file, boxes, EXIF_UUID)
  const block = exif && exifBlock(tiffPart(exif))
  if (block) meta.exif = block
  const xmp = uuidPayload(file, boxes, XMP_UUID)
  if (xmp) meta.xmp = new TextDecoder().decode(xmp)
  try {
    const density = densityOf(file, headerBoxes)
    if (density) meta.density = density
  } catch {
    // a `res ` box whose boxes do not add up: no resolution
  }
  return meta
}

/** Each component's sampling, one in `dx` columns and `dy` rows, from the SIZ marker (after Csiz, at 40). */
function componentSampling(codestream: Uint8Array): { dx: number; dy: number }[] {
  const count = viewOf(codestream).getUint16(40)
  return Array.from({ length: count }, (_, i) => ({
    dx: codestream[43 + 3 * i]!,
    dy: codestream[44 + 3 * i]!,
  }))
}

/** The bits per sample of the picture's first component, from its SIZ marker (Ssiz: bits less one, sign on top). */
function depthOf(codestream: Uint8Array): number {
  const ssiz = codestream[42]
  return ssiz === undefined ? 8 : (ssiz & 0x7f) + 1
}

/** The enumerated colour space of the header box's `colr` box, where it has one. */
function enumeratedColour(file: Uint8Array, headerBoxes: Box[]): number | undefined {
  const colr = headerBoxes.find(({ type }) => type === 'colr')
  return colr && file[colr.body] === 1 ? viewOf(file).getUint32(colr.body + 3) : undefined
}

/**
 * Whether the picture's three components are luma and chroma (sYCC), which ImageMagick hands over as they are, red,
 * green and blue: its `colr` box says sYCC, or, as OpenJPEG's own decoder judges, its chroma is subsampled.
 */
function isYcc(file: Uint8Array, codestream: Uint8Array, headerBoxes: Box[]): boolean {
  try {
    if (enumeratedColour(file, headerBoxes) === SYCC) return true
    const components = componentSampling(codestream)
    const [luma, chroma] = components
    return components.length === 3 && luma!.dx === luma!.dy && chroma!.dx !== 1
  } catch {
    return false // a header that does not add up: the decoder says what it makes of it
  }
}

/** What decoding a JPEG 2000 file takes from its header: whether it is a bare codestream, its depth, sYCC, metadata. */
export interface Jp2Header {
  codestream: boolean
  /** Bits per sample; 8 where the header does not say. */
  depth: number
  /** Its components are sYCC (`isYcc`). */
  ycc: boolean
  meta: ContainerMetadata
}

/**
 * A JPEG 2000 file's header, its boxes read once: a bare codestream holds no metadata, and a header that does not add
 * up says 8 bits, RGB and nothing more, leaving the decoder to say what it makes of the file.
 */
export function jp2Header(file: Uint8Array): Jp2Header {
  if (isCodestream(file))
    return { codestream: true, depth: depthOf(file), ycc: isYcc(file, file, []), meta: {} }
  const boxes = containerBoxes(file) ?? []
  const boxOf = (type: string): Box | undefined => boxes.find((box) => box.type === type)
  const jp2c = boxOf('jp2c')
  const jp2h = boxOf('jp2h')
  const headerBoxes = (jp2h && containerBoxes(file.subarray(0, jp2h.end), jp2h.body)) ?? []
  const codestream = jp2c ? file.subarray(jp2c.body, jp2c.end) : new Uint8Array()
  return {
    codestream: false,
    depth: depthOf(codestream),
    ycc: isYcc(file, codestream, headerBoxes),
    meta: metadataOf(file, boxes, headerBoxes),
  }
}
