import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { injectExif } from '../../src/engine/image/exif.js'
import { exifWithTaken } from '../../src/engine/image/exif-taken.js'
import { newExif } from '../../src/engine/image/exif-new.js'
import { restampFile } from '../../src/engine/image/restamp.js'
import { OUTPUT_FORMATS } from '../../src/shared/formats.js'
import { takenMoment } from '../../src/shared/taken.js'
import { exiftool, hasExiftool, tagsOf } from '../helpers/exiftool.js'
import { groupedTags, metadataBench, pixelsOf as pixels } from '../helpers/metadata-bench.js'

/** `scan`: a scan whose scanner dated it (with a time zone and a fraction of a second) on the day it was scanned. */
const { work, jpeg: scan, bare, enhanced } = metadataBench('enhance-taken-', 'scan.jpg')

/** Tags by group (ExifIFD:DateTimeOriginal, XMP-photoshop:DateCreated), as numbers, with the validation. */
function grouped(path: string): Record<string, unknown> {
  return tagsOf(path, '-G1')
}

/** The tags that say when, and what else the scanner wrote, by group. */
function dating(path: string): Record<string, unknown> {
  return groupedTags(path, [
    'ExifIFD:DateTimeOriginal',
    'ExifIFD:OffsetTimeOriginal',
    'XMP-photoshop:DateCreated',
    'XMP-exif:DateTimeOriginal',
    'IFD0:Make',
    'XMP-dc:Title',
    'ExifTool:Validate',
  ])
}

beforeAll(() => {
  if (!hasExiftool) return
  exiftool(
    '-q',
    '-overwrite_original',
    '-ExifByteOrder=Big-endian',
    '-Make=Epson',
    '-Model=Perfection V600',
    '-DateTimeOriginal=2024:03:01 10:00:00',
    '-OffsetTimeOriginal=+01:00',
    '-SubSecTimeOriginal=25',
    '-XMP-photoshop:DateCreated=2024:03:01 10:00:00',
    '-XMP-exif:DateTimeOriginal=2024:03:01 10:00:00',
    '-XMP-dc:Title=Grandpa at the lake',
    scan,
  )
})

describe.skipIf(!hasExiftool)('when a photo was taken, in every output format', () => {
  it.each(OUTPUT_FORMATS)(
    '%s says the date asked in place of the scan’s, keeping the rest of what the scanner wrote',
    async (format) => {
      await enhanced(scan, `scan-dated.${format}`, { format, taken: '1962-07' })
      const tags = grouped(join(work, `scan-dated.${format}`))
      expect(tags).toMatchObject({
        'ExifIFD:DateTimeOriginal': '1962:07:01 12:00:00',
        'XMP-photoshop:DateCreated': '1962:07',
        'XMP-exif:DateTimeOriginal': '1962:07',
        'IFD0:Make': 'Epson',
        'IFD0:Model': 'Perfection V600',
        'XMP-dc:Title': 'Grandpa at the lake',
        'ExifTool:Validate': '0 0 0',
      })
      // What described the scan's time (its zone, its fraction of a second) went with it.
      expect(tags['ExifIFD:OffsetTimeOriginal']).toBeUndefined()
      expect(tags['ExifIFD:SubSecTimeOriginal']).toBeUndefined()
      expect(grouped(scan)).toMatchObject({ 'ExifIFD:OffsetTimeOriginal': '+01:00' })
      // The file's date too: photo libraries date a photo by it where they read nothing else.
      expect(statSync(join(work, `scan-dated.${format}`)).mtime.getTime()).toBe(
        takenMoment('1962-07').getTime(),
      )
    },
  )

  it.each(OUTPUT_FORMATS)(
    '%s of a photo that says nothing of itself, kept so (--metadata none), says only the date, in an EXIF ExifTool finds whole',
    async (format) => {
      const name = `bare-dated.${format}`
      await enhanced(bare, name, { format, metadata: 'none', taken: '1962-07-14T15:30' })
      const tags = grouped(join(work, name))
      expect(tags).toMatchObject({
        'ExifIFD:DateTimeOriginal': '1962:07:14 15:30:00',
        'XMP-photoshop:DateCreated': '1962:07:14 15:30',
        'ExifIFD:ColorSpace': 1,
        'IFD0:XResolution': 72,
        'ExifTool:Validate': '0 0 0',
      })
      // TIFF says its size itself, not in EXIF.
      if (format !== 'tiff')
        expect([tags['ExifIFD:ExifImageWidth'], tags['ExifIFD:ExifImageHeight']]).toEqual([160, 120])
      const undated = join(work, `bare-undated.${format}`)
      await enhanced(bare, `bare-undated.${format}`, { format, metadata: 'none' })
      expect(grouped(undated)['ExifIFD:DateTimeOriginal']).toBeUndefined()
      // The same pixels: the date is said beside them.
      expect((await pixels(join(work, name))).equals(await pixels(undated))).toBe(true)
    },
  )

  it('says the place among its album’s photos dated alike in seconds after midday, in EXIF and the file’s date', async () => {
    const output = await enhanced(scan, 'scan-placed.jpg', { format: 'jpeg', taken: '1962', takenPlace: 61 })
    expect(grouped(output)).toMatchObject({
      'ExifIFD:DateTimeOriginal': '1962:01:01 12:01:01',
      'XMP-photoshop:DateCreated': 1962,
    })
    expect(statSync(output).mtime.getTime()).toBe(takenMoment('1962', 61).getTime())
  })

  it('leaves a photo undated where no date is asked: its scan’s date and file time stay', async () => {
    await enhanced(scan, 'scan-undated.jpg', { format: 'jpeg' })
    expect(grouped(join(work, 'scan-undated.jpg'))).toMatchObject({
      'ExifIFD:DateTimeOriginal': '2024:03:01 10:00:00',
      'ExifIFD:OffsetTimeOriginal': '+01:00',
    })
    expect(statSync(join(work, 'scan-undated.jpg')).mtime.getTime()).toBe(statSync(scan).mtime.getTime())
  })
})

