import sharp from 'sharp'
import type { RasterImage } from './types.js'

/**
 * Dust on an old print or on the scanner's glass: specks a few tenths of a millimetre across, lighter or darker
 * than what lies around them, which a ×4 enlargement would turn into sharp blots. Found as a scanner's "dust
 * removal" (without an infrared channel) or an editor's "dust and scratches" finds them, but only where a speck
 * stands alone:
 * - the photo's luma less its median over a window twice the largest speck: what the median takes away are the
 *   small things, specks and fine detail alike;
 * - of those, a speck is a small blob, light or dark (no wider than the largest speck), that stands out from the
 *   noise by far (5 times its spread over the photo, at least 20 levels) and from its surround (3 times as far as
 *   all but 5% of a ring around it): fine texture (grass, gravel, fabric) is left, as are lines, however thin (a
 *   hair, a power line, a scratch), and two specks closer than half the largest, which see each other as texture;
 * - it is filled, colour by colour, with the median of the window around it, less the speck and its edge.
 * A small light point on a smooth surround of the photo's own (a catchlight in an eye, a star) is a speck too.
 */

/** Dust's largest size: half a millimetre, in pixels at the scan's density. */
const LARGEST_SPECK_MM = 0.5
/** Without a density, the largest speck as a share of the photo's shorter side (a 6×4" print at 600 dpi: 8 px). */
const LARGEST_SPECK_SHARE = 1 / 300
const SPECK_SIDE_RANGE = [2, 20] as const
/** A speck stands this many times further from the median than the photo's noise spreads, and at least so many levels. */
const NOISE_TIMES = 5
const LEAST_CONTRAST = 20
/** A speck stands this many times further from the median than all but this share of its surround does. */
const SURROUND_TIMES = 3
const BUSY_SURROUND = 0.05
/** A photo with more specks than this is grain or texture, not dust: only the most marked are filled. */
const MOST_SPECKS = 20_000

/** The photo with its dust filled, and how many specks were. */
export interface DustRemoved {
  image: RasterImage
  specks: number
}

/** The largest speck's side, in pixels: by the scan's density where the file gives one, else by the photo's size. */
export function largestSpeck(image: RasterImage, density?: number): number {
  const side =
    density && density >= 100
      ? (LARGEST_SPECK_MM / 25.4) * density
      : Math.min(image.width, image.height) * LARGEST_SPECK_SHARE
  return Math.round(Math.min(SPECK_SIDE_RANGE[1], Math.max(SPECK_SIDE_RANGE[0], side)))
}

/** `image` with its specks of dust filled (a new raster; alpha as it was). */
export async function removeDust(image: RasterImage, density?: number): Promise<DustRemoved> {
  const side = largestSpeck(image, density)
  const luma = lumaOf(image)
  const median = await medianOf(luma, image.width, image.height, 2 * side + 1)
  const away = new Int16Array(luma.length)
  for (let i = 0; i < luma.length; i++) away[i] = luma[i]! - median[i]!
  const threshold = Math.max(LEAST_CONTRAST, NOISE_TIMES * noiseSpread(away, luma))
  const specks = specksOf(away, luma, image, side, threshold)
  return { image: filled(image, specks, side), specks: specks.length }
}

/** Each pixel's luma, 0–255; a pixel not fully opaque is marked 0xffff (its colour is not the photo's). */
function lumaOf({ width, height, channels, depth, pixels }: RasterImage): Uint16Array {
  const out = new Uint16Array(width * height)
  const opaque = depth === 16 ? 65535 : 255
  const scale = depth === 16 ? 1 / 257 : 1
  for (let i = 0; i < out.length; i++) {
    const at = i * channels
    if (channels === 4 && pixels[at + 3] !== opaque) {
      out[i] = TRANSPARENT
      continue
    }
    out[i] = Math.round((0.2126 * pixels[at]! + 0.7152 * pixels[at + 1]! + 0.0722 * pixels[at + 2]!) * scale)
  }
  return out
}

const TRANSPARENT = 0xffff

