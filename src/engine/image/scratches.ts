import { largestSpeck } from './dust.js'
import {
  LevelCounts,
  TRANSPARENT,
  blobFrom,
  filledAcross,
  forNeighbours,
  growFrom,
  nearKept,
  smallDetail,
  standsOutFrom,
} from './small-detail.js'
import type { Blob, LinePiece, SmallDetail } from './small-detail.js'
import type { KeptPlace } from '../../shared/settings.js'
import type { RasterImage } from './types.js'

/**
 * Scratches and hairs on an old print or the scanner's glass: thin lines, lighter (the emulsion scraped off) or
 * darker (a hair, a fibre) than what lies around them, which a ×4 enlargement would draw as sharp as the photo's
 * own edges. Found in the photo's small detail (its luma less its median over a window twice the largest speck of
 * dust), as lines only:
 * - a blob of detail standing out from the noise as dust must, its faint parts joined to it down to 40% of that
 *   (hysteresis, as Canny's edges are traced), less what of it is wider than half the largest speck (0.25 mm, 6 px
 *   at 600 dpi: where a line runs into a thicker detail of the photo), at least a millimetre long;
 * - not one of a set of lines side by side (a deck's boards, a blind's slats: the photo's own);
 * - cut into pieces about a millimetre long, each filled where it is a line (winding little, straight or gently
 *   bent: a scribble or handwriting is not) and stands out from its surround as a speck must;
 * - followed on from there through busy detail for as long as it keeps its shade (a scratch or a hair lies on the
 *   photo; a line of the photo's own takes on the light of what it passes), and through a short busy stretch
 *   between pieces that stood out whatever its shade;
 * - filled across the line, from the pixels beyond it on either side, so what crosses it runs on through it.
 * A thin line of the photo's own on a smooth surround (a power line across the sky, a taut rope) is a scratch too.
 */

/** The photo with its scratches filled, and how many lines were (in part or whole). */
export interface ScratchesRemoved {
  image: RasterImage
  scratches: number
}

/** A scratch's widest, as a share of the largest speck of dust, and at least so many pixels. */
const WIDEST_SHARE = 1 / 2
const LEAST_WIDEST = 2
/** A scratch is at least this many of the largest speck long (shorter blobs are dust, or the photo's). */
const SHORTEST_SPECKS = 2
/** A line's faint parts stand out from the median by this share of the threshold (hysteresis, as Canny's edges). */
const FAINT_SHARE = 0.4
/** A line winds no more than this: its length (area over width) over its reach along its main axis. */
const MOST_WINDING = 1.8
/** A piece of line spreads across its axis (beyond its width) no more than this share of its spread along it. */
const MOST_BEND = 0.3
/** A line's busy stretch is filled through where pieces on both sides, this many pieces away at most, stood out. */
const BRIDGED_PIECES = 3
/** A line followed through busy detail keeps its shade to within this many levels (0–255) from piece to piece. */
const SHADE_HELD = 6
/** Lines of a set lie parallel to within this (the sine of the angle between them: 8°)… */
const PARALLEL = Math.sin((8 * Math.PI) / 180)
/** …and this many of the largest speck apart at most (3 mm at 600 dpi). */
const SET_SPACING = 6
/** A part cut along itself is a curled line when at least this share of its pieces are lines. */
const CURLED_LINES = 0.75
/** A piece's contrast: the level this share of its pixels reach. */
const CORE_SHARE = 0.25

/** Where a photo's scratches and hairs are (each its pieces of line), and its largest speck's side. */
export interface FoundScratches {
  side: number
  scratches: LinePiece[][]
}

/** The scratches and hairs of `image`, found once however often they are filled (as the places kept change). */
export async function findScratches(image: RasterImage, density?: number): Promise<FoundScratches> {
  const side = largestSpeck(image, density)
  return { side, scratches: scratchesOf(await smallDetail(image, 2 * side + 1), image, side) }
}

/**
 * `image` with `found`'s scratches filled (a new raster; alpha as it was), but those passing within reach of a `kept`
 * place: the whole line is kept.
 */
export function filledScratches(
  image: RasterImage,
  { side, scratches }: FoundScratches,
  kept: readonly KeptPlace[] = [],
): ScratchesRemoved {
  const filled = scratches.filter((pieces) => !nearKept(pixelsOf(pieces), image.width, kept, side))
  return { image: filledAcross(image, filled.flat(), side), scratches: filled.length }
}

