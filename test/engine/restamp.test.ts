import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModelRegistry } from '../../src/engine/registry.js'
import { restampFile } from '../../src/engine/image/restamp.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import type { EnhanceSettings } from '../../src/shared/settings.js'
import { takenMoment } from '../../src/shared/taken.js'
import { enhancePhoto } from '../helpers/enhance.js'
import { exiftool, hasExiftool, tagsOf } from '../helpers/exiftool.js'
import { writeIdentityModel } from '../helpers/models.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-restamp-'))
const registry = new ModelRegistry({ device: 'cpu' })
afterAll(() => registry.close())
let model: { path: string }
const scan = join(work, 'scan.jpg')
const bare = join(work, 'bare.png')

function enhanced(input: string, name: string, settings: Partial<EnhanceSettings>): Promise<string> {
  const output = join(work, name)
  return enhancePhoto(registry, input, output, model, { ...DEFAULT_SETTINGS, tile: 16, ...settings }).then(
    () => output,
  )
}

/** The tags that say when, and what else the scanner wrote, by group. */
function dating(path: string): Record<string, unknown> {
  const tags = tagsOf(path, '-G1')
  const wanted = [
    'ExifIFD:DateTimeOriginal',
    'ExifIFD:OffsetTimeOriginal',
    'XMP-photoshop:DateCreated',
    'XMP-exif:DateTimeOriginal',
    'IFD0:Make',
    'XMP-dc:Title',
    'ExifTool:Validate',
  ]
  return Object.fromEntries(wanted.filter((tag) => tag in tags).map((tag) => [tag, tags[tag]]))
}

const pixels = (path: string): Promise<Buffer> => sharp(path).raw().toBuffer()

beforeAll(async () => {
  model = { path: writeIdentityModel(work) }
  await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a08060' } })
    .jpeg()
    .toFile(scan)
  await sharp({ create: { width: 40, height: 30, channels: 4, background: '#60804080' } })
    .png()
    .toFile(bare)
  if (!hasExiftool) return
  exiftool(
    '-q',
    '-overwrite_original',
    '-Make=Epson',
    '-DateTimeOriginal=2024:03:01 10:00:00',
    '-OffsetTimeOriginal=+01:00',
    '-XMP-photoshop:DateCreated=2024:03:01 10:00:00',
    '-XMP-exif:DateTimeOriginal=2024:03:01 10:00:00',
    '-XMP-dc:Title=Grandpa at the lake',
    scan,
  )
})

describe.skipIf(!hasExiftool)('a file Enhance wrote, dated after it was done', () => {
  it.each(['jpeg', 'png', 'webp', 'tiff'] as const)(
    '%s says what a file enhanced with the date says, its pixels the same bytes; dated again, the last date',
    async (format) => {
      const output = await enhanced(scan, `scan.${format}`, { format })
      const before = await pixels(output)
      expect(dating(output)).toMatchObject({ 'ExifIFD:DateTimeOriginal': '2024:03:01 10:00:00' })
      expect(await restampFile(output, { taken: '1962-07', place: 0 })).toBe(true)
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
      expect(await restampFile(output, { taken: '1963-05-04T09:30', place: 0 })).toBe(true)
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
      const output = await enhanced(bare, `bare-out.${format}`, { format, metadata: 'none' })
      const before = await pixels(output)
      expect(await restampFile(output, { taken: '1962', place: 0 })).toBe(true)
      expect(dating(output)).toEqual({
        'ExifIFD:DateTimeOriginal': '1962:01:01 12:00:00',
        'XMP-photoshop:DateCreated': 1962,
        'ExifTool:Validate': '0 0 0',
      })
      expect((await pixels(output)).equals(before)).toBe(true)
    },
  )

  it('leaves an AVIF as it was, to be enhanced again with the date (its metadata lies among its picture’s boxes)', async () => {
    const output = await enhanced(scan, 'scan.avif', { format: 'avif' })
    const bytes = readFileSync(output)
    const modified = statSync(output).mtimeMs
    expect(await restampFile(output, { taken: '1962', place: 0 })).toBe(false)
    expect(readFileSync(output).equals(bytes)).toBe(true)
    expect(statSync(output).mtimeMs).toBe(modified)
  })
})
