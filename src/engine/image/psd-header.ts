/**
 * The structure of Photoshop documents (PSD, and PSB for large ones), read without decoding them (Adobe's "Photoshop
 * File Formats Specification"): the header (size, depth, colour mode), the sections after it, the image resources
 * (profile, resolution, EXIF, XMP, whether the merged picture is real) and whether the merged picture is transparent.
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
  /** A PSB (version 2), whose layers' section and PackBits rows have wider lengths. */
  large: boolean
  /** The merged picture's channels: its colours', then transparency, saved selections and spot colours. */
  channels: number
  width: number
  height: number
  /** Bits per channel: 1, 8, 16 or 32. */
  depth: number
  /** Photoshop's colour mode: 1 greyscale, 3 RGB, 4 CMYK, and others. */
  mode: number
}

/** A PSB's version is 2, a PSD's 1. */
function isLarge(view: DataView): boolean {
  return view.getUint16(4) === 2
}

export function psdHeader(path: string, bytes: Uint8Array): PsdHeader {
  if (bytes.length < HEADER_BYTES) throw damagedError(path, 'the file ends before its header does')
  const view = viewOf(bytes)
  return {
    large: isLarge(view),
    channels: view.getUint16(12),
    height: view.getUint32(14),
    width: view.getUint32(18),
    depth: view.getUint16(22),
    mode: view.getUint16(24),
  }
}

/** Photoshop's numbers of the colour modes Enhance reads. */
export const MODES = { grey: 1, rgb: 3, cmyk: 4, lab: 9 } as const

/** The modes Enhance reads, each with its colour channels, and what Photoshop calls the others (refused). */
const COLOUR_CHANNELS: Record<number, number> = {
  [MODES.grey]: 1,
  [MODES.rgb]: 3,
  [MODES.cmyk]: 4,
  [MODES.lab]: 3,
}
const MODE_NAMES: Record<number, string> = {
  0: 'Bitmap',
  2: 'Indexed Color',
  7: 'Multichannel',
  8: 'Duotone',
}

