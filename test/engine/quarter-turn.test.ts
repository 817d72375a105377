import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
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
import type { QuarterTurn } from '../../src/shared/turn.js'
import { turnedPoint } from '../../src/shared/turn.js'
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
const TURNS: QuarterTurn[] = [90, 180, 270]

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

/** A file's pixels as 8-bit RGB, upright by its orientation and then turned by sharp (the reference). */
function turnedBySharp(path: string | Buffer, turn: QuarterTurn): Promise<Buffer> {
  return sharp(path).rotate().rotate(turn).removeAlpha().raw().toBuffer()
}

describe('turning a raster', () => {
  it.each(TURNS)('moves every sample as sharp turns it, %i° clockwise', async (turn) => {
    const [width, height] = [7, 5]
    const pixels = numbered(width, height)
    const image: RasterImage = { width, height, channels: 3, depth: 8, pixels: new Uint8Array(pixels) }
    const turned = turnedRaster(image, turn)
    const reference = await sharp(pixels, { raw: { width, height, channels: 3 } })
      .rotate(turn)
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect([turned.width, turned.height]).toEqual([reference.info.width, reference.info.height])
    expect(Buffer.from(turned.pixels)).toEqual(reference.data)
  })

  it('keeps 16-bit samples and alpha exactly: four quarter turns are the photo again', () => {
    const [width, height] = [3, 2]
    const pixels = Uint16Array.from({ length: width * height * 4 }, (_, i) => i * 2749)
    const image: RasterImage = { width, height, channels: 4, depth: 16, pixels }
    const once = turnedRaster(image, 90)
    expect([once.width, once.height, once.pixels.constructor]).toEqual([2, 3, Uint16Array])
    // The bottom left pixel (0, 1) is the top left once turned right.
    expect([...once.pixels.subarray(0, 4)]).toEqual([...pixels.subarray(12, 16)])
    let turned = image
    for (let i = 0; i < 4; i++) turned = turnedRaster(turned, 90)
    expect(turned.pixels).toEqual(pixels)
    expect(turnedRaster(turnedRaster(image, 90), 270).pixels).toEqual(pixels)
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
        90,
        size,
      ),
    ).toEqual([
      { x: 7, y: 0 },
      { x: 0, y: 11 },
      { x: 5, y: 3 },
    ])
    expect(turnedPlaces([{ x: 3, y: 2 }], 0, size)).toEqual([{ x: 3, y: 2 }])
  })
})

describe('a photo enhanced turned', () => {
  it.each(TURNS)('is the photo turned %i°, enlarged: pixel for pixel, size and all', async (turn) => {
    const input = await photo(`turn-${turn}.png`, 12, 8)
    const [upright, turned] = [join(work, `turn-${turn}-0.png`), join(work, `turn-${turn}-out.png`)]
    await enhancePhoto(registry, input, upright, model, settings())
    const result = await enhancePhoto(registry, input, turned, model, settings({ turn }))
    expect([result.width, result.height]).toEqual(turn === 180 ? [48, 32] : [32, 48])
    expect(await sharp(turned).removeAlpha().raw().toBuffer()).toEqual(await turnedBySharp(upright, turn))
  })

  it('turns after the EXIF orientation stands it upright, and says it is upright', async () => {
    // Orientation 6: the camera was turned; its viewer turns the stored pixels right to show it.
    const input = await photo('oriented.png', 12, 8, 6)
    const output = join(work, 'oriented-out.png')
    await enhancePhoto(registry, input, output, model, settings({ turn: 90 }))
    const meta = await sharp(output).metadata()
    expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([48, 32, 1])
    const expected = await sharp(await turnedBySharp(input, 90), {
      raw: { width: 12, height: 8, channels: 3 },
    })
      .resize(48, 32, { kernel: 'nearest' })
      .raw()
      .toBuffer()
    expect(await sharp(output).removeAlpha().raw().toBuffer()).toEqual(expected)
  })

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
        ...settings({ removeDust: true, turn: 90 }),
        ...extra,
      })
      return sharp(output).removeAlpha().raw().toBuffer()
    }
    const [filled, keeping] = [
      await run('dusty-filled.png', {}),
      await run('dusty-kept.png', { kept: [place] }),
    ]
    // Output pixels (×4) at where the turn takes a speck's centre: 64 × 4 wide once turned.
    const at = (speck: { x: number; y: number }) => {
      const p = turnedPoint({ x: Math.floor(speck.x), y: Math.floor(speck.y) }, 90, { width: 96, height: 64 })
      return ((p.y * 4 + 2) * 256 + p.x * 4 + 2) * 3
    }
    const original = image.pixels[(Math.floor(kept!.y) * 96 + Math.floor(kept!.x)) * 3]!
    expect(Math.abs(keeping[at(kept!)]! - filled[at(kept!)]!)).toBeGreaterThan(40)
    expect(Math.abs(keeping[at(kept!)]! - original)).toBeLessThanOrEqual(1)
    expect(keeping.subarray(at(other!), at(other!) + 3)).toEqual(filled.subarray(at(other!), at(other!) + 3))
  })
})

describe('views of a photo turned', () => {
  it('a thumbnail and its size are of the turned photo', async () => {
    const input = await photo('thumb.png', 12, 8)
    const shown = await thumbnail(input, 64, 'photo', 270)
    expect([shown.width, shown.height, shown.originalWidth, shown.originalHeight]).toEqual([8, 12, 8, 12])
    expect(await sharp(shown.png).removeAlpha().raw().toBuffer()).toEqual(await turnedBySharp(input, 270))
    const small = await thumbnail(input, 6, 'photo', 90)
    expect([small.width, small.height, small.originalWidth, small.originalHeight]).toEqual([4, 6, 8, 12])
  })

  it("1:1 tiles are the turned photo's, cut apart from the photo's own", async () => {
    const input = await photo('tiles.png', 600, 40)
    const tiles = new PhotoTiles(join(work, 'tile-cache'))
    const turned = await tiles.tile(input, 0, 1, 90)
    expect([turned.left, turned.top, turned.width, turned.height]).toEqual([0, 512, 40, 88])
    const reference = await sharp(await turnedBySharp(input, 90), {
      raw: { width: 40, height: 600, channels: 3 },
    })
      .extract({ left: 0, top: 512, width: 40, height: 88 })
      .raw()
      .toBuffer()
    expect(await sharp(turned.png).removeAlpha().raw().toBuffer()).toEqual(reference)
    const upright = await tiles.tile(input, 1, 0)
    expect([upright.left, upright.width, upright.height]).toEqual([512, 88, 40])
  })

  it("the realism crop is a region of the turned photo; kept places stay on the file's pixels", async () => {
    const input = await photo('crop.png', 24, 16)
    const region = { x: 2, y: 10, width: 9, height: 7 }
    const crop = await crops.render(input, region, model, {}, 90)
    const expected = await sharp(await turnedBySharp(input, 90), {
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
    const keeping = await crops.render(dusty, whole, model, { removeDust: true, kept: [place] }, 270)
    expect(keeping.filled).toEqual({ specks: specks.length - 1 })
    // Its mark, kept by the place, lies where the turn takes the speck.
    const at = turnedPoint(place, 270, { width: 96, height: 64 })
    const held = keeping.marks!.filter((mark) => mark.keptBy.length)
    expect(held).toHaveLength(1)
    expect(held[0]!.pixels.some((p) => Math.abs(p.x - at.x) <= 1 && Math.abs(p.y - at.y) <= 1)).toBe(true)
  })
})
