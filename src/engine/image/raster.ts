import sharp from 'sharp'
import type { Sharp } from 'sharp'
import type { RasterImage } from './types.js'

/**
 * sharp over a raster of our own (a BMP's, a linear float grey's, a model's output), to shrink, cut, resize or encode.
 * Its size was bounded before it was made, so libvips' guard for files (268 MP) is off: it refused a ×4 of any photo
 * over 16.8 MP once enhanced (`Input image exceeds pixel limit`).
 */
export function sharpOfRaster({ width, height, channels, pixels }: RasterImage): Sharp {
  return sharp(pixels, { raw: { width, height, channels }, limitInputPixels: false })
}

/** `decoder`'s pixels in sRGB, 16 bits per channel where the photo has more than 8, alpha kept. */
export async function rasterOf(decoder: Sharp, deep: boolean): Promise<RasterImage> {
  const { data, info: out } = await decoder
    .toColourspace(deep ? 'rgb16' : 'srgb')
    .raw({ depth: deep ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true })
  const pixels = deep
    ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength))
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const channels = out.channels === 4 ? 4 : 3
  return { width: out.width, height: out.height, channels, depth: deep ? 16 : 8, pixels }
}
