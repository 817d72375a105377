/**
 * Photoshop documents, which libvips cannot read: their merged picture decoded by the engine, a document saved without
 * one merged by ImageMagick's WebAssembly build in a worker thread. Documents put together byte by byte
 * (test/fixtures/generate_psd.mjs) against the pictures they hold, 8- and 16-bit, metadata, transparency and saved
 * selections, the modes and depths refused, damage, limits and the views, and an album enhanced end to end by the
 * command.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as magick from '@imagemagick/magick-wasm'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { decodePsd } from '../../src/engine/image/psd.js'
import { psdMetadata, psdSize } from '../../src/engine/image/psd-header.js'
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

const work = mkdtempSync(join(tmpdir(), 'enhance-psd-'))
const psd = (name: string): string => imageFixture(`psd/${name}`)
const registry = new ModelRegistry({ device: 'cpu' })
afterAll(() => registry.close())

/** A copy of a fixture with `edit` applied to its bytes. */
function edited(name: string, as: string, edit: (bytes: Buffer) => Buffer): string {
  return editedCopy(psd(name), work, as, edit)
}

/** A copy of a fixture whose header says another colour mode (`mode`) or depth (`depth`). */
function withHeader(name: string, as: string, field: 'mode' | 'depth', value: number): string {
  return edited(name, as, (bytes) => {
    const copy = Buffer.from(bytes)
    copy.writeUInt16BE(value, field === 'depth' ? 22 : 24)
    return copy
  })
}

/** A picture's 8-bit levels as sharp reads it (through its profile, to sRGB). */
const levels = (path: string): Promise<Buffer> => sharp(path).raw().toBuffer()

