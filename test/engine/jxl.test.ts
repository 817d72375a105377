/**
 * JPEG XL photos, decoded by jxl-oxide in a worker thread since libvips cannot: lossless fixtures
 * (test/fixtures/generate_jxl.mjs, cjxl) against the pictures they were made from, metadata, damage, limits and
 * the views, and one enhanced end to end by the command.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { decodeJxl, jxlMetadata, jxlSize } from '../../src/engine/image/jxl.js'
import { checkImageFormat } from '../../src/engine/image/sniff.js'
import { formatForInput } from '../../src/shared/formats.js'
import { editedCopy } from '../helpers/damage.js'
import { refusal } from '../helpers/errors.js'
import { imageFixture } from '../helpers/fixtures.js'
import { differences } from '../helpers/levels.js'
import {
  expectDamageReadOrRefused,
  expectDecodeStops,
  expectEnhancedAsTheirPngs,
  expectMemoryBound,
} from '../helpers/read-formats.js'
import { viewsOf } from '../helpers/views.js'
const work = mkdtempSync(join(tmpdir(), 'enhance-jxl-'))
const jxl = (name: string): string => imageFixture(`jxl/${name}`)

/** A copy of a fixture with `edit` applied to its bytes. */
function edited(name: string, as: string, edit: (bytes: Buffer) => Buffer): string {
  return editedCopy(jxl(name), work, as, edit)
}

async function pixelsOf(path: string): Promise<{ data: Uint8Array | Uint16Array; channels: number }> {
  const { image } = await decodeImage(path)
  return { data: image.pixels, channels: image.channels }
}

