import { describe, expect, it } from 'vitest'
import {
  QUARTER_TURNS,
  UPRIGHT,
  facingOf,
  facingSettings,
  facingWords,
  isQuarterTurn,
  mirroredFacing,
  nextTurn,
  parseTurn,
  sameFacing,
  turnWords,
  turnedFacing,
  turnedPoint,
  turnedSize,
  unturnedPoint,
} from '../../src/shared/turn.js'
import type { Facing, QuarterTurn } from '../../src/shared/turn.js'

const right = (turn: QuarterTurn): Facing => ({ turn, mirrored: false })
const mirrored = (turn: QuarterTurn): Facing => ({ turn, mirrored: true })

describe('quarter turns', () => {
  const size = { width: 4, height: 3 }

  it("takes a photo's corners where a clockwise turn takes them", () => {
    const corners = [
      { x: 0, y: 0 },
      { x: 3, y: 0 },
      { x: 3, y: 2 },
      { x: 0, y: 2 },
    ]
    // Right: the top left goes to the top right of the 3 × 4 photo it becomes, and so round.
    expect(corners.map((p) => turnedPoint(p, right(90), size))).toEqual([
      { x: 2, y: 0 },
      { x: 2, y: 3 },
      { x: 0, y: 3 },
      { x: 0, y: 0 },
    ])
    expect(corners.map((p) => turnedPoint(p, right(180), size))).toEqual([
      corners[2],
      corners[3],
      corners[0],
      corners[1],
    ])
    expect(corners.map((p) => turnedPoint(p, right(270), size))).toEqual([
      { x: 0, y: 3 },
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 3 },
    ])
  })

  it('mirrors left to right first, then turns', () => {
    // The top left corner is the top right mirrored; turned right after, the bottom right of the 3 × 4 photo.
    expect(turnedPoint({ x: 0, y: 0 }, mirrored(0), size)).toEqual({ x: 3, y: 0 })
    expect(turnedPoint({ x: 0, y: 0 }, mirrored(90), size)).toEqual({ x: 2, y: 3 })
    expect(turnedPoint({ x: 1, y: 2 }, mirrored(180), size)).toEqual({ x: 1, y: 0 })
    expect(turnedPoint({ x: 1, y: 2 }, mirrored(270), size)).toEqual({ x: 2, y: 1 })
  })

  it('gives every pixel a place of its own, and back', () => {
    for (const facing of [...QUARTER_TURNS.map(right), ...QUARTER_TURNS.map(mirrored)]) {
      const turned = turnedSize(size, facing.turn)
      const seen = new Set<string>()
      for (let y = 0; y < size.height; y++)
        for (let x = 0; x < size.width; x++) {
          const to = turnedPoint({ x, y }, facing, size)
          expect(to.x).toBeGreaterThanOrEqual(0)
          expect(to.x).toBeLessThan(turned.width)
          expect(to.y).toBeLessThan(turned.height)
          seen.add(`${to.x},${to.y}`)
          expect(unturnedPoint(to, facing, turned)).toEqual({ x, y })
        }
      expect(seen.size).toBe(12)
    }
  })

  it('mirrors the photo as shown, and turns it as shown, whatever it faces', () => {
    // For every facing: the photo as shown, mirrored (its columns read right to left), is the photo facing the
    // mirrored facing; turned a quarter right as shown, the photo facing the turned facing.
    for (const facing of [...QUARTER_TURNS.map(right), ...QUARTER_TURNS.map(mirrored)]) {
      const shown = turnedSize(size, facing.turn)
      for (let y = 0; y < size.height; y++)
        for (let x = 0; x < size.width; x++) {
          const at = turnedPoint({ x, y }, facing, size)
          expect(turnedPoint({ x, y }, mirroredFacing(facing), size)).toEqual({
            x: shown.width - 1 - at.x,
            y: at.y,
          })
          expect(turnedPoint({ x, y }, turnedFacing(facing, true), size)).toEqual(
            turnedPoint(at, right(90), shown),
          )
        }
      expect(mirroredFacing(mirroredFacing(facing))).toEqual(facing)
    }
    expect(mirroredFacing(right(90))).toEqual(mirrored(270))
    expect(turnedFacing(mirrored(270), false)).toEqual(mirrored(180))
  })

  it('says a facing in words and in settings, each only where it is not upright', () => {
    expect([right(0), mirrored(0), mirrored(90), right(180)].map(facingWords)).toEqual([
      '',
      'mirrored',
      'mirrored and turned a quarter right',
      'turned upside down',
    ])
    expect([UPRIGHT, mirrored(0), right(270), mirrored(180)].map(facingSettings)).toEqual([
      {},
      { mirrored: true },
      { turn: 270 },
      { turn: 180, mirrored: true },
    ])
    expect([facingOf(undefined, undefined), facingOf(90, undefined), facingOf(0, true)]).toEqual([
      UPRIGHT,
      right(90),
      mirrored(0),
    ])
    expect([sameFacing(right(90), right(90)), sameFacing(right(90), mirrored(90))]).toEqual([true, false])
  })

  it('turns a quarter at a time either way, and reads the command line', () => {
    expect([nextTurn(0, true), nextTurn(270, true), nextTurn(0, false), nextTurn(180, false)]).toEqual([
      90, 0, 270, 90,
    ])
    expect(turnedSize(size, 270)).toEqual({ width: 3, height: 4 })
    expect(turnedSize(size, 180)).toEqual(size)
    expect(['90', ' 180', 'LEFT', 'right', '270', '0'].map(parseTurn)).toEqual([90, 180, 270, 90, 270, 0])
    expect(['45', '-90', '360', '', 'up'].map(parseTurn)).toEqual([null, null, null, null, null])
    expect([isQuarterTurn(90), isQuarterTurn(45), isQuarterTurn('90')]).toEqual([true, false, false])
    expect(turnWords(0)).toBe('')
  })
})
