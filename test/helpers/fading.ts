import { differenceCiede2000 } from 'culori'
import type { RasterImage } from '../../src/engine/image/types.js'
import { seeded } from './seeded.js'

/** How a print faded, per channel (red, green, blue) on 0–1 values: v ↦ black + (white − black) · v^gamma. */
export interface Fade {
  black: [number, number, number]
  white: [number, number, number]
  gamma: [number, number, number]
  /** How far each colour moved toward its own grey (the dyes' saturation lost), 0–1. */
  greying: number
}

/**
 * A chromogenic print kept in the dark for decades, seeded: its black lifted and tinted, its white dulled and
 * yellowed by the paper's stain, and its cyan dye faded first, so its midtones turn red (lighter red channel).
 */
export function fadeOf(seed: number): Fade {
  const random = seeded(seed)
  const between = (low: number, high: number): number => low + (high - low) * random()
  const lift = between(0.04, 0.16)
  const paper = between(0.82, 0.96)
  return {
    black: [lift + between(0, 0.06), lift + between(0, 0.03), lift + between(0, 0.06)],
    white: [paper, paper - between(0, 0.05), paper - between(0.02, 0.14)],
    gamma: [between(0.7, 0.95), between(0.9, 1.1), between(0.95, 1.2)],
    greying: between(0, 0.3),
  }
}

/** `image` faded as `fade` says (alpha kept), at the image's depth. */
export function faded(image: RasterImage, fade: Fade): RasterImage {
  const max = image.depth === 16 ? 65535 : 255
  const pixels = image.pixels.slice()
  const rgb = [0, 0, 0]
  for (let at = 0; at < pixels.length; at += image.channels) {
    for (let c = 0; c < 3; c++) {
      const v = (image.pixels[at + c]! / max) ** fade.gamma[c]!
      rgb[c] = fade.black[c]! + (fade.white[c]! - fade.black[c]!) * v
    }
    const grey = (rgb[0]! + rgb[1]! + rgb[2]!) / 3
    for (let c = 0; c < 3; c++) pixels[at + c] = Math.round((rgb[c]! + (grey - rgb[c]!) * fade.greying) * max)
  }
  return { ...image, pixels }
}

const difference = differenceCiede2000()

/** The mean CIEDE2000 colour difference between two rasters of one size, over every `step`-th pixel. */
export function meanColourDifference(a: RasterImage, b: RasterImage, step = 1): number {
  const max = a.depth === 16 ? 65535 : 255
  const colour = (image: RasterImage, at: number) => ({
    mode: 'rgb' as const,
    r: image.pixels[at]! / max,
    g: image.pixels[at + 1]! / max,
    b: image.pixels[at + 2]! / max,
  })
  let sum = 0
  let n = 0
  for (let i = 0; i < a.width * a.height; i += step) {
    sum += difference(colour(a, i * a.channels), colour(b, i * b.channels))
    n++
  }
  return sum / n
}

/**
 * A photo-like scene with what most photos have: a neutral ramp from black to white (a grey wall, a shadow, a
 * cloud) above colours that wave through the mid-range, with a little noise.
 */
export function scene(width: number, height: number, seed: number, depth: 8 | 16 = 8): RasterImage {
  const random = seeded(seed)
  const max = depth === 16 ? 65535 : 255
  const pixels = depth === 16 ? new Uint16Array(width * height * 3) : new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const ramp = x / (width - 1)
      for (let c = 0; c < 3; c++) {
        const wave = 0.5 + 0.35 * Math.sin(x / (7 + 5 * c) + c) * Math.cos(y / (11 + 2 * c) - c)
        const noise = (random() - 0.5) * 0.01
        const value = y < height / 4 ? ramp : wave + noise
        pixels[(y * width + x) * 3 + c] = Math.round(Math.min(1, Math.max(0, value)) * max)
      }
    }
  }
  return { width, height, channels: 3, depth, pixels }
}