describe('Photoshop documents', () => {
  it('are recognised by their content, PSD and PSB, and kept "as they came" become PNGs', async () => {
    expect(await checkImageFormat(psd('rgb.psd'))).toBe('psd')
    const large = edited('rgb.psd', 'large.psb', (bytes) => {
      const copy = Buffer.from(bytes)
      copy.writeUInt16BE(2, 4)
      return copy
    })
    expect(await checkImageFormat(large)).toBe('psd')
    expect(['Restored.PSD', 'poster.psb'].map((name) => formatForInput('same', name))).toEqual(['png', 'png'])
  })

  it('decode the merged picture to exactly its pixels: RGB raw and PackBits-compressed, greyscale', async () => {
    for (const [file, source, grey] of [
      ['rgb.psd', 'quadrants.png', false],
      ['packbits.psd', 'quadrants.png', false],
      ['grey.psd', 'grey.png', true],
    ] as const) {
      const decoded = await decodeImage(psd(file))
      expect([
        decoded.image.width,
        decoded.image.height,
        decoded.image.depth,
        decoded.meta.format,
        decoded.meta.gray,
      ]).toEqual([64, 48, 8, 'psd', grey])
      const reference = await decodeImage(psd(source))
      expect(Buffer.from(decoded.image.pixels).equals(Buffer.from(reference.image.pixels))).toBe(true)
    }
  })

  it('decode a 16-bit document’s merged picture at 16 bits: raw, PackBits and a selection, PSB, grey', async () => {
    for (const [file, source] of [
      ['deep16.psd', 'deep16.png'],
      ['deep16-selection.psd', 'deep16.png'],
      ['deep16.psb', 'deep16.png'],
      ['grey16.psd', 'grey16.png'],
    ] as const) {
      const decoded = await decodeImage(psd(file))
      expect([decoded.image.depth, decoded.image.channels, decoded.readShallowerThan]).toEqual([
        16,
        3,
        undefined,
      ])
      const reference = await decodeImage(psd(source))
      expect(reference.image.depth).toBe(16)
      expect(differences(decoded.image.pixels, reference.image.pixels).largest).toBe(0)
    }
  })

  it('read what another writer makes, ImageMagick’s: PackBits and raw, grey, CMYK, alpha, as its TIFFs', async () => {
    const wasm = createRequire(import.meta.url).resolve('@imagemagick/magick-wasm/magick.wasm')
    await magick.initializeImageMagick(readFileSync(wasm))
    const kinds: [string, (image: magick.IMagickImage) => void][] = [
      ['packbits', () => undefined],
      ['raw', (image) => (image.settings.compression = magick.CompressionMethod.NoCompression)],
      ['grey', (image) => image.grayscale()],
      ['cmyk', (image) => (image.colorSpace = magick.ColorSpace.CMYK)],
      ['alpha', (image) => image.alpha(magick.AlphaAction.Set)],
    ]
    for (const [kind, prepare] of kinds) {
      const image = magick.MagickImage.create()
      image.read(readFileSync(psd('quadrants.png')))
      prepare(image)
      const [document, tiff] = [join(work, `magick-${kind}.psd`), join(work, `magick-${kind}.tif`)]
      writeFileSync(
        document,
        image.write(magick.MagickFormat.Psd, (bytes) => bytes.slice()),
      )
      writeFileSync(
        tiff,
        image.write(magick.MagickFormat.Tiff, (bytes) => bytes.slice()),
      )
      image.dispose()
      const [read, reference] = [await decodeImage(document), await decodeImage(tiff)]
      expect([kind, read.image.channels]).toEqual([kind, reference.image.channels])
      expect([kind, differences(read.image.pixels, reference.image.pixels).largest]).toEqual([kind, 0])
    }
  })

  it('read CMYK as a CMYK TIFF of the same inks is read, through the same default profile; 16-bit too', async () => {
    const cmyk = await decodeImage(psd('cmyk.psd'))
    // Within 2 levels, 0.3 on average (measured): sharp converts its TIFF's 8-bit inks by another path.
    const inks = differences(cmyk.image.pixels, await levels(psd('cmyk.tif')))
    expect([inks.largest <= 2, inks.mean < 0.5]).toEqual([true, true])
    // 16 bits of the same inks, converted at 16: within a level of the 8-bit reading.
    const deep = await decodeImage(psd('cmyk16.psd'))
    expect(deep.image.depth).toBe(16)
    const { largest, mean } = differences(
      Array.from(deep.image.pixels, (level) => level / 257),
      cmyk.image.pixels,
    )
    expect([largest <= 1, mean < 0.6]).toEqual([true, true])
  })

  it('leave saved selections out of the picture: a flat RGB or CMYK document with one is read as without', async () => {
    for (const [file, without] of [
      ['selection.psd', 'rgb.psd'],
      ['cmyk-selection.psd', 'cmyk.psd'],
    ] as const) {
      const decoded = await decodeImage(psd(file))
      expect([decoded.image.channels, decoded.meta.hasAlpha]).toEqual([3, false])
      const reference = await decodeImage(psd(without))
      expect(Buffer.from(decoded.image.pixels).equals(Buffer.from(reference.image.pixels))).toBe(true)
    }
  })

  it('read a document’s transparency, its colours unblended from white, beside a selection too', async () => {
    const picture = await sharp(psd('transparent.png')).raw().toBuffer()
    for (const [file, depth] of [
      ['transparent.psd', 8],
      ['transparent-selection.psd', 8],
      ['transparent16.psd', 16],
    ] as const) {
      const { image, meta } = await decodeImage(psd(file))
      expect([image.channels, image.depth, meta.hasAlpha]).toEqual([4, depth, true])
      const in8Bits = Array.from(image.pixels, (level) => (depth === 16 ? level / 257 : level))
      const alpha = (levels: ArrayLike<number>) => Array.from(levels).filter((_, i) => i % 4 === 3)
      expect(alpha(in8Bits)).toEqual(alpha(picture))
      // Blended with white in 8 bits, a colour under alpha 0.25 (the least here) comes back within 2 levels.
      expect(differences(in8Bits, picture).largest).toBeLessThanOrEqual(2)
    }
  })

  it('convert Lab Color, 8- and 16-bit, from D50 to sRGB: within 4 levels of the picture it was made of', async () => {
    const picture = await levels(psd('quadrants.png'))
    for (const file of ['lab.psd', 'lab16.psd']) {
      const { image } = await decodeImage(psd(file))
      const in8Bits = Array.from(image.pixels, (level) => (image.depth === 16 ? level / 257 : level))
      // 8 bits of L*a*b* hold no closer: LittleCMS's own way back from them is within 5 levels, 0.53 on average.
      const { largest, mean } = differences(in8Bits, picture)
      expect([file, largest <= 4, mean < 0.5]).toEqual([file, true, true])
    }
  })

  it('convert through the document’s own colour profile to sRGB, as the PNG it was made from is read', async () => {
    const decoded = await decodeImage(psd('p3.psd'))
    expect(new TextDecoder('latin1').decode(decoded.meta.icc?.subarray(12, 20))).toBe('mntrRGB ')
    expect(differences(decoded.image.pixels, await levels(psd('p3.png'))).largest).toBeLessThanOrEqual(1)
    const stored = await sharp(psd('p3.png'), { ignoreIcc: true }).raw().toBuffer()
    expect(decoded.image.pixels.some((value, i) => Math.abs(value - stored[i]!) > 8)).toBe(true)
  })

  it('merge the layers of one saved without its merged picture, at 8 bits, and say so of a 16-bit one', async () => {
    const picture = await sharp(psd('transparent.png')).raw().toBuffer()
    for (const [file, shallower] of [
      ['no-merged.psd', undefined],
      ['no-merged16.psd', 16],
    ] as const) {
      const decoded = await decodeImage(psd(file))
      expect([decoded.image.depth, decoded.meta.hasAlpha, decoded.readShallowerThan]).toEqual([
        8,
        true,
        shallower,
      ])
      // Its merged picture is white: what is read is its layer's.
      expect(differences(decoded.image.pixels, picture).largest).toBe(0)
    }
    const model = { path: writeIdentityModel(work) }
    const settings = { ...DEFAULT_SETTINGS, tile: 16 }
    const [deep, merged] = [
      await enhancePhoto(registry, psd('deep16.psd'), join(work, 'deep16-out.png'), model, settings),
      await enhancePhoto(
        registry,
        psd('no-merged16.psd'),
        join(work, 'no-merged16-out.png'),
        model,
        settings,
      ),
    ]
    expect([deep.note, (await sharp(join(work, 'deep16-out.png')).metadata()).depth]).toEqual([
      undefined,
      'ushort',
    ])
    expect(merged.note).toBe(
      'It has 16 bits per channel, which its decoder reads as 8, so the result has 8; to keep all 16, save it as a 16-bit TIFF or PNG in another program first.',
    )
  })

  it('carry a scan’s resolution, EXIF and XMP from the image resources', async () => {
    const { meta } = await decodeImage(psd('scan.psd'))
    expect(meta.density).toBe(300)
    const exif = Buffer.from(meta.exif ?? [])
    expect(exif.subarray(0, 6).toString('latin1')).toBe('Exif\0\0')
    expect(exif.includes('1962:07:14 15:00:00')).toBe(true)
    expect(meta.xmp).toContain('<rdf:li xml:lang="x-default">Grandma at the lake</rdf:li>')
    expect(await psdSize(psd('scan.psd'))).toEqual({ width: 64, height: 48 })
    // Resources that do not add up are no metadata, not a failure.
    const broken = edited('scan.psd', 'broken.psd', (bytes) => {
      const copy = Buffer.from(bytes)
      copy.writeUInt32BE(0xffffff, 30) // the resources' length, past the end of the file
      return copy
    })
    expect(psdMetadata(readFileSync(broken))).toEqual({})
  })

  it('refuse a mode or depth they do not read with how to save it so in Photoshop', async () => {
    const multichannel = withHeader('rgb.psd', 'multichannel.psd', 'mode', 7)
    expect(await refusal(decodeImage(multichannel))).toEqual([
      'UNSUPPORTED_FORMAT',
      `${multichannel} is a Photoshop document in Multichannel mode, which Enhance does not read. In Photoshop, choose Image › Mode › RGB Color, then save it.`,
    ])
    // Lab is read by its merged picture; without one, ImageMagick's merge of its layers would be Lab, refused so.
    const lab = withHeader('no-merged.psd', 'lab-layers.psd', 'mode', 9)
    expect(await refusal(decodeImage(lab))).toEqual([
      'UNSUPPORTED_FORMAT',
      `${lab} is a Photoshop document in Lab Color mode saved without its merged picture ("Maximize Compatibility" off), which Enhance does not read. In Photoshop, choose Image › Mode › RGB Color, or save it with Maximize Compatibility on.`,
    ])
    const hdr = withHeader('rgb.psd', 'hdr.psd', 'depth', 32)
    expect(await refusal(decodeImage(hdr))).toEqual([
      'UNSUPPORTED_FORMAT',
      `${hdr} is a 32-bit (HDR) Photoshop document, which Enhance does not read. In Photoshop, choose Image › Mode › 16 Bits/Channel, then save it.`,
    ])
  })

  it('refuse a header alone and a document cut short with CORRUPT_IMAGE', async () => {
    const header = edited('rgb.psd', 'header.psd', (bytes) => bytes.subarray(0, 20))
    expect((await refusal(decodeImage(header)))[0]).toBe('CORRUPT_IMAGE')
    expect((await refusal(psdSize(header)))[0]).toBe('CORRUPT_IMAGE')
    const cut = edited('packbits.psd', 'cut.psd', (bytes) =>
      bytes.subarray(0, Math.floor(bytes.length * 0.6)),
    )
    expect((await refusal(decodeImage(cut)))[0]).toBe('CORRUPT_IMAGE')
  })

  it('read any damage to a file as a coded error or a picture, never a crash or a hang', async () => {
    const documents = [
      'rgb.psd',
      'packbits.psd',
      'scan.psd',
      'cmyk.psd',
      'deep16-selection.psd',
      'deep16.psb',
    ]
    // And ones with layers, one of which ImageMagick merges (its merged picture left out).
    await expectDamageReadOrRefused(
      [...documents, 'transparent16.psd', 'no-merged.psd'].map(psd),
      work,
      20261208,
    )
  })

  it('refuse, before the picture is decoded, one past the pixel limit or the memory its decode takes', async () => {
    // ImageMagick's merge of layers takes the file about three times over beside its 32 bytes a pixel.
    const merge = 32 + Math.ceil((3 * statSync(psd('no-merged.psd')).size) / (64 * 48))
    for (const [file, bytesPerPixel] of [
      ['rgb.psd', 20],
      ['no-merged.psd', merge],
    ] as const) {
      const path = psd(file)
      await expectMemoryBound(path, (options, memory) => decodePsd(path, options, memory), {
        format: 'Photoshop',
        bytesPerPixel,
      })
    }
  })

  it('stop a decode that is cancelled, and ImageMagick’s merge of layers past its time', async () => {
    await expectDecodeStops((options) => decodePsd(psd('no-merged.psd'), options), 'Photoshop')
    const cancelled = new AbortController()
    const decoding = decodePsd(psd('rgb.psd'), {
      maxPixels: 1_000_000,
      readDamaged: false,
      signal: cancelled.signal,
    })
    cancelled.abort()
    expect((await refusal(decoding))[0]).toBe('CANCELLED')
  })

  it('show in the views: a thumbnail and the compare tiles are those of the PNG it was made from', async () => {
    const tiles = join(work, 'tiles')
    const [fromPsd, fromPng] = [
      await viewsOf(psd('rgb.psd'), tiles),
      await viewsOf(psd('quadrants.png'), tiles),
    ]
    expect(fromPsd.sizes).toEqual([16, 12, 64, 48])
    expect(fromPsd).toEqual(fromPng)
    expect(await viewsOf(psd('deep16.psb'), tiles)).toEqual(await viewsOf(psd('deep16.png'), tiles))
  })

  it('are found in a folder and enhanced by the command into PNGs equal to those of their pictures', async () => {
    await expectEnhancedAsTheirPngs(work, [
      { photo: psd('packbits.psd'), as: 'quadrants.psd', png: psd('quadrants.png') },
      { photo: psd('grey.psd'), as: 'grey.psb', png: psd('grey.png') },
      { photo: psd('selection.psd'), as: 'retouched.psd', png: psd('quadrants.png') },
      { photo: psd('deep16-selection.psd'), as: 'restored16.psd', png: psd('deep16.png') },
    ])
  })
})
