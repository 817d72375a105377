import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { holdEdges } from '../../src/engine/image/edge-hold.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { writeIdentityModel } from '../helpers/models.js'
import type { PhotoEdges } from '../../src/engine/image/edge-hold.js'

const SCALE = 4
const ALL: PhotoEdges = { top: true, bottom: true, left: true, right: true }

/** A seeded pseudo-random stream in [0, 1). */
function random(seed: number): () => number {
  let s = seed
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

/** Bilinear ×4 of one input plane at output (Y, X), half-pixel centres, edges held. */
function bilinearAt(plane: Float32Array, w: number, h: number, Y: number, X: number): number {
  const u = Math.min(Math.max((X + 0.5) / SCALE - 0.5, 0), w - 1)
  const v = Math.min(Math.max((Y + 0.5) / SCALE - 0.5, 0), h - 1)
  const [l, t] = [Math.floor(u), Math.floor(v)]
  const [r, b] = [Math.min(l + 1, w - 1), Math.min(t + 1, h - 1)]
  const at = (y: number, x: number) => plane[y * w + x]!
  const [fx, fy] = [u - l, v - t]
  return (at(t, l) * (1 - fx) + at(t, r) * fx) * (1 - fy) + (at(b, l) * (1 - fx) + at(b, r) * fx) * fy
}

/**
 * A random `w`×`h` input (three planes), and its ×4 output: the input upsampled bilinearly plus fine
 * detail (a ±0.01 checkerboard) as `clean`, and `output`, the same with a frame: +0.02 in the outermost
 * row and column and −0.01 two in, on every side, as the realistic end draws it.
 */
function framed(w: number, h: number) {
  const next = random(11)
  const input = Float32Array.from({ length: 3 * w * h }, () => 0.2 + 0.6 * next())
  const ow = w * SCALE
  const oh = h * SCALE
  const clean = new Float32Array(3 * ow * oh)
  const output = new Float32Array(3 * ow * oh)
  const line = (d: number): number => (d === 0 ? 0.02 : d === 2 ? -0.01 : 0)
  for (let c = 0; c < 3; c++) {
    const plane = input.subarray(c * w * h, (c + 1) * w * h)
    for (let Y = 0; Y < oh; Y++)
      for (let X = 0; X < ow; X++) {
        const i = c * ow * oh + Y * ow + X
        clean[i] = bilinearAt(plane, w, h, Y, X) + ((X + Y) % 2 ? 0.01 : -0.01)
        output[i] = clean[i] + line(Math.min(Y, oh - 1 - Y, X, ow - 1 - X))
      }
  }
  return { input, clean, output }
}

/** Mean of `a − b` over one line of channel 0 (`index(i)`), from `from` to `to`. */
function meanDifference(
  a: Float32Array,
  b: Float32Array,
  index: (i: number) => number,
  from: number,
  to: number,
): number {
  let sum = 0
  for (let i = from; i < to; i++) sum += a[index(i)]! - b[index(i)]!
  return sum / (to - from)
}

describe('holding the realistic end’s frame back', () => {
  const w = 40
  const h = 30
  const ow = w * SCALE
  const oh = h * SCALE
  const window = { width: w, height: h }

  it('takes the lines along each edge away, keeps the detail along them, and changes nothing further in', () => {
    const { input, clean, output } = framed(w, h)
    const before = output.slice()
    holdEdges(input, output, window, ALL, SCALE, 1)
    // Away from the corners, every pixel of the 4 outermost rows and columns is the clean one again, but for
    // the frame's mean over them, (0.02 − 0.01) / 4: the photo's colour there is the colour hold's to keep.
    let largest = 0
    for (let d = 0; d < SCALE; d++)
      for (let i = 40; i < ow - 40; i++)
        for (const at of [d * ow + i, (oh - 1 - d) * ow + i, Math.min(i, oh - 41) * ow + d])
          largest = Math.max(largest, Math.abs(output[at]! - clean[at]! - 0.0025))
    expect(largest).toBeLessThan(2e-4)
    // The frame was there before: +0.02 on row 0.
    expect(meanDifference(before, clean, (X) => X, 40, ow - 40)).toBeCloseTo(0.02, 5)
    // Further in, exactly as it was.
    for (let c = 0; c < 3; c++)
      for (let Y = SCALE; Y < oh - SCALE; Y++)
        for (let X = SCALE; X < ow - SCALE; X++) {
          const i = c * ow * oh + Y * ow + X
          if (output[i] !== before[i]) throw new Error(`changed at ${c},${Y},${X}`)
        }
  })

  it('takes that share of it at a lower strength, nothing at 0, and only on the photo’s own edges', () => {
    const half = framed(w, h)
    holdEdges(half.input, half.output, window, ALL, SCALE, 0.5)
    // Row 0: +0.02, half-way to the band's mean 0.0025.
    expect(meanDifference(half.output, half.clean, (X) => X, 40, ow - 40)).toBeCloseTo(0.01125, 4)

    const none = framed(w, h)
    const before = none.output.slice()
    holdEdges(none.input, none.output, window, ALL, SCALE, 0)
    expect(none.output).toEqual(before)

    // A window whose top is context from a neighbouring tile: its top rows are left as they are.
    const inner = framed(w, h)
    holdEdges(inner.input, inner.output, window, { ...ALL, top: false }, SCALE, 1)
    expect(meanDifference(inner.output, inner.clean, (X) => X, 40, ow - 40)).toBeCloseTo(0.02, 5)
    expect(meanDifference(inner.output, inner.clean, (X) => (oh - 1) * ow + X, 40, ow - 40)).toBeCloseTo(
      0.0025,
      4,
    )
  })

  it('gives a tile what the whole photo gives it, when its window holds 24 pixels of context along the edge', () => {
    const { input, output: whole } = framed(w, h)
    // A tile on the top edge: input columns 10–29, its window columns 2–37 (8 of context each side).
    const [x0, tw] = [2, 36]
    const twx = tw * SCALE
    const tileInput = new Float32Array(3 * tw * h)
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < tw; x++) tileInput[c * tw * h + y * tw + x] = input[c * w * h + y * w + x0 + x]!
    const tileOutput = new Float32Array(3 * twx * oh)
    const inWhole = (c: number, Y: number, X: number) => c * ow * oh + Y * ow + x0 * SCALE + X
    for (let c = 0; c < 3; c++)
      for (let Y = 0; Y < oh; Y++)
        for (let X = 0; X < twx; X++) tileOutput[c * twx * oh + Y * twx + X] = whole[inWhole(c, Y, X)]!
    holdEdges(input, whole, window, ALL, SCALE, 1)
    holdEdges(
      tileInput,
      tileOutput,
      { width: tw, height: h },
      { ...ALL, left: false, right: false },
      SCALE,
      1,
    )
    let largest = 0
    for (let c = 0; c < 3; c++)
      for (let Y = 0; Y < oh; Y++)
        for (let X = 8 * SCALE; X < (8 + 20) * SCALE; X++)
          largest = Math.max(
            largest,
            Math.abs(tileOutput[c * twx * oh + Y * twx + X]! - whole[inWhole(c, Y, X)]!),
          )
    expect(largest).toBeLessThan(1e-6)
  })
})

