import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { crc32 as zlibCrc32, deflateSync, inflateSync } from 'node:zlib'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import type { Sharp } from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CropRenderer } from '../../src/engine/crop.js'
import { upscaleRaster } from '../../src/engine/upscale.js'
import { modelTiling } from '../../src/engine/tiling/plan.js'
import { decodeImage } from '../../src/engine/image/decode.js'
import { PhotoTiles } from '../../src/engine/image/photo-tiles.js'
import { thumbnail } from '../../src/engine/image/thumbnail.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import type { EnhanceSettings } from '../../src/shared/settings.js'
import type { EnhanceError } from '../../src/shared/errors.js'
import type { DamageMark } from '../../src/shared/protocol.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { codeOf } from '../helpers/errors.js'
import { writeIdentityModel } from '../helpers/models.js'
import { fixturePath, imageFixture } from '../helpers/fixtures.js'
import { MODELS_DIR } from '../../src/cli/models.js'
import { png16WithColourChunks } from '../helpers/png16.js'
import { directoryFirstTiff, floatTiff, tiffClaiming } from '../helpers/tiff.js'
import { dusted, smoothScene } from '../helpers/dust.js'
import { largestSpeck } from '../../src/engine/image/dust.js'

const HEVC_FIXTURE = fileURLToPath(new URL('../fixtures/images/hevc.heic', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'enhance-pipeline-'))
let model: { path: string }
const MAX_PIXELS = 4_000_000
const registry = new ModelRegistry({ device: 'cpu' })
const crops = new CropRenderer(registry, MAX_PIXELS)
afterAll(() => registry.close())
const enhance = (input: string, output: string, spec: { path: string }, s: EnhanceSettings) =>
  enhancePhoto(registry, input, output, spec, s, MAX_PIXELS)
beforeAll(() => {
  model = { path: writeIdentityModel(work) }
})

const settings = (overrides: Partial<EnhanceSettings> = {}): EnhanceSettings => ({
  ...DEFAULT_SETTINGS,
  tile: 16,
  ...overrides,
})

/** 12×8 with a distinct colour in each quadrant, so any rotation or flip shows. */
function quadrants(width = 12, height = 8): Buffer {
  const px = Buffer.alloc(width * height * 3)
  const colours = [
    [220, 30, 30],
    [30, 200, 40],
    [40, 60, 210],
    [230, 220, 40],
  ]
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)
      px.set(colours[q]!, (y * width + x) * 3)
    }
  }
  return px
}

async function file(
  name: string,
  build: (s: Sharp) => Sharp,
  raw = quadrants(),
  width = 12,
  height = 8,
): Promise<string> {
  const path = join(work, name)
  await build(sharp(raw, { raw: { width, height, channels: 3 } })).toFile(path)
  return path
}

async function pixelsOf(path: string, width: number, height: number): Promise<Buffer> {
  return sharp(path)
    .rotate()
    .resize(width, height, { kernel: 'cubic', fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer()
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!)
  return sum / a.length
}

describe('EXIF orientation', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'orientation %i gives an upright output with the tag reset',
    async (orientation) => {
      const input = await file(`o${orientation}.jpg`, (s) =>
        s.withMetadata({ orientation }).jpeg({ quality: 100 }),
      )
      const output = join(work, `o${orientation}-out.jpg`)
      const result = await enhance(input, output, model, settings())
      const upright = await pixelsOf(input, 12, 8).catch(() => null)
      const swapped = orientation >= 5
      expect([result.width, result.height]).toEqual(swapped ? [32, 48] : [48, 32])
      const meta = await sharp(output).metadata()
      expect(meta.orientation ?? 1).toBe(1)
      const inputUpright = await sharp(input).rotate().raw().toBuffer()
      const shrunk = await sharp(output)
        .resize(swapped ? 8 : 12, swapped ? 12 : 8, { kernel: 'nearest' })
        .raw()
        .toBuffer()
      expect(upright).not.toBeNull()
      expect(meanAbsDiff(shrunk, inputUpright)).toBeLessThan(6)
    },
  )
})

