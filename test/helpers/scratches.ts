import type { RasterImage } from '../../src/engine/image/types.js'
import { seeded } from './seeded.js'

/** A scratch or hair laid on a photo: the pixels it covers (indices, at least a quarter) and its grey level. */
export interface LaidScratch {
  pixels: number[]
  level: number
  width: number
  length: number
}

/**
 * `count` scratches and hairs, seeded, as an old print's are: straight or gently bent lines (a quadratic curve
 * bowing up to a fifth of its length), `shortest` to `longest` px long and 1 to `widest` px wide with a soft edge;
 * light (scraped emulsion, 70%) or dark (a hair). One crossing a line laid before, or coming closer to it than
 * `apart` px, is not laid. With `curl` (radians), each is a curled hair instead: its direction swings to and fro by
 * up to that much, once every 0.4 to 1 times `longest`.
 */
export function scratched(
  image: RasterImage,
  count: number,
  {
    widest,
    shortest,
    longest,
    curl = 0,
  }: { widest: number; shortest: number; longest: number; curl?: number },
  seed: number,
  apart = 0,
): { image: RasterImage; scratches: LaidScratch[] } {
  const random = seeded(seed)
  const between = (low: number, high: number): number => low + (high - low) * random()
  const pixels = image.pixels.slice()
  const taken = new Uint8Array(image.width * image.height)
  const scratches: LaidScratch[] = []
  for (let n = 0; n < count; n++) {
    const length = between(shortest, longest)
    const angle = between(0, Math.PI)
    const [dx, dy] = [Math.cos(angle) * length, Math.sin(angle) * length]
    const from = [between(4, image.width - 4 - Math.abs(dx)), between(4, image.height - 4 - Math.abs(dy))]
    const start = [dx < 0 ? from[0]! - dx : from[0]!, from[1]!] as const
    const end = [start[0] + dx, start[1] + dy] as const
    const bow = between(-0.2, 0.2) * length
    const bend = [
      (start[0] + end[0]) / 2 - (dy / length) * bow * 2,
      (start[1] + end[1]) / 2 + (dx / length) * bow * 2,
    ]
    const width = between(1, widest)
    const curve = curl
      ? curled(start, angle, length, between(0.6, curl), between(0.4, 1) * longest, between(0, 2 * Math.PI))
      : (t: number) => {
          const s = 1 - t
          return [
            s * s * start[0] + 2 * s * t * bend[0]! + t * t * end[0],
            s * s * start[1] + 2 * s * t * bend[1]! + t * t * end[1],
          ]
        }
    const distance = distances(image, width, length, curve)
    const covered = [...distance.keys()].filter((i) => width / 2 + 0.5 - distance.get(i)! >= 0.25)
    if (covered.some((i) => nearTaken(i, image.width, image.height, apart, taken))) continue
    const level = random() < 0.7 ? between(215, 255) : between(10, 50)
    for (const [i, d] of distance) {
      const cover = Math.min(1, Math.max(0, width / 2 + 0.5 - d))
      if (cover <= 0) continue
      taken[i] = 1
      for (let c = 0; c < 3; c++) {
        const at = i * image.channels + c
        pixels[at] = Math.round(pixels[at]! * (1 - cover) + level * cover)
      }
    }
    scratches.push({ pixels: covered, level, width, length })
  }
  return { image: { ...image, pixels }, scratches }
}

/** A curve from `start`, `length` long, whose direction swings about `angle` by `swing` radians every `wave` px. */
function curled(
  start: readonly [number, number],
  angle: number,
  length: number,
  swing: number,
  wave: number,
  phase: number,
): (t: number) => number[] {
  const waves = length / wave
  const steps = Math.ceil(length * 2)
  const points: number[][] = [[...start]]
  for (let k = 1; k <= steps; k++) {
    const direction = angle + swing * Math.sin((2 * Math.PI * waves * k) / steps + phase)
    const [x, y] = points[k - 1]!
    points.push([x! + (Math.cos(direction) * length) / steps, y! + (Math.sin(direction) * length) / steps])
  }
  return (t) => points[Math.round(t * steps)]!
}

function nearTaken(i: number, width: number, height: number, apart: number, taken: Uint8Array): boolean {
  const [x, y] = [i % width, Math.floor(i / width)]
  for (let ny = Math.max(0, y - apart); ny <= Math.min(height - 1, y + apart); ny++)
    for (let nx = Math.max(0, x - apart); nx <= Math.min(width - 1, x + apart); nx++)
      if (taken[ny * width + nx]) return true
  return false
}

/** Each pixel near the curve `at(t)`, t in 0–1, and its distance from it. */
function distances(
  image: RasterImage,
  width: number,
  length: number,
  at: (t: number) => number[],
): Map<number, number> {
  const distance = new Map<number, number>()
  const reach = Math.ceil(width / 2 + 1)
  const steps = Math.ceil(length * 4)
  for (let step = 0; step <= steps; step++) {
    const [cx, cy] = at(step / steps) as [number, number]
    for (let y = Math.floor(cy - reach); y <= Math.ceil(cy + reach); y++)
      for (let x = Math.floor(cx - reach); x <= Math.ceil(cx + reach); x++) {
        if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue
        const i = y * image.width + x
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy)
        if (d < (distance.get(i) ?? Infinity)) distance.set(i, d)
      }
  }
  return distance
}

/** The mean absolute difference of `a` from `clean` over the pixels `scratch` covers, all channels. */
export function scratchError(
  a: RasterImage,
  clean: RasterImage,
  scratch: Pick<LaidScratch, 'pixels'>,
): number {
  let sum = 0
  for (const i of scratch.pixels)
    for (let c = 0; c < 3; c++)
      sum += Math.abs(a.pixels[i * a.channels + c]! - clean.pixels[i * clean.channels + c]!)
  return sum / (scratch.pixels.length * 3)
}
