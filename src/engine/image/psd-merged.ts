/**
 * A Photoshop document's merged picture, decoded here: planes of 8- or 16-bit big-endian samples, one channel after
 * another, raw or PackBits-compressed row by row (Adobe's "Photoshop File Formats Specification", Image Data Section),
 * made an uncompressed TIFF (`tiff-write.ts`) with the document's profile, which sharp reads as any photo.
 * ImageMagick's WebAssembly build reads it 8-bit (Q8) only, losing a restorer's 16-bit work's low bits, and took 3
 * times as long (12 MP, 8-bit, end to end: 1.5–1.7 s against 0.5 s).
 */
import type { PsdHeader, PsdSections } from './psd-header.js'
import { MODES, colourChannels, pictureChannels } from './psd-header.js'
import { labToSrgb } from './lab-colour.js'
import { samplesPerPixel, uncompressedTiff } from './tiff-write.js'
import type { TiffColour } from './tiff-write.js'
import { viewOf } from './iso-boxes.js'

/** The TIFF's colours for each mode: a Lab picture's are made sRGB. */
const COLOURS: Record<number, TiffColour> = {
  [MODES.grey]: 'grey',
  [MODES.rgb]: 'rgb',
  [MODES.cmyk]: 'cmyk',
  [MODES.lab]: 'rgb',
}

/** How a channel's rows are stored: raw, or PackBits with each row's length in a table before them. */
const RAW = 0
const PACKBITS = 1

/**
 * The merged picture of an 8- or 16-bit document of `header` as a TIFF: its colours, and its transparency where it has
 * one (unblended from the white Photoshop blends it with, for RGB, as ImageMagick does); its saved selections and spot
 * colours left out. An Error says what in the file does not add up.
 */
export function mergedPictureTiff(
  file: Uint8Array,
  header: PsdHeader,
  sections: PsdSections,
  icc: Uint8Array | undefined,
): Uint8Array {
  const { width, height, depth } = header
  if (depth !== 8 && depth !== 16)
    throw new Error(`its header's depth (${depth} bits) is not one Photoshop writes`)
  const colour = COLOURS[header.mode]!
  if (header.channels < colourChannels(header))
    throw new Error(`it has fewer channels (${header.channels}) than colours`)
  const alpha = pictureChannels(file, header, sections) > colourChannels(header)
  const { tiff, samples } = uncompressedTiff({ width, height, bitsPerSample: depth, colour, alpha, icc })
  const perPixel = samplesPerPixel({ colour, alpha })
  const rows = channelRows(file, header, sections.image)
  const scratch = new Uint8Array((width * depth) / 8)
  for (let channel = 0; channel < perPixel; channel++)
    for (let y = 0; y < height; y++) {
      const row = rows(channel, y, scratch)
      const at = y * width * perPixel + channel
      if (depth === 8) for (let x = 0; x < width; x++) samples[at + x * perPixel] = row[x]!
      else for (let x = 0; x < width; x++) samples[at + x * perPixel] = (row[2 * x]! << 8) | row[2 * x + 1]!
    }
  const white = 2 ** depth - 1
  if (colour === 'cmyk') invertInks(samples, { perPixel, alpha, white })
  if (header.mode === MODES.lab) labToSrgb(samples, perPixel, white)
  if (header.mode === MODES.rgb && alpha) unblendFromWhite(samples, { perPixel, white })
  return tiff
}

/**
 * A reader of the picture's rows: each call gives channel `channel`'s row `y` (the file's own bytes where raw, else
 * unpacked into `scratch`). Rows are asked for in the file's order.
 */
function channelRows(
  file: Uint8Array,
  { width, height, depth, channels, large }: PsdHeader,
  start: number,
): (channel: number, y: number, scratch: Uint8Array) => Uint8Array {
  const view = viewOf(file)
  const rowBytes = (width * depth) / 8
  const compression = view.getUint16(start)
  const data = start + 2
  if (compression === RAW) {
    if (data + channels * height * rowBytes > file.length)
      throw new Error('the file ends before its picture does')
    return (channel, y) =>
      file.subarray(data + (channel * height + y) * rowBytes, data + (channel * height + y + 1) * rowBytes)
  }
  if (compression !== PACKBITS)
    throw new Error(`its picture's compression (${compression}) is not one Photoshop writes there`)
  const countBytes = large ? 4 : 2
  const table = data
  let at = table + channels * height * countBytes
  if (at > file.length) throw new Error('the file ends before its picture does')
  return (channel, y, scratch) => {
    const index = channel * height + y
    const length = countBytes === 4 ? view.getUint32(table + index * 4) : view.getUint16(table + index * 2)
    unpackBits(file, at, at + length, scratch)
    at += length
    return scratch
  }
}

/**
 * PackBits (Apple's run-length coding, as TIFF has it) of `file[from, to)` into all of `row`; an Error if it does not
 * fill it exactly.
 */
function unpackBits(file: Uint8Array, from: number, to: number, row: Uint8Array): void {
  if (to > file.length) throw new Error('the file ends before its picture does')
  let at = from
  let filled = 0
  while (at < to) {
    const header = file[at++]!
    if (header < 128) {
      const count = header + 1
      if (at + count > to || filled + count > row.length)
        throw new Error('a row of its picture does not add up')
      row.set(file.subarray(at, at + count), filled)
      at += count
      filled += count
    } else if (header > 128) {
      const count = 257 - header
      if (at >= to || filled + count > row.length) throw new Error('a row of its picture does not add up')
      row.fill(file[at++]!, filled, filled + count)
      filled += count
    }
  }
  if (filled !== row.length) throw new Error('a row of its picture is cut short')
}

type Samples = Uint8Array | Uint16Array

/** Photoshop stores ink the other way up (no ink at its most, `white`); a CMYK TIFF has 0 for none. */
function invertInks(
  samples: Samples,
  { perPixel, alpha, white }: { perPixel: number; alpha: boolean; white: number },
) {
  const inks = alpha ? perPixel - 1 : perPixel
  for (let at = 0; at < samples.length; at += perPixel)
    for (let ink = 0; ink < inks; ink++) samples[at + ink] = white - samples[at + ink]!
}

/** A transparent document's colours as they were before Photoshop blended them with white for its merged picture. */
function unblendFromWhite(samples: Samples, { perPixel, white }: { perPixel: number; white: number }): void {
  for (let at = 0; at < samples.length; at += perPixel) {
    const alpha = samples[at + perPixel - 1]!
    if (alpha === 0 || alpha === white) continue
    for (let c = 0; c < perPixel - 1; c++) {
      const level = Math.round(((samples[at + c]! - (white - alpha)) * white) / alpha)
      samples[at + c] = Math.min(white, Math.max(0, level))
    }
  }
}
