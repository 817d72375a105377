import { describe, expect, it } from 'vitest'
import { largestSpeck } from '../../src/engine/image/dust.js'
import { removeScratches } from '../../src/engine/image/scratches.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { changedPixels, smoothScene } from '../helpers/dust.js'
import { scratchError, scratched } from '../helpers/scratches.js'
import type { LaidScratch } from '../helpers/scratches.js'
import { seeded } from '../helpers/seeded.js'

const DPI = 600

/** Pixels within `margin` of any of `scratches`. */
function nearAny(scratches: LaidScratch[], image: RasterImage, margin: number): Uint8Array {
  const near = new Uint8Array(image.width * image.height)
  for (const { pixels } of scratches)
    for (const i of pixels) {
      const [x, y] = [i % image.width, Math.floor(i / image.width)]
      for (let ny = Math.max(0, y - margin); ny <= Math.min(image.height - 1, y + margin); ny++)
        for (let nx = Math.max(0, x - margin); nx <= Math.min(image.width - 1, x + margin); nx++)
          near[ny * image.width + nx] = 1
    }
  return near
}

/**
 * Each of the lines `laid` on `clean` (each visible: over 25 levels off) filled in `image` to a quarter of its error
 * (or 5 levels), and not a pixel changed away from them.
 */
function expectEachFilled(
  laid: { image: RasterImage; scratches: LaidScratch[] },
  clean: RasterImage,
  image: RasterImage,
): void {
  for (const scratch of laid.scratches) {
    const before = scratchError(laid.image, clean, scratch)
    expect(before).toBeGreaterThan(25)
    expect(scratchError(image, clean, scratch)).toBeLessThan(Math.max(5, before / 4))
  }
  const near = nearAny(laid.scratches, clean, 3)
  expect(changedPixels(image, laid.image).filter((i) => !near[i])).toEqual([])
}

/** `image` with a line `width` px wide (hard-edged) of grey `level` from (x0, y0) to (x1, y1). */
function drawn(image: RasterImage, [x0, y0, x1, y1]: number[], width: number, level: number): RasterImage {
  const pixels = image.pixels.slice()
  const length = Math.hypot(x1! - x0!, y1! - y0!)
  const margin = Math.ceil(width / 2) + 1
  const [top, bottom] = [Math.max(0, Math.floor(Math.min(y0!, y1!)) - margin), Math.max(y0!, y1!) + margin]
  const [left, right] = [Math.max(0, Math.floor(Math.min(x0!, x1!)) - margin), Math.max(x0!, x1!) + margin]
  for (let y = top; y < Math.min(image.height, bottom); y++)
    for (let x = left; x < Math.min(image.width, right); x++) {
      const t = Math.max(0, Math.min(1, ((x - x0!) * (x1! - x0!) + (y - y0!) * (y1! - y0!)) / length ** 2))
      const d = Math.hypot(x - (x0! + t * (x1! - x0!)), y - (y0! + t * (y1! - y0!)))
      if (d <= width / 2)
        for (let c = 0; c < 3; c++) pixels[(y * image.width + x) * image.channels + c] = level
    }
  return { ...image, pixels }
}

/**
 * A patch of strong, fine texture from (left, top), `size` px square: light and dark (gravel), dark points on the
 * scene (foliage in shade), or fewer of them (a sparse shade).
 */
function textured(
  image: RasterImage,
  left: number,
  top: number,
  size: number,
  seed: number,
  kind: 'gravel' | 'dark' | 'sparse' = 'gravel',
): RasterImage {
  const random = seeded(seed)
  const pixels = image.pixels.slice()
  for (let y = top; y < top + size; y++)
    for (let x = left; x < left + size; x++) {
      const dark = random() < (kind === 'sparse' ? 0.15 : 0.5)
      if (kind !== 'gravel' && !dark) continue
      const value = dark ? 30 + random() * 40 : 190 + random() * 60
      for (let c = 0; c < 3; c++) pixels[(y * image.width + x) * image.channels + c] = Math.round(value)
    }
  return { ...image, pixels }
}

