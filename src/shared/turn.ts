/**
 * A quarter turn of a photo, clockwise, after its own orientation (EXIF) stands it upright: for a print laid sideways
 * on a scanner, or a phone photo whose orientation tag was lost. Places of the photo kept from dust and scratch
 * removal stay in its file's upright pixels, whatever its turn: turning it back and forth never moves them.
 */
import type { PhotoPoint } from './settings.js'

export const QUARTER_TURNS = [0, 90, 180, 270] as const
export type QuarterTurn = (typeof QUARTER_TURNS)[number]

interface Size {
  width: number
  height: number
}

export function isQuarterTurn(value: unknown): value is QuarterTurn {
  return QUARTER_TURNS.includes(value as QuarterTurn)
}

/** The turn a quarter further to the `right` (clockwise) or the left. */
export function nextTurn(turn: QuarterTurn, right: boolean): QuarterTurn {
  return ((turn + (right ? 90 : 270)) % 360) as QuarterTurn
}

/** A `size` turned: its sides swapped by a quarter turn either way. */
export function turnedSize<N>(size: { width: N; height: N }, turn: QuarterTurn): { width: N; height: N } {
  return turn % 180 ? { width: size.height, height: size.width } : { width: size.width, height: size.height }
}

/** Where `point` of a photo of `size` lands once the photo is turned by `turn`. */
export function turnedPoint(point: PhotoPoint, turn: QuarterTurn, size: Size): PhotoPoint {
  const { x, y } = point
  const [right, bottom] = [size.width - 1 - x, size.height - 1 - y]
  if (turn === 90) return { x: size.height - 1 - y, y: x }
  if (turn === 180) return { x: right, y: bottom }
  if (turn === 270) return { x: y, y: right }
  return { x, y }
}

/** Where `point` of a photo turned by `turn` (and now of `turned` size) was before it was turned. */
export function unturnedPoint(point: PhotoPoint, turn: QuarterTurn, turned: Size): PhotoPoint {
  return turnedPoint(point, ((360 - turn) % 360) as QuarterTurn, turned)
}

/** A turn in words: "turned a quarter right", "turned upside down", "turned a quarter left"; '' for none. */
export function turnWords(turn: QuarterTurn): string {
  if (turn === 90) return 'turned a quarter right'
  if (turn === 180) return 'turned upside down'
  if (turn === 270) return 'turned a quarter left'
  return ''
}

/** The command line's turn: 90, 180 or 270 degrees clockwise, or `right`, `left`; null for anything else. */
export function parseTurn(text: string): QuarterTurn | null {
  const named: Record<string, QuarterTurn> = {
    right: 90,
    left: 270,
    '0': 0,
    '90': 90,
    '180': 180,
    '270': 270,
  }
  return named[text.trim().toLowerCase()] ?? null
}
