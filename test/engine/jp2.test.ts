/**
 * JPEG 2000 photos, decoded by OpenJPEG (ImageMagick's WebAssembly build) in a worker thread since libvips cannot:
 * fixtures (test/fixtures/generate_jp2.mjs, opj_compress) against the pictures they were made from and the reference
 * decoder's reading, metadata, damage, limits and the views, and an album enhanced end to end by the command.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { decodeJp2 } from '../../src/engine/image/jp2.js'
import { jp2Header, jp2Size } from '../../src/engine/image/jp2-header.js'
import { checkImageFormat } from '../../src/engine/image/sniff.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { formatForInput } from '../../src/shared/formats.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { editedCopy } from '../helpers/damage.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { refusal } from '../helpers/errors.js'
import { imageFixture } from '../helpers/fixtures.js'
import { differences } from '../helpers/levels.js'
import {
  expectDamageReadOrRefused,
  expectDecodeStops,
  expectEnhancedAsTheirPngs,
  expectMemoryBound,
} from '../helpers/read-formats.js'
import { writeIdentityModel } from '../helpers/models.js'
import { viewsOf } from '../helpers/views.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-jp2-'))
const jp2 = (name: string): string => imageFixture(`jp2/${name}`)
const registry = new ModelRegistry({ device: 'cpu' })
afterAll(() => registry.close())
const COPY_AGAIN =
  'Copy it again from where it came from (the camera, phone or backup); Enhance has not changed it.'

/** A copy of a fixture with `edit` applied to its bytes. */
function edited(name: string, as: string, edit: (bytes: Buffer) => Buffer): string {
  return editedCopy(jp2(name), work, as, edit)
}

/** A picture's 8-bit levels as sharp reads it (through its profile, to sRGB). */
const levels = (path: string): Promise<Buffer> => sharp(path).raw().toBuffer()