describe('colour, depth and alpha', () => {
  it('a colour profile the decoder cannot use is left out and said: colours read as sRGB, the result sRGB', async () => {
    const p3 = await file('garbled-p3.jpg', (s) => s.withIccProfile('p3').jpeg({ quality: 98 }))
    const p3Png = await file('garbled-p3.png', (s) => s.withIccProfile('p3').png())
    // Bytes 40 to 200 of the profile scrambled: its header whole, its tags garbage.
    const scramble = (profile: Buffer): void => {
      for (let i = 40; i < 200; i++) profile[i]! ^= 0x5a
    }
    const jpeg = readFileSync(p3)
    scramble(jpeg.subarray(jpeg.indexOf('ICC_PROFILE', 0, 'latin1') + 14))
    writeFileSync(join(work, 'scrambled.jpg'), jpeg)
    // A PNG's profile is deflated in its iCCP chunk, whose checksum is made right, so that libpng reads it.
    const png = readFileSync(p3Png)
    const at = png.indexOf('iCCP', 0, 'latin1')
    const length = png.readUInt32BE(at - 4)
    const name = png.subarray(at + 4, png.indexOf(0, at + 4) + 2) // the profile's name, its end and the method
    const profile = inflateSync(png.subarray(at + 4 + name.length, at + 4 + length))
    scramble(profile)
    const data = Buffer.concat([Buffer.from('iCCP', 'latin1'), name, deflateSync(profile)])
    const chunk = Buffer.alloc(data.length + 8)
    chunk.writeUInt32BE(data.length - 4)
    data.copy(chunk, 4)
    chunk.writeUInt32BE(zlibCrc32(data) >>> 0, data.length + 4)
    writeFileSync(
      join(work, 'scrambled.png'),
      Buffer.concat([png.subarray(0, at - 4), chunk, png.subarray(at + 4 + length + 4)]),
    )
    // The profile an untagged photo's result carries: sRGB's.
    const untagged = await file('untagged.png', (s) => s.png())
    await enhance(untagged, join(work, 'untagged-out.png'), model, settings())
    const srgb = (await sharp(join(work, 'untagged-out.png')).metadata()).icc!
    const cases = [
      { input: join(work, 'scrambled.jpg'), said: /^corrupt profile$/ },
      { input: join(work, 'scrambled.png'), said: /^iCCP: profile .*tag count too large$/ },
    ]
    for (const { input, said } of cases) {
      const decoded = await decodeImage(input)
      expect(decoded.profileDamage).toMatch(said)
      expect(decoded.meta.icc).toBeUndefined()
      // The file's own levels, as they are: no profile applied to them.
      const stored = await sharp(input, { ignoreIcc: true }).raw().toBuffer()
      expect(Buffer.from(decoded.image.pixels).equals(stored)).toBe(true)
      const output = input.replace(/(\.\w+)$/, '-out$1')
      const reply = await enhance(input, output, model, settings())
      expect(reply.note).toBe(
        `Its colour profile is damaged (${decoded.profileDamage}), so its colours were read as sRGB and the result carries sRGB's; check its colours.`,
      )
      expect((await sharp(output).metadata()).icc?.equals(srgb)).toBe(true)
    }
    // A profile that is whole is used and carried, and says nothing.
    const whole = await decodeImage(p3)
    expect(whole.profileDamage).toBeUndefined()
    expect(whole.meta.icc?.length).toBeGreaterThan(0)
  })

  it('a Display-P3 JPEG keeps its colours and its profile', async () => {
    const input = await file('p3.jpg', (s) => s.withIccProfile('p3').jpeg({ quality: 98 }))
    const output = join(work, 'p3-out.jpg')
    await enhance(input, output, model, settings())
    const inMeta = await sharp(input).metadata()
    const outMeta = await sharp(output).metadata()
    expect(outMeta.icc?.equals(inMeta.icc!)).toBe(true)
    // Both read back through their profiles into sRGB: the downscaled output matches the input.
    const a = await sharp(input).toColourspace('srgb').raw().toBuffer()
    const b = await sharp(output).resize(12, 8, { kernel: 'nearest' }).toColourspace('srgb').raw().toBuffer()
    expect(meanAbsDiff(a, b)).toBeLessThan(3)
  })

  it('16-bit PNG in gives 16-bit PNG out with the fine values kept', async () => {
    // Each channel apart from the others (a grey photo's output is made grey, which moves fine values).
    const raw = new Uint16Array(12 * 8 * 3).map((_, i) => 1000 + i * 37 + (i % 3) * 9000)
    const input = join(work, 'deep.png')
    await sharp(raw, { raw: { width: 12, height: 8, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(input)
    expect((await sharp(input).metadata()).depth).toBe('ushort')
    const output = join(work, 'deep-out.png')
    await enhance(input, output, model, settings())
    expect((await sharp(output).metadata()).depth).toBe('ushort')
    const back = await sharp(output)
      .resize(12, 8, { kernel: 'nearest' })
      .toColourspace('rgb16')
      .raw({ depth: 'ushort' })
      .toBuffer()
    const values = new Uint16Array(back.buffer, back.byteOffset, back.byteLength / 2)
    const original = await sharp(input).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer()
    const expected = new Uint16Array(original.buffer, original.byteOffset, original.byteLength / 2)
    // Within a few 16-bit steps (colour management rounds), far below one 8-bit step (257).
    expect(Math.max(...values.map((v, i) => Math.abs(v - expected[i]!)))).toBeLessThanOrEqual(16)
    expect(values.some((v) => v % 257 !== 0)).toBe(true)
  })

  it.each(['jpeg', 'webp', 'avif'] as const)(
    'a 16-bit photo (a 48-bit scan) written as %s keeps its colours',
    async (format) => {
      // The colour libvips moved on its way from 16 bits into sRGB: (26214, 33323, 29344) → (24241, …), red −8 levels.
      const raw = new Uint16Array(16 * 16 * 3).map((_, i) => [26214, 33323, 29344][i % 3]!)
      const input = join(work, `scan48-${format}.png`)
      await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } })
        .toColourspace('rgb16')
        .png()
        .toFile(input)
      const output = join(work, `scan48.${format}`)
      await enhance(input, output, model, settings({ format, quality: 95 }))
      const { data } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
      const worst = Math.max(...Array.from(data, (v, i) => Math.abs(v - [102, 130, 114][i % 3]!)))
      expect(worst).toBeLessThanOrEqual(2) // before: 8 levels off in red
    },
  )

  it('a 16-bit photo written as AVIF is a 10-bit AVIF, the fine steps of its gradient kept', async () => {
    // A sky's shallow gradient: 16,000 to 17,260 of 65,535 over 64 px, 5 levels at 8 bits, 20 at 10.
    const raw = new Uint16Array(64 * 8 * 3).map((_, i) => 16000 + (Math.floor(i / 3) % 64) * 20)
    const input = join(work, 'sky16.png')
    await sharp(raw, { raw: { width: 64, height: 8, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(input)
    const output = join(work, 'sky16.avif')
    await enhance(input, output, model, settings({ format: 'avif', quality: 95 }))
    expect(await sharp(output).metadata()).toMatchObject({ bitsPerSample: 10, depth: 'ushort' })
    const back = await sharp(output).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer()
    const values = new Uint16Array(back.buffer, back.byteOffset, back.byteLength / 2)
    const row = Array.from({ length: 256 }, (_, x) => values[(16 * 256 + x) * 3]!)
    expect(new Set(row).size).toBeGreaterThanOrEqual(15)
    // Each pixel the gradient's own level, within a quarter of an 8-bit step.
    const worst = Math.max(...row.map((v, x) => Math.abs(v - (16000 + Math.floor(x / 4) * 20))))
    expect(worst).toBeLessThanOrEqual(64)
  })

  it.each(['lanczos', 'model'] as const)('RGBA keeps transparency (alpha by %s)', async (alpha) => {
    const rgba = Buffer.alloc(12 * 8 * 4)
    for (let i = 0; i < 12 * 8; i++) rgba.set([200, 100, 50, i % 12 < 6 ? 0 : 255], i * 4)
    const input = join(work, `alpha-${alpha}.png`)
    await sharp(rgba, { raw: { width: 12, height: 8, channels: 4 } })
      .png()
      .toFile(input)
    const output = join(work, `alpha-${alpha}-out.png`)
    await enhance(input, output, model, settings({ transparency: alpha }))
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
    expect(info.channels).toBe(4)
    const alphaAt = (x: number, y: number): number => data[(y * info.width + x) * 4 + 3]!
    expect(alphaAt(2, 5)).toBe(0)
    expect(alphaAt(20, 5)).toBe(0)
    expect(alphaAt(30, 5)).toBe(255)
    expect(alphaAt(47, 31)).toBe(255)
  })

  it.each(['lanczos', 'model'] as const)(
    'a cut-out keeps its colour up to its edge, where the model reads the hidden pixels beside it (alpha by %s)',
    async (alpha) => {
      // The left half transparent and black under it, as editors save it; the right half an opaque red.
      const rgba = Buffer.alloc(16 * 16 * 4)
      for (let i = 0; i < 16 * 16; i++) if (i % 16 >= 8) rgba.set([230, 40, 40, 255], i * 4)
      const input = join(work, `cut-out-${alpha}.png`)
      await sharp(rgba, { raw: { width: 16, height: 16, channels: 4 } })
        .png()
        .toFile(input)
      const output = join(work, `cut-out-${alpha}-out.png`)
      const blurring = { path: writeIdentityModel(work, 4, 1, 2, 'input') }
      await enhance(input, output, blurring, settings({ transparency: alpha }))
      const { data } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
      // Along the cut-out's edge (the photo's own edges aside, where the model's zero padding darkens it).
      let visible = 0
      let worst = 0
      for (let y = 8; y < 56; y++) {
        for (let x = 24; x < 48; x++) {
          const at = (y * 64 + x) * 4
          if (data[at + 3]! < 16) continue
          visible++
          worst = Math.max(worst, ...[230, 40, 40].map((v, c) => Math.abs(data[at + c]! - v)))
        }
      }
      // The edge's column was a third black (R 153) before: a dark outline round every cut-out.
      expect(visible).toBeGreaterThanOrEqual(48 * 16)
      expect(worst).toBeLessThanOrEqual(1)
    },
  )

  it('a 16-bit PNG with gAMA/cHRM chunks and no ICC profile keeps its colours', async () => {
    // A smooth gradient through (26214, 33323, 29344), which came out as (24241, 33580, 29055): cyan greens.
    const [width, height] = [16, 8]
    const pixels = new Uint16Array(width * height * 3)
    for (let i = 0; i < width * height; i++)
      pixels.set(
        [26214 + (i % width) * 300, 33323 - (i % width) * 200, 29344 + Math.floor(i / width) * 400],
        i * 3,
      )
    const input = join(work, 'gradient16.png')
    writeFileSync(input, png16WithColourChunks(width, height, pixels))
    const output = join(work, 'gradient16-out.png')
    await enhance(input, output, model, settings())
    // The stored values, as a viewer without colour management (or ImageMagick) reads them.
    const { data, info } = await sharp(output, { ignoreIcc: true })
      .resize(width, height, { kernel: 'nearest' })
      .toColourspace('rgb16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true })
    expect([info.channels, (await sharp(output).metadata()).depth]).toEqual([3, 'ushort'])
    const out = new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2)
    expect(Math.max(...out.map((v, i) => Math.abs(v - pixels[i]!)))).toBeLessThanOrEqual(64)
  })

  it.each([
    ['lanczos', 8],
    ['lanczos', 16],
    ['model', 8],
  ] as const)(
    'alpha by %s at %i bits matches the input alpha pixel for pixel (no stripes)',
    async (alpha, bits) => {
      // 64×64: a transparent left band, a half-transparent bottom band, opaque elsewhere.
      const max = bits === 16 ? 65535 : 255
      const alphaOf = (x: number, y: number): number => (x < 16 ? 0 : y >= 48 ? Math.round(max / 2) : max)
      const Pixels = bits === 16 ? Uint16Array : Uint8Array
      const rgba = new Pixels(64 * 64 * 4)
      for (let y = 0; y < 64; y++)
        for (let x = 0; x < 64; x++)
          rgba.set([max / 3, max / 2, max / 5, alphaOf(x, y)].map(Math.round), (y * 64 + x) * 4)
      const input = join(work, `bands-${alpha}-${bits}.png`)
      const image = sharp(rgba, { raw: { width: 64, height: 64, channels: 4 } })
      await (bits === 16 ? image.toColourspace('rgb16') : image).png().toFile(input)
      const written = await sharp(input)
        .toColourspace(bits === 16 ? 'rgb16' : 'srgb')
        .raw({ depth: bits === 16 ? 'ushort' : 'uchar' })
        .toBuffer()
      const writtenAlpha = new Pixels(
        written.buffer,
        written.byteOffset,
        written.byteLength / Pixels.BYTES_PER_ELEMENT,
      )
      expect([writtenAlpha[3], writtenAlpha[(50 * 64 + 40) * 4 + 3]]).toEqual([0, Math.round(max / 2)])
      const output = join(work, `bands-${alpha}-${bits}-out.png`)
      await enhance(input, output, model, settings({ transparency: alpha }))
      // Read back at 16 bits through rgb16: raw({ depth }) alone only casts the 8-bit values.
      const reader = bits === 16 ? sharp(output).toColourspace('rgb16') : sharp(output)
      const { data, info } = await reader
        .raw({ depth: bits === 16 ? 'ushort' : 'uchar' })
        .toBuffer({ resolveWithObject: true })
      const out = new Pixels(data.buffer, data.byteOffset, data.byteLength / Pixels.BYTES_PER_ELEMENT)
      expect([info.width, info.height, info.channels]).toEqual([256, 256, 4])
      let worst = 0
      for (let y = 0; y < 256; y++) {
        for (let x = 0; x < 256; x++) {
          const [sx, sy] = [Math.floor(x / 4), Math.floor(y / 4)]
          // Inside each band, away from its edges, where resampling has nothing to blend.
          const interior =
            [sx - 2, sx + 2].every((v) => v < 16 === sx < 16) &&
            [sy - 2, sy + 2].every((v) => v >= 48 === sy >= 48)
          if (interior) worst = Math.max(worst, Math.abs(out[(y * 256 + x) * 4 + 3]! - alphaOf(sx, sy)))
        }
      }
      expect(worst).toBeLessThanOrEqual(bits === 16 ? 257 : 1)
    },
  )

  it('flattens alpha onto the chosen colour only for JPEG', async () => {
    const rgba = Buffer.alloc(4 * 4 * 4)
    const input = join(work, 'clear.png')
    await sharp(rgba, { raw: { width: 4, height: 4, channels: 4 } })
      .png()
      .toFile(input)
    const output = join(work, 'clear-out.jpg')
    await enhance(input, output, model, settings({ format: 'jpeg', background: '#00ff00' }))
    const { data } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
    expect(data[1]).toBeGreaterThan(240)
    expect(data[0]).toBeLessThan(15)
  })

  it('grayscale stays grayscale and CMYK becomes sRGB with its colours', async () => {
    const gray = join(work, 'gray.png')
    await sharp(quadrants(), { raw: { width: 12, height: 8, channels: 3 } })
      .toColourspace('b-w')
      .png()
      .toFile(gray)
    const grayOut = join(work, 'gray-out.png')
    await enhance(gray, grayOut, model, settings())
    expect((await sharp(grayOut).metadata()).channels).toBe(1)

    const cmyk = await file('cmyk.jpg', (s) => s.toColourspace('cmyk').jpeg({ quality: 100 }))
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk')
    const cmykOut = join(work, 'cmyk-out.jpg')
    await enhance(cmyk, cmykOut, model, settings())
    expect((await sharp(cmykOut).metadata()).space).toBe('srgb')
    const a = await sharp(cmyk).toColourspace('srgb').raw().toBuffer()
    const b = await sharp(cmykOut).resize(12, 8, { kernel: 'nearest' }).raw().toBuffer()
    expect(meanAbsDiff(a, b)).toBeLessThan(6)
  })

  it('a BMP (an old scan) is enhanced exactly as the same pixels in a PNG, and written as PNG', async () => {
    const scan = imageFixture('bmp/rgb24.bmp')
    const same = imageFixture('bmp/rgb24.png')
    const [fromBmp, fromPng] = [join(work, 'scan.out.png'), join(work, 'scan-as-png.out.png')]
    await enhance(scan, fromBmp, model, settings({ format: 'png' }))
    await enhance(same, fromPng, model, settings({ format: 'png' }))
    const pixels = (path: string) => sharp(path).raw().toBuffer({ resolveWithObject: true })
    const [a, b] = await Promise.all([pixels(fromBmp), pixels(fromPng)])
    expect([a.info.width, a.info.height, a.info.channels]).toEqual([37 * 4, 23 * 4, 3])
    expect(a.data.equals(b.data)).toBe(true)
  })

  it('reads a grey TIFF of floating-point samples as linear light, as libvips reads a colour one', async () => {
    // A ramp from black to white in linear light, as one grey band and as three equal ones (scRGB to libvips).
    const [width, height] = [64, 8]
    const linear = (bands: number) =>
      Float32Array.from(
        { length: width * height * bands },
        (_, i) => (Math.floor(i / bands) % width) / (width - 1),
      )
    const grey = join(work, 'float-grey.tif')
    const rgb = join(work, 'float-rgb.tif')
    writeFileSync(grey, floatTiff(width, height, 1, linear(1)))
    writeFileSync(rgb, floatTiff(width, height, 3, linear(3)))
    const { image, meta } = await decodeImage(grey)
    const reference = await sharp(rgb).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer()
    const levels = new Uint16Array(reference.buffer, reference.byteOffset, reference.byteLength / 2)
    expect([image.depth, image.channels, meta.gray]).toEqual([16, 3, true])
    const worst = Math.max(...Array.from(image.pixels, (v, i) => Math.abs(v - levels[i]!)))
    expect(worst).toBeLessThanOrEqual(2) // of 65535; before: every level under 258, a black photo
    expect(image.pixels[(width / 2) * 3]).toBeGreaterThan(40000) // linear 0.5 is a light grey, 0.73
    // The views show it as the engine reads it.
    const raw = (png: Uint8Array) => sharp(png).raw().toBuffer()
    const [thumbGrey, thumbRgb] = await Promise.all([thumbnail(grey, 64), thumbnail(rgb, 64)]) // no shrinking: libvips shrinks scRGB in linear light
    const [a, b] = await Promise.all([raw(thumbGrey.png), raw(thumbRgb.png)])
    expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)))).toBeLessThanOrEqual(1)
    const tiles = new PhotoTiles(join(work, 'float-tiles'))
    const [tileGrey, tileRgb] = [await tiles.tile(grey, 0, 0), await tiles.tile(rgb, 0, 0)]
    const [c, d] = await Promise.all([raw(tileGrey.png), raw(tileRgb.png)])
    expect(Math.max(...Array.from(c, (v, i) => Math.abs(v - d[i]!)))).toBeLessThanOrEqual(1)
  })

  it('keeps a black-and-white photo grey, in the file and the slider, where the model would tint it', async () => {
    // A grey photo kept as colour (R = G = B), as a scanner in colour mode or a grey JPEG saved as RGB makes it.
    const raw = Buffer.alloc(12 * 8 * 3)
    for (let i = 0; i < 12 * 8; i++) raw.fill(((i * 37) % 200) + 30, i * 3, i * 3 + 3)
    const bw = await file('bw-as-colour.png', (s) => s.png(), raw)
    // The fixture RRDBNet (random weights) adds colour to grey, as trained models' realistic ends do less of.
    const tinting = { path: fixturePath('basicsr_x4.safetensors') }
    const colourOf = (pixels: ArrayLike<number>, channels: number): number => {
      let most = 0
      for (let at = 0; at < pixels.length; at += channels)
        most = Math.max(
          most,
          Math.max(pixels[at]!, pixels[at + 1]!, pixels[at + 2]!) -
            Math.min(pixels[at]!, pixels[at + 1]!, pixels[at + 2]!),
        )
      return most
    }
    const { session, info } = await registry.prepare(tinting)
    const image = {
      width: 12,
      height: 8,
      channels: 3 as const,
      depth: 8 as const,
      pixels: new Uint8Array(raw),
    }
    const asComputed = await upscaleRaster(image, session, {
      ...modelTiling(info),
      tile: 16,
      transparency: 'lanczos',
    })
    expect(colourOf(asComputed.pixels, 3)).toBeGreaterThan(20)
    const colour = await file('colour.png', (s) => s.png())
    const out = { bw: join(work, 'bw-out.png'), colour: join(work, 'colour-out.png') }
    await enhance(bw, out.bw, tinting, settings())
    await enhance(colour, out.colour, tinting, settings())
    const bwOut = await sharp(out.bw).raw().toBuffer({ resolveWithObject: true })
    expect(bwOut.info.channels).toBe(3) // still an RGB file, as it came
    expect(colourOf(bwOut.data, 3)).toBe(0)
    // A colour photo is left as the model computes it.
    const colourOut = await sharp(out.colour).raw().toBuffer({ resolveWithObject: true })
    expect(colourOf(colourOut.data, 3)).toBeGreaterThan(100)
    const crop = await crops.render(bw, { x: 0, y: 0, width: 12, height: 8 }, tinting)
    const cropped = await sharp(crop.png).raw().toBuffer({ resolveWithObject: true })
    expect(colourOf(cropped.data, cropped.info.channels)).toBe(0)
  })

  it('carries XMP and EXIF fields other than orientation, and their size as the output’s', async () => {
    // An editor writes the orientation into XMP too: left at 3, viewers that read XMP turn the upright result over.
    const xmp =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" dc:format="enhance-test" tiff:Orientation="3" exif:PixelXDimension="12" exif:PixelYDimension="8"/></rdf:RDF></x:xmpmeta>'
    for (const format of ['jpeg', 'png', 'webp'] as const) {
      const input = await file(`meta.${format}`, (s) =>
        s
          .withExif({ IFD0: { Copyright: 'Grandma 1962', Orientation: '3' } })
          .withXmp(xmp)
          .toFormat(format),
      )
      const output = join(work, `meta-out.${format}`)
      await enhance(input, output, model, settings({ format }))
      const meta = await sharp(output).metadata()
      expect(meta.exif?.includes('Grandma 1962')).toBe(true)
      expect(meta.orientation ?? 1).toBe(1)
      expect(meta.xmp?.toString()).toContain('enhance-test')
      const size = `exif:PixelXDimension="${meta.width}" exif:PixelYDimension="${meta.height}"`
      expect(meta.xmp?.toString()).toContain(`tiff:Orientation="1" ${size}`)
    }
  })

  it('keeps a scan’s pixels per inch in the formats that hold them, and says 72 where the photo says none', async () => {
    // libvips gave pixels that came in raw 25.4 ppi: a 600 ppi scan's TIFF then opened as a print 24 times too large.
    const scan = await file('scan-600.tif', (s) => s.withDensity(600).tiff())
    const screenshot = await file('no-density.png', (s) => s.png())
    expect((await sharp(screenshot).metadata()).density).toBeUndefined()
    for (const format of ['tiff', 'png', 'jpeg'] as const) {
      const output = join(work, `density-out.${format}`)
      await enhance(scan, output, model, settings({ format }))
      expect([format, (await sharp(output).metadata()).density]).toEqual([format, 600])
    }
    const output = join(work, 'no-density-out.tif')
    await enhance(screenshot, output, model, settings({ format: 'tiff' }))
    expect((await sharp(output).metadata()).density).toBe(72)
  })

  it('metadata "profile" drops EXIF and XMP but keeps the profile; "none" writes plain sRGB', async () => {
    const input = await file('private.jpg', (s) =>
      s
        .withIccProfile('p3')
        .withExif({ IFD0: { Copyright: 'Grandma 1962' } })
        .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>')
        .jpeg({ quality: 98 }),
    )
    const inMeta = await sharp(input).metadata()
    const inSrgb = await sharp(input).toColourspace('srgb').raw().toBuffer()
    for (const metadata of ['profile', 'none'] as const) {
      const output = join(work, `private-${metadata}.jpg`)
      await enhance(input, output, model, settings({ metadata }))
      const meta = await sharp(output).metadata()
      expect(meta.exif).toBeUndefined()
      expect(meta.xmp).toBeUndefined()
      if (metadata === 'profile') expect(meta.icc?.equals(inMeta.icc!)).toBe(true)
      else expect(meta.icc).toBeUndefined()
      // Either way the colours, read as a viewer would, are the input's.
      const out = await sharp(output)
        .resize(12, 8, { kernel: 'nearest' })
        .toColourspace('srgb')
        .raw()
        .toBuffer()
      expect(meanAbsDiff(inSrgb, out)).toBeLessThan(3)
    }
  })
})

