import type { Metadata, Sharp } from 'sharp'
import type { RasterImage } from './types.js'

/**
 * A greyscale photo of floating-point samples (a TIFF from an HDR or scientific program): linear light from 0 to
 * 1, as libvips takes colour ones (scRGB). libvips would read its grey as levels of 0–255 and make it black.
 */
export function isLinearFloatGrey(info: Partial<Pick<Metadata, 'depth' | 'channels'>>): boolean {
  return (info.depth === 'float' || info.depth === 'double') && (info.channels ?? 3) <= 2
}

/** Linear light, 0 to 1, as a 16-bit sRGB level (IEC 61966-2-1's curve). */
function srgbLevel(linear: number): number {
  const v = Math.min(1, Math.max(0, linear))
  return Math.round(65535 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055))
}

/** A linear float greyscale photo (`isLinearFloatGrey`) as 16-bit sRGB, grey in each channel, alpha kept. */
export async function linearGreyRaster(decoder: Sharp): Promise<RasterImage> {
  const { data, info } = await decoder.raw({ depth: 'float' }).toBuffer({ resolveWithObject: true })
  const values = new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4)
  const stride = info.channels
  const alpha = stride === 2 || stride === 4
  const channels = alpha ? 4 : 3
  const pixels = new Uint16Array(info.width * info.height * channels)
  for (let i = 0, at = 0; at < pixels.length; i += stride, at += channels) {
    const level = srgbLevel(values[i]!)
    pixels[at] = pixels[at + 1] = pixels[at + 2] = level
    if (alpha) pixels[at + 3] = Math.round(65535 * Math.min(1, Math.max(0, values[i + stride - 1]!)))
  }
  return { width: info.width, height: info.height, channels, depth: 16, pixels }
}