describe('JPEG 2000 photos', () => {
  it('are recognised by their content, in a container or as a bare codestream; a JPM document is named', async () => {
    expect(await checkImageFormat(jp2('quadrants.jp2'))).toBe('jp2')
    expect(await checkImageFormat(jp2('quadrants.j2k'))).toBe('jp2')
    const misnamed = join(work, 'scan.jpg')
    copyFileSync(jp2('quadrants.j2k'), misnamed)
    expect(await checkImageFormat(misnamed)).toBe('jp2')
    // Enhance writes no JPEG 2000: kept "as it came" they become PNGs, lossless, transparency kept.
    expect(
      ['scan.JP2', 'a.j2k', 'b.jpf', 'c.jpx', 'd.j2c'].map((name) => formatForInput('same', name)),
    ).toEqual(['png', 'png', 'png', 'png', 'png'])
    // A compound document (brand `jpm `) holds pages of layered images OpenJPEG does not put together.
    const jpm = edited('quadrants.jp2', 'pages.jpm', (bytes) => {
      const copy = Buffer.from(bytes)
      copy.write('jpm ', 20, 'latin1')
      return copy
    })
    expect(await refusal(checkImageFormat(jpm))).toEqual([
      'UNSUPPORTED_FORMAT',
      `${jpm} is a JPEG 2000 compound document (JPM), which Enhance does not read. Open it in the program that made it or an image editor and save it as JPEG, PNG or TIFF.`,
    ])
  })

  it('decode losslessly coded pictures to exactly their pixels: colour, grey, with transparency', async () => {
    for (const [file, source, channels] of [
      ['quadrants.jp2', 'quadrants.png', 3],
      ['quadrants.j2k', 'quadrants.png', 3],
      ['grey.jp2', 'grey.png', 3],
      ['alpha.jp2', 'alpha.png', 4],
    ] as const) {
      const decoded = await decodeImage(jp2(file))
      expect([
        decoded.image.width,
        decoded.image.height,
        decoded.image.channels,
        decoded.image.depth,
        decoded.meta.format,
        decoded.meta.gray,
        decoded.meta.hasAlpha,
      ]).toEqual([64, 48, channels, 8, 'jp2', file === 'grey.jp2', channels === 4])
      const reference = await decodeImage(jp2(source))
      expect(Buffer.from(decoded.image.pixels).equals(Buffer.from(reference.image.pixels))).toBe(true)
    }
  })

  it('decode a lossy (9/7 wavelet) picture as the reference decoder does, opj_decompress', async () => {
    const decoded = await decodeImage(jp2('lossy.jp2'))
    const reference = await levels(jp2('lossy.png'))
    expect(differences(decoded.image.pixels, reference).largest).toBeLessThanOrEqual(1)
    // Lossy indeed: not the picture it was coded from.
    expect(differences(decoded.image.pixels, await levels(jp2('quadrants.png'))).largest).toBeGreaterThan(4)
  })

  it('make luma and chroma (sYCC; subsampled, or said in the colr box) RGB as the reference decoder does', async () => {
    for (const [file, reference] of [
      ['ycc420.j2k', 'ycc420.png'],
      ['sycc.jp2', 'sycc.png'],
    ]) {
      const decoded = await decodeImage(jp2(file!))
      expect(Buffer.from(decoded.image.pixels).equals(await levels(jp2(reference!)))).toBe(true)
      // The picture's own colours, give or take the chroma's sampling and rounding.
      expect(differences(decoded.image.pixels, await levels(jp2('quadrants.png'))).mean).toBeLessThan(2)
    }
  })

  it('read a 16-bit photo at 8 bits and say so, in the result’s note', async () => {
    const decoded = await decodeImage(jp2('deep16.jp2'))
    expect([decoded.image.depth, decoded.readShallowerThan]).toEqual([8, 16])
    expect(differences(decoded.image.pixels, await levels(jp2('deep16.png'))).largest).toBeLessThanOrEqual(1)
    const model = { path: writeIdentityModel(work) }
    const output = join(work, 'deep16-out.png')
    const reply = await enhancePhoto(registry, jp2('deep16.jp2'), output, model, {
      ...DEFAULT_SETTINGS,
      tile: 16,
    })
    expect(reply.note).toBe(
      'It has 16 bits per channel, which its decoder reads as 8, so the result has 8; to keep all 16, save it as a 16-bit TIFF or PNG in another program first.',
    )
    expect((await sharp(output).metadata()).depth).toBe('uchar')
  })

  it('convert through the photo’s own colour profile (its colr box) to sRGB, as the PNG it was made from is read', async () => {
    const decoded = await decodeImage(jp2('p3.jp2'))
    expect(new TextDecoder('latin1').decode(decoded.meta.icc?.subarray(12, 20))).toBe('mntrRGB ')
    expect(differences(decoded.image.pixels, await levels(jp2('p3.png'))).largest).toBeLessThanOrEqual(1)
    // The profile did something: the file's own levels, in Display P3, are other levels than the sRGB read.
    const stored = await sharp(jp2('p3.png'), { ignoreIcc: true }).raw().toBuffer()
    expect(decoded.image.pixels.some((value, i) => Math.abs(value - stored[i]!) > 8)).toBe(true)
  })

  it('carry a scan’s resolution, EXIF and XMP from the container’s boxes', async () => {
    const { meta } = await decodeImage(jp2('scan.jp2'))
    // Its capture resolution (11811 per metre), not its display one (2835).
    expect(meta.density).toBe(300)
    const exif = Buffer.from(meta.exif ?? [])
    expect(exif.subarray(0, 6).toString('latin1')).toBe('Exif\0\0')
    expect(exif.includes('1962:07:14 15:00:00')).toBe(true)
    expect(meta.xmp).toContain('<rdf:li xml:lang="x-default">Grandma at the lake</rdf:li>')
    expect(await jp2Size(jp2('scan.jp2'))).toEqual({ width: 64, height: 48 })
    // A bare codestream holds none; boxes that do not add up are no metadata, not a failure.
    expect(jp2Header(readFileSync(jp2('quadrants.j2k'))).meta).toEqual({})
    const broken = Buffer.concat([readFileSync(jp2('scan.jp2')).subarray(0, 40), Buffer.from([0xff, 0xff])])
    expect(jp2Header(broken)).toEqual({ codestream: false, depth: 8, ycc: false, meta: {} })
  })

  it('refuse a file cut short, a header alone and garbage with CORRUPT_IMAGE, in OpenJPEG’s words', async () => {
    const cut = edited('quadrants.jp2', 'cut.jp2', (bytes) =>
      bytes.subarray(0, Math.floor(bytes.length * 0.6)),
    )
    expect(await refusal(decodeImage(cut, { readDamaged: true }))).toEqual([
      'CORRUPT_IMAGE',
      `${cut} is damaged or truncated (Tile part length size inconsistent with stream length). ${COPY_AGAIN}`,
    ])
    const header = edited('quadrants.jp2', 'header.jp2', (bytes) => bytes.subarray(0, 60))
    expect((await refusal(decodeImage(header)))[0]).toBe('CORRUPT_IMAGE')
    expect((await refusal(jp2Size(header)))[0]).toBe('CORRUPT_IMAGE')
    const garbage = join(work, 'garbage.j2k')
    writeFileSync(garbage, Buffer.concat([Buffer.from([0xff, 0x4f, 0xff, 0x51]), Buffer.alloc(300, 0xa7)]))
    expect((await refusal(decodeImage(garbage)))[0]).toBe('CORRUPT_IMAGE')
  })

  it('read any damage to a file as a coded error or a picture, never a crash or a hang', async () => {
    await expectDamageReadOrRefused(
      ['quadrants.jp2', 'alpha.jp2', 'lossy.jp2', 'scan.jp2'].map(jp2),
      work,
      20261208,
    )
  })

  it('refuse, before the picture is decoded, one past the pixel limit or the memory its decode takes', async () => {
    const path = jp2('quadrants.jp2')
    await expectMemoryBound(path, (options, memory) => decodeJp2(path, options, memory), {
      format: 'JPEG 2000',
      bytesPerPixel: 24,
    })
  })

  it('stop a decode that is cancelled or runs past its time, with the worker', async () => {
    await expectDecodeStops((options) => decodeJp2(jp2('alpha.jp2'), options), 'JPEG 2000')
  })

  it('show in the views: a thumbnail and the compare tiles are those of the PNG it was made from', async () => {
    const tiles = join(work, 'tiles')
    const [fromJp2, fromPng] = [
      await viewsOf(jp2('quadrants.jp2'), tiles),
      await viewsOf(jp2('quadrants.png'), tiles),
    ]
    expect(fromJp2.sizes).toEqual([16, 12, 64, 48])
    expect(fromJp2).toEqual(fromPng)
  })

  it('are found in a folder and enhanced by the command into PNGs equal to those of their pictures', async () => {
    await expectEnhancedAsTheirPngs(work, [
      { photo: jp2('quadrants.jp2'), as: 'quadrants.jp2', png: jp2('quadrants.png') },
      { photo: jp2('alpha.jp2'), as: 'alpha.j2k', png: jp2('alpha.png') },
    ])
  })
})