describe.skipIf(!hasExiftool)('the EXIF a date is written into', () => {
  it('gains a whole Exif IFD where it had only IFD0, its tags kept where they were', async () => {
    // Big-endian, IFD0 alone: Make, whose value lies after the IFD.
    const block = Buffer.from([
      ...[0x4d, 0x4d, 0, 42, 0, 0, 0, 8],
      ...[0, 1, 0x01, 0x0f, 0, 2, 0, 0, 0, 6, 0, 0, 0, 26, 0, 0, 0, 0],
      ...Buffer.from('Agfa\0\0'),
    ])
    const file = { width: 8, height: 8, density: 72, format: 'jpeg', srgb: true } as const
    const dated = exifWithTaken(block, { taken: '1962', place: 0 }, file)!
    // Nothing moved: only the header points at IFD0 written again after it.
    expect(block.subarray(8).equals(dated.subarray(8, block.length))).toBe(true)
    expect(Buffer.from(dated).readUInt32BE(4)).toBeGreaterThanOrEqual(block.length)
    const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer()
    const path = join(work, 'ifd0-only.jpg')
    writeFileSync(path, injectExif(jpeg, 'jpeg', dated))
    // The Exif IFD a new block has, whole: ExifTool finds nothing missing there, only the four IFD0 tags the
    // photo's own block lacked (its resolution, and how a JPEG's colours are sited).
    expect(grouped(path)).toMatchObject({
      'IFD0:Make': 'Agfa',
      'ExifIFD:DateTimeOriginal': '1962:01:01 12:00:00',
      'ExifIFD:ExifVersion': '0232',
      'ExifIFD:ComponentsConfiguration': '1 2 3 0',
      'ExifIFD:ColorSpace': 1,
      'ExifIFD:ExifImageWidth': 8,
      'ExifIFD:ExifImageHeight': 8,
      'ExifTool:Validate': '0 4 0',
    })
    expect(exifWithTaken(Buffer.from('not TIFF at all'), { taken: '1962', place: 0 }, file)).toBeUndefined()
  })

  it('goes into a simple WebP (one lossless chunk with alpha), made extended, its pixels and alpha as they were', async () => {
    const rgba = await sharp({ create: { width: 9, height: 7, channels: 4, background: '#80402080' } })
      .webp({ lossless: true })
      .toBuffer()
    expect(rgba.subarray(12, 16).toString()).toBe('VP8L')
    const exif = newExif(
      { width: 9, height: 7, density: 72, format: 'webp', srgb: true },
      { taken: '1962-07-14', place: 0 },
    )
    const path = join(work, 'simple.webp')
    writeFileSync(path, injectExif(rgba, 'webp', exif))
    const file = readFileSync(path)
    expect([file.subarray(12, 16).toString(), file[20]! & 0x18]).toEqual(['VP8X', 0x18]) // alpha and EXIF flags
    expect(file.readUInt32LE(4)).toBe(file.length - 8)
    expect(grouped(path)).toMatchObject({
      'ExifIFD:DateTimeOriginal': '1962:07:14 12:00:00',
      'RIFF:ImageWidth': 9,
      'RIFF:ImageHeight': 7,
      'ExifTool:Validate': '0 0 0',
    })
    const decoded = await sharp(path).raw().toBuffer({ resolveWithObject: true })
    expect(decoded.info.channels).toBe(4)
    expect(decoded.data.equals(await sharp(rgba).raw().toBuffer())).toBe(true)
  })
})

