import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { SharpOptions } from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CropRenderer } from '../../src/engine/crop.js'
import { PhotoTiles } from '../../src/engine/image/photo-tiles.js'
import { thumbnail } from '../../src/engine/image/thumbnail.js'
import { turnedPlaces, turnedRaster } from '../../src/engine/image/turn.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { largestSpeck } from '../../src/engine/image/dust.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import type { EngineSettings, EnhanceSettings } from '../../src/shared/settings.js'
import { QUARTER_TURNS, turnedPoint } from '../../src/shared/turn.js'
import type { Facing } from '../../src/shared/turn.js'
import { dusted, smoothScene } from '../helpers/dust.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { writeIdentityModel } from '../helpers/models.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-turn-'))
const registry = new ModelRegistry({ device: 'cpu' })
const crops = new CropRenderer(registry, 4_000_000)
let model: { path: string }
beforeAll(() => {
  model = { path: writeIdentityModel(work) }
})
afterAll(() => registry.close())

const settings = (overrides: Partial<EnhanceSettings> = {}): EnhanceSettings => ({
  ...DEFAULT_SETTINGS,
  format: 'png',
  tile: 16,
  ...overrides,
})
/** Every way a photo can face but upright: three turns, and the four turns mirrored. */
const FACINGS: Facing[] = [true, false]
  .flatMap((mirrored) => QUARTER_TURNS.map((turn) => ({ turn, mirrored })))
  .filter((facing) => facing.turn || facing.mirrored)
const right = (turn: Facing['turn']): Facing => ({ turn, mirrored: false })

/** Samples of a `width` × `height` photo, each of its own value (no two pixels alike). */
function numbered(width: number, height: number, channels: 3 | 4 = 3): Buffer {
  return Buffer.from(Array.from({ length: width * height * channels }, (_, i) => (i * 37 + 11) % 256))
}

async function photo(name: string, width: number, height: number, orientation?: number): Promise<string> {
  const path = join(work, name)
  const image = sharp(numbered(width, height), { raw: { width, height, channels: 3 } })
  await (orientation ? image.withMetadata({ orientation }) : image).png().toFile(path)
  return path
}

/** A 96 × 64 scan at 600 dpi with three specks of dust laid on it (seeded), written as PNG. */
async function dustyPhoto(name: string, seed: number) {
  const scene = smoothScene(96, 64, seed)
  const { image, specks } = dusted(scene, 3, largestSpeck(scene, 600), seed, 20)
  const input = join(work, name)
  await sharp(image.pixels, { raw: { width: 96, height: 64, channels: 3 } })
    .withMetadata({ density: 600 })
    .png()
    .toFile(input)
  return { input, image, specks }
}

/** Each row of a `width`-pixel RGB raster read right to left: the mirror, made here without sharp. */
function mirroredRows(pixels: Buffer, width: number): Buffer {
  const rowBytes = width * 3
  const mirrored = Buffer.alloc(pixels.length)
  for (let from = 0; from < pixels.length; from += 3) {
    const [row, column] = [Math.floor(from / rowBytes), (from % rowBytes) / 3]
    pixels.copy(mirrored, row * rowBytes + (width - 1 - column) * 3, from, from + 3)
  }
  return mirrored
}

/**
 * A file's (or a raw RGB raster's) pixels as 8-bit RGB, upright by its orientation, mirrored by `mirroredRows` and then
 * turned by sharp: the reference.
 */
async function facedBySharp(input: string | Buffer, { turn, mirrored }: Facing, raw?: SharpOptions) {
  const { data, info } = await sharp(input, raw)
    .rotate()
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  const laid = mirrored ? mirroredRows(data, info.width) : data
  return sharp(laid, { raw: { width: info.width, height: info.height, channels: 3 } })
    .rotate(turn)
    .raw()
    .toBuffer()
}

