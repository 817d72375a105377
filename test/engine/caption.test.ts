import { readFileSync, statSync, utimesSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { exifWithCaption } from '../../src/engine/image/exif-told.js'
import { restampFile } from '../../src/engine/image/restamp.js'
import { OUTPUT_FORMATS } from '../../src/shared/formats.js'
import { takenMoment } from '../../src/shared/taken.js'
import { exiftool, hasExiftool } from '../helpers/exiftool.js'
import { groupedTags, metadataBench, pixelsOf as pixels } from '../helpers/metadata-bench.js'

/** `camera`: a camera's JPEG that describes itself as cameras do, and an editor's description in German beside it. */
const { jpeg: camera, bare, enhanced } = metadataBench('enhance-caption-', 'camera.jpg')
/** Beyond ASCII, quotes and markup XML must escape, and a second line. */
const CAPTION = 'Großmutter & “Opa” <am See>, 1962\nfrom the album’s page 3'

/** The tags that describe the photo, and what else its file says, by group, as ExifTool reads them. */
function describing(path: string): Record<string, unknown> {
  return groupedTags(path, [
    'IFD0:ImageDescription',
    'XMP-dc:Description',
    'XMP-dc:Description-de',
    'IFD0:Make',
    'ExifIFD:DateTimeOriginal',
    'XMP-photoshop:DateCreated',
    'ExifTool:Validate',
  ])
}

beforeAll(() => {
  if (!hasExiftool) return
  exiftool(
    '-q',
    '-overwrite_original',
    '-Make=Olympus',
    '-ImageDescription=OLYMPUS DIGITAL CAMERA',
    '-XMP-dc:Description=OLYMPUS DIGITAL CAMERA',
    '-XMP-dc:Description-de=Am See',
    '-DateTimeOriginal=2004:08:01 10:00:00',
    camera,
  )
})

describe.skipIf(!hasExiftool)('a caption, in every output format', () => {
  it.each(OUTPUT_FORMATS)(
    '%s says the caption in EXIF and XMP in place of the camera’s description, the rest of what it wrote kept',
    async (format) => {
      const output = await enhanced(camera, `camera-captioned.${format}`, { format, caption: CAPTION })
      expect(describing(output)).toEqual({
        'IFD0:ImageDescription': CAPTION,
        'XMP-dc:Description': CAPTION,
        'IFD0:Make': 'Olympus',
        'ExifIFD:DateTimeOriginal': '2004:08:01 10:00:00',
        'ExifTool:Validate': expect.any(String) as unknown,
      })
      const plain = await enhanced(camera, `camera-plain.${format}`, { format })
      expect(describing(plain)).toMatchObject({
        'IFD0:ImageDescription': 'OLYMPUS DIGITAL CAMERA',
        'XMP-dc:Description-de': 'Am See',
      })
      // No more to mend than the camera's own block had (a JPEG's lacks its pixel size, which a date adds).
      expect(describing(output)['ExifTool:Validate']).toBe(describing(plain)['ExifTool:Validate'])
      // Said beside the pixels: the same pixels, and the file's date as it was (no date was told).
      expect((await pixels(output)).equals(await pixels(plain))).toBe(true)
      expect(statSync(output).mtime.getTime()).toBe(statSync(camera).mtime.getTime())
    },
  )

  it.each(OUTPUT_FORMATS)(
    '%s of a photo that says nothing of itself, kept so (--metadata none), says the caption and the date told',
    async (format) => {
      const output = await enhanced(bare, `bare-captioned.${format}`, {
        format,
        metadata: 'none',
        caption: 'Lake Como',
        taken: '1962-07',
      })
      expect(describing(output)).toEqual({
        'IFD0:ImageDescription': 'Lake Como',
        'XMP-dc:Description': 'Lake Como',
        'ExifIFD:DateTimeOriginal': '1962:07:01 12:00:00',
        'XMP-photoshop:DateCreated': '1962:07',
        'ExifTool:Validate': '0 0 0',
      })
    },
  )
})

describe.skipIf(!hasExiftool)('a file Enhance wrote, captioned after it was done', () => {
  it.each(['jpeg', 'png', 'webp', 'tiff'] as const)(
    '%s says what a file enhanced with the caption says, its pixels the same bytes and its date kept',
    async (format) => {
      const output = await enhanced(camera, `camera-recaptioned.${format}`, { format })
      const before = await pixels(output)
      const modified = new Date('2004-08-01T10:00:00Z')
      utimesSync(output, modified, modified)
      expect(await restampFile(output, { caption: CAPTION })).toBe(true)
      const direct = await enhanced(camera, `camera-direct.${format}`, { format, caption: CAPTION })
      expect(describing(output)).toEqual(describing(direct))
      expect(describing(output)).toMatchObject({ 'IFD0:ImageDescription': CAPTION })
      expect((await pixels(output)).equals(before)).toBe(true)
      expect(statSync(output).mtime.getTime()).toBe(modified.getTime())
      // Told again, with a date: the last caption, and the date with it.
      expect(await restampFile(output, { caption: 'Lake Como', stamp: { taken: '1962', place: 0 } })).toBe(
        true,
      )
      expect(describing(output)).toMatchObject({
        'IFD0:ImageDescription': 'Lake Como',
        'XMP-dc:Description': 'Lake Como',
        'ExifIFD:DateTimeOriginal': '1962:01:01 12:00:00',
        'ExifTool:Validate': '0 0 0',
      })
      expect(statSync(output).mtime.getTime()).toBe(takenMoment('1962').getTime())
      expect((await pixels(output)).equals(before)).toBe(true)
    },
  )

  it.each(['jpeg', 'png', 'webp', 'tiff'] as const)(
    '%s of a photo kept without metadata gains an EXIF block and an XMP packet saying only the caption',
    async (format) => {
      const output = await enhanced(bare, `bare-recaptioned.${format}`, { format, metadata: 'none' })
      expect(await restampFile(output, { caption: 'Lake Como' })).toBe(true)
      expect(describing(output)).toEqual({
        'IFD0:ImageDescription': 'Lake Como',
        'XMP-dc:Description': 'Lake Como',
        'ExifTool:Validate': '0 0 0',
      })
    },
  )
})

describe('the EXIF a caption is written into', () => {
  it('keeps every byte where it was, IFD0 written again after them with the IFD it linked to still linked', () => {
    // Little-endian: IFD0 (Make, an old description) linking to IFD1 (a thumbnail's compression).
    const block = Buffer.from([
      ...[0x49, 0x49, 42, 0, 8, 0, 0, 0],
      ...[2, 0, 0x0e, 0x01, 2, 0, 4, 0, 0, 0, ...Buffer.from('old\0')],
      ...[0x0f, 0x01, 2, 0, 4, 0, 0, 0, ...Buffer.from('Agfa'), 38, 0, 0, 0],
      ...[1, 0, 0x03, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0],
    ])
    const captioned = Buffer.from(exifWithCaption(block, 'Lake Como')!)
    expect(captioned.subarray(0, 4).equals(block.subarray(0, 4))).toBe(true)
    expect(captioned.subarray(8, block.length).equals(block.subarray(8))).toBe(true)
    const ifd0 = captioned.readUInt32LE(4)
    expect(ifd0).toBeGreaterThanOrEqual(block.length)
    const entries = captioned.readUInt16LE(ifd0)
    const tags = Array.from({ length: entries }, (_, i) => captioned.readUInt16LE(ifd0 + 2 + i * 12))
    expect(tags).toEqual([0x010e, 0x010f])
    const description = captioned.readUInt32LE(ifd0 + 2 + 8)
    expect(captioned.toString('utf8', description, description + 10)).toBe('Lake Como\0')
    expect(captioned.readUInt32LE(ifd0 + 2 + entries * 12)).toBe(38)
    expect(exifWithCaption(Buffer.from('not TIFF at all'), 'Lake Como')).toBeUndefined()
    const pointingPastTheEnd = Buffer.from([0x49, 0x49, 42, 0, 200, 0, 0, 0])
    expect(exifWithCaption(pointingPastTheEnd, 'Lake Como')).toBeUndefined()
  })

  it('leaves an AVIF as it was, to be enhanced again with the caption', async () => {
    const output = await enhanced(bare, 'bare-recaptioned.avif', { format: 'avif' })
    const bytes = readFileSync(output)
    expect(await restampFile(output, { caption: 'Lake Como' })).toBe(false)
    expect(readFileSync(output).equals(bytes)).toBe(true)
  })
})
