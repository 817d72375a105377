import {
  LevelCounts,
  TRANSPARENT,
  blobFrom,
  filledFromAround,
  nearKept,
  smallDetail,
  standsOutFrom,
} from './small-detail.js'
import type { Blob } from './small-detail.js'
import type { KeptPlace } from '../../shared/settings.js'
import type { RasterImage, Rgb } from './types.js'

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
 *   hair, a scratch: `scratches.ts`'s), and two specks closer than half the largest, which see each other as texture;
 * - and its colour is its surround's mixed with a grey, as dust is grey, white or black: a small point of the
 *   photo's own in a colour (a lily's red spots, yellow flowers in grass) is left;
 * - it is filled, colour by colour, with the median of the window around it, less the speck and its edge.
 * A small light point on a smooth surround of the photo's own (a catchlight in an eye, a star) is a speck too.
 */

/** Dust's largest size: half a millimetre, in pixels at the scan's density. */
const LARGEST_SPECK_MM = 0.5
/** Without a density, the largest speck as a share of the photo's shorter side (a 6×4" print at 600 dpi: 8 px). */
const LARGEST_SPECK_SHARE = 1 / 300
const SPECK_SIDE_RANGE = [2, 20] as const
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

/** Where a photo's specks of dust are (each a list of pixels), and its largest speck's side. */
export interface FoundDust {
  side: number
  specks: number[][]
}

/** The specks of dust of `image`, found once however often they are filled (as the places kept change). */
export async function findDust(image: RasterImage, density?: number): Promise<FoundDust> {
  const side = largestSpeck(image, density)
  const { luma, away, threshold } = await smallDetail(image, 2 * side + 1)
  return { side, specks: specksOf(away, luma, image, side, threshold).map((speck) => speck.pixels) }
}

/** `image` with `found`'s specks filled (a new raster; alpha as it was), but those within reach of a `kept` place. */
export function filledDust(
  image: RasterImage,
  { side, specks }: FoundDust,
  kept: readonly KeptPlace[] = [],
): DustRemoved {
  const filled = specks.filter((pixels) => !nearKept(pixels, image.width, kept, side))
  return { image: filledFromAround(image, filled, side), specks: filled.length }
}

/** `image` with its specks of dust filled (a new raster; alpha as it was), but those near a `kept` place. */
export async function removeDust(
  image: RasterImage,
  density?: number,
  kept: readonly KeptPlace[] = [],
): Promise<DustRemoved> {
  return filledDust(image, await findDust(image, density), kept)
}

/** The specks: small blobs standing out from the median by `threshold`, on a quiet surround, mixed with a grey. */
function specksOf(
  away: Int16Array,
  luma: Uint16Array,
  image: RasterImage,
  side: number,
  threshold: number,
): SmallBlob[] {
  const { width, height } = image
  const marked = (i: number): boolean => luma[i] !== TRANSPARENT && Math.abs(away[i]!) > threshold
  const seen = new Uint8Array(away.length)
  const surround = { away, luma, image, side }
  const specks: SmallBlob[] = []
  for (let start = 0; start < away.length; start++) {
    if (seen[start] || !marked(start)) continue
    // Light and dark apart: a light speck on a dark detail's edge is still a blob of its own.
    const light = away[start]! > 0
    const blob = blobFrom(start, width, height, (i) => marked(i) && away[i]! > 0 === light, seen)
    if (blob.right - blob.left >= side || blob.bottom - blob.top >= side) continue
    const small = { ...blob, contrast: Math.max(...blob.pixels.map((i) => Math.abs(away[i]!))) }
    if (!busySurround(small, surround) && greyMixed(small, surround)) specks.push(small)
  }
  specks.sort((a, b) => b.contrast - a.contrast)
  return specks.slice(0, MOST_SPECKS)
}

type SmallBlob = Blob & { contrast: number }

interface Surround {
  away: Int16Array
  luma: Uint16Array
  image: RasterImage
  side: number
}

