import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { holdColour } from '../../src/engine/image/colour-hold.js'
import type { Region } from '../../src/shared/protocol.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { colourHoldOf } from '../../src/engine/upscale.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { writeIdentityModel } from '../helpers/models.js'

/** A seeded pseudo-random stream in [0, 1). */
function random(seed: number): () => number {
  let s = seed
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
}

/** NCHW planes: `input` (w×h), and its nearest ×s upscale with `detail` (±d, zero over each block) and a cast. */
function tileOf(w: number, h: number, s: number, cast: number[], detail = 0.04) {
  const next = random(7)
  const input = Float32Array.from({ length: 3 * w * h }, () => 0.2 + 0.6 * next())
  const ow = w * s
  const oh = h * s
  const clean = new Float32Array(3 * ow * oh)
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++)
        clean[c * ow * oh + y * ow + x] =
          input[c * w * h + Math.floor(y / s) * w + Math.floor(x / s)]! + ((x + y) % 2 ? detail : -detail)
  const output = clean.map((v, i) => v + cast[Math.floor(i / (ow * oh))]!)
  return { input, clean, output }
}

/** The hold over a whole window (its core the whole of it), or over `core`. */
function hold(
  input: Float32Array,
  output: Float32Array,
  width: number,
  height: number,
  scale: number,
  strength: number,
  core: Region = { x: 0, y: 0, width, height },
): void {
  holdColour(input, output, { width, height }, core, scale, strength)
}

const maxDifference = (a: Float32Array, b: Float32Array): number =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0)

describe('holding the output to the photo’s colour', () => {
  it('takes a broad cast away and keeps every finer detail', () => {
    const { input, clean, output } = tileOf(7, 5, 4, [0.08, -0.03, 0.05])
    expect(maxDifference(output, clean)).toBeCloseTo(0.08, 5)
    hold(input, output, 7, 5, 4, 1)
    expect(maxDifference(output, clean)).toBeLessThan(1e-5)
  })

  it('takes that share of it at a lower strength, and nothing at 0', () => {
    const half = tileOf(6, 6, 2, [0.1, 0, 0])
    hold(half.input, half.output, 6, 6, 2, 0.5)
    const red = half.output.subarray(0, 144).map((v, i) => v - half.clean[i]!)
    expect(Math.min(...red)).toBeCloseTo(0.05, 5)
    expect(Math.max(...red)).toBeCloseTo(0.05, 5)
    const none = tileOf(6, 6, 2, [0.1, 0, 0])
    const before = none.output.slice()
    hold(none.input, none.output, 6, 6, 2, 0)
    expect(none.output).toEqual(before)
  })

  it('pulls an area’s cast back where it is, and leaves a single pixel’s colour to the model', () => {
    const { input, clean, output } = tileOf(15, 15, 4, [0, 0, 0], 0)
    const redAt = (x: number, y: number) => output[y * 60 + x]! - clean[y * 60 + x]!
    const redden = (from: number, to: number) => {
      for (let y = from; y < to; y++)
        for (let x = from; x < to; x++) output[y * 60 + x] = output[y * 60 + x]! + 0.2
    }
    // 5×5 input pixels turned 0.2 redder in the output (the middle of the photo): 90 % taken back at its centre.
    redden(20, 40)
    hold(input, output, 15, 15, 4, 1)
    expect(redAt(30, 30)).toBeLessThan(0.2 * 0.1)
    // Four input pixels from its edge, next to nothing is changed.
    expect(Math.abs(redAt(30, 4))).toBeLessThan(0.002)
    // One input pixel's block: mostly the model's to draw (a red flower stays red).
    const single = tileOf(15, 15, 4, [0, 0, 0], 0)
    for (let y = 28; y < 32; y++)
      for (let x = 28; x < 32; x++) single.output[y * 60 + x] = single.output[y * 60 + x]! + 0.2
    hold(single.input, single.output, 15, 15, 4, 1)
    expect(single.output[30 * 60 + 30]! - single.clean[30 * 60 + 30]!).toBeGreaterThan(0.2 * 0.8)
  })

  it('gives a tile’s core exactly what the whole window gives it, reading only around the core', () => {
    const next = random(11)
    const input = Float32Array.from({ length: 3 * 20 * 16 }, () => next())
    const output = Float32Array.from({ length: 3 * 80 * 64 }, () => next())
    const whole = output.slice()
    hold(input, whole, 20, 16, 4, 1)
    const core = { x: 6, y: 5, width: 8, height: 6 }
    const part = output.slice()
    hold(input, part, 20, 16, 4, 1, core)
    for (let c = 0; c < 3; c++)
      for (let Y = 0; Y < 64; Y++)
        for (let X = 0; X < 80; X++) {
          const i = c * 80 * 64 + Y * 80 + X
          const inCore = X >= 24 && X < 56 && Y >= 20 && Y < 44
          // In the core, the same to float precision; outside it, untouched.
          if (inCore) expect(Math.abs(part[i]! - whole[i]!)).toBeLessThan(1e-6)
          else expect(part[i]).toBe(output[i])
        }
  })

  it('is none for a model alone or the faithful end, and full from 50 % realism', () => {
    expect(colourHoldOf({ path: 'a' })).toBe(0)
    expect(colourHoldOf({ path: 'a', blend: { path: 'b', realism: 0 } })).toBe(0)
    expect(colourHoldOf({ path: 'a', blend: { path: 'b', realism: 0.2 } })).toBeCloseTo(0.4, 10)
    expect(colourHoldOf({ path: 'a', blend: { path: 'b', realism: 0.5 } })).toBe(1)
    expect(colourHoldOf({ path: 'a', blend: { path: 'b', realism: 1 } })).toBe(1)
  })
})

