import type { Region } from '../../shared/protocol.js'
import { cropRaster } from './crop.js'
import type { RasterImage } from './types.js'

/**
 * The part of a damaged photo that its file held: the photo less the bands of one exact colour along its edges,
 * which are the decoder's fill for what it could not read (grey for a JPEG cut short, black for a PNG; at the top
 * for a BMP stored bottom-up, at a side once EXIF turns the photo upright). A photo's own edge is seldom one exact
 * value across a whole line: noise and grain see to that (a flat letterbox bar is, and is counted as unread: it
 * only words a note and keeps a split from looking there). Bands are taken from the bottom, top, right and left in
 * turn, each of the colour of its outermost line.
 */
export function readArea(image: RasterImage): Region {
  const area: Region = { x: 0, y: 0, width: image.width, height: image.height }
  const rowFilled = (y: number): boolean => lineFilled(image, area.x, y, 1, 0, area.width)
  const columnFilled = (x: number): boolean => lineFilled(image, x, area.y, 0, 1, area.height)
  while (area.height > 0 && rowFilled(area.y + area.height - 1)) area.height--
  while (area.height > 0 && rowFilled(area.y)) {
    area.y++
    area.height--
  }
  while (area.width > 0 && columnFilled(area.x + area.width - 1)) area.width--
  while (area.width > 0 && columnFilled(area.x)) {
    area.x++
    area.width--
  }
  return area
}

/** `area`'s pixels: a view of the photo's where it spans the photo's width, else a copy. */
export function areaOf(image: RasterImage, area: Region): RasterImage {
  if (area.x > 0 || area.width < image.width) return cropRaster(image, area, 0).image
  const rowLength = image.width * image.channels
  const pixels = image.pixels.subarray(area.y * rowLength, (area.y + area.height) * rowLength)
  return { ...image, height: area.height, pixels }
}

/** The share of the photo outside `area`, in whole percent, and on which sides, in words ("bottom 15%"). */
export function unreadWords(image: RasterImage, area: Region): string | undefined {
  const sides = [
    area.y > 0 ? 'top' : '',
    area.y + area.height < image.height ? 'bottom' : '',
    area.x > 0 ? 'left' : '',
    area.x + area.width < image.width ? 'right' : '',
  ].filter(Boolean)
  if (sides.length === 0) return undefined
  const unread = 1 - (area.width * area.height) / (image.width * image.height)
  return `${sides.join(' and ')} ${Math.max(1, Math.round(unread * 100))}%`
}

/** Whether the `length` pixels from (x, y) stepping (dx, dy) are all the colour of the first, in every channel. */
function lineFilled(
  { width, channels, pixels }: RasterImage,
  x: number,
  y: number,
  dx: number,
  dy: number,
  length: number,
): boolean {
  if (length < 2) return false // one pixel is a colour, not a fill
  const first = (y * width + x) * channels
  const stride = (dy * width + dx) * channels
  for (let step = 1; step < length; step++) {
    const at = first + step * stride
    for (let channel = 0; channel < channels; channel++)
      if (pixels[at + channel] !== pixels[first + channel]) return false
  }
  return true
}