describe("the output's date", () => {
  it("is the original's last modification where its metadata is kept, and when it was written where not", async () => {
    const input = await file('scanned-1998.png', (s) => s.png())
    const scanned = new Date('1998-07-04T12:34:56.789Z')
    utimesSync(input, scanned, scanned)
    const kept = join(work, 'scanned-1998-all.png')
    await enhance(input, kept, model, settings())
    const before = Date.now()
    const plain = join(work, 'scanned-1998-none.png')
    await enhance(input, plain, model, settings({ metadata: 'none' }))
    const profile = join(work, 'scanned-1998-profile.png')
    await enhance(input, profile, model, settings({ metadata: 'profile' }))
    expect(statSync(kept).mtimeMs).toBe(scanned.getTime())
    expect(statSync(plain).mtimeMs).toBeGreaterThanOrEqual(before - 1000)
    expect(statSync(profile).mtimeMs).toBeGreaterThanOrEqual(before - 1000)
    expect(statSync(input).mtimeMs).toBe(scanned.getTime())
  })
})

describe('the realism crop', () => {
  it('crops the region ×4 from the photo as it is now, re-reading a file that was replaced', async () => {
    const path = await file('crop.png', (s) => s.png())
    const first = await crops.render(path, { x: 2, y: 2, width: 4, height: 3 }, model)
    expect(first).toMatchObject({ width: 16, height: 12 })
    expect((await crops.render(path, { x: 2, y: 2, width: 4, height: 3 }, model)).png).toEqual(first.png)
    await file('crop.png', (s) => s.negate().png())
    const replaced = await crops.render(path, { x: 2, y: 2, width: 4, height: 3 }, model)
    expect(Buffer.from(replaced.png).equals(Buffer.from(first.png))).toBe(false)
    // The "before" is the region of the photo as it is now, enlarged to the crop's size.
    expect(Buffer.from(replaced.before).equals(Buffer.from(first.before))).toBe(false)
    const before = await sharp(replaced.before).raw().toBuffer({ resolveWithObject: true })
    expect(before.info).toMatchObject({ width: 16, height: 12 })
  })

  it('marks in a copy of the "before" what dust removal filled, and nothing else, only where it was asked', async () => {
    const scene = smoothScene(96, 96, 7)
    const { image, specks } = dusted(scene, 4, largestSpeck(scene, 600), 7, 24)
    const path = join(work, 'crop-dusty.png')
    await sharp(image.pixels, { raw: { width: 96, height: 96, channels: 3 } })
      .withMetadata({ density: 600 })
      .png()
      .toFile(path)
    const region = { x: 0, y: 0, width: 96, height: 96 }
    expect((await crops.render(path, region, model)).markedBefore).toBeUndefined()
    const crop = await crops.render(path, region, model, { removeDust: true })
    expect(crop.filled).toEqual({ specks: specks.length })
    const rgb = async (png: Uint8Array) => (await sharp(png).removeAlpha().raw().toBuffer()) as Buffer
    const [before, marked] = [await rgb(crop.before), await rgb(crop.markedBefore!)]
    const at = (x: number, y: number) => (Math.floor(y * 4) * 384 + Math.floor(x * 4)) * 3
    // How magenta a pixel is: its red and blue over its green.
    const magenta = (rgb: Buffer, i: number) => (rgb[i]! + rgb[i + 2]!) / 2 - rgb[i + 1]!
    for (const { x, y } of specks)
      expect(magenta(marked, at(x, y)) - magenta(before, at(x, y))).toBeGreaterThan(60)
    let away = 0
    for (let y = 0; y < 96; y += 0.25)
      for (let x = 0; x < 96; x += 0.25) {
        if (specks.some((speck) => Math.hypot(speck.x - x, speck.y - y) < speck.radius + 4)) continue
        away++
        expect([...marked.subarray(at(x, y), at(x, y) + 3)]).toEqual([
          ...before.subarray(at(x, y), at(x, y) + 3),
        ])
      }
    expect(away).toBeGreaterThan(96 * 96 * 16 * 0.8)
    // Each speck is a mark over its own pixels, held by no place.
    const centreOf = (speck: { x: number; y: number }) => ({ x: Math.floor(speck.x), y: Math.floor(speck.y) })
    const markOn = (marks: DamageMark[], speck: { x: number; y: number }) =>
      marks.filter((mark) => mark.pixels.some((p) => p.x === centreOf(speck).x && p.y === centreOf(speck).y))
    expect(crop.kept).toEqual({ specks: 0 })
    expect(crop.marks).toHaveLength(specks.length)
    for (const speck of specks)
      expect(markOn(crop.marks!, speck)).toMatchObject([{ kind: 'speck', keptBy: [] }])

    // A place kept beside the first speck: it is neither filled in the after nor marked in the before, the others are.
    const [kept, ...others] = specks
    const place = { x: Math.round(kept!.x) + 2, y: Math.round(kept!.y) }
    const keeping = await crops.render(path, region, model, { removeDust: true, kept: [place] })
    expect(keeping.filled).toEqual({ specks: specks.length - 1 })
    expect(keeping.kept).toEqual({ specks: 1 })
    expect(markOn(keeping.marks!, kept!)).toMatchObject([{ keptBy: [0] }])
    for (const speck of others) expect(markOn(keeping.marks!, speck)).toMatchObject([{ keptBy: [] }])
    // A region around the kept speck: its mark there, with only the pixels inside, and fewer marks than specks.
    const reach = Math.ceil(kept!.radius) + 2
    const around = {
      x: Math.max(0, Math.floor(kept!.x) - reach),
      y: Math.max(0, Math.floor(kept!.y) - reach),
      width: 2 * reach + 1,
      height: 2 * reach + 1,
    }
    const near = await crops.render(path, around, model, { removeDust: true, kept: [place] })
    expect(markOn(near.marks!, kept!)).toMatchObject([{ keptBy: [0] }])
    expect(near.marks!.length).toBeLessThan(specks.length)
    for (const mark of near.marks!)
      for (const { x, y } of mark.pixels) {
        expect(x - around.x).toBeGreaterThanOrEqual(0)
        expect(x - around.x).toBeLessThan(around.width)
        expect(y - around.y).toBeGreaterThanOrEqual(0)
        expect(y - around.y).toBeLessThan(around.height)
      }
    const markedKeeping = await rgb(keeping.markedBefore!)
    expect(magenta(markedKeeping, at(kept!.x, kept!.y))).toBe(magenta(before, at(kept!.x, kept!.y)))
    for (const { x, y } of others)
      expect(magenta(markedKeeping, at(x, y)) - magenta(before, at(x, y))).toBeGreaterThan(60)
    const [after, afterKeeping] = [await rgb(crop.png), await rgb(keeping.png)]
    const centre = at(kept!.x, kept!.y)
    expect(Math.abs(afterKeeping[centre]! - after[centre]!)).toBeGreaterThan(40)
    expect(afterKeeping.subarray(at(others[0]!.x, others[0]!.y), at(others[0]!.x, others[0]!.y) + 3)).toEqual(
      after.subarray(at(others[0]!.x, others[0]!.y), at(others[0]!.x, others[0]!.y) + 3),
    )
  })

  it.each([
    ['the bundled ×4 model', `${MODELS_DIR}enhance-psnr-x4.safetensors`, 4],
    ['a ×1 model that pixel-unshuffles by 4', fixturePath('basicsr_x1.safetensors'), 1],
  ])('shows what %s makes of that region of the whole photo, within 1/255', async (_, path, scale) => {
    const [width, height] = [53, 37]
    const noise = Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 7919) % 251))
    const photo = await file(`crop-odd-${scale}.png`, (s) => s.blur(1.2).png(), noise, width, height)
    const output = join(work, `crop-odd-${scale}-out.png`)
    await enhance(photo, output, { path }, settings())
    const region = { x: 21, y: 9, width: 13, height: 11 }
    const shown = await sharp((await crops.render(photo, region, { path })).png)
      .raw()
      .toBuffer()
    const whole = await sharp(output)
      .extract({
        left: region.x * scale,
        top: region.y * scale,
        width: region.width * scale,
        height: region.height * scale,
      })
      .raw()
      .toBuffer()
    expect(shown.length).toBe(whole.length)
    expect(Math.max(...shown.map((v, i) => Math.abs(v - whole[i]!)))).toBeLessThanOrEqual(1)
  })

  it("shows a cut-out's region as the file has it: the colour under hidden pixels comes from the whole photo", async () => {
    // Red and blue at the photo's ends, outside the crop's context; a green stripe inside it; hidden black between.
    const [width, height] = [64, 16]
    const rgba = Buffer.alloc(width * height * 4)
    for (let i = 0; i < width * height; i++) {
      const x = i % width
      const colour = x < 4 ? [230, 40, 40] : x >= 60 ? [40, 60, 220] : x === 32 ? [40, 200, 60] : null
      if (colour) rgba.set([...colour, 255], i * 4)
    }
    const photo = join(work, 'crop-cut-out.png')
    await sharp(rgba, { raw: { width, height, channels: 4 } })
      .png()
      .toFile(photo)
    const spec = { path: `${MODELS_DIR}enhance-psnr-x4.safetensors` }
    const output = join(work, 'crop-cut-out-out.png')
    await enhance(photo, output, spec, settings({ transparency: 'lanczos' }))
    const region = { x: 30, y: 4, width: 5, height: 8 }
    const shown = await sharp((await crops.render(photo, region, spec)).png)
      .raw()
      .toBuffer()
    const whole = await sharp(output)
      .extract({ left: region.x * 4, top: region.y * 4, width: region.width * 4, height: region.height * 4 })
      .raw()
      .toBuffer()
    expect(shown.length).toBe(whole.length)
    let worst = 0
    for (let at = 0; at < shown.length; at += 4) {
      if (whole[at + 3] === 0) continue // no colour to see
      for (let c = 0; c < 4; c++) worst = Math.max(worst, Math.abs(shown[at + c]! - whole[at + c]!))
    }
    expect(worst).toBeLessThanOrEqual(1)
  })
})