/** Refuses a document whose mode or depth Enhance does not read, with how to save it so in Photoshop. */
export function checkPsdReadable(path: string, { mode, depth }: PsdHeader): void {
  if (COLOUR_CHANNELS[mode] === undefined)
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

/**
 * Refuses a Lab document saved without its merged picture: ImageMagick, which merges the layers, hands over Lab, which
 * libvips does not read.
 */
export function checkLayersMergeable(path: string, { mode }: PsdHeader): void {
  if (mode === MODES.lab)
    throw new EnhanceError(
      'UNSUPPORTED_FORMAT',
      `${path} is a Photoshop document in Lab Color mode saved without its merged picture ("Maximize Compatibility" off), which Enhance does not read. In Photoshop, choose Image › Mode › RGB Color, or save it with Maximize Compatibility on.`,
    )
}

/** A Photoshop document's header, read alone. */
export async function readPsdHeader(path: string): Promise<PsdHeader> {
  const file = await open(path, 'r').catch((error: unknown) => Promise.reject(decodeError(path, error)))
  try {
    const head = new Uint8Array(HEADER_BYTES)
    const { bytesRead } = await file.read(head, 0, HEADER_BYTES, 0)
    return psdHeader(path, head.subarray(0, bytesRead))
  } finally {
    await file.close()
  }
}

/** A Photoshop document's size from its header alone. */
export async function psdSize(path: string): Promise<{ width: number; height: number }> {
  const { width, height } = await readPsdHeader(path)
  return { width, height }
}

/** The colour channels of a mode Enhance reads (greyscale 1, RGB 3, CMYK 4, Lab 3). */
export function colourChannels({ mode }: PsdHeader): number {
  return COLOUR_CHANNELS[mode]!
}

/** Where the sections after the header lie: the image resources and the layers' section, then the merged picture. */
export interface PsdSections {
  resources: { start: number; end: number }
  layers: { start: number; end: number }
  /** Where the merged picture starts: its compression, then its data. */
  image: number
}

/** A 32-bit length, or the 64-bit one a PSB's layers' section has, at `at`. */
function lengthAt(view: DataView, at: number, wide: boolean): number {
  return wide ? Number(view.getBigUint64(at)) : view.getUint32(at)
}

/** The sections of a document; an Error where their lengths go past the end of the file. */
export function psdSections(file: Uint8Array): PsdSections {
  const view = viewOf(file)
  const psb = isLarge(view)
  const resources = HEADER_BYTES + 4 + view.getUint32(HEADER_BYTES) + 4
  const resourcesEnd = resources + view.getUint32(resources - 4)
  const layers = resourcesEnd + (psb ? 8 : 4)
  const layersEnd = layers + lengthAt(view, resourcesEnd, psb)
  if (layersEnd > file.length) throw new Error('its sections go past the end of the file')
  return {
    resources: { start: resources, end: resourcesEnd },
    layers: { start: layers, end: layersEnd },
    image: layersEnd,
  }
}

/** Image resource IDs: resolution, the ICC profile, version info (whether the merged picture is real), EXIF, XMP. */
const RESOLUTION_INFO = 1005
const ICC_PROFILE = 1039
const VERSION_INFO = 1057
const EXIF_DATA = 1058
const XMP_DATA = 1060

/** The payload of each image resource ('8BIM', ID, padded Pascal name, padded data), by ID. */
function imageResources(file: Uint8Array, { start, end }: PsdSections['resources']): Map<number, Uint8Array> {
  const view = viewOf(file)
  const resources = new Map<number, Uint8Array>()
  for (let at = start; at + 12 <= end;) {
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

/** What a document's image resources say, read once. */
export interface PsdResources {
  /** Its ICC profile, where it has one. */
  profile?: Uint8Array | undefined
  /**
   * Whether the merged picture is the document's: Photoshop saves it as such unless "Maximize Compatibility" was off,
   * which its version info resource says (a document without one, as other programs write, has it).
   */
  realMergedPicture: boolean
  /** Its EXIF, XMP and resolution. */
  meta: ContainerMetadata
}

export function psdResources(file: Uint8Array, sections: PsdSections): PsdResources {
  const resources = imageResources(file, sections.resources)
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
  const version = resources.get(VERSION_INFO)
  return {
    profile: resources.get(ICC_PROFILE),
    realMergedPicture: version === undefined || version.length < 5 || version[4] !== 0,
    meta,
  }
}

/** The EXIF, XMP and resolution of a Photoshop document; none where its sections do not add up. */
export function psdMetadata(file: Uint8Array): ContainerMetadata {
  try {
    return psdResources(file, psdSections(file)).meta
  } catch {
    return {} // resources that do not add up: the picture says nothing more
  }
}

/** The tagged blocks after the layer info and the global mask, whose length is 64-bit in a PSB. */
const WIDE_BLOCKS = new Set('LMsk Lr16 Lr32 Layr Mt16 Mt32 Mtrn Alph FMsk lnk2 FEid FXid PxSD'.split(' '))
const LAYER_BLOCKS = new Set(['Lr16', 'Lr32', 'Layr'])

/**
 * The layer count, negative where the merged picture's first channel after its colours is its transparency: in the
 * layer info, or, for a 16- or 32-bit document, whose layer info is empty, in its `Lr16` or `Lr32` block.
 */
function layerCount(file: Uint8Array, { layers }: PsdSections): number {
  if (layers.end === layers.start) return 0
  const view = viewOf(file)
  const psb = isLarge(view)
  const infoLength = lengthAt(view, layers.start, psb)
  const info = layers.start + (psb ? 8 : 4)
  if (infoLength > 0) return view.getInt16(info)
  const mask = info + infoLength
  const isBlock = (at: number) => ['8BIM', '8B64'].includes(String.fromCharCode(...file.subarray(at, at + 4)))
  for (let at = mask + 4 + view.getUint32(mask); at + 12 <= layers.end && isBlock(at);) {
    const key = String.fromCharCode(...file.subarray(at + 4, at + 8))
    const wide = psb && WIDE_BLOCKS.has(key)
    const data = at + 8 + (wide ? 8 : 4)
    if (LAYER_BLOCKS.has(key)) return data + 2 <= layers.end ? view.getInt16(data) : 0
    const end = data + lengthAt(view, at + 8, wide)
    // Photoshop pads each block to 4 bytes, some writers to 2 (as the specification says), in its length or after it.
    at = isBlock(end) ? end : end + ((4 - ((end - data) % 4)) % 4)
  }
  return 0
}

/** How many of the merged picture's channels are its colours and transparency; the rest: selections, spot colours. */
export function pictureChannels(file: Uint8Array, header: PsdHeader, sections: PsdSections): number {
  const colours = colourChannels(header)
  const transparent = header.channels > colours && layerCount(file, sections) < 0
  return colours + (transparent ? 1 : 0)
}
