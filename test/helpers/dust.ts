import sharp from 'sharp'
import type { RasterImage } from '../../src/engine/image/types.js'
import { seeded } from './seeded.js'

/** A speck laid on a photo: its centre, radius and colour (one grey level, 0–255). */
export interface LaidSpeck {
  x: number
  y: number
  radius: number
  level: number
}

/** Pixels per inch of the synthetic scans: a 6×4" print at 600 dpi. */
export const SCAN_DPI = 600

/** A smooth scene, as much of a print is (sky, a wall, skin): a gentle two-way gradient with grain (σ 3). */
export function smoothScene(width: number, height: number, seed = 1, channels: 3 | 4 = 3): RasterImage {
  const random = seeded(seed)
  const pixels = new Uint8Array(width * height * channels)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * channels
      const grain = (random() + random() + random() - 1.5) * 6
      const base = [70 + (110 * x) / width, 150 - (60 * y) / height, 120]
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(base[c]! + grain)
      if (channels === 4) pixels[at + 3] = 255
    }
  return { width, height, channels, depth: 8, pixels }
}

/**
 * A photo as a scan of its print is: enlarged ×`scale` (Lanczos) and given film grain and the scanner's noise
 * (Gaussian, σ `grain` levels, seeded), 8-bit RGB.
 */
export async function scanLike(
  image: RasterImage,
  scale: number,
  grain: number,
  seed: number,
): Promise<RasterImage> {
  const { data, info } = await sharp(image.pixels, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .removeAlpha()
    .resize(image.width * scale, image.height * scale, { kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  const random = seeded(seed)
  const pixels = new Uint8Array(data.length)
  for (let i = 0; i < data.length; i += 3) {
    const shared = gaussian(random) * grain // grain is mostly in the luma
    for (let c = 0; c < 3; c++)
      pixels[i + c] = clampByte(data[i + c]! + shared + gaussian(random) * grain * 0.3)
  }
  return { width: info.width, height: info.height, channels: 3, depth: 8, pixels }
}

/**
 * `count` specks of dust, seeded: soft discs up to `largest` px across with their soft edge (radius 0.6 to
 * `largest`/2 − 1), light (dust lit by the scanner) or dark (dirt), opaque at the core, fading over the last pixel;
 * a speck closer than `apart` px to one laid before is not laid.
 */
export function dusted(
  image: RasterImage,
  count: number,
  largest: number,
  seed: number,
  apart = 0,
): { image: RasterImage; specks: LaidSpeck[] } {
  const random = seeded(seed)
  const between = (low: number, high: number): number => low + (high - low) * random()
  const pixels = image.pixels.slice()
  const specks: LaidSpeck[] = []
  for (let n = 0; n < count; n++) {
    const radius = between(0.6, largest / 2 - 1)
    const speck = {
      x: between(radius + 2, image.width - radius - 2),
      y: between(radius + 2, image.height - radius - 2),
      radius,
      level: random() < 0.6 ? between(225, 255) : between(5, 40),
    }
    if (specks.some((other) => Math.hypot(other.x - speck.x, other.y - speck.y) < apart)) continue
    specks.push(speck)
    forDisc(speck, 1, image, (at, distance) => {
      const cover = Math.min(1, Math.max(0, speck.radius + 0.5 - distance))
      for (let c = 0; c < 3; c++)
        pixels[at + c] = Math.round(pixels[at + c]! * (1 - cover) + speck.level * cover)
    })
  }
  return { image: { ...image, pixels }, specks }
}

/** Calls `visit` with the index and distance from the centre of each pixel within `speck`'s radius + `margin`. */
export function forDisc(
  speck: LaidSpeck,
  margin: number,
  image: RasterImage,
  visit: (at: number, distance: number) => void,
): void {
  const reach = speck.radius + margin
  for (let y = Math.floor(speck.y - reach); y <= Math.ceil(speck.y + reach); y++)
    for (let x = Math.floor(speck.x - reach); x <= Math.ceil(speck.x + reach); x++) {
      if (x < 0 || y < 0 || x >= image.width || y >= image.height) continue
      const distance = Math.hypot(x + 0.5 - speck.x, y + 0.5 - speck.y)
      if (distance <= reach) visit((y * image.width + x) * image.channels, distance)
    }
}

/** The mean absolute difference of `a` from `clean` over `speck`'s disc, all channels. */
export function speckError(a: RasterImage, clean: RasterImage, speck: LaidSpeck): number {
  let sum = 0
  let n = 0
  forDisc(speck, 0.5, clean, (at) => {
    for (let c = 0; c < 3; c++) sum += Math.abs(a.pixels[at + c]! - clean.pixels[at + c]!)
    n += 3
  })
  return n ? sum / n : 0
}

/** The pixels (indices) where `a` and `b` differ, in any channel. */
export function changedPixels(a: RasterImage, b: RasterImage): number[] {
  const changed: number[] = []
  for (let i = 0; i < a.width * a.height; i++)
    for (let c = 0; c < a.channels; c++)
      if (a.pixels[i * a.channels + c] !== b.pixels[i * b.channels + c]) {
        changed.push(i)
        break
      }
  return changed
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

const clampByte = (v: number): number => Math.min(255, Math.max(0, Math.round(v)))
