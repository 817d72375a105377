import { describe, expect, it } from 'vitest'
import {
  QUARTER_TURNS,
  isQuarterTurn,
  nextTurn,
  parseTurn,
  turnWords,
  turnedPoint,
  turnedSize,
  unturnedPoint,
} from '../../src/shared/turn.js'

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
    expect(corners.map((p) => turnedPoint(p, 90, size))).toEqual([
      { x: 2, y: 0 },
      { x: 2, y: 3 },
      { x: 0, y: 3 },
      { x: 0, y: 0 },
    ])
    expect(corners.map((p) => turnedPoint(p, 180, size))).toEqual([
      corners[2],
      corners[3],
      corners[0],
      corners[1],
    ])
    expect(corners.map((p) => turnedPoint(p, 270, size))).toEqual([
      { x: 0, y: 3 },
      { x: 0, y: 0 },
      { x: 2, y: 0 },
      { x: 2, y: 3 },
    ])
  })

  it('gives every pixel a place of its own, and back', () => {
    for (const turn of QUARTER_TURNS) {
      const turned = turnedSize(size, turn)
      const seen = new Set<string>()
      for (let y = 0; y < size.height; y++)
        for (let x = 0; x < size.width; x++) {
          const to = turnedPoint({ x, y }, turn, size)
          expect(to.x).toBeGreaterThanOrEqual(0)
          expect(to.x).toBeLessThan(turned.width)
          expect(to.y).toBeLessThan(turned.height)
          seen.add(`${to.x},${to.y}`)
          expect(unturnedPoint(to, turn, turned)).toEqual({ x, y })
        }
      expect(seen.size).toBe(12)
    }
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
