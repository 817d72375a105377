import { rasterOf, sharpOfRaster } from './raster.js'
import { blankLike, maxValue } from './types.js'
import type { RasterImage } from './types.js'

/**
 * `image` made `width`×`height` (lanczos3) and centred on white in a raster of the `canvas`'s size, the odd pixel
 * of the margin right and below: a print's border. Made here, not by sharp's extend, which fills a 16-bit image
 * with 255 × 256 (65280: not white).
 */
export async function onWhite(
  image: RasterImage,
  width: number,
  height: number,
  canvas: { width: number; height: number },
): Promise<RasterImage> {
  const photo =
    image.width === width && image.height === height
      ? image
      : await rasterOf(
          sharpOfRaster(image).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }),
          image.depth === 16,
        )
  const out = blankLike(image, canvas.width, canvas.height)
  out.pixels.fill(maxValue(image.depth))
  const left = Math.floor((canvas.width - width) / 2)
  const top = Math.floor((canvas.height - height) / 2)
  const row = width * image.channels
  for (let y = 0; y < height; y++)
    out.pixels.set(
      photo.pixels.subarray(y * row, (y + 1) * row),
      ((top + y) * canvas.width + left) * image.channels,
    )
  return out
}
