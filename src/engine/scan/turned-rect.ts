/** A point in pixel-edge coordinates: (0, 0) is the top-left corner of the first pixel, y grows downwards. */
export interface Point {
  x: number
  y: number
}

/**
 * A rectangle turned by `angle` (radians, clockwise on screen as y grows downwards) about its centre: its
 * `width` runs along (cos angle, sin angle), its `height` along (−sin angle, cos angle).
 */
export interface TurnedRect {
  cx: number
  cy: number
  width: number
  height: number
  angle: number
}

const cross = (o: Point, a: Point, b: Point): number => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)

/** The convex hull, counter-clockwise, without collinear points (Andrew's monotone chain). */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y)
  if (sorted.length < 3) return sorted
  const half = (ordered: Point[]): Point[] => {
    const chain: Point[] = []
    for (const p of ordered) {
      while (chain.length >= 2 && cross(chain[chain.length - 2]!, chain[chain.length - 1]!, p) <= 0)
        chain.pop()
      chain.push(p)
    }
    chain.pop()
    return chain
  }
  return [...half(sorted), ...half(sorted.reverse())]
}

/**
 * The rectangle of least area around `points` (rotating calipers: the best one has a side along an edge of the
 * hull), turned by the least angle that gives it: within ±45°.
 */
export function minAreaRect(points: readonly Point[]): TurnedRect {
  const hull = convexHull(points)
  if (hull.length === 0) throw new RangeError('No points to enclose')
  let best = boxAlong(hull, 0)
  let leastArea = Infinity
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!
    const b = hull[(i + 1) % hull.length]!
    const rect = boxAlong(hull, Math.atan2(b.y - a.y, b.x - a.x))
    const area = rect.width * rect.height
    if (area < leastArea - 1e-9) {
      best = rect
      leastArea = area
    }
  }
  return leastTurned(best)
}

/** The box around `hull` whose width runs along `angle`. */
function boxAlong(hull: readonly Point[], angle: number): TurnedRect {
  const ex = Math.cos(angle)
  const ey = Math.sin(angle)
  let minE = Infinity
  let maxE = -Infinity
  let minN = Infinity
  let maxN = -Infinity
  for (const { x, y } of hull) {
    const e = x * ex + y * ey
    const n = -x * ey + y * ex
    minE = Math.min(minE, e)
    maxE = Math.max(maxE, e)
    minN = Math.min(minN, n)
    maxN = Math.max(maxN, n)
  }
  const midE = (minE + maxE) / 2
  const midN = (minN + maxN) / 2
  return {
    cx: midE * ex - midN * ey,
    cy: midE * ey + midN * ex,
    width: maxE - minE,
    height: maxN - minN,
    angle,
  }
}

/** The same rectangle described by a turn within (−45°, 45°]: each quarter turn swaps its sides. */
function leastTurned(rect: TurnedRect): TurnedRect {
  let { width, height, angle } = rect
  while (angle > Math.PI / 4 + 1e-12) {
    angle -= Math.PI / 2
    ;[width, height] = [height, width]
  }
  while (angle <= -Math.PI / 4 + 1e-12) {
    angle += Math.PI / 2
    ;[width, height] = [height, width]
  }
  return { ...rect, width, height, angle }
}