/** The median of each `window`×`window` neighbourhood, by libvips' rank filter (constant time in the window). */
async function medianOf(
  luma: Uint16Array,
  width: number,
  height: number,
  window: number,
): Promise<Uint8Array> {
  const bytes = withNearestOpaque(luma, width, height)
  const data = await sharp(bytes, { raw: { width, height, channels: 1 } })
    .median(window)
    .toColourspace('b-w') // sharp makes one channel three unless told
    .raw()
    .toBuffer()
  return new Uint8Array(data.buffer, data.byteOffset, data.length)
}

/**
 * `luma` as bytes, a transparent pixel taking the nearest opaque one's luma along its row: the median near a
 * transparent edge is then the photo's, not pulled toward whatever colour lies under the transparency.
 */
function withNearestOpaque(luma: Uint16Array, width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(luma.length)
  const leftOpaque = new Int32Array(width) // for each pixel of the row, the nearest opaque one at or left of it
  for (let y = 0; y < height; y++) {
    const row = y * width
    let left = -1
    for (let x = 0; x < width; x++) {
      if (luma[row + x] !== TRANSPARENT) left = x
      leftOpaque[x] = left
    }
    let right = -1
    for (let x = width - 1; x >= 0; x--) {
      if (luma[row + x] !== TRANSPARENT) right = x
      const l = leftOpaque[x]!
      const nearest = l < 0 ? right : right < 0 || x - l <= right - x ? l : right
      bytes[row + x] = nearest < 0 ? 0 : luma[row + nearest]!
    }
  }
  return bytes
}

/** The noise's spread: the median distance from the median filter, as a standard deviation (× 1.4826). */
function noiseSpread(away: Int16Array, luma: Uint16Array): number {
  const counts = new Uint32Array(256)
  let n = 0
  away.forEach((value, i) => {
    if (luma[i] === TRANSPARENT) return
    counts[Math.min(255, Math.abs(value))]!++
    n++
  })
  let seen = 0
  for (let level = 0; level < 256; level++) {
    seen += counts[level]!
    if (seen * 2 >= n) return level * 1.4826
  }
  return 0
}

/** The specks: small blobs standing out from the median by `threshold`, on a quiet surround. */
function specksOf(
  away: Int16Array,
  luma: Uint16Array,
  { width, height }: RasterImage,
  side: number,
  threshold: number,
): SmallBlob[] {
  const marked = (i: number): boolean => luma[i] !== TRANSPARENT && Math.abs(away[i]!) > threshold
  const seen = new Uint8Array(away.length)
  const surround = { away, luma, width, height, side }
  const specks: SmallBlob[] = []
  for (let start = 0; start < away.length; start++) {
    if (seen[start] || !marked(start)) continue
    // Light and dark apart: a light speck on a dark detail's edge is still a blob of its own.
    const light = away[start]! > 0
    const blob = blobFrom(start, width, height, (i) => marked(i) && away[i]! > 0 === light, seen)
    if (blob.right - blob.left >= side || blob.bottom - blob.top >= side) continue
    const small = { ...blob, contrast: Math.max(...blob.pixels.map((i) => Math.abs(away[i]!))) }
    if (!busySurround(small, surround)) specks.push(small)
  }
  specks.sort((a, b) => b.contrast - a.contrast)
  return specks.slice(0, MOST_SPECKS)
}

type SmallBlob = Blob & { contrast: number }

interface Blob {
  pixels: number[]
  left: number
  top: number
  right: number
  bottom: number
}

/** The marked pixels 8-connected to `start`, each marked seen. */
function blobFrom(
  start: number,
  width: number,
  height: number,
  marked: (i: number) => boolean,
  seen: Uint8Array,
): Blob {
  const blob: Blob = { pixels: [], left: width, top: height, right: 0, bottom: 0 }
  const stack = [start]
  seen[start] = 1
  while (stack.length > 0) {
    const i = stack.pop()!
    const x = i % width
    const y = (i - x) / width
    blob.pixels.push(i)
    blob.left = Math.min(blob.left, x)
    blob.right = Math.max(blob.right, x)
    blob.top = Math.min(blob.top, y)
    blob.bottom = Math.max(blob.bottom, y)
    forNeighbours(x, y, width, height, (j) => {
      if (seen[j] || !marked(j)) return
      seen[j] = 1
      stack.push(j)
    })
  }
  return blob
}