/** Every pixel of a scratch or hair, from its pieces of line. */
export const pixelsOf = (scratch: readonly LinePiece[]): number[] => scratch.flatMap((piece) => piece.pixels)

/** `image` with its scratches and hairs filled (a new raster; alpha as it was), but those near a `kept` place. */
export async function removeScratches(
  image: RasterImage,
  density?: number,
  kept: readonly KeptPlace[] = [],
): Promise<ScratchesRemoved> {
  return filledScratches(image, await findScratches(image, density), kept)
}

/** Each scratch's pixels to fill: the quiet pieces of each thin line. */
function scratchesOf(detail: SmallDetail, { width, height }: RasterImage, side: number): LinePiece[][] {
  const { luma, away, threshold } = detail
  const frame: Frame = {
    width,
    height,
    side,
    rounds: Math.ceil(Math.max(LEAST_WIDEST, Math.round(side * WIDEST_SHARE)) / 2),
    marks: new Uint8Array(away.length),
    parted: new Uint8Array(away.length),
  }
  const seen = new Uint8Array(away.length)
  const lines: Line[] = []
  for (let start = 0; start < away.length; start++) {
    if (seen[start] || luma[start] === TRANSPARENT || Math.abs(away[start]!) <= threshold) continue
    const sign = Math.sign(away[start]!)
    const faint = threshold * FAINT_SHARE
    const blob = blobFrom(
      start,
      width,
      height,
      (i) => luma[i] !== TRANSPARENT && away[i]! * sign > faint,
      seen,
    )
    if (reachOf(blob) < SHORTEST_SPECKS * side) continue
    for (const part of thinParts(blob, frame))
      if (reachOf(part) >= SHORTEST_SPECKS * side) {
        const axis = axisOf(part.pixels, width)
        lines.push({ part, axis, sign, whole: lineLike(part.pixels, axis, frame) })
      }
  }
  const wholeLines = lines.filter((line) => line.whole)
  return lines
    .filter((line) => !inASet(line, wholeLines, side))
    .map((line) => filledPieces(line, detail, frame))
    .filter((filled) => filled.length > 0)
}

/** A thin part of the photo's small detail, long enough to be a scratch: its main axis, and light (1) or dark (−1). */
interface Line {
  part: Blob
  axis: Axis
  sign: number
  /** Whether it is a line as a whole (winding little), not only in pieces. */
  whole: boolean
}

/**
 * Whether `line` is one of a set of lines of the photo's own: two others at least of `wholeLines` (not bits of a
 * texture), as light or as dark, lie beside it (parallel to within `PARALLEL`, no further off than `SET_SPACING`
 * largest specks, alongside it for half the shorter's length at least), as the gaps between a deck's boards, a
 * blind's slats or a fence's rails do. Scratches and hairs fall as they will.
 */
function inASet(line: Line, wholeLines: Line[], side: number): boolean {
  const { centre, across, start, reach } = line.axis
  const along = [across[1], -across[0]] as const
  let beside = 0
  for (const other of wholeLines) {
    if (other === line || other.sign !== line.sign) continue
    if (Math.abs(along[0] * other.axis.across[0] + along[1] * other.axis.across[1]) > PARALLEL) continue
    const offset = [other.axis.centre[0] - centre[0], other.axis.centre[1] - centre[1]] as const
    const apart = Math.abs(offset[0] * across[0] + offset[1] * across[1])
    if (apart < side / 2 || apart > SET_SPACING * side) continue
    const middle = offset[0] * along[0] + offset[1] * along[1]
    const overlap =
      Math.min(start + reach, middle + other.axis.reach / 2) - Math.max(start, middle - other.axis.reach / 2)
    if (overlap >= Math.min(reach, other.axis.reach) / 2 && ++beside >= 2) return true
  }
  return false
}

interface Frame {
  width: number
  height: number
  side: number
  /** Erosions a line at its widest does not survive. */
  rounds: number
  /** Scratch space, each left all 0 after use. */
  marks: Uint8Array
  parted: Uint8Array
}

const reachOf = (blob: Blob): number => Math.max(blob.right - blob.left, blob.bottom - blob.top) + 1