describe.skipIf(!hasExiftool)('a file Enhance wrote, dated after it was done', () => {
  it.each(['jpeg', 'png', 'webp', 'tiff'] as const)(
    '%s says what a file enhanced with the date says, its pixels the same bytes; dated again, the last date',
    async (format) => {
      const output = await enhanced(scan, `scan-restamped.${format}`, { format })
      const before = await pixels(output)
      expect(dating(output)).toMatchObject({ 'ExifIFD:DateTimeOriginal': '2024:03:01 10:00:00' })
      expect(await restampFile(output, { stamp: { taken: '1962-07', place: 0 } })).toBe(true)
      const direct = await enhanced(scan, `scan-dated.${format}`, { format, taken: '1962-07' })
      expect(dating(output)).toEqual(dating(direct))
      expect(dating(output)).toMatchObject({
        'ExifIFD:DateTimeOriginal': '1962:07:01 12:00:00',
        'XMP-photoshop:DateCreated': '1962:07',
        'XMP-exif:DateTimeOriginal': '1962:07',
        'IFD0:Make': 'Epson',
        'XMP-dc:Title': 'Grandpa at the lake',
        'ExifTool:Validate': '0 0 0',
      })
      expect((await pixels(output)).equals(before)).toBe(true)
      expect(statSync(output).mtime.getTime()).toBe(takenMoment('1962-07').getTime())
      expect(await restampFile(output, { stamp: { taken: '1963-05-04T09:30', place: 0 } })).toBe(true)
      expect(dating(output)).toMatchObject({
        'ExifIFD:DateTimeOriginal': '1963:05:04 09:30:00',
        'XMP-photoshop:DateCreated': '1963:05:04 09:30',
        'ExifTool:Validate': '0 0 0',
      })
      expect((await pixels(output)).equals(before)).toBe(true)
    },
  )

  it.each(['jpeg', 'png', 'webp', 'tiff'] as const)(
    '%s of a photo kept without metadata gains a whole EXIF block and an XMP packet saying only the date',
    async (format) => {
      const output = await enhanced(bare, `bare-restamped.${format}`, { format, metadata: 'none' })
      const before = await pixels(output)
      expect(await restampFile(output, { stamp: { taken: '1962', place: 0 } })).toBe(true)
      expect(dating(output)).toEqual({
        'ExifIFD:DateTimeOriginal': '1962:01:01 12:00:00',
        'XMP-photoshop:DateCreated': 1962,
        'ExifTool:Validate': '0 0 0',
      })
      expect((await pixels(output)).equals(before)).toBe(true)
    },
  )

  it('leaves an AVIF as it was, to be enhanced again with the date (its metadata lies among its picture’s boxes)', async () => {
    const output = await enhanced(scan, 'scan-restamped.avif', { format: 'avif' })
    const bytes = readFileSync(output)
    const modified = statSync(output).mtimeMs
    expect(await restampFile(output, { stamp: { taken: '1962', place: 0 } })).toBe(false)
    expect(readFileSync(output).equals(bytes)).toBe(true)
    expect(statSync(output).mtimeMs).toBe(modified)
  })
})