describe('output size', () => {
  it.each([
    [{ mode: 'native' }, 48, 32],
    [{ mode: 'scale', scale: 2 }, 24, 16],
    [{ mode: 'scale', scale: 1 }, 12, 8],
    [{ mode: 'exact', width: 50, height: 20 }, 50, 20],
    [{ mode: 'fit', width: 30, height: 30 }, 30, 20],
    // 0.3 × 0.2 in at 100 dpi, and the same print upright: turned to the photo, 30 × 20 either way.
    [{ mode: 'print', width: 0.3, height: 0.2, dpi: 100 }, 30, 20],
    [{ mode: 'print', width: 0.2, height: 0.4, dpi: 100 }, 30, 20],
  ] as const)('%j gives %i×%i', async (size, width, height) => {
    const input = await file(`size-${size.mode}.png`, (s) => s.png())
    const output = join(work, `size-${size.mode}-${JSON.stringify(size).length}-${width}.png`)
    const result = await enhance(input, output, model, settings({ size }))
    const meta = await sharp(output).metadata()
    expect([result.width, result.height, meta.width, meta.height]).toEqual([width, height, width, height])
  })

  it('fills a print from the photo’s centre cut to its shape: its edges go, and only they', async () => {
    // Red outer columns (two each side) round a blue middle, 12 × 8.
    const raw = Buffer.alloc(12 * 8 * 3)
    for (let i = 0; i < 12 * 8; i++)
      raw.set(i % 12 < 2 || i % 12 >= 10 ? [220, 30, 30] : [40, 60, 210], i * 3)
    const input = await file('banded.png', (s) => s.png(), raw)
    const square = { mode: 'print', width: 1, height: 1, dpi: 16 } as const
    const made = async (fill: boolean) => {
      const output = join(work, `banded-${fill}.png`)
      const result = await enhance(input, output, model, settings({ size: { ...square, fill } }))
      const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
      return { size: [result.width, result.height, info.width, info.height], data }
    }
    const filled = await made(true)
    // The whole 1 × 1 in print at 16 dpi, of the photo's middle 8 × 8: blue to its edges.
    expect(filled.size).toEqual([16, 16, 16, 16])
    for (let at = 0; at < filled.data.length; at += 3)
      expect(Math.abs(filled.data[at]! - 40) + Math.abs(filled.data[at + 2]! - 210)).toBeLessThan(12)
    // Fitted, the whole photo within the print: its red sides are there.
    const fitted = await made(false)
    expect(fitted.size).toEqual([16, 11, 16, 11])
    expect(fitted.data[0]).toBeGreaterThan(150)
  })

  it('puts the whole photo on white for a print with a border: the file is the print, the photo centred in it', async () => {
    const input = await file('square-print.png', (s) => s.png(), Buffer.alloc(8 * 8 * 3, 0x40), 8, 8)
    const output = join(work, 'bordered.jpg')
    const size = { mode: 'print', width: 4, height: 6, dpi: 50, border: true } as const
    const result = await enhance(input, output, model, settings({ size, format: 'jpeg' }))
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
    // 6 × 4 in at 50 dpi (turned to the square photo: landscape) is 300 × 200; the photo is 200 × 200 in its middle.
    expect([result.width, result.height, info.width, info.height]).toEqual([300, 200, 300, 200])
    expect((await sharp(output).metadata()).density).toBe(50)
    const at = (x: number, y: number) => [...data.subarray((y * 300 + x) * 3, (y * 300 + x) * 3 + 3)]
    const near = (rgb: number[], value: number) => rgb.every((c) => Math.abs(c - value) <= 6)
    for (const y of [0, 100, 199]) {
      for (const x of [0, 45, 255, 299]) expect(near(at(x, y), 255), `${x},${y}`).toBe(true)
      for (const x of [55, 150, 245]) expect(near(at(x, y), 0x40), `${x},${y}`).toBe(true)
    }
    // A 16-bit photo with transparency keeps both, on full white (65535, opaque), not sharp's extend's 65280.
    const deep = join(work, 'square-16.png')
    const half = { r: 10, g: 20, b: 30, alpha: 0.5 }
    await sharp({ create: { width: 8, height: 8, channels: 4, background: half } })
      .toColourspace('rgb16')
      .png()
      .toFile(deep)
    const deepOutput = join(work, 'bordered-16.png')
    await enhance(deep, deepOutput, model, settings({ size, format: 'png' }))
    const made = await sharp(deepOutput)
      .toColourspace('rgb16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true })
    const pixels = new Uint16Array(made.data.buffer, made.data.byteOffset, made.data.byteLength / 2)
    const deepAt = (x: number, y: number) => [...pixels.subarray((y * 300 + x) * 4, (y * 300 + x) * 4 + 4)]
    expect([made.info.width, made.info.height, made.info.channels]).toEqual([300, 200, 4])
    expect(deepAt(0, 0)).toEqual([65535, 65535, 65535, 65535])
    expect(deepAt(299, 199)).toEqual([65535, 65535, 65535, 65535])
    expect(Math.abs(deepAt(150, 100)[3]! - 32768)).toBeLessThan(300)
  })

  it('refuses a size the format cannot hold, before any work', async () => {
    const input = await file('wide.png', (s) => s.png())
    const output = join(work, 'wide.webp')
    const code = await codeOf(() =>
      enhance(
        input,
        output,
        model,
        settings({ format: 'webp', size: { mode: 'exact', width: 20000, height: 10 } }),
      ),
    )
    expect(code).toBe('RESULT_TOO_LARGE')
  })

  it.each([
    [1, 1],
    [300, 1],
    [1, 40],
  ])('a %i×%i photo, a pixel across, keeps its colour', async (width, height) => {
    // A model that reads each pixel's neighbours: past the edge of a 1-px photo that is 8 zeros of 9.
    const blurring = { path: writeIdentityModel(work, 4, 1, 2, 'input') }
    const raw = Buffer.alloc(width * height * 3)
    for (let i = 0; i < raw.length; i += 3) raw.set([200, 150, 100], i)
    const input = await file(`tiny-${width}x${height}.png`, (s) => s.png(), raw, width, height)
    const output = join(work, `tiny-${width}x${height}-out.png`)
    await enhance(input, output, blurring, settings())
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([width * 4, height * 4])
    // A side of 8 px or more is an edge like any photo's: there this model reads zeros past it, as always.
    const atEnd = (at: number, side: number): boolean => side >= 8 && (at < 4 || at >= 4 * side - 4)
    let worst = 0
    for (let y = 0; y < info.height; y++)
      for (let x = 0; x < info.width; x++)
        if (!atEnd(x, width) && !atEnd(y, height))
          for (let c = 0; c < 3; c++)
            worst = Math.max(worst, Math.abs(data[(y * info.width + x) * 3 + c]! - [200, 150, 100][c]!))
    expect(worst).toBeLessThanOrEqual(1) // before: 178 levels off for 1×1 (a ninth of the light), 133 for 300×1
  })
})

describe('bad input gets a coded error and leaves nothing behind', () => {
  const dir = join(work, 'bad')
  mkdirSync(dir, { recursive: true })

  it.each([
    ['zero bytes', 'empty.jpg', () => Buffer.alloc(0), 'CORRUPT_IMAGE'],
    [
      'not an image',
      'notes.png',
      () => Buffer.from('this is a text file, not a photo'),
      'UNSUPPORTED_FORMAT',
    ],
  ] as const)('%s', async (_what, name, content, code) => {
    const input = join(dir, name)
    writeFileSync(input, content())
    const error: unknown = await enhance(input, join(dir, `${name}.out.png`), model, settings()).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code })
    // and a sentence saying what to do
    expect((error as Error).message).toMatch(
      /\. (Copy it again from where it came from|Open it in an image editor)/,
    )
    // The views (thumbnail, the realism preview) say the same of it as the engine.
    const shown: unknown = await thumbnail(input, 64).catch((e: unknown) => e)
    const cropped: unknown = await crops
      .render(input, { x: 0, y: 0, width: 8, height: 8 }, model)
      .catch((e: unknown) => e)
    expect([shown, cropped].map((e) => [(e as EnhanceError).code, (e as Error).message])).toEqual([
      [code, (error as Error).message],
      [code, (error as Error).message],
    ])
  })

  // Every Mac has one (sips).
  it.skipIf(process.platform === 'darwin')(
    'an iPhone HEIC (HEVC) where the system has no HEVC decoder is called what it is, not damaged, and says what to do',
    async () => {
      const input = join(dir, 'IMG_0001.heic')
      copyFileSync(HEVC_FIXTURE, input)
      const path = process.env['PATH']
      process.env['PATH'] = dir // no heif-dec or heif-convert there
      const error: unknown = await enhance(input, join(dir, 'heic.out.png'), model, settings())
        .catch((e: unknown) => e)
        .finally(() => (process.env['PATH'] = path))
      expect(error).toMatchObject({ code: 'UNSUPPORTED_FORMAT' })
      expect((error as Error).message).toMatch(/HEVC.*libheif-examples.*convert it to JPEG/s)
    },
  )

  it('a decompression bomb over the pixel limit', async () => {
    const input = join(dir, 'bomb.png')
    await sharp({ create: { width: 4000, height: 2000, channels: 3, background: '#808080' } })
      .png()
      .toFile(input)
    expect(await codeOf(() => enhance(input, join(dir, 'bomb.out.png'), model, settings()))).toBe(
      'IMAGE_TOO_LARGE',
    )
  })

  it('an SVG named .png is refused by its content, and the file it points at is never read', async () => {
    mkdirSync(join(dir, 'svg-sub'), { recursive: true })
    writeFileSync(
      join(dir, 'svg-sub', 'private.png'),
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })
        .png()
        .toBuffer(),
    )
    const input = join(dir, 'disguised.png')
    writeFileSync(
      input,
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8"><image xlink:href="svg-sub/private.png" width="8" height="8"/></svg>',
    )
    const output = join(dir, 'disguised.out.png')
    expect(await codeOf(() => enhance(input, output, model, settings()))).toBe('UNSUPPORTED_FORMAT')
    expect(existsSync(output)).toBe(false)
  })

  it('a TIFF in Lab colours, which libvips does not read, is refused as such, not as a damaged file', async () => {
    const input = join(dir, 'scan-lab.tif')
    writeFileSync(input, directoryFirstTiff(8, 6, Buffer.alloc(8 * 6 * 3, 100), 6, 8))
    const output = join(dir, 'scan-lab.out.png')
    const error: unknown = await enhance(input, output, model, settings()).catch((e: unknown) => e)
    expect([(error as EnhanceError).code, (error as Error).message]).toEqual([
      'UNSUPPORTED_FORMAT',
      `${input} is a TIFF in Lab colours, which Enhance cannot read. Open it in an image editor and save it in RGB colours (Image › Mode › RGB in Photoshop), as TIFF or JPEG.`,
    ])
    expect(await codeOf(() => thumbnail(input, 64))).toBe('UNSUPPORTED_FORMAT')
    expect(existsSync(output)).toBe(false)
    // The same file's pixels as RGB are read: the refusal is the colours', not the file's layout.
    const rgb = join(mkdtempSync(join(tmpdir(), 'enhance-rgb-tiff-')), 'scan-rgb.tif')
    writeFileSync(rgb, directoryFirstTiff(8, 6, Buffer.alloc(8 * 6 * 3, 100), 6))
    await enhance(rgb, `${rgb}.png`, model, settings())
    expect((await sharp(`${rgb}.png`).metadata()).width).toBe(32)
  })

  it('a camera RAW file, though TIFF inside, is refused with how to export it, not read as its preview', async () => {
    const tiff = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#806040' } })
      .tiff()
      .toBuffer()
    for (const name of ['IMG_0001.dng', 'IMG_0002.CR2']) {
      const input = join(dir, name)
      writeFileSync(input, tiff)
      const output = join(dir, `${name}.out.png`)
      const error: unknown = await enhance(input, output, model, settings()).catch((e: unknown) => e)
      expect([(error as EnhanceError).code, (error as Error).message]).toEqual([
        'UNSUPPORTED_FORMAT',
        `${input} is a camera RAW file, which needs exporting as JPEG or TIFF first, in the camera maker's software ` +
          "or a photo editor: Enhance reads the photos made from RAW files, not the sensor's data (or the small preview kept beside it).",
      ])
      expect(await codeOf(() => thumbnail(input, 64))).toBe('UNSUPPORTED_FORMAT')
      expect(existsSync(output)).toBe(false)
    }
  })

  it('a PNG output too large to hold is refused before any work, and nothing is written', async () => {
    const input = await file('huge-size.png', (s) => s.png())
    const output = join(dir, 'huge-size.out.png')
    const huge = settings({ format: 'png', size: { mode: 'exact', width: 9_000_000, height: 9_000_000 } })
    expect(await codeOf(() => enhance(input, output, model, huge))).toBe('RESULT_TOO_LARGE')
    expect(readdirSync(dir).filter((f) => f.startsWith('huge-size.out'))).toEqual([])
  })

  it('an output that would replace the input', async () => {
    const input = await file('self.png', (s) => s.png())
    expect(await codeOf(() => enhance(input, input, model, settings()))).toBe('INVALID_ARGUMENT')
  })

  it('wrote no output or temporary file for any of them', () => {
    expect(readdirSync(dir).filter((f) => f.includes('.out.') || f.includes('.partial'))).toEqual([])
  })
})

