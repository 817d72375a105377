import { existsSync, mkdtempSync, readdirSync, symlinkSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Region } from 'sharp'
import { describe, expect, it } from 'vitest'
import { PhotoTiles } from '../../src/engine/image/photo-tiles.js'
import { PHOTO_TILE_SIDE } from '../../src/shared/api.js'
import { codeOf } from '../helpers/errors.js'

/** A noisy photo, so any tile that came from the wrong place would differ. */
async function noisePhoto(path: string, width: number, height: number, seed: number): Promise<void> {
  const pixels = Buffer.alloc(width * height * 3)
  let state = seed
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0
    pixels[i] = state >>> 24
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toFile(path)
}

const rawOf = (input: Uint8Array | string, region?: Region) =>
  (region ? sharp(input).extract(region) : sharp(input)).removeAlpha().raw().toBuffer()

describe('1:1 tiles of a photo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-tiles-'))

  it('serves the own pixels of a photo wider than 8,192 px, edge tiles cut to size', async () => {
    const path = join(dir, 'wide.png')
    await noisePhoto(path, 9000, 700, 1)
    const tiles = new PhotoTiles(join(dir, 'cache'))
    const lastColumn = Math.floor(8999 / PHOTO_TILE_SIDE)
    for (const [column, row] of [
      [0, 0],
      [9, 1],
      [lastColumn, 1],
    ] as const) {
      const tile = await tiles.tile(path, column, row)
      const left = column * PHOTO_TILE_SIDE
      const top = row * PHOTO_TILE_SIDE
      const width = Math.min(PHOTO_TILE_SIDE, 9000 - left)
      const height = Math.min(PHOTO_TILE_SIDE, 700 - top)
      expect({ left: tile.left, top: tile.top, width: tile.width, height: tile.height }).toEqual({
        left,
        top,
        width,
        height,
      })
      expect((await rawOf(tile.png)).equals(await rawOf(path, { left, top, width, height }))).toBe(true)
    }
    expect(9000 - lastColumn * PHOTO_TILE_SIDE).toBe(296)
    expect(await codeOf(() => tiles.tile(path, lastColumn + 1, 0))).toBe('INVALID_ARGUMENT')
  })

  it('turns a photo upright as its EXIF orientation says, like every other view', async () => {
    const path = join(dir, 'turned.jpg')
    await sharp(join(dir, 'wide.png'))
      .extract({ left: 0, top: 0, width: 600, height: 300 })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toFile(path)
    const tile = await new PhotoTiles(join(dir, 'cache-turned')).tile(path, 0, 1)
    // Upright it is 300 wide and 600 tall: the second row holds its last 88 rows.
    expect({ width: tile.width, height: tile.height, top: tile.top }).toEqual({
      width: 300,
      height: 88,
      top: 512,
    })
    const upright = await sharp(path).rotate().png().toBuffer()
    const expected = await rawOf(upright, { left: 0, top: 512, width: 300, height: 88 })
    expect((await rawOf(tile.png)).equals(expected)).toBe(true)
  })

  it('cuts a replaced photo again, keeps the last four photos, and empties its folder at start', async () => {
    const cache = join(dir, 'cache-keep')
    const tiles = new PhotoTiles(cache)
    const first = join(dir, 'first.png')
    await noisePhoto(first, 64, 64, 2)
    const before = await rawOf((await tiles.tile(first, 0, 0)).png)
    await noisePhoto(first, 64, 64, 3)
    utimesSync(first, new Date(), new Date(Date.now() + 5000))
    const after = await rawOf((await tiles.tile(first, 0, 0)).png)
    expect(after.equals(before)).toBe(false)
    expect(after.equals(await rawOf(first))).toBe(true)
    for (let n = 0; n < 4; n++) {
      const other = join(dir, `other${n}.png`)
      await noisePhoto(other, 32, 32, 10 + n)
      await tiles.tile(other, 0, 0)
    }
    await expect.poll(() => readdirSync(cache).length).toBe(4)
    const again = new PhotoTiles(cache)
    await again.tile(first, 0, 0)
    expect(readdirSync(cache)).toHaveLength(1)
    expect(existsSync(cache)).toBe(true)
  })

  it('says a missing photo is gone', async () => {
    const tiles = new PhotoTiles(join(dir, 'cache-missing'))
    expect(await codeOf(() => tiles.tile(join(dir, 'nowhere.png'), 0, 0))).toBe('FILE_NOT_FOUND')
    // A link to a photo on a drive not plugged in says so.
    const link = join(dir, 'on-backup.png')
    symlinkSync(join(dir, 'unplugged', 'photo.png'), link)
    const error: unknown = await tiles.tile(link, 0, 0).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'FILE_NOT_FOUND' })
    expect((error as Error).message).toBe(
      `${link} is a link to ${join(dir, 'unplugged', 'photo.png')}, which is not there: plug in the drive it is on, or find where it moved.`,
    )
  })
})
