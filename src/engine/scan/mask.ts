import { clampIndex } from '../image/resample.js'
import type { Point } from './turned-rect.js'

/** Masks of a scan's look (1: set, 0: not), row by row: their morphology and their connected pieces. */

/** The mask eroded then dilated by a square of `radius`: cuts threads (a hair, a fibre) joining two prints. */
export function opened(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const eroded = squareFilter(mask, width, height, radius, Math.min)
  return squareFilter(eroded, width, height, radius, Math.max)
}

export function squareFilter(
  mask: Uint8Array,
  width: number,
  height: number,
  radius: number,
  pick: (a: number, b: number) => number,
): Uint8Array {
  const across = new Uint8Array(mask.length)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = mask[y * width + x]!
      for (let d = -radius; d <= radius; d++) value = pick(value, mask[y * width + clampIndex(x + d, width)]!)
      across[y * width + x] = value
    }
  }
  const result = new Uint8Array(mask.length)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = across[y * width + x]!
      for (let d = -radius; d <= radius; d++)
        value = pick(value, across[clampIndex(y + d, height) * width + x]!)
      result[y * width + x] = value
    }
  }
  return result
}

export interface Piece {
  area: number
  /** The outer corners of its pixels that touch something else: enough for its hull. */
  outline: Point[]
  /** Its pixels, as indices into the mask. */
  pixels: number[]
}

/** The mask's 8-connected pieces. */
export function components(mask: Uint8Array, width: number, height: number): Piece[] {
  const seen = new Uint8Array(mask.length)
  const stack = new Int32Array(mask.length)
  const pieces: Piece[] = []
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue
    const piece: Piece = { area: 0, outline: [], pixels: [] }
    let top = 0
    seen[start] = 1
    stack[top++] = start
    while (top > 0) {
      const i = stack[--top]!
      const x = i % width
      const y = (i - x) / width
      piece.area++
      piece.pixels.push(i)
      let edge = false
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx
          const ny = y + dy
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) {
            edge = true
            continue
          }
          const n = ny * width + nx
          if (!mask[n]) edge = true
          else if (!seen[n]) {
            seen[n] = 1
            stack[top++] = n
          }
        }
      }
      if (edge) piece.outline.push({ x, y }, { x: x + 1, y }, { x, y: y + 1 }, { x: x + 1, y: y + 1 })
    }
    pieces.push(piece)
  }
  return pieces
}
