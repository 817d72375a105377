/** What the int8 calibration command and the int8 benchmark share: photos as tensors, probes, scores. */
import ort from 'onnxruntime-node'
import sharp from 'sharp'
import { join } from 'node:path'
import type { LoadedModel } from '../src/engine/model.js'
import type { StateDict } from '../src/engine/weights/tensor.js'
import type { ModelInfo } from '../src/shared/model.js'
import { lumaOf, psnr, shave } from '../src/engine/metrics/quality.js'
import { buildOnnx, OUTPUT_NAME } from '../src/engine/onnx/graph.js'
import { calibratedRanges } from '../src/engine/onnx/int8.js'
import { int8Onnx, planAt } from '../src/engine/onnx/int8-plan.js'
import type { Int8Calibration } from '../src/engine/onnx/int8-plan.js'
import type { WeightBits } from '../src/engine/onnx/int8.js'
import { exactInt8Weights } from '../src/engine/runtime/int8-exact.js'
import type { ProbeRun } from '../src/engine/onnx/int8-calibration.js'
import { inferenceThreads } from '../src/node/cpu-threads.js'

export const SHARED = join(process.cwd(), '..', 'shared', 'datasets')
export const SET14 = join(SHARED, 'eval', 'Set14')
/** Pairs with int8 calibration: label, faithful model, realistic partner. */
export const PAIRS = [
  ['real-photo pair (default)', 'enhance-real-psnr-x4', 'enhance-real-gan-x4'],
  ['clean pair', 'enhance-psnr-x4', 'enhance-gan-x4'],
] as const

export interface Planar {
  data: Float32Array
  dims: number[]
  rgb: Buffer
}

/** A photo as NCHW floats: shrunk by `shrink` first (cubic), then its top-left `crop`² if asked. */
export async function readPlanar(path: string, crop?: number, shrink = 1): Promise<Planar> {
  let image = sharp(path)
  if (shrink > 1) {
    const { width = 0, height = 0 } = await image.metadata()
    const buffer = await image
      .resize(Math.round(width / shrink), Math.round(height / shrink), { kernel: 'cubic' })
      .png()
      .toBuffer()
    image = sharp(buffer)
  }
  if (crop) image = image.extract({ left: 0, top: 0, width: crop, height: crop })
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const n = info.width * info.height
  const planar = new Float32Array(3 * n)
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) planar[c * n + i] = data[i * 3 + c]! / 255
  return { data: planar, dims: [1, 3, info.height, info.width], rgb: data }
}

export function sessionOptions(profile?: string): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: inferenceThreads(),
    enableMemPattern: false,
    logSeverityLevel: 3,
    ...(profile ? { enableProfiling: true, profileFilePrefix: profile } : {}),
  }
}

export async function run(session: ort.InferenceSession, input: Planar): Promise<Float32Array> {
  const out = await session.run({ input: new ort.Tensor('float32', input.data, input.dims) })
  return out[OUTPUT_NAME]!.data as Float32Array
}

export function weightsOf(model: LoadedModel): {
  info: Extract<ModelInfo, { arch: 'RRDBNet' }>
  weights: StateDict
} {
  if (model.kind !== 'weights' || model.info.arch !== 'RRDBNet')
    throw new Error('int8 is built from RRDBNet weights')
  return { info: model.info, weights: model.weights }
}

/** Every probed activation of `weights` on each crop, with its dims. */
export async function probeRuns(model: LoadedModel, crops: Planar[]): Promise<ProbeRun[]> {
  const { info, weights } = weightsOf(model)
  const probe = await ort.InferenceSession.create(buildOnnx(info, weights, { probe: true }), sessionOptions())
  const runs: ProbeRun[] = []
  for (const crop of crops) {
    const out = await probe.run({ input: new ort.Tensor('float32', crop.data, crop.dims) })
    const keys = probe.outputNames.filter((n) => n !== OUTPUT_NAME)
    runs.push(new Map(keys.map((n) => [n, { data: out[n]!.data as Float32Array, dims: out[n]!.dims }])))
  }
  await probe.release()
  return runs
}

const toByte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255)

/**
 * PSNR-Y against the HR photo over their common top-left region with a 4-px border shaved, through the
 * metrics `enhance eval` uses.
 */
export function psnrY(sr: Float32Array, width: number, height: number, hr: Planar): number {
  const [, , hh, hw] = hr.dims as [number, number, number, number]
  const [w, h] = [Math.min(width, hw), Math.min(height, hh)]
  const plane = width * height
  const [ours, theirs] = [new Uint8Array(w * h * 3), new Uint8Array(w * h * 3)]
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        ours[(y * w + x) * 3 + c] = toByte(sr[c * plane + y * width + x]!)
        theirs[(y * w + x) * 3 + c] = hr.rgb[(y * hw + x) * 3 + c]!
      }
    }
  }
  return psnr(shave(lumaOf(ours, w, h, 3), 4), shave(lumaOf(theirs, w, h, 3), 4))
}

/** The mean absolute difference between two outputs as 8-bit images, in levels. */
export function meanAbsLevels(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs(toByte(a[i]!) - toByte(b[i]!))
  return sum / a.length
}

/**
 * The graphs the int8 benchmarks compare, for `model` (a blend at `realism`): float32, int8 as shipped (the
 * stored calibration's plan) and int8 everywhere (min/max ranges over `crops`, the tail too: outside the bound).
 */
export async function comparisonGraphs(
  model: LoadedModel,
  calibration: Int8Calibration,
  crops: Planar[],
  realism: number,
  bits: WeightBits,
): Promise<Record<string, Uint8Array>> {
  const { info, weights } = weightsOf(model)
  const minMax = calibratedRanges(
    (await probeRuns(model, crops)).map((r) => new Map([...r].map(([k, v]) => [k, v.data]))),
  )
  return {
    float32: buildOnnx(info, weights),
    [`int8 as shipped (${bits} weights)`]: int8Onnx(info, weights, planAt(calibration, realism), bits),
    'int8 everywhere': buildOnnx(info, weights, { ranges: minMax, weights: bits }),
  }
}

/** The weights this CPU's int8 kernels compute exactly, the only ones worth benchmarking. */
export async function benchWeights(): Promise<WeightBits> {
  const bits = await exactInt8Weights()
  if (!bits) throw new Error("this CPU's int8 kernels saturate even 7-bit weights: nothing to measure")
  return bits
}
