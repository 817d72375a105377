import { OUTPUT_FORMATS } from '../../src/shared/formats.js'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelRegistry } from '../../src/engine/registry.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { injectHeifExif } from '../../src/engine/image/exif-heif.js'
import { injectTiffExif } from '../../src/engine/image/exif-tiff.js'
import { writeIdentityModel } from '../helpers/models.js'
import { exiftool, hasExiftool, tagsOf } from '../helpers/exiftool.js'

/** The orientation tags and the thumbnail's, by group (IFD0, XMP-tiff, IFD1). */
function turnAndThumbnail(path: string): Record<string, unknown> {
  const [tags] = JSON.parse(exiftool('-j', '-n', '-G1', '-Orientation', '-ThumbnailLength', path)) as [
    Record<string, unknown>,
  ]
  return Object.fromEntries(Object.entries(tags).filter(([tag]) => tag !== 'SourceFile'))
}

const work = mkdtempSync(join(tmpdir(), 'enhance-exif-'))
const registry = new ModelRegistry({ device: 'cpu' })
const input = join(work, 'scan.jpg')
let model: { path: string }
afterAll(() => registry.close())

beforeAll(async () => {
  if (!hasExiftool) return
  model = { path: writeIdentityModel(work) }
  await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a08060' } })
    .jpeg()
    .toFile(input)
  const thumbnail = join(work, 'thumbnail.jpg')
  await sharp({ create: { width: 16, height: 12, channels: 3, background: '#a08060' } })
    .jpeg()
    .toFile(thumbnail)
  // Big-endian, unlike what sharp writes, with rationals and a GPS IFD, and turned by Orientation 6 (in XMP too,
  // as editors write it), with the camera's thumbnail of the photo as stored, sideways.
  exiftool(
    '-q',
    '-overwrite_original',
    '-ExifByteOrder=Big-endian',
    '-Make=Nikon',
    '-Model=F3',
    '-Artist=Grandpa',
    '-Copyright=Grandma 1962',
    '-DateTimeOriginal=1962:07:14 10:00:00',
    '-ExposureTime=1/125',
    '-GPSLatitude=48.8566',
    '-GPSLatitudeRef=N',
    '-GPSLongitude=2.3522',
    '-GPSLongitudeRef=E',
    '-XMP-dc:Title=Summer 1962',
    '-ExifImageWidth=40',
    '-ExifImageHeight=30',
    '-Orientation#=6',
    '-XMP-tiff:Orientation#=6',
    '-XMP-tiff:XResolution=72',
    `-ThumbnailImage<=${thumbnail}`,
    input,
  )
})

