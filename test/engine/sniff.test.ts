import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkImageFormat, sniffFormat } from '../../src/engine/image/sniff.js'

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))

describe('sniffFormat', () => {
  it.each([
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['png', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a])],
    ['gif', bytes('GIF89a')],
    ['webp', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')],
    ['tiff', bytes('II', [0x2a, 0])],
    ['tiff', bytes('MM', [0, 0x2a])],
    ['heif', bytes([0, 0, 0, 0x18], 'ftypheic')],
    ['heif', bytes([0, 0, 0, 0x1c], 'ftypavif')],
    ['bmp', bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0])],
    ['bmp', bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0, 0, 12, 0, 0, 0])],
    ['jp2', bytes([0, 0, 0, 0x0c], 'jP  ', [0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 0x14], 'ftypjp2 ')],
    ['jp2', bytes([0xff, 0x4f, 0xff, 0x51, 0, 0x2f])],
    ['psd', bytes('8BPS', [0, 1])],
    ['psd', bytes('8BPS', [0, 2])],
    [null, bytes('8BPS', [0, 3])],
    [null, bytes([0, 0, 0, 0x0c], 'jP  ', [0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 0x14], 'ftypjpm ')],
    [null, bytes('BM is short for a text that begins so')],
    [null, bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    [null, bytes('%PDF-1.7')],
    [null, bytes([0, 0, 0, 0x18], 'ftypmp42')],
    [null, bytes('')],
  ] as const)('%s', (format, head) => {
    expect(sniffFormat(head)).toBe(format)
  })
})

describe('the refusal of a file Enhance does not read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-other-formats-'))
  const refusal = async (name: string, head: Uint8Array): Promise<unknown> => {
    writeFileSync(join(dir, name), Buffer.concat([head, Buffer.alloc(64, 7)]))
    return checkImageFormat(join(dir, name)).catch((error: unknown) => error)
  }

  it.each([
    [
      'a JPEG 2000 compound document (JPM)',
      'pages.jpm',
      bytes([0, 0, 0, 0x0c], 'jP  ', [0x0d, 0x0a, 0x87, 0x0a, 0, 0, 0, 0x14], 'ftypjpm '),
    ],
    ['a GIMP image (XCF)', 'edit.xcf', bytes('gimp xcf v011')],
    ['an OpenEXR image', 'render.exr', bytes([0x76, 0x2f, 0x31, 0x01])],
    ['a PDF document', 'scan.pdf', bytes('%PDF-1.7')],
  ] as const)('names %s (%s) and says how to save it as a photo', async (is, name, head) => {
    expect(await refusal(name, head)).toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      message: `${join(dir, name)} is ${is}, which Enhance does not read. Open it in the program that made it or an image editor and save it as JPEG, PNG or TIFF.`,
    })
  })

  it.each([
    ['a ZIP archive', 'Takeout.zip', bytes('PK', [3, 4, 20, 0])],
    ['a ZIP archive', 'empty.zip', bytes('PK', [5, 6, 0, 0])],
    ['a 7z archive', 'album.7z', bytes('7z', [0xbc, 0xaf, 0x27, 0x1c, 0, 4])],
    ['a RAR archive', 'album.rar', bytes('Rar!', [0x1a, 0x07, 1, 0])],
    ['a compressed archive', 'takeout.tgz', bytes([0x1f, 0x8b, 8, 0])],
    ['a compressed archive', 'photos.tar.xz', bytes([0xfd], '7zXZ', [0])],
  ] as const)('names %s (%s) and says to extract it, on each system', async (is, name, head) => {
    expect(await refusal(name, head)).toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      message: `${join(dir, name)} is ${is}, which Enhance does not open: extract it first (on Windows, right-click › Extract All…; on a Mac, double-click; 7z and RAR archives need 7-Zip or The Unarchiver), then add the folder it makes.`,
    })
  })

  it('says a video (a Live Photo’s .MOV, a phone’s .mp4) is one, and anything else by what Enhance reads', async () => {
    const video =
      'is a video, which Enhance does not enhance: it enhances photos (JPEG, PNG, WebP, TIFF, AVIF, HEIC, JPEG XL, JPEG 2000, PSD, GIF, BMP).'
    expect(await refusal('IMG_0001.MOV', bytes([0, 0, 0, 0x14], 'ftypqt  '))).toMatchObject({
      message: `${join(dir, 'IMG_0001.MOV')} ${video}`,
    })
    expect(await refusal('clip.mp4', bytes([0, 0, 0, 0x18], 'ftypmp42'))).toMatchObject({
      message: `${join(dir, 'clip.mp4')} ${video}`,
    })
    expect(await refusal('notes.png', bytes('just some text'))).toMatchObject({
      code: 'UNSUPPORTED_FORMAT',
      message: `${join(dir, 'notes.png')} is not an image format Enhance can read (JPEG, PNG, WebP, TIFF, AVIF, HEIC, JPEG XL, JPEG 2000, PSD, GIF, BMP), whatever its name says. Open it in an image editor and save it as JPEG or PNG.`,
    })
  })
})