describe('a pair whose realistic end casts colour, end to end', () => {
  const work = mkdtempSync(join(tmpdir(), 'enhance-cast-'))
  const registry = new ModelRegistry({ device: 'cpu' })
  afterAll(() => registry.close())
  const faithful = writeIdentityModel(work)
  // +0.1 red (25.5 levels) and −0.04 blue everywhere at the realistic end.
  const casting = writeIdentityModel(work, 4, 1, 2, false, [0.1, 0, -0.04])

  /**
   * Mean output minus the photo's nearest-neighbour ×4, per channel, in levels, and the largest difference,
   * inside the outermost 4 rows and columns.
   */
  async function castOf(realism: number | null): Promise<{ mean: number[]; max: number }> {
    const next = random(3)
    const raw = Buffer.from(Array.from({ length: 40 * 30 * 3 }, () => 60 + Math.floor(next() * 120)))
    const input = join(work, 'photo.png')
    await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
      .png()
      .toFile(input)
    const output = join(work, `out-${realism}.png`)
    const spec = realism === null ? { path: casting } : { path: faithful, blend: { path: casting, realism } }
    await enhancePhoto(registry, input, output, spec, { ...DEFAULT_SETTINGS, tile: 16 })
    const got = await sharp(output).raw().toBuffer()
    const want = await sharp(raw, { raw: { width: 40, height: 30, channels: 3 } })
      .resize(160, 120, { kernel: 'nearest' })
      .raw()
      .toBuffer()
    // The rows the photo's outermost pixels became are the edge hold's (edge-hold.test.ts): it pulls them
    // towards the photo upsampled bilinearly, where this model answers with nearest neighbours.
    const inside = (i: number) => {
      const [X, Y] = [Math.floor(i / 3) % 160, Math.floor(i / 3 / 160)]
      return Math.min(X, 159 - X, Y, 119 - Y) >= 4
    }
    const counted = got.length / 3 - (160 * 120 - 152 * 112)
    const mean = [0, 0, 0]
    let max = 0
    for (let i = 0; i < got.length; i++) {
      if (!inside(i)) continue
      mean[i % 3]! += (got[i]! - want[i]!) / counted
      max = Math.max(max, Math.abs(got[i]! - want[i]!))
    }
    return { mean: mean.map((m) => Math.round(m * 10) / 10), max }
  }

  it('keeps the photo’s colours at 50 % and 100 % realism, tile by tile, pixel for pixel', async () => {
    for (const realism of [0.5, 1]) {
      const { mean, max } = await castOf(realism)
      expect(mean).toEqual([0, 0, 0])
      expect(max).toBeLessThanOrEqual(1)
    }
  })

  it('holds back part of it below 50 %, and leaves a model used alone as it is', async () => {
    // At 25 %: a quarter of the cast blended in (6.4 red, −2.6 blue), half of that held back.
    const quarter = await castOf(0.25)
    expect(quarter.mean[0]).toBeCloseTo(3.2, 0)
    expect(quarter.mean[2]).toBeCloseTo(-1.3, 0)
    const alone = (await castOf(null)).mean
    expect(alone[0]).toBeCloseTo(25.5, 0)
    expect(alone[1]).toBe(0)
    expect(alone[2]).toBeCloseTo(-10.2, 0)
  })
})