describe.skipIf(!hasExiftool)('EXIF in every output format', () => {
  it.each(OUTPUT_FORMATS)(
    '%s keeps camera, date, author, place and XMP, upright and with the output size',
    async (format) => {
      const output = join(work, `out.${format}`)
      await enhancePhoto(registry, input, output, model, { ...DEFAULT_SETTINGS, tile: 16, format })
      const tags = tagsOf(output)
      expect(tags).toMatchObject({
        Make: 'Nikon',
        Model: 'F3',
        Artist: 'Grandpa',
        Copyright: 'Grandma 1962',
        DateTimeOriginal: '1962:07:14 10:00:00',
        ExposureTime: 0.008,
        Title: 'Summer 1962', // XMP
      })
      // ExifTool's validation counts errors, warnings and minor warnings. Its TIFF rules also want
      // GPSProcessingMethod whenever there is GPS, which the source photo does not have.
      if (format === 'tiff') {
        expect(tags.Validate).toBe('0 1 0')
        expect(tags.Warning).toMatch(/GPSProcessingMethod/)
      } else expect(tags.Validate).toBe('0 0 0')
      expect(tags.GPSLatitude).toBeCloseTo(48.8566, 4)
      expect(tags.GPSLongitude).toBeCloseTo(2.3522, 4)
      expect(tags.Orientation ?? 1).toBe(1)
      expect(turnAndThumbnail(input)).toMatchObject({ 'XMP-tiff:Orientation': 6, 'IFD0:Orientation': 6 })
      expect(Object.keys(turnAndThumbnail(input))).toContain('IFD1:ThumbnailLength')
      // The camera's thumbnail, of the photo sideways as stored, is not carried (file managers show it).
      expect(turnAndThumbnail(output)).toEqual({ 'IFD0:Orientation': 1, 'XMP-tiff:Orientation': 1 })
      if (format !== 'tiff') expect([tags.ExifImageWidth, tags.ExifImageHeight]).toEqual([120, 160])
      expect(await sharp(output).metadata()).toMatchObject({ width: 120, height: 160 })
      if (format === 'jpeg') {
        // JFIF (APP0) first, then EXIF (APP1), as editors write them.
        const bytes = readFileSync(output)
        const app1 = 4 + bytes.readUInt16BE(4)
        expect([bytes[3], bytes[app1 + 1], bytes.subarray(app1 + 4, app1 + 8).toString()]).toEqual([
          0xe0,
          0xe1,
          'Exif',
        ])
      }
    },
  )

  it('sets the image size an editor wrote into IFD0 (where JPEG’s EXIF should have none) to the output’s', async () => {
    const edited = join(work, 'edited.jpg')
    exiftool('-q', '-o', edited, '-IFD0:ImageWidth=40', '-IFD0:ImageHeight=30', input)
    const output = join(work, 'edited-out.jpg')
    await enhancePhoto(registry, edited, output, model, { ...DEFAULT_SETTINGS, tile: 16, format: 'jpeg' })
    const sizes = (path: string): unknown =>
      JSON.parse(exiftool('-j', '-n', '-G1', '-IFD0:ImageWidth', '-IFD0:ImageHeight', path))
    expect(sizes(edited)).toMatchObject([{ 'IFD0:ImageWidth': 40, 'IFD0:ImageHeight': 30 }])
    expect(sizes(output)).toMatchObject([{ 'IFD0:ImageWidth': 120, 'IFD0:ImageHeight': 160 }])
  })

  it.each(['jpeg', 'png', 'tiff', 'webp', 'avif'] as const)(
    '%s for a print says the print’s dpi, in its header (where it has one), EXIF and XMP, sized to the print turned to the photo',
    async (format) => {
      const output = join(work, `print.${format}`)
      const size = { mode: 'print' as const, width: 4, height: 6, dpi: 100 }
      await enhancePhoto(registry, input, output, model, { ...DEFAULT_SETTINGS, tile: 16, format, size })
      const resolutions = (path: string): Record<string, unknown> => {
        const [tags] = JSON.parse(
          exiftool(
            '-j',
            '-n',
            '-G1',
            '-XResolution',
            '-YResolution',
            '-ResolutionUnit',
            '-PixelsPerUnitX',
            path,
          ),
        ) as [Record<string, unknown>]
        return Object.fromEntries(Object.entries(tags).filter(([tag]) => tag !== 'SourceFile'))
      }
      // The camera said 72 dpi; the upright photo is 30 × 40, so within 4 × 6 in turned upright (400 × 600 px).
      expect(resolutions(input)).toMatchObject({ 'IFD0:XResolution': 72, 'IFD0:YResolution': 72 })
      // WebP and AVIF have no header for it: they say it in the EXIF and XMP they carry.
      const header = format === 'webp' || format === 'avif' ? {} : { density: 100 }
      expect(await sharp(output).metadata()).toMatchObject({ width: 400, height: 533, ...header })
      const said = resolutions(output)
      expect(said).toMatchObject({
        'IFD0:XResolution': 100,
        'IFD0:YResolution': 100,
        'IFD0:ResolutionUnit': 2,
        'XMP-tiff:XResolution': 100, // as an editor wrote it (72) in the photo's XMP
      })
      if (format === 'jpeg') expect(said).toMatchObject({ 'JFIF:XResolution': 100, 'JFIF:ResolutionUnit': 1 })
      if (format === 'png') expect(said['PNG-pHYs:PixelsPerUnitX']).toBe(3937) // 100 per inch, per metre
    },
  )

  it('says the size of a print with a border, the file, not of the photo in it', async () => {
    const output = join(work, 'bordered.jpg')
    const size = { mode: 'print' as const, width: 4, height: 6, dpi: 100, border: true }
    await enhancePhoto(registry, input, output, model, {
      ...DEFAULT_SETTINGS,
      tile: 16,
      format: 'jpeg',
      size,
    })
    // The upright 30 × 40 photo within 4 × 6 in at 100 dpi is 400 × 533, on white to 400 × 600.
    expect(await sharp(output).metadata()).toMatchObject({ width: 400, height: 600 })
    const tags = tagsOf(output)
    expect([tags.ExifImageWidth, tags.ExifImageHeight]).toEqual([400, 600])
    expect(tags.Warning).toBeUndefined()
  })

  it.each(['webp', 'avif'] as const)(
    '%s of a photo without EXIF says its dpi in an EXIF of its own: a scan’s 600, a print’s 100',
    async (format) => {
      const scan = join(work, 'plain-scan.png')
      await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a08060' } })
        .withMetadata({ density: 600 })
        .png()
        .toFile(scan)
      exiftool('-q', '-overwrite_original', '-EXIF:all=', scan) // sharp wrote its own EXIF with the density
      expect(tagsOf(scan)).toMatchObject({ PixelsPerUnitX: 23622 })
      expect(tagsOf(scan).XResolution).toBeUndefined()
      const dpiOf = async (size?: { mode: 'print'; width: number; height: number; dpi: number }) => {
        const output = join(work, `plain-${size ? 'print' : 'scan'}.${format}`)
        await enhancePhoto(registry, scan, output, model, {
          ...DEFAULT_SETTINGS,
          tile: 16,
          format,
          ...(size ? { size } : {}),
        })
        const tags = tagsOf(output)
        expect(tags.Warning).toBeUndefined()
        return [tags.XResolution, tags.YResolution, tags.ResolutionUnit]
      }
      expect(await dpiOf()).toEqual([600, 600, 2])
      expect(await dpiOf({ mode: 'print', width: 4, height: 6, dpi: 100 })).toEqual([100, 100, 2])
    },
  )

  it('WebP of a grey photo, which sharp writes without a profile (a simple WebP), carries its EXIF', async () => {
    const grey = join(work, 'grey.jpg')
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
      .toColourspace('b-w')
      .jpeg()
      .toFile(grey)
    exiftool('-q', '-overwrite_original', '-Make=Kodak', '-DateTimeOriginal=1962:07:14 10:00:00', grey)
    const output = join(work, 'grey.webp')
    await enhancePhoto(registry, grey, output, model, { ...DEFAULT_SETTINGS, tile: 16, format: 'webp' })
    // It was a simple WebP (one VP8 chunk), which has no room for EXIF: it was dropped.
    expect(readFileSync(output).toString('latin1', 12, 16)).toBe('VP8X')
    expect(tagsOf(output)).toMatchObject({
      Make: 'Kodak',
      DateTimeOriginal: '1962:07:14 10:00:00',
      Validate: '0 0 0',
    })
  })

  it.each(['avif', 'tiff'] as const)('%s with EXIF decodes to the same pixels as without', async (format) => {
    const decoded = async (metadata: 'all' | 'profile') => {
      const output = join(work, `pixels-${metadata}.${format}`)
      await enhancePhoto(registry, input, output, model, { ...DEFAULT_SETTINGS, tile: 16, format, metadata })
      return sharp(output).raw().toBuffer()
    }
    expect((await decoded('all')).equals(await decoded('profile'))).toBe(true)
  })
})

describe('EXIF writers on files they cannot place it in', () => {
  it('return the file unchanged', async () => {
    const avif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .avif()
      .toBuffer()
    const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .tiff()
      .toBuffer()
    const exif = new Uint8Array([0x49, 0x49, 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    for (const broken of [avif.subarray(0, 40), Buffer.from('not a heif file at all')])
      expect(injectHeifExif(broken, exif)).toBe(broken)
    expect(injectTiffExif(tiff, exif)).toBe(tiff) // no tags to add
    expect(injectTiffExif(tiff, Buffer.from('garbage'))).toBe(tiff)
  })
})
