/**
 * The structure of Photoshop documents (PSD, and PSB for large ones), read without decoding them (Adobe's "Photoshop
 * File Formats Specification"): the header (size, depth, colour mode) and the image resources (resolution, EXIF, XMP).
 */
import { open } from 'node:fs/promises'
import { EnhanceError } from '../../shared/errors.js'
import type { ContainerMetadata } from './decoder-worker.js'
import { exifBlock } from './exif.js'
import { viewOf } from './iso-boxes.js'
import { damagedError, decodeError } from './read-errors.js'

/** The header's 26 bytes: signature, version (1 PSD, 2 PSB), channels, height, width, depth, colour mode. */
const HEADER_BYTES = 26

export interface PsdHeader {
  width: number
  height: number
  /** Bits per channel: 1, 8, 16 or 32. */
  depth: number
  /** Photoshop's colour mode: 1 greyscale, 3 RGB, 4 CMYK, and others. */
  mode: number
}

export function psdHeader(path: string, bytes: Uint8Array): PsdHeader {
  if (bytes.length < HEADER_BYTES) throw damagedError(path, 'the file ends before its header does')
  const view = viewOf(bytes)
  return {
    height: view.getUint32(14),
    width: view.getUint32(18),
    depth: view.getUint16(22),
    mode: view.getUint16(24),
  }
}

/** The colour modes Enhance reads, and what Photoshop calls the others, for the refusal. */
const READ_MODES = new Set([1, 3, 4])
const MODE_NAMES: Record<number, string> = {
  0: 'Bitmap',
  2: 'Indexed Color',
  7: 'Multichannel',
  8: 'Duotone',
  9: 'Lab Color',
}

/** Refuses a document whose mode or depth Enhance does not read, with how to save it so in Photoshop. */
export function checkPsdReadable(path: string, { mode, depth }: PsdHeader): void {
  if (!READ_MODES.has(mode))
    throw new EnhanceError(
      'UNSUPPORTED_FORMAT',
      `${path} is a Photoshop document in ${MODE_NAMES[mode] ?? 'an unusual'} mode, which Enhance does not read. In Photoshop, choose Image › Mode › RGB Color, then save it.`,
    )
  if (depth === 32)
    throw new EnhanceError(
      'UNSUPPORTED_FORMAT',
      `${path} is a 32-bit (HDR) Photoshop document, which Enhance does not read. In Photoshop, choose Image › Mode › 16 Bits/Channel, then save it.`,
    )
}

/** A Photoshop document's size from its header alone. */
export async function psdSize(path: string): Promise<{ width: number; height: number }> {
  const file = await open(path, 'r').catch((error: unknown) => Promise.reject(decodeError(path, error)))
  try {
    const head = new Uint8Array(HEADER_BYTES)
    const { bytesRead } = await file.read(head, 0, HEADER_BYTES, 0)
    const { width, height } = psdHeader(path, head.subarray(0, bytesRead))
    return { width, height }
  } finally {
    await file.close()
  }
}

/** Image resource IDs: resolution, EXIF (a TIFF block) and XMP. */
const RESOLUTION_INFO = 1005
const EXIF_DATA = 1058
const XMP_DATA = 1060

/** The payload of each image resource ('8BIM', ID, padded Pascal name, padded data), by ID. */
function imageResources(file: Uint8Array): Map<number, Uint8Array> {
  const view = viewOf(file)
  const colourData = HEADER_BYTES + 4 + view.getUint32(HEADER_BYTES)
  const end = colourData + 4 + view.getUint32(colourData)
  if (end > file.length) throw new Error('image resources past the end of the file')
  const resources = new Map<number, Uint8Array>()
  for (let at = colourData + 4; at + 12 <= end;) {
    if (String.fromCharCode(...file.subarray(at, at + 4)) !== '8BIM') break
    const id = view.getUint16(at + 4)
    const nameBytes = 1 + file[at + 6]!
    const sizeAt = at + 6 + nameBytes + (nameBytes % 2)
    const size = view.getUint32(sizeAt)
    const data = sizeAt + 4
    if (data + size > end) break
    resources.set(id, file.subarray(data, data + size))
    at = data + size + (size % 2)
  }
  return resources
}

/** The EXIF, XMP and resolution of a Photoshop document, from its image resources. */
export function psdMetadata(file: Uint8Array): ContainerMetadata {
  let resources: Map<number, Uint8Array>
  try {
    resources = imageResources(file)
  } catch {
    return {} // resources that do not add up: the picture says nothing more
  }
  const meta: ContainerMetadata = {}
  const exif = resources.get(EXIF_DATA)
  const block = exif && exifBlock(exif)
  if (block) meta.exif = block
  const xmp = resources.get(XMP_DATA)
  if (xmp) meta.xmp = new TextDecoder().decode(xmp)
  const resolution = resources.get(RESOLUTION_INFO)
  // Horizontal resolution as 16.16 fixed point, in pixels per inch whatever unit the document shows it in.
  const density = resolution && resolution.length >= 4 ? viewOf(resolution).getUint32(0) / 65536 : 0
  if (density > 0) meta.density = Math.round(density * 100) / 100
  return meta
}