describe('turning a raster', () => {
  it.each(FACINGS)(
    'moves every sample where the reference does: $turn° clockwise, mirrored $mirrored',
    async (facing) => {
      const [width, height] = [7, 5]
      const pixels = numbered(width, height)
      const image: RasterImage = { width, height, channels: 3, depth: 8, pixels: new Uint8Array(pixels) }
      const turned = turnedRaster(image, facing)
      const reference = await facedBySharp(pixels, facing, { raw: { width, height, channels: 3 } })
      expect([turned.width, turned.height]).toEqual(facing.turn % 180 ? [5, 7] : [7, 5])
      expect(Buffer.from(turned.pixels)).toEqual(reference)
    },
  )

  it('keeps 16-bit samples and alpha exactly: four quarter turns are the photo again', () => {
    const [width, height] = [3, 2]
    const pixels = Uint16Array.from({ length: width * height * 4 }, (_, i) => i * 2749)
    const image: RasterImage = { width, height, channels: 4, depth: 16, pixels }
    const once = turnedRaster(image, right(90))
    expect([once.width, once.height, once.pixels.constructor]).toEqual([2, 3, Uint16Array])
    // The bottom left pixel (0, 1) is the top left once turned right.
    expect([...once.pixels.subarray(0, 4)]).toEqual([...pixels.subarray(12, 16)])
    let turned = image
    for (let i = 0; i < 4; i++) turned = turnedRaster(turned, right(90))
    expect(turned.pixels).toEqual(pixels)
    expect(turnedRaster(turnedRaster(image, right(90)), right(270)).pixels).toEqual(pixels)
    // Mirrored: the top left pixel is the top right; twice, the photo again; then turned, as turned after.
    const mirrored = turnedRaster(image, { turn: 0, mirrored: true })
    expect([...mirrored.pixels.subarray(0, 4)]).toEqual([...pixels.subarray(8, 12)])
    expect(turnedRaster(mirrored, { turn: 0, mirrored: true }).pixels).toEqual(pixels)
    expect(turnedRaster(image, { turn: 90, mirrored: true }).pixels).toEqual(
      turnedRaster(mirrored, right(90)).pixels,
    )
  })

  it("places kept on a file's pixels are where those pixels go", () => {
    const size = { width: 12, height: 8 }
    expect(
      turnedPlaces(
        [
          { x: 0, y: 0 },
          { x: 11, y: 7 },
          { x: 3, y: 2 },
        ],
        right(90),
        size,
      ),
    ).toEqual([
      { x: 7, y: 0 },
      { x: 0, y: 11 },
      { x: 5, y: 3 },
    ])
    expect(turnedPlaces([{ x: 3, y: 2 }], right(0), size)).toEqual([{ x: 3, y: 2 }])
    // Mirrored, (3, 2) is (8, 2); then turned right, (5, 8) of the 8 × 12 photo.
    expect(turnedPlaces([{ x: 3, y: 2 }], { turn: 0, mirrored: true }, size)).toEqual([{ x: 8, y: 2 }])
    expect(turnedPlaces([{ x: 3, y: 2 }], { turn: 90, mirrored: true }, size)).toEqual([{ x: 5, y: 8 }])
  })
})

describe('a photo enhanced turned', () => {
  it.each(FACINGS)(
    'is the photo so facing, enlarged: $turn°, mirrored $mirrored, pixel for pixel',
    async (facing) => {
      const { turn, mirrored } = facing
      const name = `turn-${turn}${mirrored ? '-mirrored' : ''}`
      const input = await photo(`${name}.png`, 12, 8)
      const [upright, turned] = [join(work, `${name}-0.png`), join(work, `${name}-out.png`)]
      await enhancePhoto(registry, input, upright, model, settings())
      const result = await enhancePhoto(registry, input, turned, model, settings({ turn, mirrored }))
      expect([result.width, result.height]).toEqual(turn % 180 ? [32, 48] : [48, 32])
      expect(await sharp(turned).removeAlpha().raw().toBuffer()).toEqual(await facedBySharp(upright, facing))
    },
  )

  it.each([6, 5])(
    'turns and mirrors after EXIF orientation %i stands it upright, and says it is upright',
    async (o) => {
      // 6: the camera was turned; its viewer turns the stored pixels right to show it. 5: mirrored, and turned left.
      const input = await photo(`oriented-${o}.png`, 12, 8, o)
      const output = join(work, `oriented-${o}-out.png`)
      await enhancePhoto(registry, input, output, model, settings({ turn: 90, mirrored: true }))
      const meta = await sharp(output).metadata()
      expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([48, 32, 1])
      const expected = await sharp(await facedBySharp(input, { turn: 90, mirrored: true }), {
        raw: { width: 12, height: 8, channels: 3 },
      })
        .resize(48, 32, { kernel: 'nearest' })
        .raw()
        .toBuffer()
      expect(await sharp(output).removeAlpha().raw().toBuffer()).toEqual(expected)
    },
  )

  it('fits a box and a print as the turned photo stands', async () => {
    const input = await photo('landscape.png', 12, 8)
    const fit = { mode: 'fit', width: 40, height: 100 } as const
    const flat = await enhancePhoto(registry, input, join(work, 'fit-0.png'), model, settings({ size: fit }))
    const turned = await enhancePhoto(
      registry,
      input,
      join(work, 'fit-90.png'),
      model,
      settings({ size: fit, turn: 90 }),
    )
    expect([flat.width, flat.height]).toEqual([40, 27])
    expect([turned.width, turned.height]).toEqual([40, 60])
  })

  it("keeps dust removal from the places kept on the file's pixels", async () => {
    const { input, image, specks } = await dustyPhoto('dusty-turned.png', 9)
    const [kept, other] = specks
    const place = { x: Math.round(kept!.x), y: Math.round(kept!.y) }
    const run = async (name: string, extra: Partial<EngineSettings>) => {
      const output = join(work, name)
      await enhancePhoto(registry, input, output, model, {
        ...settings({ removeDust: true, turn: 90, mirrored: true }),
        ...extra,
      })
      return sharp(output).removeAlpha().raw().toBuffer()
    }
    const [filled, keeping] = [
      await run('dusty-filled.png', {}),
      await run('dusty-kept.png', { kept: [place] }),
    ]
    // Output pixels (×4) at where the mirror and turn take a speck's centre: 64 × 4 wide once turned.
    const at = (speck: { x: number; y: number }) => {
      const centre = { x: Math.floor(speck.x), y: Math.floor(speck.y) }
      const p = turnedPoint(centre, { turn: 90, mirrored: true }, { width: 96, height: 64 })
      return ((p.y * 4 + 2) * 256 + p.x * 4 + 2) * 3
    }
    const original = image.pixels[(Math.floor(kept!.y) * 96 + Math.floor(kept!.x)) * 3]!
    expect(Math.abs(keeping[at(kept!)]! - filled[at(kept!)]!)).toBeGreaterThan(40)
    expect(Math.abs(keeping[at(kept!)]! - original)).toBeLessThanOrEqual(1)
    expect(keeping.subarray(at(other!), at(other!) + 3)).toEqual(filled.subarray(at(other!), at(other!) + 3))
  })
})

