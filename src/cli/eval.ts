import { readdir } from 'node:fs/promises'
import { isFolder } from '../node/file-access.js'
import { join } from 'node:path'
import { ModelRegistry } from '../engine/registry.js'
import { modelTiling } from '../engine/tiling/plan.js'
import { decodeImage } from '../engine/image/decode.js'
import type { RasterImage } from '../engine/image/types.js'
import { colourShift, edgeChromaError, gridStepRatio } from '../engine/metrics/artefacts.js'
import { imresize } from '../engine/metrics/imresize.js'
import type { Plane } from '../engine/metrics/imresize.js'
import { niqe } from '../engine/metrics/niqe.js'
import type { NiqeModel } from '../engine/metrics/niqe.js'
import { lumaOf, psnr, shave, ssim } from '../engine/metrics/quality.js'
import type { DeviceRequest } from '../engine/runtime/providers.js'
import { colourHoldOf, upscaleRaster } from '../engine/upscale.js'
import { EnhanceError } from '../shared/errors.js'
import type { PrecisionChoice } from '../shared/model.js'
import type { ModelSpecData } from '../shared/protocol.js'

const SHAVE = 4
/** JPEG's 8-px blocks, after ×4. */
const BLOCK_GRID = 32

export interface Scores {
  psnr: number
  ssim: number
  /** Perceptual quality (lower is better), when the NIQE pristine model is available. */
  niqe?: number
  /** Mean R, G, B of the output minus the HR's, in 8-bit levels: a colour cast. */
  colour: [number, number, number]
  /** Luma steps across the 32-px grid over steps elsewhere (1 = no visible JPEG blocks). */
  grid: number
  /** Mean Cb/Cr error in levels along the HR's strongest edges: coloured fringes. */
  fringe: number
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

/** The HR photo as every score reads it, prepared once per photo: 8-bit pixels and their luma, whole and shaved. */
interface Reference {
  pixels: Uint8Array
  channels: number
  luma: Plane
  shaved: Plane
}

function referenceOf(hr: RasterImage): Reference {
  const pixels = to8bit(hr)
  const luma = lumaOf(pixels, hr.width, hr.height, hr.channels)
  return { pixels, channels: hr.channels, luma, shaved: shave(luma, SHAVE) }
}

function yScores(sr: Uint8Array, srChannels: number, reference: Reference, niqeModel?: NiqeModel): Scores {
  const luma = lumaOf(sr, reference.luma.width, reference.luma.height, srChannels)
  const a = shave(luma, SHAVE)
  const b = reference.shaved
  const scores: Scores = {
    psnr: psnr(a, b),
    ssim: ssim(a, b),
    colour: colourShift(sr, srChannels, reference.pixels, reference.channels),
    grid: gridStepRatio(luma, BLOCK_GRID),
    fringe: edgeChromaError(sr, srChannels, reference.pixels, reference.channels, reference.luma, SHAVE),
  }
  if (niqeModel) scores.niqe = niqe({ ...a, data: a.data.map(Math.round) }, niqeModel)
  return scores
}

/** Crops to the HR size; models of scale 4 on an LR made from a mod-4 HR give exactly that size. */
function matchSize(image: RasterImage, width: number, height: number): RasterImage {
  if (image.width === width && image.height === height) return image
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    `The model output is ${image.width}×${image.height} but HR is ${width}×${height}.`,
  )
}

export interface EvalOptions {
  device: DeviceRequest
  /** Scores the model itself in float32 unless asked otherwise (`--precision int8` scores the int8 path). */
  precision?: PrecisionChoice
  niqe?: NiqeModel
  /** Skip the bicubic baseline (the α sweep computes it once). */
  bicubic?: boolean
}

