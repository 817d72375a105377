import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Enhancer, TILE_PAD } from '../engine/enhance.js'
import { decodeImage } from '../engine/image/decode.js'
import type { RasterImage } from '../engine/image/types.js'
import { imresize } from '../engine/metrics/imresize.js'
import { lumaOf, psnr, shave, ssim } from '../engine/metrics/quality.js'
import type { DeviceRequest } from '../engine/runtime/providers.js'
import { upscaleRaster } from '../engine/upscale.js'
import { EnhanceError } from '../shared/errors.js'
import type { ModelSpecData } from '../shared/protocol.js'

const SHAVE = 4

export interface Scores {
  psnr: number
  ssim: number
}

export interface ImageScores {
  image: string
  model: Scores
  bicubic: Scores
}

function to8bit(image: RasterImage): Uint8Array {
  if (image.depth === 8) return image.pixels as Uint8Array
  return Uint8Array.from(image.pixels, (v) => Math.round(v / 257))
}

/** MATLAB bicubic ×scale of an 8-bit RGB raster, rounded back to 8 bits per channel. */
export function bicubicUpscale(image: RasterImage, scale: number): Uint8Array {
  const { width, height, channels } = image
  const pixels = to8bit(image)
  const out = new Uint8Array(width * scale * height * scale * 3)
  for (let c = 0; c < 3; c++) {
    const data = Float64Array.from({ length: width * height }, (_, i) => pixels[i * channels + c]!)
    const big = imresize({ width, height, data }, scale)
    for (let i = 0; i < big.data.length; i++)
      out[i * 3 + c] = Math.min(255, Math.max(0, Math.round(big.data[i]!)))
  }
  return out
}

export function yScores(sr: Uint8Array, srChannels: number, hr: RasterImage): Scores {
  const a = shave(lumaOf(sr, hr.width, hr.height, srChannels), SHAVE)
  const b = shave(lumaOf(to8bit(hr), hr.width, hr.height, hr.channels), SHAVE)
  return { psnr: psnr(a, b), ssim: ssim(a, b) }
}

/** Crops to the HR size; models of scale 4 on an LR made from a mod-4 HR give exactly that size. */
function matchSize(image: RasterImage, width: number, height: number): RasterImage {
  if (image.width === width && image.height === height) return image
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    `The model output is ${image.width}×${image.height} but HR is ${width}×${height}.`,
  )
}

export async function evaluateDataset(
  dir: string,
  spec: ModelSpecData,
  device: DeviceRequest,
): Promise<ImageScores[]> {
  const names = (await readdir(join(dir, 'HR')).catch(() => []))
    .filter((n) => /\.(png|bmp|jpg|tif)$/i.test(n))
    .sort()
  if (names.length === 0)
    throw new EnhanceError('FILE_NOT_FOUND', `${dir} has no HR/ images (expected HR/ and LR_bicubic_x4/).`)
  const enhancer = new Enhancer({ device })
  try {
    const { session, info } = await enhancer.prepare(spec)
    const results: ImageScores[] = []
    for (const name of names) {
      const hr = (await decodeImage(join(dir, 'HR', name))).image
      const lr = (await decodeImage(join(dir, 'LR_bicubic_x4', name))).image
      const sr = matchSize(
        await upscaleRaster(lr, session, { scale: info.scale, tile: 256, pad: TILE_PAD, alpha: 'lanczos' }),
        hr.width,
        hr.height,
      )
      results.push({
        image: name,
        model: yScores(to8bit(sr), sr.channels, hr),
        bicubic: yScores(bicubicUpscale(lr, 4), 3, hr),
      })
    }
    return results
  } finally {
    await enhancer.close()
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

export async function evalCommand(
  dir: string,
  spec: ModelSpecData,
  options: { json: boolean; device: DeviceRequest },
  write: (line: string) => void,
): Promise<void> {
  const results = await evaluateDataset(dir, spec, options.device)
  const average = {
    model: { psnr: mean(results.map((r) => r.model.psnr)), ssim: mean(results.map((r) => r.model.ssim)) },
    bicubic: {
      psnr: mean(results.map((r) => r.bicubic.psnr)),
      ssim: mean(results.map((r) => r.bicubic.ssim)),
    },
  }
  if (options.json) {
    write(JSON.stringify({ dataset: dir, model: spec, images: results, average }))
    return
  }
  write(`image            model PSNR-Y  SSIM    bicubic PSNR-Y  SSIM`)
  for (const r of results) {
    write(
      `${r.image.padEnd(16)} ${r.model.psnr.toFixed(2).padStart(12)}  ${r.model.ssim.toFixed(4)}  ${r.bicubic.psnr.toFixed(2).padStart(14)}  ${r.bicubic.ssim.toFixed(4)}`,
    )
  }
  write(
    `${'average'.padEnd(16)} ${average.model.psnr.toFixed(2).padStart(12)}  ${average.model.ssim.toFixed(4)}  ${average.bicubic.psnr.toFixed(2).padStart(14)}  ${average.bicubic.ssim.toFixed(4)}`,
  )
}