describe('a cut-short photo', () => {
  const damagedDir = join(work, 'damaged')
  mkdirSync(damagedDir, { recursive: true })
  const side = 64
  // Texture, so that most of the file is picture, not header: cut at 60 %, the top rows remain.
  const texture = Buffer.from(Array.from({ length: side * side * 3 }, (_, i) => (i * 7919) % 251))
  const input = join(damagedDir, 'cut.jpg')
  let whole: Buffer
  beforeAll(async () => {
    whole = await sharp(texture, { raw: { width: side, height: side, channels: 3 } })
      .jpeg()
      .toBuffer()
    writeFileSync(input, whole.subarray(0, Math.floor(whole.length * 0.6)))
  })
  const row = side * 3

  it('is refused as partly readable, and with readDamaged enhanced as far as it goes', async () => {
    const output = join(damagedDir, 'cut.out.png')
    const error: unknown = await enhance(input, output, model, settings({ format: 'png' })).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'PARTIAL_IMAGE' })
    expect((error as Error).message).toMatch(/cut short or damaged.*Copy it again from where it came from/s)
    expect(existsSync(output)).toBe(false)

    const reply = await enhance(input, output, model, settings({ format: 'png', readDamaged: true }))
    expect(reply.note).toMatch(
      /cut short or damaged \(.*premature end.*\): what could be read was enhanced\. The bottom \d+% of the photo was not in the file/,
    )
    // The identity model is nearest ×4: every fourth output pixel is the pixel the decoder read.
    const out = await sharp(output).raw().toBuffer()
    const sampled = Buffer.alloc(side * side * 3)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const from = (y * 4 * side * 4 + x * 4) * 3
        out.copy(sampled, (y * side + x) * 3, from, from + 3)
      }
    const strict = await sharp(whole).raw().toBuffer()
    // The rows before the cut are the whole photo's; the rows after it are the decoder's grey.
    expect(sampled.subarray(0, row)).toEqual(strict.subarray(0, row))
    expect([...new Set(sampled.subarray(sampled.length - row))]).toEqual([128])
  })

  it('shows in the views as far as it goes: thumbnail and the realism preview', async () => {
    const thumb = await thumbnail(input, 256)
    expect([thumb.width, thumb.height]).toEqual([side, side])
    const shown = await sharp(thumb.png).removeAlpha().raw().toBuffer()
    const strict = await sharp(whole).raw().toBuffer()
    expect(shown.subarray(0, row)).toEqual(strict.subarray(0, row))
    expect([...new Set(shown.subarray(shown.length - row))]).toEqual([128])
    const crop = await crops.render(input, { x: 0, y: 0, width: 8, height: 8 }, model)
    const enhanced = await sharp(crop.png).removeAlpha().raw().toBuffer()
    // Nearest ×4 of the top-left 8×8: the first output row repeats the photo's first 8 pixels 4 times each.
    const expected = Buffer.concat(
      Array.from({ length: 32 }, (_, x) => strict.subarray(Math.floor(x / 4) * 3, Math.floor(x / 4) * 3 + 3)),
    )
    expect(enhanced.subarray(0, 32 * 3)).toEqual(expected)
  })

  it('a TIFF cut short before its directory is called damaged, not an unknown format', async () => {
    const tiff = await sharp(texture, { raw: { width: side, height: side, channels: 3 } })
      .tiff()
      .toBuffer()
    const cut = join(damagedDir, 'cut.tif')
    writeFileSync(cut, tiff.subarray(0, tiff.length >> 1))
    const output = join(damagedDir, 'cut-tif.out.png')
    const error: unknown = await enhance(cut, output, model, settings({ readDamaged: true })).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'CORRUPT_IMAGE' })
    expect((error as Error).message).toMatch(
      /begins as a photo Enhance reads.*damaged or cut short.*Copy it again/,
    )
    expect(existsSync(output)).toBe(false)
  })

  /** Every fourth pixel of every fourth row: what the identity model (nearest ×4) was given. */
  async function sampledInput(output: string): Promise<Buffer> {
    const out = await sharp(output).removeAlpha().raw().toBuffer()
    const sampled = Buffer.alloc(side * side * 3)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const from = (y * 4 * side * 4 + x * 4) * 3
        out.copy(sampled, (y * side + x) * 3, from, from + 3)
      }
    return sampled
  }

  it('a TIFF cut short after its directory (strips missing, or its JPEG tables) is refused as partly readable', async () => {
    // Uncompressed, directory first, as scanners write them: libtiff only warns that the strips run past
    // the end (in strips of 8 rows, or in one), and libvips reads what is missing as black.
    const cut = (name: string, file: Buffer, fraction: number): string => {
      writeFileSync(join(damagedDir, name), file.subarray(0, Math.floor(file.length * fraction)))
      return join(damagedDir, name)
    }
    const cutScan = cut('cut-scan.tif', directoryFirstTiff(side, side, texture, 8), 0.6)
    const cutStrip = cut(
      'cut-strip.tif',
      directoryFirstTiff(32, 24, texture.subarray(0, 32 * 24 * 3), 24),
      0.6,
    )
    // JPEG-coded, flat: cut in half, it loses a table.
    const flat = await sharp({ create: { width: side, height: side, channels: 3, background: '#c8c8c8' } })
      .tiff()
      .toBuffer()
    const cutFlat = cut('cut-flat.tif', flat, 0.5)
    // JPEG-coded, its directory claiming more rows and columns than its one strip holds.
    const claimed = join(damagedDir, 'claims-more.tif')
    writeFileSync(claimed, tiffClaiming(await sharp(flat).resize(40, 30).tiff().toBuffer(), 240, 180))
    const refused: string[] = []
    for (const path of [cutScan, cutStrip, cutFlat, claimed])
      refused.push(
        await enhance(path, join(damagedDir, 'refused.out.png'), model, settings({ format: 'png' })).then(
          () => 'enhanced',
          (e: Error & { code: string }) => `${e.code}: ${/damaged \((.*)\), but part/.exec(e.message)?.[1]}`,
        ),
      )
    expect(refused).toEqual([
      'PARTIAL_IMAGE: tiff2vips: Read error at scanline 24; got 1146 bytes, expected 1536',
      'PARTIAL_IMAGE: tiff2vips: Read error at scanline 4294967295; got 1322 bytes, expected 2304',
      'PARTIAL_IMAGE: tiff2vips: Quantization table 0x00 was not defined',
      'PARTIAL_IMAGE: Improper JPEG strip/tile size, expected 240x180, got 40x30',
    ])
    expect(existsSync(join(damagedDir, 'refused.out.png'))).toBe(false)

    const output = join(damagedDir, 'cut-scan.out.png')
    const reply = await enhance(cutScan, output, model, settings({ format: 'png', readDamaged: true }))
    expect(reply.note).toMatch(
      /^The file is cut short or damaged \(tiff2vips: Read error at scanline 24.*\): what could be read/,
    )
    // The whole strips before the cut are the scan's own pixels; the rest is black.
    const sampled = await sampledInput(output)
    expect(sampled.subarray(0, 32 * row)).toEqual(texture.subarray(0, 32 * row))
    expect([...new Set(sampled.subarray(sampled.length - row))]).toEqual([0])
  })

  it('a file the decoder only warns about is enhanced as it reads, and its note passes the warning on', async () => {
    // Stray bytes before a JPEG marker: common from some cameras and editors, and harmless.
    const sos = whole.indexOf(Buffer.from([0xff, 0xda]))
    const stray = Buffer.concat([whole.subarray(0, sos), Buffer.from([1, 2, 3, 4]), whole.subarray(sos)])
    const input = join(damagedDir, 'stray.jpg')
    writeFileSync(input, stray)
    const output = join(damagedDir, 'stray.out.png')
    const reply = await enhance(input, output, model, settings({ format: 'png' }))
    expect(reply.note).toBe(
      'The decoder reported a problem with the file (VipsJpeg: Corrupt JPEG data: 4 extraneous bytes before marker 0xda); check the result.',
    )
    expect(await sampledInput(output)).toEqual(await sharp(whole).raw().toBuffer())
    // The same file whole: no warning, no note.
    writeFileSync(join(damagedDir, 'whole.jpg'), whole)
    const clean = await enhance(
      join(damagedDir, 'whole.jpg'),
      join(damagedDir, 'whole.out.png'),
      model,
      settings({ format: 'png' }),
    )
    expect(clean.note).toBeUndefined()
  })
})

