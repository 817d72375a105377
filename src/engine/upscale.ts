import sharp from 'sharp'
import { EnhanceError } from '../shared/errors.js'
import type { AlphaMode } from '../shared/settings.js'
import type { RasterImage } from './image/types.js'
import type { ModelSession } from './runtime/session.js'
import { planTiles } from './tiling/plan.js'
import type { Tile } from './tiling/plan.js'
import { extractTile, insertTile } from './tiling/tiles.js'

export interface TileEvent {
  tile: number
  tiles: number
  /** The finished tile in output coordinates, and the output it was written into, for live previews. */
  region: Tile
  target: RasterImage
}

export interface UpscaleOptions {
  scale: number
  tile: number
  pad: number
  alpha: AlphaMode
  signal?: AbortSignal
  onTile?: (event: TileEvent) => void
  /** Smallest tile the out-of-memory fallback will try. */
  minTile?: number
  onRetile?: (tile: number) => void
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EnhanceError('CANCELLED', 'Cancelled.')
}

function emptyLike(image: RasterImage, scale: number): RasterImage {
  const width = image.width * scale
  const height = image.height * scale
  const length = width * height * image.channels
  const pixels = image.depth === 16 ? new Uint16Array(length) : new Uint8Array(length)
  return { width, height, channels: image.channels, depth: image.depth, pixels }
}

async function runTiles(
  image: RasterImage,
  target: RasterImage,
  session: ModelSession,
  options: UpscaleOptions,
  source: 'rgb' | 'alpha',
  tiles: Tile[],
  offset: { done: number; total: number },
): Promise<void> {
  const { pad, scale } = options
  for (const tile of tiles) {
    // Let pending messages (a cancel) run before the next tile starts.
    await new Promise((resolve) => setImmediate(resolve))
    throwIfCancelled(options.signal)
    const input = extractTile(image, tile, pad, source)
    const dims = [1, 3, tile.height + 2 * pad, tile.width + 2 * pad]
    const { data } = await session.run(input, dims)
    insertTile(target, data, tile, pad, scale, source)
    offset.done++
    const region = {
      x: tile.x * scale,
      y: tile.y * scale,
      width: tile.width * scale,
      height: tile.height * scale,
    }
    if (source === 'rgb') options.onTile?.({ tile: offset.done, tiles: offset.total, region, target })
  }
}

/** Upscales the alpha plane with lanczos3; pixels fully transparent in the source stay fully transparent. */
async function lanczosAlpha(image: RasterImage, target: RasterImage): Promise<void> {
  const { width, height, channels, pixels } = image
  const alpha = image.depth === 16 ? new Uint16Array(width * height) : new Uint8Array(width * height)
  for (let i = 0; i < alpha.length; i++) alpha[i] = pixels[i * channels + 3]!
  const raw = { width, height, channels: 1 as const }
  const depth = image.depth === 16 ? 'ushort' : 'uchar'
  // Without the explicit one-band colourspace, libvips turns the plane into 3-band sRGB, and reading
  // it as one band striped the alpha (a transparent row every third).
  const big = await sharp(alpha, { raw })
    .resize(target.width, target.height, { kernel: 'lanczos3', fit: 'fill' })
    .toColourspace(image.depth === 16 ? 'grey16' : 'b-w')
    .raw({ depth })
    .toBuffer()
  if (big.byteLength !== target.width * target.height * alpha.BYTES_PER_ELEMENT)
    throw new EnhanceError('INTERNAL', 'The alpha plane came back from resizing with an unexpected size.')
  const values = image.depth === 16 ? new Uint16Array(big.buffer, big.byteOffset, big.byteLength / 2) : big
  for (let i = 0; i < target.width * target.height; i++) target.pixels[i * channels + 3] = values[i]!
}

function keepTransparentAreas(image: RasterImage, target: RasterImage, scale: number): void {
  const { channels } = image
  for (let y = 0; y < target.height; y++) {
    const sy = Math.floor(y / scale) * image.width
    for (let x = 0; x < target.width; x++) {
      if (image.pixels[(sy + Math.floor(x / scale)) * channels + 3] === 0)
        target.pixels[(y * target.width + x) * channels + 3] = 0
    }
  }
}

/**
 * Runs the model over the image in fixed-shape tiles with mirrored context, writing each tile's core
 * straight into the output raster. On OUT_OF_MEMORY the tile side is halved and the image restarted.
 */
export async function upscaleRaster(
  image: RasterImage,
  session: ModelSession,
  options: UpscaleOptions,
): Promise<RasterImage> {
  let tileSide = options.tile
  for (;;) {
    try {
      return await upscaleWithTile(image, session, { ...options, tile: tileSide })
    } catch (error) {
      const minTile = options.minTile ?? 32
      if (!(error instanceof EnhanceError) || error.code !== 'OUT_OF_MEMORY' || tileSide / 2 < minTile)
        throw error
      tileSide = Math.floor(tileSide / 2)
      options.onRetile?.(tileSide)
    }
  }
}

async function upscaleWithTile(
  image: RasterImage,
  session: ModelSession,
  options: UpscaleOptions,
): Promise<RasterImage> {
  const target = emptyLike(image, options.scale)
  const tiles = planTiles(image.width, image.height, options.tile)
  const modelAlpha = image.channels === 4 && options.alpha === 'model'
  const progress = { done: 0, total: tiles.length }
  await runTiles(image, target, session, options, 'rgb', tiles, progress)
  if (image.channels === 4) {
    if (modelAlpha) await runTiles(image, target, session, options, 'alpha', tiles, progress)
    else await lanczosAlpha(image, target)
    keepTransparentAreas(image, target, options.scale)
  }
  return target
}
