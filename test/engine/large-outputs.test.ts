import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { TiffOptions } from 'sharp'
import { describe, expect, it } from 'vitest'
import {
  checkOutputSize,
  checkRasterSize,
  encodeImage,
  jpegOptions,
  tiffOptions,
} from '../../src/engine/image/encode.js'
import { injectExif } from '../../src/engine/image/exif.js'
import { newExif } from '../../src/engine/image/exif-new.js'
import { onWhite } from '../../src/engine/image/border.js'
import { restampFile } from '../../src/engine/image/restamp.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { writeIdentityModel } from '../helpers/models.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { codeOf } from '../helpers/errors.js'

describe('large outputs', () => {
  it('optimises Huffman tables only while the coefficients fit the memory budget', () => {
    expect(jpegOptions(92, 2560, 1920)).toMatchObject({ chromaSubsampling: '4:4:4', optimiseCoding: true })
    // 12000×8000 at 4:4:4 would hold 576 MB of coefficients.
    expect(jpegOptions(92, 12000, 8000)).toMatchObject({ optimiseCoding: false })
    // 4:2:0 holds half as many samples, so the same size still fits.
    expect(jpegOptions(80, 7000, 7000).optimiseCoding).toBe(true)
    expect(jpegOptions(92, 7000, 7000).optimiseCoding).toBe(false)
  })

  it('writes a valid JPEG past the coding budget, with the pixels it was given', async () => {
    const [width, height] = [8000, 6000]
    const pixels = new Uint8Array(width * height * 3)
    for (let i = 0; i < pixels.length; i += 3) pixels.set([200, 120, 40], i)
    const image = { width, height, channels: 3 as const, depth: 8 as const, pixels }
    const meta = { format: 'jpeg', gray: false, hasAlpha: false }
    const options = { format: 'jpeg', quality: 92, background: '#ffffff', metadata: 'none' } as const
    const file = await encodeImage(image, meta, { ...options, width, height })
    const decoded = sharp(file)
    expect(await decoded.metadata()).toMatchObject({ format: 'jpeg', width, height })
    const { data } = await decoded
      .extract({ left: 4000, top: 3000, width: 1, height: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true })
    const error = [200, 120, 40].map((want, i) => Math.abs(data[i]! - want))
    expect(Math.max(...error)).toBeLessThanOrEqual(2)
  })

  it('refuses, before any work, a WebP or AVIF too big to encode in half the memory; JPEG, PNG and TIFF stream', async () => {
    const eightGb = { bytes: 8 * 2 ** 30, container: false }
    const check =
      (format: 'webp' | 'avif' | 'jpeg' | 'png' | 'tiff', width: number, height: number, deep = false) =>
      () =>
        checkOutputSize(format, { width, height, deep }, eightGb)
    expect(await codeOf(check('avif', 16000, 12000))).toBe('RESULT_TOO_LARGE')
    expect(await codeOf(check('webp', 16383, 16383))).toBe('RESULT_TOO_LARGE')
    expect(check('avif', 16000, 12000)).toThrow(/about 7\.9 GB .* Choose JPEG, PNG or TIFF/)
    expect(check('avif', 4000, 3000)).not.toThrow()
    // A 16-bit photo's AVIF is 10-bit, and libaom holds 1.4× as much for it.
    expect(check('avif', 10000, 8000)).not.toThrow()
    expect(check('avif', 10000, 8000, true)).toThrow(/about 4\.5 GB .* Choose JPEG, PNG or TIFF/)
    expect(check('webp', 12000, 8000)).not.toThrow()
    for (const format of ['jpeg', 'png', 'tiff'] as const) expect(check(format, 60000, 40000)).not.toThrow()
  })
})

