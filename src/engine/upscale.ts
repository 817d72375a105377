import sharp from 'sharp'
import { EnhanceError, throwIfCancelled } from '../shared/errors.js'
import type { TransparencyMode } from '../shared/settings.js'
import { blankLike } from './image/types.js'
import type { RasterImage } from './image/types.js'
import type { TilesSoFar } from './resume.js'
import type { ModelSession } from './runtime/session.js'
import { planTiles, reflectIndex, tileWindow } from './tiling/plan.js'
import type { Region } from '../shared/protocol.js'
import { extractTile, insertTile } from './tiling/tiles.js'
import type { TileChannels } from './tiling/tiles.js'
import { holdColour } from './image/colour-hold.js'
import { holdEdges } from './image/edge-hold.js'
import { cropRaster } from './image/crop.js'
import type { ModelSpecData } from '../shared/protocol.js'

/**
 * How strongly a model's output is held to the photo's colour. None for the faithful end or a model used
 * alone (the network's own output), then rising with the realism of a pair's blend to full at 50 % and above:
 * the realistic share's cast grows faster than the share (a sky +2.6 levels red at 50 %, +4.3 at 100 %).
 */
export function colourHoldOf(model: ModelSpecData): number {
  return Math.min(1, 2 * (model.blend?.realism ?? 0))
}

export interface TileEvent {
  tilesDone: number
  tiles: number
  /** The finished tile in output coordinates, and the output it was written into, for live previews. */
  region: Region
  target: RasterImage
}

export interface UpscaleOptions {
  scale: number
  tile: number
  pad: number
  /** The side the model's input must be a multiple of (`inputMultiple`); 1 when not given. */
  multiple?: number
  transparency: TransparencyMode
  /** The photo has no colour (`ImageMetadata.colourless`): its output is kept grey, tile by tile. */
  colourless?: boolean
  /**
   * How much of the photo's own low-frequency colour the output is held to (`colourHoldOf`), along its edges
   * too (`holdEdges`); 0 when not given.
   */
  colourHold?: number
  signal?: AbortSignal
  onTile?: (event: TileEvent) => void
  /** Smallest tile the out-of-memory fallback will try. */
  minTile?: number
  onRetile?: (tile: number) => void
  /**
   * Where the colour pass stands, kept up to date tile by tile (the output so far and the tiles left); given
   * with a target and tiles left, the pass picks up there. Photos smaller than a tile start afresh.
   */
  soFar?: TilesSoFar
}

/** Progress over the tiles of one photo: `done` only grows; `total` grows when tiles are split. */
interface TileProgress {
  done: number
  total: number
  /** The tile side in use: halved on each out-of-memory retry, and kept for later passes. */
  side: number
}

async function runTile(
  image: RasterImage,
  target: RasterImage,
  session: ModelSession,
  options: UpscaleOptions,
  source: TileChannels,
  tile: Region,
): Promise<void> {
  const { pad, scale } = options
  const window = tileWindow(tile, image.width, image.height, pad, options.multiple)
  const input = extractTile(image, window, source)
  const { data } = await session.run(input, [1, 3, window.height, window.width])
  if (source === 'rgb') {
    const core = { x: tile.x - window.x, y: tile.y - window.y, width: tile.width, height: tile.height }
    const edges = {
      top: window.y === 0,
      left: window.x === 0,
      bottom: window.y + window.height === image.height,
      right: window.x + window.width === image.width,
    }
    const strength = options.colourHold ?? 0
    // The edges first: they are read 6 input pixels along past the core, where the colour hold changes nothing.
    holdEdges(input, data, window, edges, scale, strength)
    holdColour(input, data, window, core, scale, strength)
  }
  insertTile(target, data, tile, window, scale, source === 'rgb' && options.colourless ? 'grey' : source)
}

/**
 * Runs the tiles of one pass. Out of memory on a tile keeps every finished tile and splits the ones
 * left into tiles of half the side (chaiNNer's auto_split), down to `minTile`: progress never goes back.
 */
