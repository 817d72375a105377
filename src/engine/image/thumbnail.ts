import sharp from 'sharp'
import type { Sharp } from 'sharp'
import type { ThumbnailReply } from '../../shared/protocol.js'
import { DEFAULT_MAX_INPUT_PIXELS } from '../../shared/formats.js'
import {
  VIEW_FAIL_ON,
  checkReadableImage,
  decodeError,
  isLinearFloatGrey,
  linearGreyRaster,
  readThroughSystemDecoder,
  sharpOfRaster,
  withBmp,
} from './decode.js'

const OPTIONS = { limitInputPixels: DEFAULT_MAX_INPUT_PIXELS, failOn: VIEW_FAIL_ON }

/** A photo upright and shrunk to fit `maxSide` (never enlarged), as PNG, with its own upright size. */
export async function thumbnail(path: string, maxSide: number): Promise<ThumbnailReply> {
  if ((await checkReadableImage(path)) === 'bmp')
    return withBmp(path, OPTIONS.limitInputPixels, (image, raster) => shrink(image, path, maxSide, raster))
  const meta = await sharp(path, OPTIONS)
    .metadata()
    .catch((error: unknown) => Promise.reject(decodeError(path, error)))
  if (meta.compression === 'hevc')
    return readThroughSystemDecoder(
      path,
      meta,
      OPTIONS,
      (upright, decoded) => shrink(upright, path, maxSide, decoded),
      { purpose: 'thumbnail' },
    )
  if (isLinearFloatGrey(meta)) {
    const raster = await linearGreyRaster(sharp(path, OPTIONS).rotate())
    return shrink(sharpOfRaster(raster), path, maxSide, raster)
  }
  const turned = (meta.orientation ?? 1) >= 5
  const upright = { width: turned ? meta.height : meta.width, height: turned ? meta.width : meta.height }
  return shrink(sharp(path, OPTIONS).rotate(), path, maxSide, upright)
}

/** `image` (of the photo at `path`) shrunk to fit `maxSide`, as PNG, with the photo's `upright` size. */
async function shrink(
  image: Sharp,
  path: string,
  maxSide: number,
  upright: { width?: number; height?: number },
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