describe('results past libvips’ default guard', () => {
  // 16,390² = 268.6 MP: a ×4 of a 16.8 MP photo, just past the 268.4 MP libvips lets in unless told otherwise.
  const side = 16_390
  const [colour, marker] = [
    [30, 140, 220],
    [250, 10, 10],
  ]
  /** The colour everywhere, and the marker in the 16-px block at the bottom right (JPEG's blocks keep it whole). */
  function huge(): RasterImage {
    const pixels = new Uint8Array(Buffer.alloc(side * side * 3, Buffer.from(colour)))
    for (let y = side - 16; y < side; y++)
      for (let x = side - 16; x < side; x++) pixels.set(marker, (y * side + x) * 3)
    return { width: side, height: side, channels: 3, depth: 8, pixels }
  }
  const asResult = { limitInputPixels: false } as const

  it('are encoded as PNG and TIFF, their pixels kept, and a date is written into one', async () => {
    const image = huge()
    const meta = { format: 'png', gray: false, hasAlpha: false }
    const dir = mkdtempSync(join(tmpdir(), 'enhance-huge-'))
    for (const format of ['png', 'tiff'] as const) {
      const options = { format, quality: 90, background: '#ffffff', metadata: 'none' as const }
      // Before: `Input image exceeds pixel limit`, once the whole photo had been enhanced.
      const file = await encodeImage(image, meta, { ...options, width: side, height: side })
      expect(await sharp(file, asResult).metadata()).toMatchObject({ format, width: side, height: side })
      const at = (left: number, top: number) =>
        sharp(file, asResult).extract({ left, top, width: 1, height: 1 }).raw().toBuffer()
      const [corner, middle] = await Promise.all([at(side - 8, side - 8), at(side >> 1, side >> 1)])
      const off = (got: Buffer, want: number[]) => Math.max(...want.map((v, i) => Math.abs(got[i]! - v)))
      expect([off(corner, marker), off(middle, colour)], format).toEqual([0, 0])
      if (format !== 'png') continue
      const path = join(dir, 'huge.png')
      writeFileSync(path, file)
      expect(await restampFile(path, { stamp: { taken: '1962-07', place: 0 } })).toBe(true)
      expect(statSync(path).mtime.getFullYear()).toBe(1962)
    }
  }, 120_000)

  it('is resized onto a print’s white border', async () => {
    // Before: `Input image exceeds pixel limit` from the resize, once the whole photo had been enhanced.
    const print = await onWhite(huge(), 160, 160, { width: 200, height: 200 })
    const at = (x: number, y: number) => [...print.pixels.subarray((y * 200 + x) * 3, (y * 200 + x) * 3 + 3)]
    expect([print.width, print.height, at(5, 5), at(100, 100)]).toEqual([200, 200, [255, 255, 255], colour])
  }, 120_000)

  it('a photo of 17.2 MP is enhanced ×4 to a JPEG of 275.5 MP, end to end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-huge-photo-'))
    const [input, output] = [join(dir, 'camera.jpg'), join(dir, 'camera-x4.jpg')]
    await sharp({ create: { width: 4200, height: 4100, channels: 3, background: { r: 48, g: 128, b: 192 } } })
      .jpeg({ quality: 95 })
      .toFile(input)
    const registry = new ModelRegistry({ device: 'cpu' })
    try {
      const settings = { ...DEFAULT_SETTINGS, format: 'jpeg' as const }
      const reply = await enhancePhoto(registry, input, output, { path: writeIdentityModel(dir) }, settings)
      expect([reply.width, reply.height]).toEqual([16_800, 16_400])
      expect(await sharp(output, asResult).metadata()).toMatchObject({ width: 16_800, height: 16_400 })
      const middle = await sharp(output, asResult)
        .extract({ left: 8400, top: 8200, width: 1, height: 1 })
        .raw()
        .toBuffer()
      expect(Math.max(...[48, 128, 192].map((v, i) => Math.abs(middle[i]! - v)))).toBeLessThanOrEqual(2)
    } finally {
      await registry.close()
    }
  }, 300_000)
})

