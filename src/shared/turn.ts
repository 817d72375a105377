/**
 * A quarter turn of a photo, clockwise, after its own orientation (EXIF) stands it upright: for a print laid sideways
 * on a scanner, or a phone photo whose orientation tag was lost; and a mirror, left to right, before the turn: for a
 * slide or negative scanned from the wrong side, or a selfie the phone mirrored. Places of the photo kept from dust and
 * scratch removal stay in its file's upright pixels, whatever its facing: turning or mirroring it never moves them.
 */
import type { PhotoPoint } from './settings.js'

export const QUARTER_TURNS = [0, 90, 180, 270] as const
export type QuarterTurn = (typeof QUARTER_TURNS)[number]

interface Size {
  width: number
  height: number
}

/**
 * How a photo lies when it is enhanced: `mirrored` left to right first (as its file stands upright), then `turn`ed
 * clockwise. Sharp's own order (`flop` before `rotate`), so a view reads it in one pass.
 */
export interface Facing {
  turn: QuarterTurn
  mirrored: boolean
}

/** A photo as its file stands upright: not turned, not mirrored. */
export const UPRIGHT: Facing = { turn: 0, mirrored: false }

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

/** Where `point` of a photo of `size` lands once the photo faces as `facing` says (mirrored, then turned). */
export function turnedPoint(point: PhotoPoint, facing: Facing, size: Size): PhotoPoint {
  const x = facing.mirrored ? size.width - 1 - point.x : point.x
  const { y } = point
  const [right, bottom] = [size.width - 1 - x, size.height - 1 - y]
  if (facing.turn === 90) return { x: size.height - 1 - y, y: x }
  if (facing.turn === 180) return { x: right, y: bottom }
  if (facing.turn === 270) return { x: y, y: right }
  return { x, y }
}

/** Where `point` of a photo facing as `facing` says (and now of `turned` size) was on the photo as its file stands. */
export function unturnedPoint(point: PhotoPoint, facing: Facing, turned: Size): PhotoPoint {
  const back = ((360 - facing.turn) % 360) as QuarterTurn
  const unturned = turnedPoint(point, { turn: back, mirrored: false }, turned)
  return facing.mirrored
    ? turnedPoint(unturned, { turn: 0, mirrored: true }, turnedSize(turned, back))
    : unturned
}

/** `facing` turned a quarter further to the `right` (clockwise) or the left, as the photo is shown. */
export function turnedFacing(facing: Facing, right: boolean): Facing {
  return { turn: nextTurn(facing.turn, right), mirrored: facing.mirrored }
}

/**
 * `facing` with the photo as shown mirrored left to right: mirroring a turned photo is mirroring it first and turning
 * it the other way (a quarter right, mirrored, is mirrored and a quarter left).
 */
export function mirroredFacing(facing: Facing): Facing {
  return { turn: ((360 - facing.turn) % 360) as QuarterTurn, mirrored: !facing.mirrored }
}

export function sameFacing(a: Facing, b: Facing): boolean {
  return a.turn === b.turn && a.mirrored === b.mirrored
}

/** A facing from what a job or photo keeps of it (`mirrored` said only where it is). */
export function facingOf(turn: QuarterTurn | undefined, mirrored: boolean | undefined): Facing {
  return { turn: turn ?? 0, mirrored: mirrored ?? false }
}

/** A facing as the engine's settings say it: each said only where it is not upright's (`turn`, `mirrored`). */
export function facingSettings({ turn, mirrored }: Facing): { turn?: QuarterTurn; mirrored?: true } {
  return { ...(turn ? { turn } : {}), ...(mirrored ? { mirrored: true as const } : {}) }
}

/** A turn in words: "turned a quarter right", "turned upside down", "turned a quarter left"; '' for none. */
export function turnWords(turn: QuarterTurn): string {
  if (turn === 90) return 'turned a quarter right'
  if (turn === 180) return 'turned upside down'
  if (turn === 270) return 'turned a quarter left'
  return ''
}

/** A facing in words: "mirrored", "mirrored and turned a quarter right", "turned upside down"; '' for upright. */
export function facingWords({ turn, mirrored }: Facing): string {
  const turned = turnWords(turn)
  if (!mirrored) return turned
  return turned ? `mirrored and ${turned}` : 'mirrored'
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