/**
 * `blob` less what of it is wider than a scratch (a line running into a thicker detail of the photo, or a lump of
 * noise on it): the pixels within `rounds` of one that survives `rounds` erosions. What is left, as 8-connected parts.
 */
function thinParts(blob: Blob, { width, height, rounds, marks, parted }: Frame): Blob[] {
  const { wide } = erodedDepth(blob.pixels, width, height, rounds, marks)
  if (wide.length === 0) return [blob]
  for (const i of blob.pixels) marks[i] = 1
  for (const i of wide) marks[i] = 2
  growFrom(wide, rounds, width, height, (j) => {
    if (marks[j] !== 1) return false
    marks[j] = 2
    return true
  })
  const parts: Blob[] = []
  for (const i of blob.pixels)
    if (marks[i] === 1 && !parted[i]) parts.push(blobFrom(i, width, height, (j) => marks[j] === 1, parted))
  for (const i of blob.pixels) {
    marks[i] = 0
    parted[i] = 0
  }
  return parts
}

/**
 * How deep `pixels` go: erode them (a pixel stays while its 8 neighbours do) up to `rounds` times; `depth` the most
 * rounds any pixel survived + 1, `wide` those that survived them all. `marks` is left all 0.
 */
function erodedDepth(
  pixels: number[],
  width: number,
  height: number,
  rounds: number,
  marks: Uint8Array,
): { depth: number; wide: number[] } {
  for (const i of pixels) marks[i] = 1
  let standing = pixels
  let depth = 1
  for (let round = 1; round <= rounds && standing.length > 0; round++) {
    const kept = standing.filter((i) => {
      const x = i % width
      const y = (i - x) / width
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) return false
      let inside = true
      forNeighbours(x, y, width, height, (j) => {
        if (marks[j]! < round) inside = false
      })
      return inside
    })
    for (const i of kept) marks[i] = round + 1
    if (kept.length > 0) depth = round + 1
    standing = kept
  }
  for (const i of pixels) marks[i] = 0
  return { depth, wide: standing }
}

/** Where along a blob's main axis (its pixels' first principal axis) each pixel lies, from `start`. */
interface Axis {
  along: (i: number) => number
  start: number
  reach: number
  /** The pixels' variance along the axis and across it. */
  variance: { along: number; across: number }
  /** The unit step across the axis. */
  across: readonly [number, number]
  /** The pixels' mean position (x, y). */
  centre: readonly [number, number]
}

/** `pixels`' main axis, from the eigenvectors of their coordinates' covariance. */
function axisOf(pixels: number[], width: number): Axis {
  let mx = 0
  let my = 0
  for (const i of pixels) {
    mx += i % width
    my += Math.floor(i / width)
  }
  mx /= pixels.length
  my /= pixels.length
  let xx = 0
  let yy = 0
  let xy = 0
  for (const i of pixels) {
    const dx = (i % width) - mx
    const dy = Math.floor(i / width) - my
    xx += dx * dx
    yy += dy * dy
    xy += dx * dy
  }
  const n = pixels.length
  const [meanSquare, spread] = [(xx + yy) / (2 * n), Math.hypot((xx - yy) / (2 * n), xy / n)]
  const variance = { along: meanSquare + spread, across: meanSquare - spread }
  const angle = Math.atan2(2 * xy, xx - yy) / 2
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)]
  const along = (i: number): number => ((i % width) - mx) * cos + (Math.floor(i / width) - my) * sin
  let start = Infinity
  let end = -Infinity
  for (const i of pixels) {
    const t = along(i)
    start = Math.min(start, t)
    end = Math.max(end, t)
  }
  return { along, start, reach: end - start + 1, variance, across: [-sin, cos], centre: [mx, my] }
}

/**
 * The pixels of `part` to fill: cut into pieces about twice the largest speck long (along its main axis where it is
 * a whole line, else along itself, so a curled hair's pieces are short arcs of it), those that are lines (winding
 * little) and stand out from the ring around them (beyond their one-pixel edge, to half the largest speck away),
 * and those of a whole or a curled line it is followed through from them. Each with its own normal.
 */