interface Surround {
  away: Int16Array
  luma: Uint16Array
  width: number
  height: number
  side: number
}

/**
 * Whether the ring around `blob` (its box grown by half the largest speck) holds detail nearly as marked as the
 * blob: the blob is then part of a texture, not a speck on it. Two specks closer than that see each other so,
 * and are left (allowing for them found as many on photos without dust as it gained on dusty ones).
 */
function busySurround(blob: SmallBlob, { away, luma, width, height, side }: Surround): boolean {
  const grow = Math.max(2, Math.ceil(side / 2))
  const inner = 1 // the speck's soft edge
  const counts = new Uint32Array(256)
  let ring = 0
  for (let y = Math.max(0, blob.top - grow); y <= Math.min(height - 1, blob.bottom + grow); y++)
    for (let x = Math.max(0, blob.left - grow); x <= Math.min(width - 1, blob.right + grow); x++) {
      const nearSpeck =
        x >= blob.left - inner && x <= blob.right + inner && y >= blob.top - inner && y <= blob.bottom + inner
      const i = y * width + x
      if (nearSpeck || luma[i] === TRANSPARENT) continue
      counts[Math.min(255, Math.abs(away[i]!))]!++
      ring++
    }
  if (ring === 0) return true
  let seen = 0
  for (let level = 255; level >= 0; level--) {
    seen += counts[level]!
    if (seen > ring * BUSY_SURROUND) return level * SURROUND_TIMES > blob.contrast
  }
  return false
}

/** A copy of `image` with each speck and its one-pixel edge filled, colour by colour, from the window around it. */
function filled(image: RasterImage, specks: SmallBlob[], side: number): RasterImage {
  const { width, height, channels, pixels } = image
  const out = { ...image, pixels: pixels.slice() }
  const hole = new Uint8Array(width * height)
  const holes = specks.map((speck) => grownByOne(speck.pixels, width, height, hole))
  const windowArea = (2 * side + 1) ** 2
  const values = [0, 1, 2].map(() => new Int32Array(windowArea))
  for (const pixelsOfHole of holes)
    for (const i of pixelsOfHole) {
      const x = i % width
      const y = (i - x) / width
      let n = 0
      for (let wy = Math.max(0, y - side); wy <= Math.min(height - 1, y + side); wy++)
        for (let wx = Math.max(0, x - side); wx <= Math.min(width - 1, x + side); wx++) {
          const j = wy * width + wx
          if (hole[j]) continue
          const at = j * channels
          if (channels === 4 && pixels[at + 3] === 0) continue
          for (let c = 0; c < 3; c++) values[c]![n] = pixels[at + c]!
          n++
        }
      if (n === 0) continue
      for (let c = 0; c < 3; c++) out.pixels[i * channels + c] = middleOf(values[c]!, n)
    }
  return out
}

/** Calls `visit` with the index of (x, y) and of each of its 8 neighbours inside the photo. */
function forNeighbours(
  x: number,
  y: number,
  width: number,
  height: number,
  visit: (i: number) => void,
): void {
  for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++)
    for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) visit(ny * width + nx)
}

/** `pixels` and their 8 neighbours, each marked in `hole`. */
function grownByOne(pixels: number[], width: number, height: number, hole: Uint8Array): number[] {
  const grown: number[] = []
  for (const i of pixels) {
    const x = i % width
    forNeighbours(x, (i - x) / width, width, height, (j) => {
      if (hole[j]) return
      hole[j] = 1
      grown.push(j)
    })
  }
  return grown
}

/** The median of the first `n` of `values` (reordered), by Hoare's selection: linear time, where sorting is not. */
function middleOf(values: Int32Array, n: number): number {
  const k = n >> 1
  let low = 0
  let high = n - 1
  while (low < high) {
    const pivot = values[(low + high) >> 1]!
    let i = low
    let j = high
    while (i <= j) {
      while (values[i]! < pivot) i++
      while (values[j]! > pivot) j--
      if (i <= j) {
        const swap = values[i]!
        values[i++] = values[j]!
        values[j--] = swap
      }
    }
    if (k <= j) high = j
    else if (k >= i) low = i
    else break
  }
  return values[k]!
}
