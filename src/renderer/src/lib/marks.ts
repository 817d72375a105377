import type { DamageMark, Region } from '../../../shared/protocol.js'
import type { PhotoPoint } from '../../../shared/settings.js'

/** How near a mark's pixels (in photo pixels, each way) a click reaches it: its tint spreads a pixel past them. */
export const MARK_TOUCH = 3

/** The mark a click at `point` reaches: the one with a pixel nearest it, within `MARK_TOUCH`; else null. */
export function markAt(marks: readonly DamageMark[], point: PhotoPoint): DamageMark | null {
  let nearest: { mark: DamageMark; distance: number } | null = null
  for (const mark of marks)
    for (const pixel of mark.pixels) {
      const distance = Math.max(Math.abs(pixel.x - point.x), Math.abs(pixel.y - point.y))
      if (distance <= MARK_TOUCH && (!nearest || distance < nearest.distance)) nearest = { mark, distance }
    }
  return nearest?.mark ?? null
}

/** The box around a mark's pixels (in the region): where its button is drawn. */
export function boxOf({ pixels }: DamageMark): Region {
  const xs = pixels.map((p) => p.x)
  const ys = pixels.map((p) => p.y)
  const [x, y] = [Math.min(...xs), Math.min(...ys)]
  return { x, y, width: Math.max(...xs) - x + 1, height: Math.max(...ys) - y + 1 }
}

/** The pixel that keeps a mark: its own pixel nearest the middle of its pixels, so it holds that mark for sure. */
export function keepingPixel({ pixels }: DamageMark): PhotoPoint {
  const middle = {
    x: pixels.reduce((sum, p) => sum + p.x, 0) / pixels.length,
    y: pixels.reduce((sum, p) => sum + p.y, 0) / pixels.length,
  }
  const away = (p: PhotoPoint) => Math.hypot(p.x - middle.x, p.y - middle.y)
  return pixels.reduce((best, p) => (away(p) < away(best) ? p : best))
}

/** The marks in reading order (top to bottom, then left to right), as the keyboard goes through them. */
export function inReadingOrder(marks: readonly DamageMark[]): DamageMark[] {
  const boxed = marks.map((mark) => ({ mark, box: boxOf(mark) }))
  boxed.sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x)
  return boxed.map(({ mark }) => mark)
}

/** What a mark's button says and does: "Speck at 412, 233, filled: keep it as it was". */
export function markWords(mark: DamageMark): string {
  const { x, y } = keepingPixel(mark)
  const what = `${mark.kind === 'speck' ? 'Speck' : 'Scratch'} at ${x}, ${y}`
  return mark.keptBy.length ? `${what}, kept: fill it again` : `${what}, filled: keep it as it was`
}

/**
 * Where a key moves among `count` marks from the one at `at` (as a toolbar's buttons: the arrow keys to the next or
 * the one before, round the ends; Home and End to the first and last); null for any other key.
 */
export function markStep(key: string, at: number, count: number): number | null {
  if (count === 0) return null
  const from = Math.max(0, at)
  const steps: Record<string, number> = {
    ArrowRight: from + 1,
    ArrowDown: from + 1,
    ArrowLeft: from - 1,
    ArrowUp: from - 1,
    Home: 0,
    End: count - 1,
  }
  const to = steps[key]
  return to === undefined ? null : (to + count) % count
}