export async function evaluateDataset(
  dir: string,
  spec: ModelSpecData,
  options: EvalOptions,
): Promise<ImageScores[]> {
  const names = (await readdir(join(dir, 'HR')).catch(() => []))
    .filter((n) => /\.(png|bmp|jpg|tif)$/i.test(n))
    .sort()
  if (names.length === 0)
    throw new EnhanceError(
      'FILE_NOT_FOUND',
      `${dir} has no HR/ images (expected HR/ and LR_bicubic_x4/ or LR_x4/).`,
    )
  const lrDir = await lowResolutionFolder(dir)
  const registry = new ModelRegistry({ device: options.device, precision: options.precision ?? 'fp32' })
  try {
    const { session, info } = await registry.prepare(spec)
    const results: ImageScores[] = []
    for (const name of names) {
      const hr = (await decodeImage(join(dir, 'HR', name))).image
      const reference = referenceOf(hr)
      const { image: lr, meta } = await decodeImage(join(lrDir, name))
      // As a file is enhanced: a photo with no colour comes out grey (`enhance-file.ts`).
      const sr = matchSize(
        await upscaleRaster(lr, session, {
          ...modelTiling(info),
          tile: 256,
          transparency: 'lanczos',
          colourless: meta.colourless ?? false,
          colourHold: colourHoldOf(spec),
        }),
        hr.width,
        hr.height,
      )
      const bicubic =
        options.bicubic === false
          ? {
              psnr: NaN,
              ssim: NaN,
              colour: [NaN, NaN, NaN] as [number, number, number],
              grid: NaN,
              fringe: NaN,
            }
          : yScores(bicubicUpscale(lr, 4), 3, reference, options.niqe)
      results.push({ image: name, model: yScores(to8bit(sr), sr.channels, reference, options.niqe), bicubic })
    }
    return results
  } finally {
    await registry.close()
  }
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}

/** The LR images: `LR_x4/` in the real-world benchmark (not bicubic), `LR_bicubic_x4/` in the classic sets. */
async function lowResolutionFolder(dir: string): Promise<string> {
  const realWorld = join(dir, 'LR_x4')
  return (await isFolder(realWorld)) ? realWorld : join(dir, 'LR_bicubic_x4')
}

export function averageOf(results: ImageScores[], key: 'model' | 'bicubic'): Scores {
  const scores = results.map((r) => r[key])
  const average: Scores = {
    psnr: mean(scores.map((s) => s.psnr)),
    ssim: mean(scores.map((s) => s.ssim)),
    colour: [0, 1, 2].map((c) => mean(scores.map((s) => s.colour[c]!))) as [number, number, number],
    grid: mean(scores.map((s) => s.grid)),
    fringe: mean(scores.map((s) => s.fringe)),
  }
  if (scores.every((s) => s.niqe !== undefined)) average.niqe = mean(scores.map((s) => s.niqe!))
  return average
}

const cell = (s: Scores): string =>
  `${s.psnr.toFixed(2).padStart(7)} ${s.ssim.toFixed(4)} ${s.niqe === undefined ? '      ' : s.niqe.toFixed(3).padStart(6)}` +
  ` ${s.colour.map((v) => v.toFixed(1).padStart(5)).join('')} ${s.grid.toFixed(3)} ${s.fringe.toFixed(2).padStart(6)}`

export interface EvalCommandOptions extends EvalOptions {
  json: boolean
  alphaSweep: boolean
}

async function sweep(
  dir: string,
  spec: ModelSpecData,
  options: EvalCommandOptions,
  write: (line: string) => void,
): Promise<void> {
  if (!spec.blend)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      '--alpha-sweep needs a model pair: the bundled default, or --model with --blend.',
    )
  const rows: Array<{ alpha: number; average: Scores }> = []
  let bicubic: Scores | null = null
  for (const alpha of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
    const results = await evaluateDataset(
      dir,
      { ...spec, blend: { ...spec.blend, realism: alpha } },
      { ...options, bicubic: bicubic === null },
    )
    bicubic ??= averageOf(results, 'bicubic')
    rows.push({ alpha, average: averageOf(results, 'model') })
  }
  if (options.json) return write(JSON.stringify({ dataset: dir, model: spec, sweep: rows, bicubic }))
  write(`alpha   PSNR-Y   SSIM    NIQE    ΔR   ΔG   ΔB  grid fringe`)
  for (const row of rows) write(`${row.alpha.toFixed(1).padEnd(5)} ${cell(row.average)}`)
  write(`bicubic ${cell(bicubic!)}`)
}

export async function evalCommand(
  dir: string,
  spec: ModelSpecData,
  options: EvalCommandOptions,
  write: (line: string) => void,
): Promise<void> {
  if (options.alphaSweep) return sweep(dir, spec, options, write)
  const results = await evaluateDataset(dir, spec, options)
  const average = { model: averageOf(results, 'model'), bicubic: averageOf(results, 'bicubic') }
  if (options.json) return write(JSON.stringify({ dataset: dir, model: spec, images: results, average }))
  write(
    `image        model: PSNR-Y   SSIM    NIQE    ΔR   ΔG   ΔB  grid fringe   bicubic: PSNR-Y   SSIM    NIQE    ΔR   ΔG   ΔB  grid fringe`,
  )
  for (const r of results) write(`${r.image.padEnd(18)} ${cell(r.model)}          ${cell(r.bicubic)}`)
  write(`${'average'.padEnd(18)} ${cell(average.model)}          ${cell(average.bicubic)}`)
}