describe('JPEG XL photos', () => {
  it('are recognised by their content, in a container or as a bare codestream', async () => {
    expect(await checkImageFormat(jxl('quadrants.jxl'))).toBe('jxl')
    expect(await checkImageFormat(jxl('codestream.jxl'))).toBe('jxl')
    const misnamed = join(work, 'holiday.jpg')
    copyFileSync(jxl('codestream.jxl'), misnamed)
    expect(await checkImageFormat(misnamed)).toBe('jxl')
    // Enhance writes no JPEG XL: kept "as it came" they become PNGs, lossless, 16 bits and transparency kept.
    expect(formatForInput('same', 'IMG_0001.JXL')).toBe('png')
  })

  it('decode losslessly coded pictures to exactly their pixels: 8-bit, 16-bit, with transparency', async () => {
    for (const [file, source, channels, depth] of [
      ['quadrants.jxl', 'quadrants.png', 3, 8],
      ['codestream.jxl', 'quadrants.png', 3, 8],
      ['deep16.jxl', 'deep16.png', 3, 16],
      ['alpha.jxl', 'alpha.png', 4, 8],
    ] as const) {
      const decoded = await decodeImage(jxl(file))
      expect([
        decoded.image.width,
        decoded.image.height,
        decoded.image.channels,
        decoded.image.depth,
      ]).toEqual([64, 48, channels, depth])
      expect(decoded.meta.format).toBe('jxl')
      const reference = await pixelsOf(jxl(source))
      expect(Buffer.from(decoded.image.pixels.buffer).equals(Buffer.from(reference.data.buffer))).toBe(true)
    }
  })

  it('convert through the photo’s own colour profile to sRGB, as the PNG it was made from is read', async () => {
    const decoded = await decodeImage(jxl('p3.jxl'))
    const reference = await pixelsOf(jxl('p3.png'))
    expect(new TextDecoder('latin1').decode(decoded.meta.icc?.subarray(12, 20))).toBe('mntrRGB ')
    expect(differences(decoded.image.pixels, reference.data).largest).toBeLessThanOrEqual(1)
    // The profile did something: the file's own levels, in Display P3, are other levels than the sRGB read.
    const stored = await sharp(jxl('p3.png'), { ignoreIcc: true }).raw().toBuffer()
    expect(decoded.image.pixels.some((value, i) => Math.abs(value - stored[i]!) > 8)).toBe(true)
  })

  it('stand upright, and carry the EXIF of a JPEG transcoded losslessly (its Brotli-packed Exif box)', async () => {
    const decoded = await decodeImage(jxl('oriented.jxl'))
    expect([decoded.image.width, decoded.image.height]).toEqual([48, 64])
    expect(await jxlSize(jxl('oriented.jxl'))).toEqual({ width: 48, height: 64 })
    const exif = Buffer.from(decoded.meta.exif ?? [])
    expect(exif.subarray(0, 6).toString('latin1')).toBe('Exif\0\0')
    expect(exif.includes('1987:06:14 10:30:00')).toBe(true)
    // The same picture as the JPEG it was made from, turned upright by its orientation (IDCTs differ a little).
    const reference = await pixelsOf(jxl('oriented.jpg'))
    expect(differences(decoded.image.pixels, reference.data).mean).toBeLessThan(1.5)
  })

  it('read the EXIF and XMP of a container, plain or Brotli-packed, and leave out a packed box past its limit', () => {
    const box = (type: string, payload: Uint8Array): Buffer => {
      const head = Buffer.alloc(8)
      head.writeUInt32BE(8 + payload.length)
      head.write(type, 4, 'latin1')
      return Buffer.concat([head, payload])
    }
    const signature = Buffer.from([0, 0, 0, 0x0c, 0x4a, 0x58, 0x4c, 0x20, 0x0d, 0x0a, 0x87, 0x0a])
    const tiff = Buffer.from('II*\0\x08\0\0\0\0\0', 'latin1')
    const xmp = '<x:xmpmeta xmlns:x="adobe:ns:meta/">caption</x:xmpmeta>'
    const exifPayload = Buffer.concat([Buffer.from([0, 0, 0, 2, 0xaa, 0xbb]), tiff]) // a 2-byte offset to the TIFF
    const plain = jxlMetadata(
      Buffer.concat([signature, box('Exif', exifPayload), box('xml ', Buffer.from(xmp))]),
    )
    expect(
      Buffer.from(plain.exif ?? []).equals(Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff])),
    ).toBe(true)
    expect(plain.xmp).toBe(xmp)
    const packed = (type: string, payload: Uint8Array): Buffer =>
      box('brob', Buffer.concat([Buffer.from(type, 'latin1'), brotliCompressSync(payload)]))
    expect(jxlMetadata(Buffer.concat([signature, packed('xml ', Buffer.from(xmp))])).xmp).toBe(xmp)
    // 64 MB of zeros packs into a few bytes: unpacked past 16 MB, it is left out rather than filling memory.
    const bomb = packed('xml ', Buffer.alloc(64 * 2 ** 20))
    expect(bomb.length).toBeLessThan(10_000)
    expect(jxlMetadata(Buffer.concat([signature, bomb]))).toEqual({})
    // A bare codestream holds none; boxes that do not add up are no metadata, not a failure.
    expect(jxlMetadata(readFileSync(jxl('codestream.jxl')))).toEqual({})
    expect(jxlMetadata(Buffer.concat([signature, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x45])]))).toEqual({})
  })

  it('refuse a file cut short, and with readDamaged render what it holds', async () => {
    const cut = edited('deep16.jxl', 'cut.jxl', (bytes) => bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    const [code, message] = await refusal(decodeImage(cut))
    expect(code).toBe('PARTIAL_IMAGE')
    expect(message).toBe(
      `${cut} is cut short or damaged (the file ends before the last of its picture), but part of it can be read. Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.`,
    )
    const read = await decodeImage(cut, { readDamaged: true })
    expect(read.damage).toBe('the file ends before the last of its picture')
    expect([read.image.width, read.image.height]).toEqual([64, 48])
    // What it holds is the picture: its first row as the whole file's.
    const whole = await pixelsOf(jxl('deep16.jxl'))
    const firstRow = 64 * 3
    const rowError = differences(read.image.pixels.subarray(0, firstRow), whole.data.subarray(0, firstRow))
    expect(rowError.largest).toBeLessThan(257 * 8)
  })

  it('refuse a header alone, and damage the decoder cannot read, with CORRUPT_IMAGE', async () => {
    const header = edited('quadrants.jxl', 'header.jxl', (bytes) => bytes.subarray(0, 14))
    expect(await refusal(decodeImage(header))).toEqual([
      'CORRUPT_IMAGE',
      `${header} is damaged or truncated (the file ends before its header does). Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.`,
    ])
    const garbage = join(work, 'garbage.jxl')
    writeFileSync(garbage, Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.alloc(300, 0xa7)]))
    expect((await refusal(decodeImage(garbage)))[0]).toBe('CORRUPT_IMAGE')
  })

  it('read any damage to a file as a coded error or a picture, never a crash or a hang', async () => {
    await expectDamageReadOrRefused(
      ['quadrants.jxl', 'deep16.jxl', 'alpha.jxl', 'oriented.jxl'].map(jxl),
      work,
      20261207,
    )
  })

  it('refuse, before the picture is decoded, one past the pixel limit or the memory its decode takes', async () => {
    const path = jxl('quadrants.jxl')
    await expectMemoryBound(path, (options, memory) => decodeJxl(path, options, memory), {
      format: 'JPEG XL',
      bytesPerPixel: 32,
    })
  })

  it('stop a decode that is cancelled or runs past its time, with the worker', async () => {
    await expectDecodeStops((options) => decodeJxl(jxl('deep16.jxl'), options), 'JPEG XL')
  })

  it('show in the views: a thumbnail and the compare tiles are those of the PNG it was made from', async () => {
    const tiles = join(work, 'tiles')
    const [fromJxl, fromPng] = [
      await viewsOf(jxl('quadrants.jxl'), tiles),
      await viewsOf(jxl('quadrants.png'), tiles),
    ]
    expect(fromJxl.sizes).toEqual([16, 12, 64, 48])
    expect(fromJxl).toEqual(fromPng)
  })

  it('are found in a folder and enhanced by the command into PNGs equal to those of their pictures', async () => {
    await expectEnhancedAsTheirPngs(
      work,
      ['quadrants', 'alpha'].map((name) => ({
        photo: jxl(`${name}.jxl`),
        as: `${name}.jxl`,
        png: jxl(`${name}.png`),
      })),
    )
  })
})