describe('views of a photo turned', () => {
  it.each(FACINGS)(
    'a thumbnail and its size are of the photo facing $turn°, mirrored $mirrored',
    async (facing) => {
      const input = await photo('thumb.png', 12, 8)
      const shown = await thumbnail(input, 64, 'photo', facing)
      const size = facing.turn % 180 ? [8, 12] : [12, 8]
      expect([shown.width, shown.height, shown.originalWidth, shown.originalHeight]).toEqual([
        ...size,
        ...size,
      ])
      expect(await sharp(shown.png).removeAlpha().raw().toBuffer()).toEqual(await facedBySharp(input, facing))
    },
  )

  it('a small thumbnail is shrunk as the turned photo stands', async () => {
    const input = await photo('thumb-small.png', 12, 8)
    const small = await thumbnail(input, 6, 'photo', right(90))
    expect([small.width, small.height, small.originalWidth, small.originalHeight]).toEqual([4, 6, 8, 12])
  })

  it("1:1 tiles are the turned photo's, cut apart from the photo's own", async () => {
    const input = await photo('tiles.png', 600, 40)
    const tiles = new PhotoTiles(join(work, 'tile-cache'))
    const facing = { turn: 90, mirrored: true } as const
    const turned = await tiles.tile(input, 0, 1, facing)
    expect([turned.left, turned.top, turned.width, turned.height]).toEqual([0, 512, 40, 88])
    const reference = await sharp(await facedBySharp(input, facing), {
      raw: { width: 40, height: 600, channels: 3 },
    })
      .extract({ left: 0, top: 512, width: 40, height: 88 })
      .raw()
      .toBuffer()
    expect(await sharp(turned.png).removeAlpha().raw().toBuffer()).toEqual(reference)
    const upright = await tiles.tile(input, 1, 0)
    expect([upright.left, upright.width, upright.height]).toEqual([512, 88, 40])
    // The same file turned without the mirror is cut apart again: not the mirrored tiles.
    const unmirrored = await tiles.tile(input, 0, 1, right(90))
    expect(Buffer.from(unmirrored.png).equals(Buffer.from(turned.png))).toBe(false)
  })

  it("the realism crop is a region of the turned photo; kept places stay on the file's pixels", async () => {
    const input = await photo('crop.png', 24, 16)
    const region = { x: 2, y: 10, width: 9, height: 7 }
    const crop = await crops.render(input, region, model, {}, { turn: 90, mirrored: true })
    const expected = await sharp(await facedBySharp(input, { turn: 90, mirrored: true }), {
      raw: { width: 16, height: 24, channels: 3 },
    })
      .extract({ left: 2, top: 10, width: 9, height: 7 })
      .resize(36, 28, { kernel: 'nearest' })
      .raw()
      .toBuffer()
    expect(await sharp(crop.png).removeAlpha().raw().toBuffer()).toEqual(expected)

    const { input: dusty, specks } = await dustyPhoto('crop-dusty-turned.png', 5)
    const [speck] = specks
    const place = { x: Math.round(speck!.x), y: Math.round(speck!.y) }
    const whole = { x: 0, y: 0, width: 64, height: 96 }
    const facing = { turn: 270, mirrored: true } as const
    const keeping = await crops.render(dusty, whole, model, { removeDust: true, kept: [place] }, facing)
    expect(keeping.filled).toEqual({ specks: specks.length - 1 })
    // Its mark, kept by the place, lies where the mirror and turn take the speck.
    const at = turnedPoint(place, facing, { width: 96, height: 64 })
    const held = keeping.marks!.filter((mark) => mark.keptBy.length)
    expect(held).toHaveLength(1)
    expect(held[0]!.pixels.some((p) => Math.abs(p.x - at.x) <= 1 && Math.abs(p.y - at.y) <= 1)).toBe(true)
  })
})
