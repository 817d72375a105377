import type { ModelArch } from '../../shared/model.js'
import type { Region } from '../../shared/protocol.js'

/** Context around each tile; enough that tiled output matches whole-image output within 1/255. */
export const TILE_PAD = 16

/** A photo larger than any tile side: the sides it could use are every one the memory budget allows. */
export const EVERY_SIDE = { width: 4096, height: 4096 }

/** The side a model's input must be a multiple of: Real-ESRGAN ×2 and ×1 pixel-unshuffle by 2 or 4 first. */
export function inputMultiple(arch: ModelArch): number {
  return arch.arch === 'RRDBNet' ? arch.unshuffle : 1
}

/** How a model's photos are tiled: its scale, the context each tile reads, the side its input needs. */
export function modelTiling(arch: ModelArch): { scale: number; pad: number; multiple: number } {
  return { scale: arch.scale, pad: TILE_PAD, multiple: inputMultiple(arch) }
}

/**
 * The model input for a tile: its core plus up to `pad` of the network's own pixels of real context on
 * each side. None is invented past the photo's edge, where the network's zero padding then gives exactly
 * what one run over the whole photo gives, and no work is spent on mirrored pixels. A model that
 * pixel-unshuffles by `multiple` sees the photo in blocks of that side, so its window starts on the
 * whole photo's block grid, takes `pad · multiple` photo pixels of context, and ends on a block too
 * (mirrored where that passes the edge).
 */
export function tileWindow(tile: Region, width: number, height: number, pad: number, multiple = 1): Region {
  const context = pad * multiple
  const down = (v: number): number => Math.floor(v / multiple) * multiple
  const up = (v: number): number => Math.ceil(v / multiple) * multiple
  const x = down(Math.max(0, tile.x - context))
  const y = down(Math.max(0, tile.y - context))
  const right = Math.min(width, tile.x + tile.width + context)
  const bottom = Math.min(height, tile.y + tile.height + context)
  return { x, y, width: up(right - x), height: up(bottom - y) }
}

/**
 * One axis of a plan: as few tiles as `tile` allows, all the same size, split as evenly as the length
 * allows (the last ends at the edge and overlaps its neighbour by less than the tile count), so no
 * tile re-runs much of another: 640 px at most 256 is 3 × 214, not 3 × 256 with the last re-running
 * 128 px of its neighbour.
 */
export function axisSpan(length: number, tile: number): { size: number; starts: number[] } {
  const count = Math.max(1, Math.ceil(length / tile))
  const size = Math.ceil(length / count)
  const starts = Array.from({ length: count }, (_, i) => Math.min(i * size, length - size))
  return { size, starts }
}

/**
 * The tiles of a photo, none wider or taller than `tile`: each the input region whose output it owns
 * (its model input adds `pad` context on every side).
 */
export function planTiles(width: number, height: number, tile: number): Region[] {
  const columns = axisSpan(width, tile)
  const rows = axisSpan(height, tile)
  return rows.starts.flatMap((y) =>
    columns.starts.map((x) => ({ x, y, width: columns.size, height: rows.size })),
  )
}

/** Mirror index without repeating the edge pixel (numpy 'reflect'), folding as often as needed. */
export function reflectIndex(i: number, length: number): number {
  if (length === 1) return 0
  const period = 2 * (length - 1)
  const m = ((i % period) + period) % period
  return m < length ? m : period - m
}

/**
 * Float32 channels per output pixel of the largest activations: RRDBNet upsamples its `nf` features to
 * the output size; Compact keeps its features at the input size and only the out·s² last conv grows.
 */
export function activationChannels(arch: ModelArch): number {
  return arch.arch === 'compact' ? Math.max(arch.outChannels, arch.numFeat / arch.scale ** 2) : arch.nf
}

/**
 * Tile side from the memory available. The largest activations live at output resolution:
 * about `channels` of float32 per output pixel, a few alive at once.
 */
export function autoTileSize(options: {
  channels: number
  scale: number
  pad: number
  budgetBytes: number
}): number {
  const candidates = [512, 384, 256, 192, 128, 96, 64, 48, 32]
  // Measured: a 384 tile (1664² activations) peaked at 2.8 GB with nf=32, about ten maps alive at once.
  const liveTensors = 10
  for (const tile of candidates) {
    const side = (tile + 2 * options.pad) * Math.max(1, options.scale)
    if (side * side * options.channels * 4 * liveTensors <= options.budgetBytes) return tile
  }
  return 32
}

/**
 * The side whose plan for this photo takes least time, from the LR pixels per second measured for each
 * side: every tile adds its context, so fewer, larger tiles do less work where they run as fast, and the
 * whole photo in one tile is a candidate when it fits the memory ceiling.
 */
export function fastestTile(
  width: number,
  height: number,
  pad: number,
  rates: Record<string, number>,
  ceiling: number,
): number {
  const measured = measuredSides(rates)
  if (measured.length === 0) return Math.min(ceiling, Math.max(width, height))
  const whole = Math.max(width, height)
  const candidates = [...measured, ...(whole <= ceiling ? [whole] : [])].filter((side) => side <= ceiling)
  const cost = (side: number): number => planSeconds(width, height, pad, rates, side) ?? 0
  return candidates.reduce((best, side) => (cost(side) < cost(best) ? side : best), candidates[0] ?? ceiling)
}

/**
 * The seconds the network takes over a photo in tiles of `side`, from the LR pixels per second measured for each side
 * (the nearest measured side's rate for another); null where none was measured.
 */
export function planSeconds(
  width: number,
  height: number,
  pad: number,
  rates: Record<string, number>,
  side: number,
): number | null {
  const measured = measuredSides(rates)
  if (measured.length === 0) return null
  /** Seconds per input pixel (core and context) at `side`, from the nearest measured side. */
  const perInputPixel = (at: number): number => {
    const m = measured.reduce((near, s) => (Math.abs(s - at) < Math.abs(near - at) ? s : near))
    return (m * m) / ((m + 2 * pad) ** 2 * rates[m]!)
  }
  // A tile's speed follows its real size: a side larger than the photo runs the photo's size.
  return planTiles(width, height, side).reduce((sum, t) => {
    const input = tileWindow(t, width, height, pad)
    return sum + input.width * input.height * perInputPixel(Math.max(t.width, t.height))
  }, 0)
}

function measuredSides(rates: Record<string, number>): number[] {
  return Object.keys(rates)
    .map(Number)
    .filter((side) => rates[side]! > 0)
    .sort((a, b) => a - b)
}
