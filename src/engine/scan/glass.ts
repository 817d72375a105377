import type { SmallRgb } from './find-prints.js'

/**
 * A scanner's glass (its lid, or a black backing) along the scan's border: one colour, or one that shades evenly
 * across the glass (a lid lit less at one side, a lid left open), with no more grain than a sensor's noise (σ 1.5–3
 * levels on the tests' synthetic scans; no real scanner's was at hand); a photo's border varies by tens of levels.
 */
export interface Glass {
  /** How far pixel `i` is from the glass there: the largest difference in one channel. */
  apart(i: number): number
  /** Farther than this in colour, or an edge stronger than `edgeStep`, is not glass. */
  colourStep: number
  edgeStep: number
}

const LEAST_GLASS_SHARE = 0.5
const MOST_GLASS_GRAIN = 6
/** Pieces of each side of the border whose colours the glass's shading is fitted to (a print over some is left out). */
const PIECES_PER_SIDE = 16
/** Levels a piece of glass may be off the glass's fit so far: its shading over a quarter of the scan, and its grain. */
const NEAR_THE_FIT = 10

/** The glass the scan's border shows, or null where it shows none: the file is one photo, or prints cover the edge. */
export function glassOf(scan: SmallRgb): Glass | null {
  const { width, height, pixels } = scan
  const shading = fittedShading(borderPieces(scan))
  const apart = (i: number): number => {
    const u = ((i % width) + 0.5) / width
    const v = (Math.floor(i / width) + 0.5) / height
    let most = 0
    for (let c = 0; c < 3; c++) most = Math.max(most, Math.abs(pixels[i * 3 + c]! - shading(c, u, v)))
    return most
  }
  const offTheGlass = framePixels(width, height).map(apart)
  // The grain as a standard deviation, by the median absolute deviation: prints over part of the border do not count.
  const grain = 1.4826 * median(offTheGlass)
  const colourStep = Math.max(12, 6 * grain)
  const share = offTheGlass.filter((off) => off <= colourStep).length / offTheGlass.length
  if (grain > MOST_GLASS_GRAIN || share < LEAST_GLASS_SHARE) return null
  return { apart, colourStep, edgeStep: Math.max(6, 5 * grain) }
}

/** A piece of the border: where it lies (0–1 across and down the scan) and its median colour. */
interface BorderPiece {
  u: number
  v: number
  colour: number[]
}

function borderPieces({ width, height, pixels }: SmallRgb): BorderPiece[] {
  const depth = frameDepth(width, height)
  const pieces: BorderPiece[] = []
  const add = (x0: number, y0: number, x1: number, y1: number): void => {
    const at: number[] = []
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) at.push(y * width + x)
    if (at.length === 0) return
    const colour = [0, 1, 2].map((c) => median(at.map((i) => pixels[i * 3 + c]!)))
    pieces.push({ u: (x0 + x1) / 2 / width, v: (y0 + y1) / 2 / height, colour })
  }
  for (let n = 0; n < PIECES_PER_SIDE; n++) {
    const [x0, x1] = [
      Math.floor((n * width) / PIECES_PER_SIDE),
      Math.floor(((n + 1) * width) / PIECES_PER_SIDE),
    ]
    const [y0, y1] = [
      Math.floor((n * height) / PIECES_PER_SIDE),
      Math.floor(((n + 1) * height) / PIECES_PER_SIDE),
    ]
    add(x0, 0, x1, depth)
    add(x0, height - depth, x1, height)
    add(0, y0, depth, y1)
    add(width - depth, y0, width, y1)
  }
  return pieces
}

/**
 * The glass's colour across the scan, a plane per channel fitted to the border's pieces near it: first a flat colour
 * (the pieces' median, glass along most of the border), then the plane through the pieces near the last fit, three
 * times, so that an even shading is followed and the pieces a print covers are left out.
 */
function fittedShading(pieces: BorderPiece[]): (channel: number, u: number, v: number) => number {
  let planes: Plane[] = [0, 1, 2].map((c): Plane => [median(pieces.map((piece) => piece.colour[c]!)), 0, 0])
  const off = (piece: BorderPiece): number =>
    Math.max(...[0, 1, 2].map((c) => Math.abs(piece.colour[c]! - at(planes[c]!, piece.u, piece.v))))
  for (let round = 0; round < 3; round++) {
    const near = pieces.filter((piece) => off(piece) <= NEAR_THE_FIT)
    if (near.length < 3) break
    planes = [0, 1, 2].map((c) => planeThrough(near, c))
  }
  return (channel, u, v) => at(planes[channel]!, u, v)
}

type Plane = [number, number, number]

const at = ([a, b, d]: Plane, u: number, v: number): number => a + b * u + d * v

/** The least-squares plane a + b·u + d·v through the pieces' colours in one channel (its normal equations). */
function planeThrough(pieces: BorderPiece[], channel: number): Plane {
  const m = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ]
  const r = [0, 0, 0]
  for (const { u, v, colour } of pieces) {
    const basis = [1, u, v]
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 3; k++) m[j]![k]! += basis[j]! * basis[k]!
      r[j]! += basis[j]! * colour[channel]!
    }
  }
  return solve3(m, r)
}

/** Cramer's rule; a border too even to tell a slope by (every piece in one place) is taken as flat. */
function solve3(m: number[][], r: number[]): Plane {
  const det = (a: number[][]): number =>
    a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) -
    a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) +
    a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!)
  const whole = det(m)
  if (Math.abs(whole) < 1e-12) return [r[0]! / Math.max(1, m[0]![0]!), 0, 0]
  const column = (k: number) => det(m.map((row, j) => row.map((value, c) => (c === k ? r[j]! : value))))
  return [column(0) / whole, column(1) / whole, column(2) / whole]
}

function frameDepth(width: number, height: number): number {
  return Math.max(2, Math.round(0.01 * Math.min(width, height)))
}

/** The indices of the scan's outer frame of pixels, 1% of its size deep (2 at least). */
function framePixels(width: number, height: number): number[] {
  const depth = frameDepth(width, height)
  const frame: number[] = []
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= depth && x < width - depth && y >= depth && y < height - depth
      if (!inside) frame.push(y * width + x)
    }
  }
  return frame
}

function median(values: number[]): number {
  const sorted = Float64Array.from(values).sort()
  return sorted[sorted.length >> 1] ?? 0
}
