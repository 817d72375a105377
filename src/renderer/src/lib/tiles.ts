import { PHOTO_TILE_SIDE } from '../../../shared/api.js'

export interface TileIndex {
  column: number
  row: number
}

/**
 * The tiles of a `size` photo that a 1:1 view needs: those under the visible part `view` (in the
 * photo's pixels), and a ring of `margin` tiles around it so panning finds them loaded.
 */
export function tilesInView(
  view: { left: number; top: number; width: number; height: number },
  size: { width: number; height: number },
  margin = 1,
  side = PHOTO_TILE_SIDE,
): TileIndex[] {
  const columns = Math.ceil(size.width / side)
  const rows = Math.ceil(size.height / side)
  const first = (start: number) => Math.max(0, Math.floor(start / side) - margin)
  const last = (end: number, count: number) => Math.min(count - 1, Math.floor((end - 1) / side) + margin)
  const tiles: TileIndex[] = []
  if (view.width <= 0 || view.height <= 0) return tiles
  for (let row = first(view.top); row <= last(view.top + view.height, rows); row++)
    for (let column = first(view.left); column <= last(view.left + view.width, columns); column++)
      tiles.push({ column, row })
  return tiles
}