async function runTiles(
  image: RasterImage,
  target: RasterImage,
  session: ModelSession,
  options: UpscaleOptions,
  source: TileChannels,
  progress: TileProgress,
): Promise<void> {
  const soFar = source === 'rgb' ? options.soFar : undefined
  let left = soFar?.left ?? planTiles(image.width, image.height, progress.side)
  if (source === 'rgb') progress.total = progress.done + left.length
  const keep = (): void => {
    if (soFar) Object.assign(soFar, { target, left: [...left], done: progress.done, total: progress.total })
  }
  keep()
  while (left.length) {
    const tile = left[0]!
    // Let pending messages (a cancel) run before the next tile starts.
    await new Promise((resolve) => setImmediate(resolve))
    throwIfCancelled(options.signal)
    try {
      await runTile(image, target, session, options, source, tile)
    } catch (error) {
      const minTile = options.minTile ?? 32
      if (!(error instanceof EnhanceError) || error.code !== 'OUT_OF_MEMORY' || progress.side / 2 < minTile)
        throw error
      progress.side = Math.floor(progress.side / 2)
      const split = left.flatMap((t) =>
        planTiles(t.width, t.height, progress.side).map((s) => ({ ...s, x: s.x + t.x, y: s.y + t.y })),
      )
      if (source === 'rgb') progress.total += split.length - left.length
      left = split
      keep()
      options.onRetile?.(progress.side)
      continue
    }
    left.shift()
    if (source !== 'rgb') continue
    progress.done++
    keep()
    const { scale } = options
    const region = {
      x: tile.x * scale,
      y: tile.y * scale,
      width: tile.width * scale,
      height: tile.height * scale,
    }
    options.onTile?.({ tilesDone: progress.done, tiles: progress.total, region, target })
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
 * Fewer pixels across than this, and the network sees mostly its own zero padding: at the faithful end a
 * 1×1 photo came out at 77 / 80 / 59 for 200 / 150 / 100, a 300×1 line at 185 for 200.
 */
const MIN_SIDE = 8

/** `image` mirrored out to at least `MIN_SIDE` each way (evenly on both sides), and where it lies in that. */
function padToMinimum(image: RasterImage): { padded: RasterImage; at: Region } {
  const width = Math.max(image.width, MIN_SIDE)
  const height = Math.max(image.height, MIN_SIDE)
  const at = {
    x: Math.floor((width - image.width) / 2),
    y: Math.floor((height - image.height) / 2),
    width: image.width,
    height: image.height,
  }
  const padded = blankLike(image, width, height)
  const { channels } = image
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const from =
        (reflectIndex(y - at.y, image.height) * image.width + reflectIndex(x - at.x, image.width)) * channels
      padded.pixels.set(image.pixels.subarray(from, from + channels), (y * width + x) * channels)
    }
  return { padded, at }
}

/**
 * Runs the model over the image in tiles with real context around each, writing each tile's core
 * straight into the output raster. On OUT_OF_MEMORY the tiles not yet done are split in half and the
 * work goes on from the failed tile; `onRetile` reports each new side. A photo narrower or shorter than
 * `MIN_SIDE` runs mirrored out to it, and its own part of the output is kept.
 */
export async function upscaleRaster(
  image: RasterImage,
  session: ModelSession,
  options: UpscaleOptions,
): Promise<RasterImage> {
  if (image.width >= MIN_SIDE && image.height >= MIN_SIDE) return upscaleWhole(image, session, options)
  const { padded, at } = padToMinimum(image)
  const { onTile, ...rest } = options
  // A photo this small is run whole, in one go: it always starts afresh.
  delete rest.soFar
  const output = await upscaleWhole(padded, session, rest)
  const { scale } = options
  const core = { x: at.x * scale, y: at.y * scale, width: at.width * scale, height: at.height * scale }
  const target = cropRaster(output, core, 0).image
  onTile?.({
    tilesDone: 1,
    tiles: 1,
    region: { x: 0, y: 0, width: target.width, height: target.height },
    target,
  })
  return target
}

async function upscaleWhole(
  image: RasterImage,
  session: ModelSession,
  options: UpscaleOptions,
): Promise<RasterImage> {
  const target =
    options.soFar?.target ?? blankLike(image, image.width * options.scale, image.height * options.scale)
  const progress: TileProgress = { done: options.soFar?.done ?? 0, total: 0, side: options.tile }
  await runTiles(image, target, session, options, 'rgb', progress)
  if (image.channels === 4) {
    if (options.transparency === 'model')
      await runTiles(image, target, session, options, 'transparency', progress)
    else await lanczosAlpha(image, target)
    keepTransparentAreas(image, target, options.scale)
  }
  return target
}
