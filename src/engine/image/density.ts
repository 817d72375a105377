/**
 * A photo's pixels per inch in its output: libvips gives pixels that come in raw 1 pixel per millimetre
 * (25.4 ppi), so a 600 ppi scan's TIFF or PNG opened in an editor as a print 24 times too large, and a JPEG
 * said none. The input's density is kept, as editors keep it when they enlarge (a larger print), and where
 * the photo says none, the usual 72.
 */
import type { OutputFormat } from '../../shared/formats.js'
import { afterJfif, firstPngChunk, pngChunk } from './exif.js'

export const DEFAULT_DENSITY = 72

const INCHES_PER_METRE = 1 / 0.0254

/** A PNG with its pHYs chunk saying `density` pixels per inch, in place of libvips' own or before the first IDAT. */
function withPngDensity(png: Uint8Array, density: number): Uint8Array {
  const perMetre = Math.round(density * INCHES_PER_METRE)
  const data = new Uint8Array(9)
  const view = new DataView(data.buffer)
  view.setUint32(0, perMetre)
  view.setUint32(4, perMetre)
  data[8] = 1 // the unit: the metre
  const chunk = pngChunk('pHYs', data)
  const place = firstPngChunk(png, ['pHYs', 'IDAT'])
  if (!place) return png
  const after = place.type === 'pHYs' ? place.at + place.size : place.at
  return Buffer.concat([png.subarray(0, place.at), chunk, png.subarray(after)])
}

/**
 * A JPEG that says `density` pixels per inch in a JFIF segment, first after SOI: libvips writes none, and
 * where the photo had no EXIF to carry its density, the output said nothing of it.
 */
function withJpegDensity(jpeg: Uint8Array, density: number): Uint8Array {
  if (afterJfif(jpeg) > 2) return jpeg
  const perInch = Math.min(0xffff, Math.max(1, Math.round(density)))
  const segment = new Uint8Array([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0])
  new DataView(segment.buffer).setUint16(12, perInch)
  new DataView(segment.buffer).setUint16(14, perInch)
  return Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)])
}

/** An encoded file saying `density` pixels per inch where libvips did not write it (TIFF's is `tiffDensity`). */
export function withDensity(file: Uint8Array, format: OutputFormat, density: number): Uint8Array {
  if (format === 'png') return withPngDensity(file, density)
  return format === 'jpeg' ? withJpegDensity(file, density) : file
}

/** Whether a format has no header of its own for pixels per inch (WebP, AVIF): EXIF says it there, or nothing. */
export function saysDensityInExif(format: OutputFormat): boolean {
  return format === 'webp' || format === 'avif'
}

/** sharp's TIFF options for `density` pixels per inch (it takes pixels per millimetre). */
export function tiffDensity(density: number): { xres: number; yres: number; resolutionUnit: 'inch' } {
  return { xres: density / 25.4, yres: density / 25.4, resolutionUnit: 'inch' }
}
