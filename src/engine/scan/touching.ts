import { components } from './mask.js'
import type { Piece } from './mask.js'
import { convexHull, minAreaRect } from './turned-rect.js'
import type { Point } from './turned-rect.js'

/**
 * Prints laid touching are one piece where the glass does not reach between them. A print fills its rectangle; two
 * turned apart, or offset, do not fill theirs, and their outline has a notch at each end of where they meet (the
 * deepest points of the gaps between the piece and its convex hull). Cut along the line between two notches, the
 * piece is the prints again, each filling its own rectangle. Two prints touching along a whole side, square to each
 * other and level, fill one rectangle and stay one.
 */

/** A print fills at least this share of its rectangle (its corners a little rounded, its edge a little uneven). */
const FILLED = 0.93
/** The deepest notches tried in pairs. */
const NOTCHES = 5
/** Cut no further than this: a row of prints touching in a chain is at most this many. */
const MOST_PRINTS = 8
/** Cuts tried for one piece at most (a cut, and each cut of its sides, is one). */
const MOST_CUTS_TRIED = 200

interface Box {
  x: number
  y: number
  width: number
  height: number
}

interface Notch {
  at: Point
  depth: number
}

/** `piece` (of a mask `width` wide) as the prints it is made of: itself, or two or more that touch. */
export function separated(piece: Piece, width: number, leastArea: number): Piece[] {
  if (fills(piece)) return [piece]
  return cutInto(piece, { width, leastArea, cutsLeft: MOST_CUTS_TRIED }, MOST_PRINTS) ?? [piece]
}

interface Cutting {
  width: number
  leastArea: number
  /** Cuts still to be tried for this piece: a piece of many notches is not tried every way. */
  cutsLeft: number
}

/**
 * The prints a piece that fills no rectangle is cut into, each filling its own, cut first between the deepest
 * notches; a side that fills none is cut again (a row of three). Null when no cut does that.
 */
function cutInto(piece: Piece, cutting: Cutting, most: number): Piece[] | null {
  if (most < 2) return null
  const box = boxOf(piece, cutting.width)
  const mask = new Uint8Array(box.width * box.height)
  for (const i of piece.pixels) mask[localIndex(i, cutting.width, box)] = 1
  const notches = notchesOf(mask, box, piece.outline)
  for (const [p, q] of pairsByDepth(notches)) {
    if (cutting.cutsLeft-- <= 0) return null
    const sides = sidesOf(mask, box, p.at, q.at)
    if (!sides || sides.some((side) => side.area < cutting.leastArea)) continue
    const [a, b] = sides.map((side) => inScan(side, box, cutting.width)) as [Piece, Piece]
    const first = fills(a) ? [a] : cutInto(a, cutting, most - 1)
    if (!first) continue
    const second = fills(b) ? [b] : cutInto(b, cutting, most - first.length)
    if (second) return [...first, ...second]
  }
  return null
}

/** Pairs of notches, the deepest pair first. */
function pairsByDepth(notches: Notch[]): [Notch, Notch][] {
  const pairs: [Notch, Notch][] = []
  for (let n = 0; n < notches.length; n++)
    for (let m = n + 1; m < notches.length; m++) pairs.push([notches[n]!, notches[m]!])
  return pairs.sort((a, b) => b[0].depth + b[1].depth - (a[0].depth + a[1].depth))
}

function fills(piece: Piece): boolean {
  const rect = minAreaRect(piece.outline)
  return piece.area >= FILLED * rect.width * rect.height
}

/** The piece's bounding box with a pixel of margin. */
function boxOf(piece: Piece, width: number): Box {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const i of piece.pixels) {
    const x = i % width
    const y = (i - x) / width
    ;[left, top] = [Math.min(left, x), Math.min(top, y)]
    ;[right, bottom] = [Math.max(right, x), Math.max(bottom, y)]
  }
  return { x: left - 1, y: top - 1, width: right - left + 3, height: bottom - top + 3 }
}

function localIndex(i: number, width: number, box: Box): number {
  const x = i % width
  const y = (i - x) / width
  return (y - box.y) * box.width + (x - box.x)
}

/** The deepest point of each gap between the piece (its outline in the scan) and its convex hull, deepest first. */
function notchesOf(mask: Uint8Array, box: Box, outline: Point[]): Notch[] {
  const hull = convexHull(outline.map((p) => ({ x: p.x - box.x, y: p.y - box.y })))
  const gaps = new Uint8Array(mask.length)
  for (let y = 0; y < box.height; y++)
    for (let x = 0; x < box.width; x++)
      if (!mask[y * box.width + x] && insideHull(hull, x + 0.5, y + 0.5)) gaps[y * box.width + x] = 1
  return components(gaps, box.width, box.height)
    .map((gap) => deepest(gap, hull, box.width))
    .sort((a, b) => b.depth - a.depth)
    .slice(0, NOTCHES)
}

function insideHull(hull: Point[], x: number, y: number): boolean {
  return hull.every((p, n) => {
    const q = hull[(n + 1) % hull.length]!
    return (q.x - p.x) * (y - p.y) - (q.y - p.y) * (x - p.x) >= 0
  })
}

/** A gap's pixel farthest inside the hull, and how far that is. */
function deepest(gap: Piece, hull: Point[], width: number): Notch {
  let best: Notch = { at: { x: 0, y: 0 }, depth: -1 }
  for (const i of gap.pixels) {
    const at = { x: (i % width) + 0.5, y: Math.floor(i / width) + 0.5 }
    const depth = Math.min(...hull.map((p, n) => distanceToLine(at, p, hull[(n + 1) % hull.length]!)))
    if (depth > best.depth) best = { at, depth }
  }
  return best
}

function distanceToLine(at: Point, p: Point, q: Point): number {
  const length = Math.hypot(q.x - p.x, q.y - p.y)
  return length === 0
    ? Math.hypot(at.x - p.x, at.y - p.y)
    : Math.abs((q.x - p.x) * (at.y - p.y) - (q.y - p.y) * (at.x - p.x)) / length
}

/** The piece cut along the line through `p` and `q`: the largest piece on each side, or null. */
function sidesOf(mask: Uint8Array, box: Box, p: Point, q: Point): [Piece, Piece] | null {
  const sides = [new Uint8Array(mask.length), new Uint8Array(mask.length)]
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const i = y * box.width + x
      if (!mask[i]) continue
      const left = (q.x - p.x) * (y + 0.5 - p.y) - (q.y - p.y) * (x + 0.5 - p.x) < 0
      sides[left ? 0 : 1]![i] = 1
    }
  }
  const parts = sides.map((side) => components(side, box.width, box.height).reduce(larger, null))
  return parts[0] && parts[1] ? [parts[0], parts[1]] : null
}

const larger = (a: Piece | null, b: Piece): Piece => (a && a.area >= b.area ? a : b)

/** A piece found in the box, in the scan's coordinates. */
function inScan(piece: Piece, box: Box, width: number): Piece {
  return {
    area: piece.area,
    outline: piece.outline.map((p) => ({ x: p.x + box.x, y: p.y + box.y })),
    pixels: piece.pixels.map((i) => {
      const x = i % box.width
      return ((i - x) / box.width + box.y) * width + x + box.x
    }),
  }
}