describe('a file of several frames or pages', () => {
  const [width, height] = [8, 6]
  const FRAME_COLOURS = [
    [200, 30, 40],
    [30, 200, 40],
    [40, 30, 200],
  ]

  /** Three flat frames, red, green and blue, stacked as libvips holds a multi-page image. */
  function stacked(frames = FRAME_COLOURS.length): Sharp {
    const pixels = Buffer.alloc(width * height * frames * 3)
    for (let i = 0; i < width * height * frames; i++)
      pixels.set(FRAME_COLOURS[Math.floor(i / (width * height))]!, i * 3)
    return sharp(pixels, { raw: { width, height: height * frames, channels: 3, pageHeight: height } })
  }

  /** The distinct colours of an output, and how many pages it has. */
  async function coloursAndPages(path: string): Promise<{ colours: string[]; pages: number }> {
    const pixels = await sharp(path).removeAlpha().raw().toBuffer()
    const colours = new Set<string>()
    for (let i = 0; i < pixels.length; i += 3) colours.add([...pixels.subarray(i, i + 3)].join(','))
    return { colours: [...colours], pages: (await sharp(path).metadata()).pages ?? 1 }
  }

  it('enhances the first frame or page as a still photo, and its note says the others were left out', async () => {
    const dir = join(work, 'pages')
    mkdirSync(dir, { recursive: true })
    const inputs = {
      'animation.gif': stacked().gif({ loop: 0, delay: [100, 100, 100] }),
      'animation.webp': stacked().webp({ lossless: true, loop: 0 }),
      'scans.tif': stacked().tiff({ compression: 'lzw' }),
      'still.gif': stacked(1).gif(),
    }
    const results: Record<string, { note?: string; colours: string[]; pages: number }> = {}
    for (const [name, pipeline] of Object.entries(inputs)) {
      await pipeline.toFile(join(dir, name))
      const output = join(dir, `${name}.out.png`)
      const reply = await enhance(join(dir, name), output, model, settings({ format: 'png' }))
      results[name] = { ...(await coloursAndPages(output)), ...(reply.note ? { note: reply.note } : {}) }
    }
    const first = { colours: ['200,30,40'], pages: 1 }
    expect(results).toEqual({
      'animation.gif': {
        ...first,
        note: 'It is an animation of 3 frames: only the first frame was enhanced, as a still photo.',
      },
      'animation.webp': {
        ...first,
        note: 'It is an animation of 3 frames: only the first frame was enhanced, as a still photo.',
      },
      'scans.tif': {
        ...first,
        note: 'It holds 3 pages: only the first was enhanced. To enhance the others, save each page as its own file.',
      },
      'still.gif': first,
    })
  })
})
