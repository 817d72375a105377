import type { Sharp } from 'sharp'
import type { ThumbnailReply, ViewedFile } from '../../shared/protocol.js'
import { DEFAULT_MAX_INPUT_PIXELS, MAX_RESULT_PIXELS } from '../../shared/formats.js'
import { decodeError } from './read-errors.js'
import { withViewedPhoto } from './view-read.js'
import type { UprightSize } from './view-read.js'
import type { Facing } from '../../shared/turn.js'

/**
 * A photo (or a result: `of`, which may have 16 times the pixels) upright, facing as asked, and shrunk to fit
 * `maxSide` (never enlarged), as PNG, with its own size so facing.
 */
export function thumbnail(
  path: string,
  maxSide: number,
  of: ViewedFile = 'photo',
  facing?: Facing,
): Promise<ThumbnailReply> {
  const limit = of === 'result' ? MAX_RESULT_PIXELS : DEFAULT_MAX_INPUT_PIXELS
  const shrunk = (image: Sharp, upright: UprightSize) => shrink(image, path, maxSide, upright)
  return withViewedPhoto(path, limit, 'thumbnail', shrunk, facing)
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
