import type { RasterImage } from '../../src/engine/image/types.js'
import type { TurnedRect } from '../../src/engine/scan/turned-rect.js'
import { seeded } from './seeded.js'

/** A print's picture: smooth colour, with detail in it, unlike any glass; `white` adds a white border as wide. */
export function printPicture(width: number, height: number, seed: number, white = 0): RasterImage {
  const random = seeded(seed)
  const phase = [random() * 6, random() * 6, random() * 6]
  const pixels = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inBorder = x < white || y < white || x >= width - white || y >= height - white
      for (let c = 0; c < 3; c++) {
        const wave = Math.sin(x / (9 + 4 * c) + phase[c]!) * Math.cos(y / (13 + 3 * c) - phase[c]!)
        const value = inBorder ? 245 : 110 + 70 * wave + 20 * (random() - 0.5)
        pixels[(y * width + x) * 3 + c] = Math.round(value)
      }
    }
  }
  return { width, height, channels: 3, depth: 8, pixels }
}

export interface LaidPrint {
  picture: RasterImage
  /** Where it lies: its centre, and its turn (its size is the picture's). */
  cx: number
  cy: number
  angle: number
  /** The grey of the thin line a scanner's light leaves along a print's edge, 1 px wide; none by default. */
  edgeShadow?: number
}

/**
 * A flatbed scan: a glass of `glass` colour with the sensor's noise (σ 1.5 levels), `shading` levels darker at its
 * right edge than at its left (a lid lit less at one side), prints laid on it (nearest pixel of each picture, no
 * resampling of the picture).
 */
export function scanOf(
  width: number,
  height: number,
  prints: LaidPrint[],
  glass = [246, 245, 242],
  shading = 0,
): RasterImage {
  const random = seeded(7)
  const pixels = new Uint8Array(width * height * 3)
  for (let i = 0; i < width * height; i++) {
    const level = (random() + random() + random() - 1.5) * 3 - (shading * (i % width)) / width
    for (let c = 0; c < 3; c++) pixels[i * 3 + c] = Math.round(Math.min(255, Math.max(0, glass[c]! + level)))
  }
  for (const print of prints) lay(pixels, width, height, print)
  return { width, height, channels: 3, depth: 8, pixels }
}

function lay(pixels: Uint8Array, width: number, height: number, print: LaidPrint): void {
  const { picture, cx, cy, angle } = print
  const ex = Math.cos(angle)
  const ey = Math.sin(angle)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // The scan pixel's centre in the picture's own pixels.
      const dx = x + 0.5 - cx
      const dy = y + 0.5 - cy
      const u = dx * ex + dy * ey + picture.width / 2
      const v = -dx * ey + dy * ex + picture.height / 2
      if (u < 0 || v < 0 || u >= picture.width || v >= picture.height) continue
      const pu = Math.floor(u)
      const pv = Math.floor(v)
      const edge = pu === 0 || pv === 0 || pu === picture.width - 1 || pv === picture.height - 1
      for (let c = 0; c < 3; c++)
        pixels[(y * width + x) * 3 + c] =
          print.edgeShadow !== undefined && edge
            ? print.edgeShadow
            : picture.pixels[(pv * picture.width + pu) * 3 + c]!
    }
  }
}

/** Where a laid print lies, as the rectangle the finder reports. */
export function placeOf(print: LaidPrint): TurnedRect {
  return {
    cx: print.cx,
    cy: print.cy,
    width: print.picture.width,
    height: print.picture.height,
    angle: print.angle,
  }
}
