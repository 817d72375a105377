import { describe, expect, it } from 'vitest'
import { fadedColourLevels, restoreFadedColour } from '../../src/engine/image/faded-colour.js'
import { repairedAsAsked } from '../../src/engine/image/repairs.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { fadeOf, faded, meanColourDifference, scene } from '../helpers/fading.js'
import { seeded } from '../helpers/seeded.js'

const withAlpha = (image: RasterImage, alphaAt: (x: number) => number): RasterImage => {
  const pixels = new Uint8Array(image.width * image.height * 4)
  for (let i = 0; i < image.width * image.height; i++) {
    for (let c = 0; c < 3; c++) pixels[i * 4 + c] = image.pixels[i * 3 + c]!
    pixels[i * 4 + 3] = alphaAt(i % image.width)
  }
  return { ...image, channels: 4, pixels }
}

describe('restoring faded colour', () => {
  it('brings a scene faded as an old print fades back within 2.5 ΔE2000 of its colours (from 6–11), at each of eight fades', () => {
    const original = scene(160, 120, 1)
    for (let seed = 1; seed <= 8; seed++) {
      const old = faded(original, { ...fadeOf(seed), greying: 0 })
      const fadedBy = meanColourDifference(original, old)
      const restoredBy = meanColourDifference(original, restoreFadedColour(old, false).image)
      expect(fadedBy).toBeGreaterThan(6)
      expect(restoredBy).toBeLessThan(Math.min(2.5, fadedBy / 3))
    }
  })

  it('leaves a scene whose black, white and greys are already neutral as it is, to a level', () => {
    const original = scene(160, 120, 2)
    const same = restoreFadedColour(original, false).image
    const most = Math.max(...same.pixels.map((v, i) => Math.abs(v - original.pixels[i]!)))
    expect(most).toBeLessThanOrEqual(1)
  })

  it('takes for black what is dark in every channel: a saturated blue sky is not black, and stays blue', () => {
    const width = 100
    const pixels = new Uint8Array(width * width * 3)
    for (let i = 0; i < width * width; i++) {
      const grey = 60 + Math.round(((i % width) / (width - 1)) * 140) // 60 to 200: lifted black, dulled white
      pixels.set(i < 10 * width ? [0, 0, 255] : [grey, grey, grey], i * 3)
    }
    const restored = restoreFadedColour({ width, height: width, channels: 3, depth: 8, pixels }, false).image
    expect([...restored.pixels.subarray(0, 3)]).toEqual([0, 0, 255])
    const rowStart = 50 * width * 3
    expect([...restored.pixels.subarray(rowStart, rowStart + 3)]).toEqual([0, 0, 0])
    expect([...restored.pixels.subarray(rowStart + (width - 1) * 3, rowStart + width * 3)]).toEqual([
      255, 255, 255,
    ])
  })

  it('makes a black-and-white print, yellowed and faded, grey outright; a faded colour print stays in colour', () => {
    const random = seeded(9)
    const grey = scene(160, 120, 9)
    for (let at = 0; at < grey.pixels.length; at += 3) {
      const luma = grey.pixels[at + 1]! / 255
      // Sepia-yellowed paper over a faded grey: warm highlights, lifted brown blacks, the scanner's noise.
      const sepia = [0.16 + 0.8 * luma, 0.12 + 0.74 * luma ** 1.05, 0.08 + 0.6 * luma ** 1.15]
      sepia.forEach((v, c) => (grey.pixels[at + c] = Math.round(255 * v + (random() - 0.5) * 4)))
    }
    const print = restoreFadedColour(grey, false)
    expect(print.colourless).toBe(true)
    for (let at = 0; at < print.image.pixels.length; at += 3) {
      expect(print.image.pixels[at]).toBe(print.image.pixels[at + 1])
      expect(print.image.pixels[at + 2]).toBe(print.image.pixels[at + 1])
    }
    expect(Math.min(...print.image.pixels)).toBeLessThan(5)
    expect(Math.max(...print.image.pixels)).toBeGreaterThan(250)
    const colour = restoreFadedColour(faded(scene(160, 120, 9), fadeOf(9)), false)
    expect(colour.colourless).toBe(false)
  })

  it('keeps a grey photo grey: one stretch for all three channels, no bend', () => {
    const grey = scene(120, 90, 3)
    for (let i = 0; i < grey.pixels.length; i += 3)
      grey.pixels[i] = grey.pixels[i + 1] = grey.pixels[i + 2] = 40 + Math.round(grey.pixels[i + 1]! * 0.6)
    const levels = fadedColourLevels(grey, true)
    expect(levels.gamma).toEqual([1, 1, 1])
    const restored = restoreFadedColour(grey, true).image
    for (let i = 0; i < restored.pixels.length; i += 3) {
      expect(restored.pixels[i]).toBe(restored.pixels[i + 1])
      expect(restored.pixels[i + 2]).toBe(restored.pixels[i + 1])
    }
    // Its lifted black (40) and dulled white (193) are black and white again.
    expect(Math.min(...restored.pixels)).toBe(0)
    expect(Math.max(...restored.pixels)).toBe(255)
  })

  it('measures only what can be seen: a transparent magenta half changes nothing, and alpha is kept', () => {
    const old = faded(scene(160, 120, 4), fadeOf(4))
    const visibleOnly = restoreFadedColour(old, false).image
    const magentaUnder = withAlpha(old, (x) => (x < 80 ? 255 : 0))
    for (let i = 0; i < old.width * old.height; i++)
      if (i % old.width >= 80) magentaUnder.pixels.set([255, 0, 255], i * 4)
    // The same photo with its right half transparent: measured on the left half it must restore like the left half.
    const leftHalf = withAlpha(old, (x) => (x < 80 ? 255 : 0))
    const restoredUnder = restoreFadedColour(magentaUnder, false).image
    const restoredLeft = restoreFadedColour(leftHalf, false).image
    expect(restoredUnder.pixels.filter((_, i) => i % 4 === 3)).toEqual(
      magentaUnder.pixels.filter((_, i) => i % 4 === 3),
    )
    for (let i = 0; i < old.width * old.height; i++) {
      if (i % old.width >= 80) continue
      for (let c = 0; c < 3; c++) expect(restoredUnder.pixels[i * 4 + c]).toBe(restoredLeft.pixels[i * 4 + c])
    }
    expect(visibleOnly.pixels.length).toBe(old.pixels.length)
  })

  it('restores a 16-bit photo in 16 bits, as the 8-bit one to within a level', () => {
    const fade = fadeOf(5)
    const deep = restoreFadedColour(faded(scene(160, 120, 5, 16), fade), false).image
    const shallow = restoreFadedColour(faded(scene(160, 120, 5, 8), fade), false).image
    expect(deep.pixels).toBeInstanceOf(Uint16Array)
    let off = 0
    for (let i = 0; i < deep.pixels.length; i++) off += Math.abs(deep.pixels[i]! / 257 - shallow.pixels[i]!)
    expect(off / deep.pixels.length).toBeLessThan(1)
    expect(new Set(deep.pixels).size).toBeGreaterThan(4 * new Set(shallow.pixels).size)
  })

  it('stretches a flat photo at most fourfold, so its noise is not blown up to black and white', () => {
    const random = seeded(6)
    const pixels = new Uint8Array(100 * 100 * 3).map(() => 128 + Math.round((random() - 0.5) * 10))
    const flat: RasterImage = { width: 100, height: 100, channels: 3, depth: 8, pixels }
    const spread = (image: RasterImage): number => Math.max(...image.pixels) - Math.min(...image.pixels)
    expect(spread(restoreFadedColour(flat, false).image)).toBeLessThanOrEqual(4 * spread(flat) + 1)
    expect(spread(restoreFadedColour(flat, false).image)).toBeGreaterThan(2 * spread(flat))
  })

  it("measures a damaged file's colours on the part that was read, not on its decoder's grey", async () => {
    const original = scene(160, 120, 9)
    const old = faded(original, { ...fadeOf(9), greying: 0 })
    // The bottom 60 rows are what a JPEG cut short decodes to: grey 128, every value.
    const cut = { ...old, pixels: old.pixels.slice() }
    cut.pixels.fill(128, 60 * 160 * 3)
    const top = { ...old, height: 60, pixels: old.pixels.slice(0, 60 * 160 * 3) }
    const decoded = {
      image: cut,
      meta: { format: 'jpeg', gray: false, hasAlpha: false },
      damage: 'premature end',
    }
    const repaired = await repairedAsAsked(decoded, { restoreColours: true })
    const expected = restoreFadedColour(top, false).image.pixels
    expect(Buffer.from(repaired.image.pixels.subarray(0, expected.length))).toEqual(Buffer.from(expected))
    // Measured on the whole, the grey (half the photo, and all of its least coloured midtones) holds the cast.
    const seen = { ...original, height: 60, pixels: original.pixels.slice(0, 60 * 160 * 3) }
    const whole = restoreFadedColour(cut, false).image.pixels.subarray(0, expected.length)
    const offBy = (pixels: ArrayLike<number>) =>
      meanColourDifference(seen, { ...seen, pixels: Uint8Array.from(pixels) })
    // From 5.6 ΔE2000 faded: 1.6 measured on the part read, 5.0 on the whole.
    expect(offBy(expected)).toBeLessThan(2)
    expect(offBy(whole)).toBeGreaterThan(4)
  })

  it('restores as far as the strength says: each value that part of the way from the faded one to the full restoration', async () => {
    const old = faded(scene(160, 120, 7), fadeOf(7))
    const full = restoreFadedColour(old, false).image.pixels
    for (const strength of [0.1, 0.5, 0.8]) {
      const part = restoreFadedColour(old, false, { strength }).image.pixels
      let moved = 0
      for (let i = 0; i < part.length; i++) {
        expect(
          Math.abs(part[i]! - (old.pixels[i]! + strength * (full[i]! - old.pixels[i]!))),
        ).toBeLessThanOrEqual(1) // both rounded
        moved += Math.abs(part[i]! - old.pixels[i]!)
      }
      expect(moved).toBeGreaterThan(0)
    }
    // As a job asks; a job saved before the strength could be chosen has none: all the way, as it was made.
    const halfway = restoreFadedColour(old, false, { strength: 0.5 }).image.pixels
    const decoded = { image: old, meta: { format: 'png', gray: false, hasAlpha: false } }
    const asked = await repairedAsAsked(decoded, { restoreColours: true, restoreStrength: 0.5 })
    expect(Buffer.from(asked.image.pixels)).toEqual(Buffer.from(halfway))
    const older = await repairedAsAsked(decoded, { restoreColours: true })
    expect(Buffer.from(older.image.pixels)).toEqual(Buffer.from(full))
  })

  it('makes a yellowed black-and-white print grey whatever the strength: its tint is age', () => {
    const grey = scene(160, 120, 10)
    for (let at = 0; at < grey.pixels.length; at += 3) {
      const luma = grey.pixels[at + 1]! / 255
      ;[0.14 + 0.8 * luma, 0.11 + 0.74 * luma, 0.07 + 0.6 * luma].forEach(
        (v, c) => (grey.pixels[at + c] = Math.round(255 * v)),
      )
    }
    const full = restoreFadedColour(grey, false)
    const light = restoreFadedColour(grey, false, { strength: 0.1 })
    expect(light.colourless).toBe(true)
    expect(Buffer.from(light.image.pixels)).toEqual(Buffer.from(full.image.pixels))
    expect(light.image.pixels[0]).toBe(light.image.pixels[2])
  })
})