describe('removing scratches and hairs', () => {
  it('fills every scratch and hair on a smooth scene from its surround, and changes nothing away from them', async () => {
    const clean = smoothScene(600, 400, 21)
    const side = largestSpeck(clean, DPI)
    // Lines at least a speck apart: closer, two see each other as texture (as specks do).
    const laid = scratched(clean, 16, { widest: side / 2, shortest: 2 * side, longest: 20 * side }, 5, side)
    const { image, scratches } = await removeScratches(laid.image, DPI)
    expect(laid.scratches.length).toBeGreaterThanOrEqual(6)
    expect(scratches).toBe(laid.scratches.length)
    expectEachFilled(laid, clean, image)
  })

  it('leaves a line the user kept (a click beside any part of it) as it was, and fills the others', async () => {
    const clean = smoothScene(600, 400, 21)
    const side = largestSpeck(clean, DPI)
    const laid = scratched(clean, 16, { widest: side / 2, shortest: 2 * side, longest: 20 * side }, 5, side)
    const [kept, ...others] = laid.scratches
    // Half a speck to the side of a pixel along the line, not on it.
    const on = kept!.pixels[Math.floor(kept!.pixels.length / 2)]!
    const click = { x: (on % clean.width) + Math.floor(side / 2), y: Math.floor(on / clean.width) }
    const { image, scratches } = await removeScratches(laid.image, DPI, [click])
    expect(scratches).toBe(laid.scratches.length - 1)
    const near = nearAny([kept!], clean, 3)
    expect(changedPixels(image, laid.image).filter((i) => near[i])).toEqual([])
    expectEachFilled({ image: laid.image, scratches: others }, clean, image)
  })

  it('fills curled hairs along their curve on a smooth scene, and follows one through sparse foliage by its shade', async () => {
    const clean = smoothScene(600, 400, 41)
    const side = largestSpeck(clean, DPI)
    const curl = { widest: side / 2, shortest: 8 * side, longest: 20 * side, curl: 1.5 }
    const laid = scratched(clean, 10, curl, 43, side)
    const { image } = await removeScratches(laid.image, DPI)
    expect(laid.scratches.length).toBeGreaterThanOrEqual(5)
    expectEachFilled(laid, clean, image)
    // One curling through sparse dark foliage, where its pieces do not stand out from their ring: followed through
    // it by its shade, as a straight one is.
    const foliage = textured(smoothScene(700, 200, 31), 330, 20, 200, 33, 'sparse')
    const curve = (x: number): number => 100 + 35 * Math.sin(x / 8)
    const hair = Array.from({ length: 660 }, (_, k) => 20 + k).reduce(
      (photo, x) => drawn(photo, [x, curve(x), x + 1, curve(x + 1)], 2.5, 245),
      foliage,
    )
    const { image: through } = await removeScratches(hair, DPI)
    for (const x of [60, 380, 430, 480])
      expect(through.pixels[(Math.round(curve(x)) * 700 + x) * 3]).toBeLessThan(200)
  })

  it('leaves what is not a scratch: fine texture, handwriting, a broad stripe, a short dash, a speck', async () => {
    let photo = textured(smoothScene(500, 300, 22), 20, 20, 110, 23)
    // A word of handwriting in a fine pen (a close zigzag, 1.5 px wide), 180 px long.
    const pixels = photo.pixels.slice()
    for (let x = 160; x < 340; x += 0.25) {
      const y = Math.round(60 + 12 * Math.sin(x / 3))
      for (let c = 0; c < 3; c++) pixels[(y * 500 + Math.round(x)) * 3 + c] = 30
    }
    photo = { ...photo, pixels }
    photo = drawn(photo, [160, 150, 340, 170], 9, 240) // a stripe 9 px wide: a detail of the photo's own
    photo = drawn(photo, [380, 100, 394, 104], 2, 240) // a dash shorter than a millimetre
    photo = drawn(photo, [420, 220, 420, 220], 7, 20) // a speck: dust's, not a line
    const { image, scratches } = await removeScratches(photo, DPI)
    expect(scratches).toBe(0)
    expect(Buffer.from(image.pixels).equals(Buffer.from(photo.pixels))).toBe(true)
  })

  it('leaves lines that come as a set (the gaps between a deck’s boards) and fills scratches that lie side by side', async () => {
    const clean = smoothScene(500, 300, 35)
    // Five gaps between boards, 2.5 px wide and 18 px apart, closing in as a deck does away from the camera.
    const deck = [0, 1, 2, 3, 4].reduce(
      (photo, k) => drawn(photo, [40 + 18 * k, 40, 60 + 15 * k, 260], 2.5, 45),
      clean,
    )
    const { image: kept, scratches: none } = await removeScratches(deck, DPI)
    expect(none).toBe(0)
    expect(Buffer.from(kept.pixels).equals(Buffer.from(deck.pixels))).toBe(true)
    // Two scratches side by side, and a third at an angle to them: each filled.
    const scratched = [
      [250, 40, 470, 70],
      [250, 60, 470, 90],
      [260, 120, 460, 260],
    ].reduce((photo, line) => drawn(photo, line, 2.5, 235), clean)
    const { image, scratches } = await removeScratches(scratched, DPI)
    expect(scratches).toBe(3)
    const lines = { pixels: changedPixels(scratched, clean) }
    expect(scratchError(scratched, clean, lines)).toBeGreaterThan(80)
    expect(scratchError(image, clean, lines)).toBeLessThan(6)
  })

  it('fills a scratch where its surround is smooth and leaves it where it joins the busy detail it crosses', async () => {
    // Gravel (light and dark) and dark foliage: a light scratch joins the light stones and the gaps between leaves.
    const gravel = textured(smoothScene(500, 200, 24), 120, 40, 100, 25)
    const clean = textured(gravel, 300, 40, 100, 29, 'dark')
    const photo = drawn(clean, [20, 90, 480, 110], 2.5, 245)
    const { image, scratches } = await removeScratches(photo, DPI)
    expect(scratches).toBe(1)
    const column = (x: number): number => Math.round(90 + (20 * (x - 20)) / 460) * 500 + x
    for (const x of [30, 70, 250, 450]) expect(image.pixels[column(x) * 3]).toBeLessThan(200)
    for (const x of [140, 170, 200, 320, 350, 380]) expect(image.pixels[column(x) * 3]).toBe(245)
  })

  it('follows a scratch through busy detail while it keeps its shade; a line that does not, only through a short stretch', async () => {
    const narrow = textured(smoothScene(700, 200, 31), 150, 60, 40, 32, 'dark')
    const clean = textured(narrow, 330, 40, 200, 33, 'dark')
    const scratch = drawn(clean, [20, 100, 680, 100], 2.5, 245)
    const { image, scratches } = await removeScratches(scratch, DPI)
    expect(scratches).toBe(1)
    const at = (x: number, of = image): number => of.pixels[(100 * 700 + x) * 3]!
    for (const x of [60, 160, 180, 260, 380, 430, 480, 600]) expect(at(x)).toBeLessThan(200)
    // A line of the photo's own, shaded where leaves cover it: bridged over the narrow band, left in the wide one.
    const shaded = [150, 330].reduce(
      (photo, left) => drawn(photo, [left, 100, left + (left === 150 ? 40 : 200), 100], 2.5, 200),
      scratch,
    )
    const { image: kept } = await removeScratches(shaded, DPI)
    for (const x of [60, 160, 180, 260, 600]) expect(at(x, kept)).toBeLessThan(180)
    for (const x of [380, 430, 480]) expect(at(x, kept)).toBe(200)
    // A scratch scraped less deep along its length: its shade drifts, 40 levels end to end, and is followed.
    const drifting = Array.from({ length: 33 }, (_, k) => 20 + 20 * k).reduce(
      (photo, left) =>
        drawn(photo, [left, 100, left + 20, 100], 2.5, Math.round(250 - (40 * (left - 20)) / 660)),
      clean,
    )
    const { image: followed } = await removeScratches(drifting, DPI)
    for (const x of [60, 160, 180, 260, 380, 430, 480, 600]) expect(at(x, followed)).toBeLessThan(180)
  })

  it('fills across the line: what crosses it (stripes of a fabric, a fence) runs on through it', async () => {
    const clean = smoothScene(300, 200, 34)
    const pixels = clean.pixels.slice()
    for (let i = 0; i < pixels.length; i++) {
      const x = Math.floor(i / 3) % 300
      pixels[i] = Math.round(pixels[i]! + 14 * Math.sin((2 * Math.PI * x) / 11))
    }
    const striped = { ...clean, pixels }
    const photo = drawn(striped, [20, 60, 280, 130], 3, 235)
    const { image, scratches } = await removeScratches(photo, DPI)
    expect(scratches).toBe(1)
    const line = { pixels: changedPixels(photo, striped) }
    expect(scratchError(photo, striped, line)).toBeGreaterThan(100)
    // The stripes swing 28 levels: a fill that did not carry them through would be some 9 levels out on average.
    expect(scratchError(image, striped, line)).toBeLessThan(5)
  })

  it('fills a scratch whole: its faint end, and a short spur off it', async () => {
    const clean = smoothScene(400, 200, 30)
    const pixels = clean.pixels.slice()
    // Light, fading from 90 levels over the scene to 22 at its right end: there, grain takes pixels of it below
    // the noise threshold (20), which would cut it into dashes.
    for (let x = 30; x <= 370; x++)
      for (let y = 100; y <= 100; y++) {
        const at = (y * 400 + x) * 3
        for (let c = 0; c < 3; c++)
          pixels[at + c] = clean.pixels[at + c]! + Math.round(90 - (68 * (x - 30)) / 340)
      }
    for (let y = 88; y < 100; y++) pixels.fill(230, (y * 400 + 150) * 3, (y * 400 + 150) * 3 + 3)
    const photo = { ...clean, pixels }
    const { image, scratches } = await removeScratches(photo, DPI)
    expect(scratches).toBe(1)
    const error = (x: number, y = 100): number =>
      Math.abs(image.pixels[(y * 400 + x) * 3]! - clean.pixels[(y * 400 + x) * 3]!)
    for (const x of [40, 150, 300, 340, 360]) expect(error(x)).toBeLessThanOrEqual(8)
    for (const y of [90, 95]) expect(error(150, y)).toBeLessThanOrEqual(8)
  })

  it('takes a scratch’s widest from the scan’s dpi (a quarter of a millimetre)', async () => {
    const clean = smoothScene(300, 200, 26)
    const photo = drawn(clean, [30, 40, 270, 160], 5, 235) // 5 px: 0.2 mm at 600 dpi, 0.8 mm at 150
    const at600 = await removeScratches(photo, 600)
    expect(at600.scratches).toBe(1)
    const middle = (100 * 300 + 150) * 3
    expect(Math.abs(at600.image.pixels[middle]! - clean.pixels[middle]!)).toBeLessThanOrEqual(10)
    const at150 = await removeScratches(photo, 150)
    expect(at150.scratches).toBe(0)
    expect(Buffer.from(at150.image.pixels).equals(Buffer.from(photo.pixels))).toBe(true)
  })

  it('keeps alpha, looks only at what is opaque and fills from opaque pixels; 16 bits at 16 bits', async () => {
    const clean = smoothScene(300, 160, 27, 4)
    const photo = drawn(clean, [150, 10, 150, 150], 2, 20)
    // The bottom rows cleared (the line goes on under them), and magenta under alpha 0 on both sides of the line
    // above, most of the window it is filled from.
    for (let y = 0; y < 160; y++)
      for (let x = 0; x < 300; x++) {
        const at = (y * 300 + x) * 4
        if (y >= 110) photo.pixels[at + 3] = 0
        else if (Math.abs(x - 150) >= 4 && Math.abs(x - 150) < 12) photo.pixels.set([255, 0, 255, 0], at)
      }
    const { image, scratches } = await removeScratches(photo, DPI)
    expect(scratches).toBe(1)
    for (let i = 3; i < image.pixels.length; i += 4) expect(image.pixels[i]).toBe(photo.pixels[i])
    const at = (y: number): number[] => [
      ...image.pixels.subarray((y * 300 + 150) * 4, (y * 300 + 150) * 4 + 3),
    ]
    const scene = (y: number): number[] => [
      ...clean.pixels.subarray((y * 300 + 150) * 4, (y * 300 + 150) * 4 + 3),
    ]
    for (const y of [30, 60, 90])
      at(y).forEach((value, c) => expect(Math.abs(value - scene(y)[c]!)).toBeLessThanOrEqual(8))
    expect(at(130)).toEqual([20, 20, 20])

    const deep = drawn(smoothScene(300, 160, 28), [20, 60, 280, 100], 2, 240)
    const wide = { ...deep, depth: 16 as const, pixels: Uint16Array.from(deep.pixels, (v) => v * 257 + 3) }
    const sixteen = await removeScratches(wide, DPI)
    expect([sixteen.scratches, sixteen.image.depth]).toEqual([1, 16])
    const centre = (80 * 300 + 150) * 3
    expect(sixteen.image.pixels[centre]! % 257).toBe(3)
    expect(sixteen.image.pixels[centre]!).toBeLessThan(200 * 257)
  })
})
