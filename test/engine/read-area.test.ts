import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { areaOf, readArea, unreadWords } from '../../src/engine/image/read-area.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { imageFixture } from '../helpers/fixtures.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-read-area-'))
const WIDTH = 96
const HEIGHT = 64

/** Seeded noise, so that every line of the photo holds several values. */
function noise(width: number, height: number): Buffer {
  let state = 7
  return Buffer.from(
    Array.from({ length: width * height * 3 }, () => {
      state = (state * 1103515245 + 12345) % 2147483648
      return state >> 23
    }),
  )
}

/** `bytes` cut to `share` of their length, written as `name`. */
function cutShort(bytes: Buffer, share: number, name: string): string {
  const path = join(work, name)
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * share)))
  return path
}

function line(image: RasterImage, y: number): number[] {
  const length = image.width * image.channels
  return [...image.pixels.subarray(y * length, (y + 1) * length)]
}

const photo = sharp(noise(WIDTH, HEIGHT), { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })

describe('the part of a damaged photo its file held', () => {
  it('is all of a whole photo', async () => {
    const { image } = await decodeImage(cutShort(await photo.clone().jpeg().toBuffer(), 1, 'whole.jpg'))
    expect(readArea(image)).toEqual({ x: 0, y: 0, width: WIDTH, height: HEIGHT })
    expect(unreadWords(image, readArea(image))).toBeUndefined()
  })

  it('stops where a JPEG cut short turns into its decoder grey', async () => {
    const whole = await photo.clone().jpeg().toBuffer()
    const { image, damage } = await decodeImage(cutShort(whole, 0.6, 'cut.jpg'), { readDamaged: true })
    expect(damage).toMatch(/premature end/)
    const area = readArea(image)
    expect([area.x, area.y, area.width]).toEqual([0, 0, WIDTH])
    expect(area.height).toBeGreaterThan(16)
    expect(area.height).toBeLessThan(HEIGHT)
    // Below it every value is the fill; its last row is not; the rows read are the whole photo's, but for the
    // last two rows of 16 pixels (JPEG's blocks with halved colour): one cut part-way, and one whose colour
    // the decoder blends with the next.
    for (let y = area.height; y < HEIGHT; y++) expect(new Set(line(image, y))).toEqual(new Set([128]))
    expect(new Set(line(image, area.height - 1)).size).toBeGreaterThan(1)
    const strict = await sharp(whole).raw().toBuffer()
    const rows = (area.height - 32) * WIDTH * 3
    expect(Buffer.from(image.pixels.subarray(0, rows)).equals(strict.subarray(0, rows))).toBe(true)
    const shown = areaOf(image, area)
    expect([shown.width, shown.height]).toEqual([WIDTH, area.height])
    expect(line(shown, area.height - 1)).toEqual(line(image, area.height - 1))
    const unread = Math.round((1 - area.height / HEIGHT) * 100)
    expect(unreadWords(image, area)).toBe(`bottom ${unread}%`)
  })

  it('is at the side where EXIF turns the photo upright', async () => {
    // Orientation 6 turns the stored photo a quarter clockwise: its last rows become the left columns.
    const whole = await photo.clone().jpeg().withMetadata({ orientation: 6 }).toBuffer()
    const { image } = await decodeImage(cutShort(whole, 0.6, 'turned.jpg'), { readDamaged: true })
    expect([image.width, image.height]).toEqual([HEIGHT, WIDTH])
    const area = readArea(image)
    expect([area.y, area.height, area.x + area.width]).toEqual([0, WIDTH, HEIGHT])
    expect(area.x).toBeGreaterThan(0)
    expect(unreadWords(image, area)).toMatch(/^left \d+%$/)
    const inside = areaOf(image, area)
    expect([inside.width, inside.height]).toEqual([area.width, WIDTH])
    // The copy holds the photo's pixels from the area's left edge on.
    const at = (x: number, y: number, from: RasterImage): number[] => [
      ...from.pixels.subarray((y * from.width + x) * 3, (y * from.width + x) * 3 + 3),
    ]
    expect(at(0, 5, inside)).toEqual(at(area.x, 5, image))
  })

  it('is the rows a PNG cut short holds, the rest black', async () => {
    const whole = await photo.clone().png({ compressionLevel: 0 }).toBuffer()
    const { image } = await decodeImage(cutShort(whole, 0.5, 'cut.png'), { readDamaged: true })
    const area = readArea(image)
    expect(area.height).toBeGreaterThan(HEIGHT / 4)
    expect(area.height).toBeLessThan((HEIGHT * 3) / 4)
    expect(new Set(line(image, HEIGHT - 1))).toEqual(new Set([0]))
  })

  it('is the top rows of a BMP stored bottom row first', async () => {
    // rgb24.bmp: 37×23, rows of 112 bytes; 10 whole rows kept, the 13 at the top missing.
    const bytes = readFileSync(imageFixture('bmp/rgb24.bmp'))
    const path = join(work, 'cut.bmp')
    writeFileSync(path, bytes.subarray(0, 54 + 112 * 10 + 50))
    const { image } = await decodeImage(path, { readDamaged: true })
    expect(readArea(image)).toEqual({ x: 0, y: 13, width: 37, height: 10 })
    expect(unreadWords(image, readArea(image))).toBe('top 57%')
  })

  it('is nothing where the whole photo is fill, and one pixel is never taken for fill', () => {
    const grey: RasterImage = {
      width: 4,
      height: 3,
      channels: 3,
      depth: 8,
      pixels: new Uint8Array(36).fill(128),
    }
    expect(readArea(grey)).toMatchObject({ width: 4, height: 0 })
    const dot: RasterImage = { width: 1, height: 1, channels: 4, depth: 16, pixels: new Uint16Array(4) }
    expect(readArea(dot)).toEqual({ x: 0, y: 0, width: 1, height: 1 })
    const column = { ...dot, height: 3, pixels: Uint16Array.from({ length: 12 }, (_, i) => i >> 2) }
    expect(readArea(column)).toEqual({ x: 0, y: 0, width: 1, height: 3 })
  })
})