function filledPieces(
  { part, axis, whole: wholeLine }: Line,
  detail: SmallDetail,
  frame: Frame,
): LinePiece[] {
  const { width, side } = frame
  const { count, pieceOf } = wholeLine ? cutAlongAxis(axis, side) : cutAlongPath(part.pixels, axis, frame)
  const pieces = Array.from({ length: count }, (): number[] => [])
  for (const i of part.pixels) pieces[pieceOf(i)]!.push(i)
  const rings = Array.from({ length: count }, () => new LevelCounts())
  const ring = { grow: Math.max(2, Math.ceil(side / 2)), traced: !wholeLine }
  forRing(part.pixels, frame, ring, (i, countedAt) => {
    if (detail.luma[i] !== TRANSPARENT) rings[pieceOf(countedAt)]!.add(detail.away[i]!)
  })
  // A line as a whole is judged piece by piece on its surround alone; a blob that is not (a line that ran into
  // a texture of thin detail, a scribble) keeps only the pieces that are lines themselves.
  const axes: Axis[] = []
  const axisOfPiece = (piece: number): Axis => (axes[piece] ??= axisOf(pieces[piece]!, width))
  const lines = pieces.map(
    (pixels, piece) => pixels.length > 0 && (wholeLine || lineLike(pixels, axisOfPiece(piece), frame)),
  )
  const standing = pieces.map(
    (pixels, piece) => lines[piece]! && standsOutFrom(rings[piece]!, coreOf(pixels, detail.away)),
  )
  const filled =
    wholeLine || curledLine(lines, pieces)
      ? followed(standing, bridged(standing, pieces), pieces, detail)
      : standing
  return pieces.flatMap((pixels, piece) =>
    filled[piece] ? [{ pixels, across: axisOfPiece(piece).across }] : [],
  )
}

/**
 * Whether a part cut along itself is one curled line (a hair), to be followed as a whole line is: most of its pieces
 * are lines, those at its tightest turns need not be. A patch of texture's pieces mostly are not.
 */
function curledLine(lines: boolean[], pieces: number[][]): boolean {
  const shown = pieces.filter((pixels) => pixels.length > 0).length
  return lines.filter(Boolean).length >= CURLED_LINES * shown
}

interface Cut {
  count: number
  /** The piece a pixel of the part (or, along its axis, any pixel) falls in, from 0 to count − 1. */
  pieceOf: (i: number) => number
}

/** Pieces about `SHORTEST_SPECKS` largest specks long, along the part's main axis: a line's. */
function cutAlongAxis(axis: Axis, side: number): Cut {
  const count = Math.max(1, Math.round(axis.reach / (SHORTEST_SPECKS * side)))
  return {
    count,
    pieceOf: (i) =>
      Math.min(count - 1, Math.max(0, Math.floor(((axis.along(i) - axis.start) / axis.reach) * count))),
  }
}

/**
 * Pieces about `SHORTEST_SPECKS` largest specks long, along the part itself: by how many steps each pixel is from
 * the part's far end (the pixel furthest, within it, from where its main axis starts). A curled hair's pieces are
 * then short arcs of it, each nearly straight, where pieces across its main axis would hold several turns.
 */
function cutAlongPath(pixels: number[], axis: Axis, frame: Frame): Cut {
  let first = pixels[0]!
  for (const i of pixels) if (axis.along(i) < axis.along(first)) first = i
  const end = stepsWithin(pixels, first, frame).farthest
  const steps = new Map<number, number>()
  const { most } = stepsWithin(pixels, end, frame, steps)
  const count = Math.max(1, Math.round((most + 1) / (SHORTEST_SPECKS * frame.side)))
  return { count, pieceOf: (i) => Math.min(count - 1, Math.floor((steps.get(i)! / (most + 1)) * count)) }
}

/**
 * The most steps (8-connected, within `pixels`) any of them is from `start`, and a pixel that far; each one's steps
 * recorded in `steps` when asked.
 */
function stepsWithin(
  pixels: number[],
  start: number,
  { width, height, marks }: Frame,
  steps?: Map<number, number>,
): { most: number; farthest: number } {
  for (const i of pixels) marks[i] = 1
  steps?.set(start, 0)
  let [most, farthest] = [0, start]
  marks[start] = 0
  growFrom([start], Infinity, width, height, (j, step) => {
    if (marks[j] !== 1) return false
    marks[j] = 0
    steps?.set(j, step)
    if (step > most) [most, farthest] = [step, j]
    return true
  })
  for (const i of pixels) marks[i] = 0
  return { most, farthest }
}

