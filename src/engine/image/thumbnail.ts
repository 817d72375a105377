import sharp from 'sharp'
import type { ThumbnailReply } from '../../shared/protocol.js'
import { DEFAULT_MAX_INPUT_PIXELS } from '../../shared/formats.js'
import { VIEW_FAIL_ON, checkReadableImage, decodeError } from './decode.js'

/** A photo upright and shrunk to fit `maxSide` (never enlarged), as PNG, with its own upright size. */
export async function thumbnail(path: string, maxSide: number): Promise<ThumbnailReply> {
  await checkReadableImage(path)
  const image = sharp(path, { limitInputPixels: DEFAULT_MAX_INPUT_PIXELS, failOn: VIEW_FAIL_ON })
  const meta = await image.metadata().catch((error: unknown) => Promise.reject(decodeError(path, error)))
  const { data, info } = await image
    .rotate()
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer({ resolveWithObject: true })
    .catch((error: unknown) => Promise.reject(decodeError(path, error, meta.compression)))
  const turned = (meta.orientation ?? 1) >= 5
  return {
    png: data,
    width: info.width,
    height: info.height,
    originalWidth: (turned ? meta.height : meta.width) ?? info.width,
    originalHeight: (turned ? meta.width : meta.height) ?? info.height,
  }
}