describe('TIFFs whose pixels could outgrow 4 GiB', () => {
  const [rgb, rgb16] = [
    { channels: 3, bytes: 1 },
    { channels: 3, bytes: 2 },
  ]
  // 4032×3024 ×4 at 16 bits: 1.2 GB of pixels. A 4×6 print scanned at 1200 dpi (4800×7200) ×4 at 16 bits: 3.3 GB.
  // A 100 MP photo ×4 at 8 bits: 4.8 GB (the app's; the command refuses more than 4 GiB of pixels).
  const [phone, scan, largest] = [
    { width: 16_128, height: 12_096 },
    { width: 19_200, height: 28_800 },
    { width: 40_000, height: 40_000 },
  ]

  it('are written with Deflate past 2 GiB of pixels, and as BigTIFFs past 4 GiB', () => {
    const chosen = (file: typeof phone, samples: typeof rgb) => {
      const { compression, bigtiff = false } = tiffOptions(300, file, samples)
      return { compression, bigtiff }
    }
    expect(chosen(phone, rgb16)).toEqual({ compression: 'lzw', bigtiff: false })
    expect(chosen(scan, rgb)).toEqual({ compression: 'lzw', bigtiff: false })
    expect(chosen(scan, rgb16)).toEqual({ compression: 'deflate', bigtiff: false })
    expect(chosen(largest, rgb)).toEqual({ compression: 'deflate', bigtiff: true })
  })

  it('Deflate keeps noisy 16-bit pixels within their own size, where LZW grew them by a third', async () => {
    let seed = 7
    const noise = Uint16Array.from(
      { length: 256 * 256 * 3 },
      () => (seed = (seed * 48271) % 2147483647) & 0xffff,
    )
    const sized = async (options: TiffOptions) =>
      (
        await sharp(noise, { raw: { width: 256, height: 256, channels: 3 } })
          .toColourspace('rgb16')
          .tiff(options)
          .toBuffer()
      ).length / noise.byteLength
    expect(await sized(tiffOptions(300, scan, rgb16))).toBeLessThan(1.01)
    expect(await sized(tiffOptions(300, phone, rgb16))).toBeGreaterThan(1.3)
  })

  it('a BigTIFF so written reads back with its pixels, and the EXIF step leaves it whole', async () => {
    const pixels = Buffer.from(Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 37) % 256))
    const options = tiffOptions(300, largest, rgb)
    const file = await sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } })
      .tiff(options)
      .toBuffer()
    expect([...file.subarray(0, 4)]).toEqual([0x49, 0x49, 43, 0]) // "II", 43: BigTIFF
    const exif = newExif({ width: 64, height: 48, format: 'tiff', density: 300, srgb: true })
    const kept = injectExif(file, 'tiff', exif)
    expect(Buffer.from(kept).equals(file)).toBe(true)
    expect(await sharp(kept).raw().toBuffer()).toEqual(pixels)
  })
})

describe('rasters too large to hold', () => {
  const terabyte = { bytes: 2 ** 40, container: false }
  it('refuses a result one typed array cannot hold, however much memory there is', async () => {
    // 89.6 MP RGB ×4: 43840×32704×3 bytes, just past the largest typed array.
    const tooBig = { width: 43840, height: 32704 }
    expect(await codeOf(() => checkRasterSize([tooBig], 3, 1, terabyte))).toBe('RESULT_TOO_LARGE')
    expect(
      await codeOf(() => checkRasterSize([{ width: 9_000_000, height: 9_000_000 }], 3, 1, terabyte)),
    ).toBe('RESULT_TOO_LARGE')
    expect(() => checkRasterSize([{ width: 40000, height: 32000 }], 3, 1, terabyte)).not.toThrow()
  })

  it('counts the model output and its resized copy against half the memory', async () => {
    const eightGb = { bytes: 8 * 2 ** 30, container: false }
    const model = { width: 32000, height: 24000 } // 2.1 GiB at 8-bit RGB
    expect(() => checkRasterSize([model], 3, 1, eightGb)).not.toThrow()
    expect(await codeOf(() => checkRasterSize([model, { width: 30000, height: 22500 }], 3, 1, eightGb))).toBe(
      'RESULT_TOO_LARGE',
    )
    expect(await codeOf(() => checkRasterSize([model], 3, 2, eightGb))).toBe('RESULT_TOO_LARGE')
  })
})
