/**
 * BMPs (old scans, Paint's pictures), decoded by the engine since libvips cannot: every variant against
 * Pillow's decoding of it (test/fixtures/generate_bmp.py), cut-short and hostile files, and the views.
 */
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { PhotoTiles } from '../../src/engine/image/photo-tiles.js'
import { thumbnail } from '../../src/engine/image/thumbnail.js'
import { damageOutcomes, editedCopy, unexpectedOutcomes } from '../helpers/damage.js'
import { refusal } from '../helpers/errors.js'
import { imageFixture } from '../helpers/fixtures.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-bmp-'))
const VARIANTS = readdirSync(imageFixture('bmp')).filter((name) => name.endsWith('.bmp'))

async function reference(name: string): Promise<{ data: Buffer; channels: number }> {
  const { data, info } = await sharp(imageFixture(`bmp/${name.replace(/\.bmp$/, '.png')}`))
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { data, channels: info.channels }
}

/** A copy of a fixture with `edit` applied to its bytes. */
function edited(name: string, as: string, edit: (bytes: Buffer) => Buffer): string {
  return editedCopy(imageFixture(`bmp/${name}`), work, as, edit)
}

describe('BMP', () => {
  it('has a fixture of each variant', () => {
    expect(VARIANTS.sort()).toEqual(
      [
        'bgra32-v5',
        'grey8',
        'mono1',
        'os2-core',
        'pal4',
        'pal8',
        'rgb24',
        'rgb555',
        'rgb565-top-down',
        'rle4',
        'rle8',
        'x32',
      ].map((n) => `${n}.bmp`),
    )
  })

  it.each(VARIANTS)('%s reads as Pillow reads it, to the level', async (name) => {
    const { image, meta } = await decodeImage(imageFixture(`bmp/${name}`))
    const expected = await reference(name)
    expect([image.width, image.height, image.depth, image.channels]).toEqual([37, 23, 8, expected.channels])
    expect(Buffer.from(image.pixels).equals(expected.data)).toBe(true)
    // A grey palette (a greyscale scan) is written back as grey; the transparency of the V5 file is kept.
    expect(meta.gray).toBe(name === 'grey8.bmp' || name === 'mono1.bmp')
    expect(meta.hasAlpha).toBe(name === 'bgra32-v5.bmp')
  })

  it('keeps a 32-bit alpha that says something, and drops one that is 0 everywhere', async () => {
    const { image } = await decodeImage(imageFixture('bmp/bgra32-v5.bmp'))
    const alphas = [0, 18, 36].map((x) => image.pixels[x * 4 + 3])
    expect(alphas).toEqual([0, Math.floor((18 * 255) / 36), 255])
    expect((await decodeImage(imageFixture('bmp/x32.bmp'))).image.channels).toBe(3)
  })

  it('refuses a file cut short, and with readDamaged reads its rows, the missing ones black', async () => {
    // rgb24: 37 px of 3 bytes, padded to 112 bytes a row, stored bottom row first; 10 whole rows kept.
    const cut = edited('rgb24.bmp', 'cut.bmp', (bytes) => bytes.subarray(0, 54 + 112 * 10 + 50))
    expect(await refusal(decodeImage(cut))).toEqual([
      'PARTIAL_IMAGE',
      `${cut} is cut short or damaged (only 10 of its 23 rows are in the file), but part of it can be read. ` +
        'Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.',
    ])
    const read = await decodeImage(cut, { readDamaged: true })
    expect(read.damage).toBe('only 10 of its 23 rows are in the file')
    const whole = await reference('rgb24.bmp')
    const row = 37 * 3
    const pixels = Buffer.from(read.image.pixels)
    expect(pixels.subarray(13 * row).equals(whole.data.subarray(13 * row))).toBe(true)
    expect(pixels.subarray(0, 13 * row).every((v) => v === 0)).toBe(true)
    // Run-length coding cut short: the rows reached, the rest in the palette's first colour.
    const rle = edited('rle8.bmp', 'cut-rle.bmp', (bytes) => bytes.subarray(0, bytes.length - 400))
    const partRle = await decodeImage(rle, { readDamaged: true })
    expect(partRle.damage).toMatch(/^only \d+ of its 23 rows are in the file$/)
    const rleWhole = await reference('rle8.bmp')
    const rowsRead = Number(/only (\d+)/.exec(partRle.damage!)![1])
    const kept = (23 - rowsRead) * row
    expect(Buffer.from(partRle.image.pixels).subarray(kept).equals(rleWhole.data.subarray(kept))).toBe(true)
    // No pixel at all is no picture.
    const none = edited('rgb24.bmp', 'no-pixels.bmp', (bytes) => bytes.subarray(0, 54))
    expect(await refusal(decodeImage(none, { readDamaged: true }))).toEqual([
      'CORRUPT_IMAGE',
      `${none} is cut short: none of its pixels are in the file. ` +
        'Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.',
    ])
  })

  it('refuses a header over the pixel limit before reading its pixels, and variants it does not decode', async () => {
    const huge = edited('rgb24.bmp', 'huge.bmp', (bytes) => {
      const copy = Buffer.from(bytes)
      copy.writeInt32LE(200_000, 18)
      copy.writeInt32LE(100_000, 22)
      return copy
    })
    expect(await refusal(decodeImage(huge))).toEqual([
      'IMAGE_TOO_LARGE',
      `${huge} has more than 100,000,000 pixels, the limit that guards against decompression bombs. Enhance a smaller copy of it.`,
    ])
    const jpegInside = edited('rgb24.bmp', 'jpeg-inside.bmp', (bytes) => {
      const copy = Buffer.from(bytes)
      copy.writeUInt32LE(4, 30)
      return copy
    })
    expect(await refusal(decodeImage(jpegInside))).toEqual([
      'UNSUPPORTED_FORMAT',
      `${jpegInside} is a BMP, but it is coded as a JPEG inside, which Enhance cannot read. Open it in an image editor and save it as PNG.`,
    ])
    const nonsense = edited('rgb24.bmp', 'zero-wide.bmp', (bytes) => {
      const copy = Buffer.from(bytes)
      copy.writeInt32LE(0, 18)
      return copy
    })
    expect(await refusal(decodeImage(nonsense))).toEqual([
      'CORRUPT_IMAGE',
      `${nonsense} is damaged: it begins as a BMP, but its size (0×23) is not a picture's. ` +
        'Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.',
    ])
  })

  it('reads any damage to a file as a coded error or a picture, never a crash or a hang', async () => {
    const photos = ['rle8.bmp', 'rle4.bmp', 'rgb565-top-down.bmp', 'pal4.bmp', 'bgra32-v5.bmp']
    const outcomes = await damageOutcomes(
      photos.map((name) => imageFixture(`bmp/${name}`)),
      work,
      { trials: 60, changes: 8, cutEvery: 3, seed: 20261203 },
    )
    expect(unexpectedOutcomes(outcomes)).toEqual([])
    // Both kinds happened: the damage reached the decoder, not only the header checks.
    expect(outcomes.get('read')).toBeGreaterThan(50)
    expect(outcomes.get('CORRUPT_IMAGE')).toBeGreaterThan(10)
  })

  it('shows in the views: a thumbnail and the compare tiles are those of the same pixels in a PNG', async () => {
    const [bmp, png] = [imageFixture('bmp/pal8.bmp'), imageFixture('bmp/pal8.png')]
    const [fromBmp, fromPng] = await Promise.all([thumbnail(bmp, 16), thumbnail(png, 16)])
    expect([fromBmp.width, fromBmp.height, fromBmp.originalWidth, fromBmp.originalHeight]).toEqual([
      16, 10, 37, 23,
    ])
    const raw = (data: Uint8Array) => sharp(data).raw().toBuffer()
    expect((await raw(fromBmp.png)).equals(await raw(fromPng.png))).toBe(true)
    const tiles = new PhotoTiles(join(work, 'tiles'))
    const [tileBmp, tilePng] = [await tiles.tile(bmp, 0, 0), await tiles.tile(png, 0, 0)]
    expect([tileBmp.width, tileBmp.height]).toEqual([37, 23])
    expect((await raw(tileBmp.png)).equals(await raw(tilePng.png))).toBe(true)
  })
})
