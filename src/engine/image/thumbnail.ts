import type { Sharp } from 'sharp'
import type { ThumbnailReply } from '../../shared/protocol.js'
import { DEFAULT_MAX_INPUT_PIXELS } from '../../shared/formats.js'
import { decodeError } from './read-errors.js'
import { withViewedPhoto } from './view-read.js'
import type { UprightSize } from './view-read.js'

/** A photo upright and shrunk to fit `maxSide` (never enlarged), as PNG, with its own upright size. */
export function thumbnail(path: string, maxSide: number): Promise<ThumbnailReply> {
  return withViewedPhoto(path, DEFAULT_MAX_INPUT_PIXELS, 'thumbnail', (image, upright) =>
    shrink(image, path, maxSide, upright),
  )
}

/** `image` (of the photo at `path`) shrunk to fit `maxSide`, as PNG, with the photo's `upright` size. */
async function shrink(
  image: Sharp,
  path: string,
  maxSide: number,
  upright: UprightSize,
): Promise<ThumbnailReply> {
  const { data, info } = await image
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => Promise.reject(decodeError(path, error)))
  return {
    png: data,
    width: info.width,
    height: info.height,
    originalWidth: upright.width ?? info.width,
    originalHeight: upright.height ?? info.height,
  }
}
