import { createHash } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Sharp } from 'sharp'
import { MAX_RESULT_PIXELS } from '../../shared/formats.js'
import { withViewedPhoto } from './view-read.js'
import { fileVersion } from '../../node/files.js'
import { PHOTO_TILE_SIDE } from '../../shared/api.js'
import { EnhanceError } from '../../shared/errors.js'
import type { PhotoTileReply } from '../../shared/protocol.js'
import { missingFileError } from '../../node/file-access.js'
import { UPRIGHT } from '../../shared/turn.js'
import type { Facing } from '../../shared/turn.js'

/** Where a photo's tiles are, and its upright size, which gives every tile's place and size. */
interface Cut {
  folder: string
  width: number
  height: number
}

/**
 * A photo's own pixels, upright (and turned as asked), for a 1:1 view of any size: cut once into PNG tiles on
 * disk by libvips' dzsave (one streaming pass, so memory stays bounded whatever the photo's size), then served a
 * tile at a time. The last few photos' tiles are kept; the folder is emptied the first time it is used.
 */
export class PhotoTiles {
  private readonly cut = new Map<string, Promise<Cut>>()
  private cleared: Promise<void> | undefined

  constructor(
    private readonly cacheDir: string,
    private readonly keep = 4,
  ) {}

  async tile(path: string, column: number, row: number, facing: Facing = UPRIGHT): Promise<PhotoTileReply> {
    const cut = await this.cutFor(path, facing)
    const [left, top] = [column * PHOTO_TILE_SIDE, row * PHOTO_TILE_SIDE]
    const [width, height] = [
      Math.min(PHOTO_TILE_SIDE, cut.width - left),
      Math.min(PHOTO_TILE_SIDE, cut.height - top),
    ]
    const missing = new EnhanceError(
      'INVALID_ARGUMENT',
      `The photo has no tile at column ${column}, row ${row}.`,
    )
    if (width <= 0 || height <= 0) throw missing
    const png = await readFile(join(cut.folder, 'photo_files', '0', `${column}_${row}.png`)).catch(() => {
      throw missing
    })
    return { png, left, top, width, height }
  }

  private async cutFor(path: string, facing: Facing): Promise<Cut> {
    this.cleared ??= rm(this.cacheDir, { recursive: true, force: true })
    await this.cleared
    const version = await fileVersion(path)
    if (!version) throw missingFileError(path)
    const key = createHash('sha256')
      .update(`${version}|${facing.turn}|${facing.mirrored}`)
      .digest('hex')
      .slice(0, 24)
    let cut = this.cut.get(key)
    if (!cut) {
      cut = this.cutIntoTiles(path, join(this.cacheDir, key), facing)
      this.cut.set(key, cut)
      cut.catch(() => this.cut.delete(key))
      this.forgetOldest()
    }
    return cut
  }

  private async cutIntoTiles(path: string, folder: string, facing: Facing): Promise<Cut> {
    await rm(folder, { recursive: true, force: true })
    const cut = (image: Sharp) =>
      image
        .png({ compressionLevel: 1 })
        .tile({ size: PHOTO_TILE_SIDE, overlap: 0, depth: 'one', container: 'fs', layout: 'dz' })
        .toFile(join(folder, 'photo.dz'))
    const { width, height } = await withViewedPhoto(path, MAX_RESULT_PIXELS, 'photo', cut, facing).catch(
      async (error: unknown) => {
        await rm(folder, { recursive: true, force: true })
        throw error
      },
    )
    return { folder, width, height }
  }

  private forgetOldest(): void {
    while (this.cut.size > this.keep) {
      const [key, cut] = this.cut.entries().next().value as [string, Promise<Cut>]
      this.cut.delete(key)
      void cut.then(({ folder }) => rm(folder, { recursive: true, force: true })).catch(() => undefined)
    }
  }
}