describe('a pair whose realistic end draws a frame, end to end', () => {
  const work = mkdtempSync(join(tmpdir(), 'enhance-frame-'))
  const registry = new ModelRegistry({ device: 'cpu' })
  afterAll(() => registry.close())
  const faithful = writeIdentityModel(work)
  const framing = writeIdentityModel(work, 4, 1, 2, 'output')
  const colour = [150, 90, 60]

  /**
   * Largest difference from the flat photo's colour, in levels: over the outermost 4 rows and columns
   * (the photo's 4 corner pixels apart), at those corners, and inside.
   */
  async function frameOf(realism: number | null): Promise<{ edge: number; corner: number; inside: number }> {
    const input = join(work, 'flat.png')
    await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 150, g: 90, b: 60 } } })
      .png()
      .toFile(input)
    const output = join(work, `out-${realism}.png`)
    const spec = realism === null ? { path: framing } : { path: faithful, blend: { path: framing, realism } }
    await enhancePhoto(registry, input, output, spec, { ...DEFAULT_SETTINGS, tile: 16 })
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
    const found = { edge: 0, corner: 0, inside: 0 }
    const [right, bottom] = [info.width - 1, info.height - 1]
    for (let Y = 0; Y <= bottom; Y++)
      for (let X = 0; X <= right; X++) {
        const off = Math.max(
          ...[0, 1, 2].map((c) => Math.abs(data[(Y * info.width + X) * 3 + c]! - colour[c]!)),
        )
        const where =
          (X === 0 || X === right) && (Y === 0 || Y === bottom)
            ? 'corner'
            : Math.min(Y, bottom - Y, X, right - X) < SCALE
              ? 'edge'
              : 'inside'
        found[where] = Math.max(found[where], off)
      }
    return found
  }

  it('leaves no frame at 50 % and 100 % realism, tile by tile: the edges as close to the photo as inside', async () => {
    // The blend darkens the outermost row by 25 and 50 levels of red; the colour hold lifts that pixel's mean
    // back, and its smoothing reaches in (6 and 11 levels, with or without the edge hold). Without the edge
    // hold: edges 21 and 41 levels off, corners 33 and 66.
    for (const realism of [0.5, 1]) {
      const { edge, corner, inside } = await frameOf(realism)
      expect(inside).toBeLessThanOrEqual(11)
      expect(edge).toBeLessThanOrEqual(inside + 1)
      expect(corner).toBeLessThanOrEqual(inside + 1)
    }
  })

  it('leaves the frame of the model used alone, which is its own output', async () => {
    // 150 × 6/9 = 100 along the edges, 150 × 4/9 = 67 at the corners: 50 and 83 levels of red off.
    expect(await frameOf(null)).toEqual({ edge: 50, corner: 83, inside: 0 })
  })
})
