import { describe, expect, it } from 'vitest'
import { findDust, largestSpeck } from '../../src/engine/image/dust.js'
import { keptCounts, marksIn } from '../../src/engine/image/marks.js'
import { filledAsFound, foundAsAsked } from '../../src/engine/image/repairs.js'
import { dusted, smoothScene } from '../helpers/dust.js'
import { scratched } from '../helpers/scratches.js'

const DPI = 600

describe("the marks of a crop's region", () => {
  it('gives each speck and line reaching in its pixels there, and the kept places holding it by their index', async () => {
    const clean = smoothScene(300, 200)
    const side = largestSpeck(clean, DPI)
    const dusty = dusted(clean, 12, side, 7, 2 * side)
    const laid = scratched(
      dusty.image,
      2,
      { widest: side / 2, shortest: 4 * side, longest: 10 * side },
      5,
      side,
    )
    const found = await foundAsAsked(laid.image, DPI, { removeDust: true, removeScratches: true })
    const [speck] = (await findDust(laid.image, DPI)).specks
    expect(found.dust!.specks.length).toBeGreaterThan(5)
    expect(found.scratches!.scratches.length).toBeGreaterThan(0)
    const whole = { x: 0, y: 0, width: 300, height: 200 }
    const at = (i: number) => ({ x: i % 300, y: Math.floor(i / 300) })
    const line = found.scratches!.scratches[0]!.flatMap((piece) => piece.pixels)

    // Nothing kept: every speck and line is a mark, with all its pixels, held by none.
    const marks = marksIn(found, 300, [], whole)
    expect(marks.map((m) => m.kind)).toEqual([
      ...found.dust!.specks.map(() => 'speck'),
      ...found.scratches!.scratches.map(() => 'scratch'),
    ])
    expect(marks[0]!.pixels).toEqual(speck!.map(at))
    expect(marks.every((m) => m.keptBy.length === 0)).toBe(true)

    // Places 0 and 2 on the first speck (one on its pixel, one half the largest speck off), 1 on the line, 3 nowhere.
    const first = at(speck![0]!)
    const kept = [first, at(line[3]!), { x: first.x - Math.ceil(side / 2), y: first.y }, { x: 299, y: 0 }]
    const keeping = marksIn(found, 300, kept, whole)
    expect(keeping[0]!.keptBy).toEqual([0, 2])
    expect(keeping.filter((m) => m.kind === 'scratch')[0]!.keptBy).toEqual([1])
    expect(keeping.slice(1).filter((m) => m.kind === 'speck' && m.keptBy.length)).toHaveLength(0)
    const filled = filledAsFound(laid.image, found, kept)
    expect(keptCounts(found, filled)).toEqual({ specks: 1, scratches: 1 })
    expect(keptCounts(found, filledAsFound(laid.image, found))).toEqual({ specks: 0, scratches: 0 })
    expect(keptCounts({ dust: found.dust }, { specks: 3 })).toEqual({
      specks: found.dust!.specks.length - 3,
    })

    // A region holding part of the line: only its pixels inside, and no speck lying wholly outside.
    const [x0, y0] = [at(line[0]!).x, at(line[0]!).y]
    const region = { x: Math.max(0, x0 - 4), y: Math.max(0, y0 - 4), width: 9, height: 9 }
    const inRegion = (p: { x: number; y: number }) =>
      p.x >= region.x && p.x < region.x + 9 && p.y >= region.y && p.y < region.y + 9
    const near = marksIn(found, 300, kept, region)
    const lineThere = near.find((m) => m.kind === 'scratch' && m.pixels.some((p) => p.x === x0 && p.y === y0))
    expect(lineThere?.pixels).toEqual(line.map(at).filter(inRegion))
    for (const mark of near) expect(mark.pixels.every(inRegion)).toBe(true)
    expect(near.length).toBeLessThan(marks.length)
  })
})