/** Calls `visit` with each visible pixel of the ring around `blob`: its box grown by half the largest speck. */
function forRing(
  blob: Blob,
  { luma, image: { width, height }, side }: Surround,
  visit: (i: number) => void,
): void {
  const grow = Math.max(2, Math.ceil(side / 2))
  const inner = 1 // the speck's soft edge
  for (let y = Math.max(0, blob.top - grow); y <= Math.min(height - 1, blob.bottom + grow); y++)
    for (let x = Math.max(0, blob.left - grow); x <= Math.min(width - 1, blob.right + grow); x++) {
      const nearSpeck =
        x >= blob.left - inner && x <= blob.right + inner && y >= blob.top - inner && y <= blob.bottom + inner
      const i = y * width + x
      if (!nearSpeck && luma[i] !== TRANSPARENT) visit(i)
    }
}

/**
 * Whether the ring around `blob` holds detail nearly as marked as the blob: the blob is then part of a texture,
 * not a speck on it. Two specks closer than that see each other so, and are left (allowing for them found as many
 * on photos without dust as it gained on dusty ones).
 */
function busySurround(blob: SmallBlob, surround: Surround): boolean {
  const ring = new LevelCounts()
  forRing(blob, surround, (i) => ring.add(surround.away[i]!))
  return !standsOutFrom(ring, blob.contrast)
}

/** How far (0–255 levels) a speck's colour may lie off its surround's mixed with a grey: the noise's part... */
const TINT_LEVELS = 4
/** ...or this share of its difference from its surround: dirt is brownish, not a pure grey. */
const TINT_SHARE = 0.1

/**
 * Whether `blob`'s colour is its surround's mixed with a grey, as dust's is: dust is grey, white or black, so a
 * speck of it has its surround's hue with less of its colour, never another hue or more of it. A point of the
 * photo's own in a colour (a lily's red spots, a flower's yellow heart in grass) is no dust, however small.
 * Scratches are not held to this: a scratch through one dye layer of a film is coloured.
 */
function greyMixed(blob: Blob, surround: Surround): boolean {
  const { pixels, channels, depth } = surround.image
  const around: Rgb = [0, 0, 0]
  let count = 0
  forRing(blob, surround, (i) => {
    for (let c = 0; c < 3; c++) around[c] = around[c]! + pixels[i * channels + c]!
    count++
  })
  const speck: Rgb = [0, 0, 0]
  for (const i of blob.pixels) for (let c = 0; c < 3; c++) speck[c] = speck[c]! + pixels[i * channels + c]!
  const levels = depth === 16 ? 1 / 257 : 1
  const aroundMean = around.map((v) => (v / Math.max(1, count)) * levels) as Rgb
  const speckMean = speck.map((v) => (v / blob.pixels.length) * levels) as Rgb
  const off = offGreyMix(speckMean, aroundMean)
  return off <= Math.max(TINT_LEVELS, TINT_SHARE * distance(speckMean, aroundMean))
}

/** A colour less the grey of its mean: its colour alone. */
const chromaOf = (rgb: Rgb): Rgb => rgb.map((v) => v - (rgb[0] + rgb[1] + rgb[2]) / 3) as Rgb
const distance = (a: Rgb, b: Rgb): number => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])

/** How far `colour`'s chroma lies from every part (0 to all) of `surround`'s: 0 for the surround mixed with a grey. */
function offGreyMix(colour: Rgb, surround: Rgb): number {
  const own = chromaOf(colour)
  const base = chromaOf(surround)
  const baseSquared = base[0] ** 2 + base[1] ** 2 + base[2] ** 2
  const projected =
    baseSquared > 1e-9 ? (own[0] * base[0] + own[1] * base[1] + own[2] * base[2]) / baseSquared : 0
  const part = Math.min(1, Math.max(0, projected))
  return distance(own, base.map((v) => v * part) as Rgb)
}
