import sharp from 'sharp'
import { PhotoTiles } from '../../src/engine/image/photo-tiles.js'
import { thumbnail } from '../../src/engine/image/thumbnail.js'

/** What the views show of a photo: its 16-px thumbnail's and its own sizes, the thumbnail's and first tile's levels. */
export async function viewsOf(
  photo: string,
  tilesDir: string,
): Promise<{ sizes: number[]; thumbnail: Buffer; tile: Buffer }> {
  const small = await thumbnail(photo, 16)
  const tile = await new PhotoTiles(tilesDir).tile(photo, 0, 0)
  const levels = (png: Uint8Array): Promise<Buffer> => sharp(png).raw().toBuffer()
  return {
    sizes: [small.width, small.height, small.originalWidth, small.originalHeight],
    thumbnail: await levels(small.png),
    tile: await levels(tile.png),
  }
}
