import { clampIndex } from '../image/resample.js'
import { glassOf } from './glass.js'
import type { Glass } from './glass.js'
import { components, opened, squareFilter } from './mask.js'
import { separated } from './touching.js'
import { minAreaRect } from './turned-rect.js'
import type { TurnedRect } from './turned-rect.js'

/** An 8-bit RGB raster, small enough to look at every pixel (a scan shrunk to about 1,600 px). */
export interface SmallRgb {
  width: number
  height: number
  pixels: Uint8Array
}

/** A piece smaller than this share of the scan is dust, a hair or a note, not a print. */
const LEAST_AREA_SHARE = 0.01
/** …and one narrower than this share of the scan's longer side a strip of tape or a ruler. */
const LEAST_SIDE_SHARE = 0.04
/** Pixels the print's found outline goes beyond the print: the edge filter's reach, and the pixel its mask is grown by. */
const OUTLINE_SPREAD = 3

export interface FoundLayout {
  /** Whether the scan's border shows a scanner's glass: if not, the file is one photo (or prints hide the glass's edge). */
  glassSeen: boolean
  prints: TurnedRect[]
}

/**
 * The prints laid on a scanner's glass, as turned rectangles in the raster's pixels, in reading order (rows
 * from the top, each from the left). The glass is what the scan's border shows; a print is a region the glass
 * does not reach around: it differs from the glass in colour, or is cut off from it by an edge, as a white
 * border is by the thin shadow the scanner's light leaves along the print's side.
 */
export function findPrints(scan: SmallRgb): FoundLayout {
  const glass = glassOf(scan)
  if (!glass) return { glassSeen: false, prints: [] }
  // Grown by a pixel, a faint edge's gaps (where the sensor's noise hides it) close: the glass does not leak in.
  const foreground = squareFilter(foregroundOf(scan, glass), scan.width, scan.height, 1, Math.max)
  const reached = glassReached(foreground, scan.width, scan.height)
  const prints = opened(not(reached), scan.width, scan.height, 3)
  const longSide = Math.max(scan.width, scan.height)
  const leastArea = LEAST_AREA_SHARE * scan.width * scan.height
  const found = components(prints, scan.width, scan.height)
    .filter((piece) => piece.area >= leastArea)
    .flatMap((piece) => separated(piece, scan.width, leastArea))
    .map((piece) => minAreaRect(piece.outline))
    .filter((rect) => Math.min(rect.width, rect.height) >= LEAST_SIDE_SHARE * longSide)
    .map((rect) => ({
      ...rect,
      width: rect.width - 2 * OUTLINE_SPREAD,
      height: rect.height - 2 * OUTLINE_SPREAD,
    }))
  return { glassSeen: true, prints: inReadingOrder(found) }
}

/** What a pixel's colour or an edge sets apart from the glass. */
function foregroundOf({ width, height, pixels }: SmallRgb, glass: Glass): Uint8Array {
  const grey = new Float32Array(width * height)
  for (let i = 0; i < grey.length; i++)
    grey[i] = (pixels[i * 3]! + pixels[i * 3 + 1]! + pixels[i * 3 + 2]!) / 3
  const foreground = new Uint8Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x
      const differs = glass.apart(i) > glass.colourStep
      if (differs || edgeStrength(grey, width, height, x, y) > glass.edgeStep) foreground[i] = 1
    }
  }
  return foreground
}

/** Sobel's gradient, scaled to the step between two flat sides. */
function edgeStrength(grey: Float32Array, width: number, height: number, x: number, y: number): number {
  const at = (dx: number, dy: number): number =>
    grey[clampIndex(y + dy, height) * width + clampIndex(x + dx, width)]!
  const gx = at(1, -1) + 2 * at(1, 0) + at(1, 1) - at(-1, -1) - 2 * at(-1, 0) - at(-1, 1)
  const gy = at(-1, 1) + 2 * at(0, 1) + at(1, 1) - at(-1, -1) - 2 * at(0, -1) - at(1, -1)
  return Math.hypot(gx, gy) / 4
}

/** Every pixel the glass reaches from the scan's border without crossing the foreground. */
function glassReached(foreground: Uint8Array, width: number, height: number): Uint8Array {
  const reached = new Uint8Array(width * height)
  const stack = new Int32Array(width * height)
  let top = 0
  const visit = (i: number): void => {
    if (reached[i] || foreground[i]) return
    reached[i] = 1
    stack[top++] = i
  }
  for (let x = 0; x < width; x++) {
    visit(x)
    visit((height - 1) * width + x)
  }
  for (let y = 0; y < height; y++) {
    visit(y * width)
    visit(y * width + width - 1)
  }
  while (top > 0) {
    const i = stack[--top]!
    const x = i % width
    if (x > 0) visit(i - 1)
    if (x < width - 1) visit(i + 1)
    if (i >= width) visit(i - width)
    if (i < width * (height - 1)) visit(i + width)
  }
  return reached
}

function not(mask: Uint8Array): Uint8Array {
  return mask.map((v) => 1 - v)
}

/** Rows from the top (a print whose centre lies within the row's first print's height joins it), each from the left. */
function inReadingOrder(rects: TurnedRect[]): TurnedRect[] {
  const byTop = [...rects].sort((a, b) => a.cy - b.cy)
  const rows: TurnedRect[][] = []
  for (const rect of byTop) {
    const row = rows[rows.length - 1]
    if (row && Math.abs(rect.cy - row[0]!.cy) < row[0]!.height / 2) row.push(rect)
    else rows.push([rect])
  }
  return rows.flatMap((row) => row.sort((a, b) => a.cx - b.cx))
}
