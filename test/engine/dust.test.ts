import { describe, expect, it } from 'vitest'
import { largestSpeck, removeDust } from '../../src/engine/image/dust.js'
import { restoreFadedColour } from '../../src/engine/image/faded-colour.js'
import { removeScratches } from '../../src/engine/image/scratches.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { changedPixels, dusted, forDisc, smoothScene, speckError } from '../helpers/dust.js'
import type { LaidSpeck } from '../helpers/dust.js'
import { seeded } from '../helpers/seeded.js'

const DPI = 600

/** Whether pixel `i` lies within `margin` of any of `specks`. */
function nearAny(specks: LaidSpeck[], image: RasterImage, margin: number): Uint8Array {
  const near = new Uint8Array(image.width * image.height)
  for (const speck of specks) forDisc(speck, margin, image, (at) => (near[at / image.channels] = 1))
  return near
}

function laid(image: RasterImage, specks: LaidSpeck[]): RasterImage {
  const pixels = image.pixels.slice()
  for (const speck of specks)
    forDisc(speck, 0, image, (at) => {
      for (let c = 0; c < 3; c++) pixels[at + c] = speck.level
    })
  return { ...image, pixels }
}

describe('removing dust', () => {
  it('fills every speck on a smooth scene from its surround, and changes nothing away from them', async () => {
    const clean = smoothScene(400, 300)
    // Specks at least two of the largest apart: closer, two see each other as texture (measured and said).
    const largest = largestSpeck(clean, DPI)
    const dusty = dusted(clean, 25, largest, 7, 2 * largest)
    const { image, specks } = await removeDust(dusty.image, DPI)
    expect(dusty.specks.length).toBeGreaterThan(15)
    expect(specks).toBe(dusty.specks.length)
    for (const speck of dusty.specks) {
      const before = speckError(dusty.image, clean, speck)
      if (before < 12) continue // a speck hardly unlike its surround: nothing to see
      expect(speckError(image, clean, speck)).toBeLessThan(Math.max(5, before / 4))
    }
    const near = nearAny(dusty.specks, clean, 3)
    expect(changedPixels(image, dusty.image).filter((i) => !near[i])).toEqual([])
  })

  it('leaves a speck the user kept (a click within half the largest speck of it) as it was, and fills the rest', async () => {
    const clean = smoothScene(400, 300)
    const largest = largestSpeck(clean, DPI)
    const dusty = dusted(clean, 25, largest, 7, 2 * largest)
    const [kept, other] = dusty.specks
    const click = { x: Math.round(kept!.x) + Math.floor(largest / 2), y: Math.round(kept!.y) }
    const { image, specks } = await removeDust(dusty.image, DPI, [click])
    expect(specks).toBe(dusty.specks.length - 1)
    // Byte for byte as it was around the kept speck; the next one filled as ever.
    const near = nearAny([kept!], clean, 3)
    expect(changedPixels(image, dusty.image).filter((i) => near[i])).toEqual([])
    expect(speckError(image, clean, other!)).toBeLessThan(
      Math.max(5, speckError(dusty.image, clean, other!) / 4),
    )
    // A click further off keeps nothing.
    const away = { x: click.x + largest, y: click.y + largest }
    expect((await removeDust(dusty.image, DPI, [away])).specks).toBe(dusty.specks.length)
  })

  it('changes nothing of a raster made straight from a Buffer (whose slice shares its memory): it fills a copy', async () => {
    const clean = smoothScene(200, 150)
    const largest = largestSpeck(clean, DPI)
    const dusty = dusted(clean, 6, largest, 3, 2 * largest)
    const given = { ...dusty.image, pixels: Buffer.from(dusty.image.pixels) }
    const { image, specks } = await removeDust(given, DPI)
    const scratched = await removeScratches(given, DPI)
    const restored = restoreFadedColour(given, false).image
    expect(specks).toBe(dusty.specks.length)
    expect(changedPixels(image, dusty.image).length).toBeGreaterThan(0)
    expect(changedPixels(restored, dusty.image).length).toBeGreaterThan(0)
    expect(scratched.image.pixels).not.toBe(given.pixels)
    expect(Buffer.compare(given.pixels, Buffer.from(dusty.image.pixels))).toBe(0)
  })

  it('leaves a photo without dust as it is: grain, fine texture, lines and a hair', async () => {
    const scene = smoothScene(300, 200, 2)
    const random = seeded(3)
    const pixels = scene.pixels.slice()
    // A patch of fine, strong texture (gravel, foliage): many small light and dark blobs, close together.
    for (let y = 20; y < 120; y++)
      for (let x = 20; x < 120; x++) {
        const at = (y * 300 + x) * 3
        const value = random() < 0.5 ? 30 + random() * 40 : 190 + random() * 60
        for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(value)
      }
    // A thin straight line (a power line) and a curved hair, one pixel wide, dark and light.
    for (let x = 140; x < 290; x++) pixels.fill(25, (60 * 300 + x) * 3, (60 * 300 + x) * 3 + 3)
    const hairAt = (t: number): number => Math.round(140 + 25 * Math.sin(t / 20))
    for (let t = 0; t < 120; t++)
      for (let y = Math.min(hairAt(t), hairAt(t + 1)); y <= Math.max(hairAt(t), hairAt(t + 1)); y++)
        pixels.fill(245, (y * 300 + 150 + t) * 3, (y * 300 + 150 + t) * 3 + 3)
    const photo = { ...scene, pixels }
    const { image, specks } = await removeDust(photo, DPI)
    expect(specks).toBe(0)
    expect(Buffer.from(image.pixels).equals(Buffer.from(photo.pixels))).toBe(true)
  })

  it('leaves the photo’s own coloured points (more of its surround’s colour, or another), and fills grey and brownish dirt', async () => {
    // A pale pink petal, with grain: dust is grey, white or black, mixed into it by how much it covers.
    const random = seeded(8)
    const petal = [235, 190, 200]
    const photo: RasterImage = {
      width: 200,
      height: 120,
      channels: 3,
      depth: 8,
      pixels: new Uint8Array(200 * 120 * 3),
    }
    for (let i = 0; i < 200 * 120; i++) {
      const grain = (random() + random() + random() - 1.5) * 6
      for (let c = 0; c < 3; c++) photo.pixels[i * 3 + c] = Math.round(petal[c]! + grain)
    }
    const clean = { ...photo, pixels: photo.pixels.slice() }
    const points: { speck: LaidSpeck; colour: number[]; dust: boolean }[] = [
      { speck: { x: 30, y: 40, radius: 3, level: 0 }, colour: [200, 40, 80], dust: false }, // the lily's red spot
      { speck: { x: 70, y: 40, radius: 3, level: 0 }, colour: [40, 120, 40], dust: false }, // a green point
      { speck: { x: 110, y: 40, radius: 3, level: 0 }, colour: [20, 20, 20], dust: true },
      { speck: { x: 150, y: 40, radius: 3, level: 0 }, colour: [252, 252, 252], dust: true },
      { speck: { x: 70, y: 90, radius: 3, level: 0 }, colour: [70, 50, 35], dust: true }, // dirt, brownish
    ]
    for (const { speck, colour } of points)
      forDisc(speck, 0, photo, (at, distance) => {
        const cover = Math.min(1, Math.max(0, speck.radius + 0.5 - distance))
        for (let c = 0; c < 3; c++)
          photo.pixels[at + c] = Math.round(photo.pixels[at + c]! * (1 - cover) + colour[c]! * cover)
      })
    const { image, specks } = await removeDust(photo, DPI)
    expect(specks).toBe(3)
    for (const { speck, dust } of points) {
      if (dust) expect(speckError(image, clean, speck)).toBeLessThan(6)
      else expect(speckError(image, photo, speck)).toBe(0)
    }
  })

  it('takes the largest speck from the scan’s dpi (half a millimetre), else from the photo’s size', async () => {
    const clean = smoothScene(240, 180, 4)
    expect([largestSpeck(clean, 600), largestSpeck(clean, 300), largestSpeck(clean, 150)]).toEqual([12, 6, 3])
    expect(largestSpeck({ ...clean, width: 3600, height: 2400 })).toBe(8)
    expect(largestSpeck(clean)).toBe(2) // at least 2 pixels
    // A blot 8 px across: dust at 600 dpi (a third of a millimetre), a mark of the photo's own at 150 (1.4 mm).
    const blot: LaidSpeck = { x: 120, y: 90, radius: 4, level: 250 }
    const photo = laid(clean, [blot])
    const at600 = await removeDust(photo, 600)
    expect(at600.specks).toBe(1)
    expect(speckError(at600.image, clean, blot)).toBeLessThan(6)
    const at150 = await removeDust(photo, 150)
    expect(at150.specks).toBe(0)
    expect(Buffer.from(at150.image.pixels).equals(Buffer.from(photo.pixels))).toBe(true)
  })

  it('keeps alpha, looks only at what is opaque, and fills from opaque pixels', async () => {
    const clean = smoothScene(160, 120, 5, 4)
    const speck: LaidSpeck = { x: 60, y: 60, radius: 3, level: 10 }
    const hidden: LaidSpeck = { x: 120, y: 60, radius: 3, level: 250 }
    const photo = laid(clean, [speck, hidden])
    // Only a strip around the visible speck is opaque: magenta under alpha 0 on both sides of it (more than half
    // the window it is filled from), and the right third cleared, the hidden speck in it.
    for (let y = 0; y < 120; y++)
      for (let x = 0; x < 160; x++) {
        if (x >= 100) photo.pixels[(y * 160 + x) * 4 + 3] = 0
        else if (x < 55 || x >= 66) photo.pixels.set([255, 0, 255, 0], (y * 160 + x) * 4)
      }
    const { image, specks } = await removeDust(photo, DPI)
    expect(specks).toBe(1)
    for (let i = 3; i < image.pixels.length; i += 4) expect(image.pixels[i]).toBe(photo.pixels[i])
    const inside = (y: number, x: number) => [
      ...image.pixels.subarray((y * 160 + x) * 4, (y * 160 + x) * 4 + 3),
    ]
    // The speck's centre filled with the scene's colour there (grain aside), not magenta's.
    const scene = [...clean.pixels.subarray((60 * 160 + 60) * 4, (60 * 160 + 60) * 4 + 3)]
    inside(60, 60).forEach((value, c) => expect(Math.abs(value - scene[c]!)).toBeLessThanOrEqual(8))
    expect(inside(60, 120)).toEqual([250, 250, 250])
  })

  it('fills a 16-bit photo at 16 bits', async () => {
    const clean = smoothScene(160, 120, 6)
    const deep = (image: RasterImage): RasterImage => ({
      ...image,
      depth: 16,
      pixels: Uint16Array.from(image.pixels, (v) => v * 257 + 3),
    })
    const speck: LaidSpeck = { x: 80, y: 60, radius: 2.5, level: 240 }
    const { image, specks } = await removeDust(deep(laid(clean, [speck])), DPI)
    expect([specks, image.depth]).toEqual([1, 16])
    const centre = (80 + 60 * 160) * 3
    // Filled with 16-bit values of the surround (each v·257 + 3), near the scene's.
    expect(image.pixels[centre]! % 257).toBe(3)
    expect(Math.abs(image.pixels[centre]! - (clean.pixels[centre]! * 257 + 3))).toBeLessThanOrEqual(8 * 257)
  })
})