/**
 * `standing` with the pieces of one line between two that stood out, no more than `BRIDGED_PIECES` away on each
 * side, filled too, whatever their shade: where a scratch crosses a short stretch of busy detail (a strand of hair
 * across a face) that changes how it measures, it is filled through rather than left as a bright dash.
 */
function bridged(standing: boolean[], pieces: number[][]): boolean[] {
  const near = (from: number, step: number): boolean =>
    Array.from({ length: BRIDGED_PIECES }, (_, k) => standing[from + step * (k + 1)]).some(Boolean)
  return standing.map(
    (stands, piece) => stands || (pieces[piece]!.length > 0 && near(piece, -1) && near(piece, 1)),
  )
}

/**
 * `filled` with the line followed on from each piece that stood out, piece by piece each way, for as long as it keeps
 * its shade (each piece within `SHADE_HELD` levels of the last taken): a scratch or a hair lies on the photo and
 * keeps its own shade across whatever it crosses, where a line of the photo's own takes on the light of what it
 * passes through. So a scratch is filled across busy detail too, the detail on either side carried through it.
 */
function followed(
  standing: boolean[],
  filled: boolean[],
  pieces: number[][],
  detail: SmallDetail,
): boolean[] {
  const shades = pieces.map((pixels) => (pixels.length > 0 ? shadeOf(pixels, detail) : NaN))
  const out = [...filled]
  standing.forEach((stands, from) => {
    if (!stands) return
    for (const step of [-1, 1]) {
      let last = shades[from]!
      for (let piece = from + step; piece >= 0 && piece < pieces.length && !standing[piece]; piece += step) {
        if (!(Math.abs(shades[piece]! - last) <= SHADE_HELD)) break
        out[piece] = true
        last = shades[piece]!
      }
    }
  })
  return out
}

/**
 * Whether `pixels` are a line that winds little: their length (count over width) over their reach along their main
 * axis, and their spread across it (less the line's own width's) against their spread along it.
 */
function lineLike(pixels: number[], axis: Axis, { width, height, rounds, marks }: Frame): boolean {
  const { depth } = erodedDepth(pixels, width, height, rounds, marks)
  const lineWidth = 2 * depth - 0.5 // a line of depth d (erosions it survives + 1) is 2d − 1 or 2d wide
  const { reach, variance } = axis
  const bend = Math.max(0, variance.across - (2 * depth) ** 2 / 12) // a uniform width w spreads w²/12 across
  return pixels.length / (lineWidth * reach) <= MOST_WINDING && bend <= MOST_BEND ** 2 * variance.along
}

/** How far a piece of line stands from the median along its core (not its soft edges): a quarter reach it. */
function coreOf(pixels: number[], away: Int16Array): number {
  const levels = new LevelCounts()
  for (const i of pixels) levels.add(away[i]!)
  return levels.above(CORE_SHARE)
}

/** A piece of line's shade: the mean luma of its core (the quarter of it that stands furthest from the median). */
function shadeOf(pixels: number[], { away, luma }: SmallDetail): number {
  const core = coreOf(pixels, away)
  let sum = 0
  let count = 0
  for (const i of pixels)
    if (Math.abs(away[i]!) >= core) {
      sum += luma[i]!
      count++
    }
  return sum / count
}

/**
 * Calls `visit` with each pixel 2 to `grow` steps (8-connected) from `pixels`, and where it counts: when `traced`, the
 * one of `pixels` it was reached from, else itself. `marks` is left all 0.
 */
function forRing(
  pixels: number[],
  { width, height, marks }: Frame,
  { grow, traced }: { grow: number; traced: boolean },
  visit: (i: number, countedAt: number) => void,
): void {
  const touched = [...pixels]
  const sources = traced ? new Map<number, number>() : null
  for (const i of pixels) marks[i] = 1
  growFrom(pixels, grow, width, height, (j, step, from) => {
    if (marks[j]) return false
    marks[j] = 1
    touched.push(j)
    const source = !sources ? j : step === 1 ? from : sources.get(from)!
    sources?.set(j, source)
    if (step >= 2) visit(j, source)
    return true
  })
  for (const i of touched) marks[i] = 0
}
