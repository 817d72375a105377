import { z } from 'zod'
import type { RrdbArch } from '../../shared/model.js'
import type { StateDict } from '../weights/tensor.js'
import { equaliseWeights } from './equalise.js'
import type { ChannelScales } from './equalise.js'
import { buildOnnx } from './graph.js'
import type { Range, Ranges, WeightBits } from './int8.js'

/** What an int8 graph of one blend needs: its channels' equalising factors and its activations' ranges. */
export interface Int8Plan {
  scales: ChannelScales
  ranges: Ranges
}

/** The quality bound (#14): 0.1 dB PSNR-Y at the faithful end, 1 level on average at the realistic end. */
export const INT8_BOUND = { faithfulDeltaDb: -0.1, realisticMeanAbsLevels: 1 } as const

const sha = z.string().regex(/^[0-9a-f]{64}$/)
const finite = z.number().finite()
const range = z.tuple([finite.max(0), finite.min(0)])
const measuredSchema = z.object({
  set: z.string(),
  faithfulDeltaDb: finite,
  realisticMeanAbsLevels: finite,
  /** At the default realism, 0.5 (a grid point), and at 0.55 (between two). */
  defaultMeanAbsLevels: finite,
  betweenGridMeanAbsLevels: finite,
})
const point = z.object({
  realism: z.number().min(0).max(1),
  scales: z.record(z.string(), z.array(finite.positive())),
  ranges: z.record(z.string(), range),
})

/**
 * A pair's int8 calibration, made once by `npm run calibrate:int8` from training photos (which cannot ship;
 * these statistics of them can, as the weights do) at a grid of realisms, with the bound measured on Set14.
 */
export const int8CalibrationSchema = z.object({
  format: z.literal('enhance-int8/1'),
  faithful: sha,
  realistic: sha,
  calibration: z.string(),
  /**
   * The bound as measured with int8 weights (absent where the calibrating CPU's int8 kernels saturate, so they
   * could not be measured), and (files made since) with 7-bit ones.
   */
  measured: measuredSchema.optional(),
  measuredInt7: measuredSchema.optional(),
  grid: z.array(point).min(2),
})
export type Int8Calibration = z.infer<typeof int8CalibrationSchema>
export type Int8Measured = z.infer<typeof measuredSchema>

/** The figures measured with `bits` weights, if they were. */
export function measuredWith(calibration: Int8Calibration, bits: WeightBits): Int8Measured | undefined {
  return bits === 'int8' ? calibration.measured : calibration.measuredInt7
}

/** Whether the figures measured with `bits` weights keep the bound, so `auto` may choose them. */
export function withinBound(calibration: Int8Calibration, bits: WeightBits): boolean {
  const measured = measuredWith(calibration, bits)
  return (
    measured !== undefined &&
    measured.faithfulDeltaDb >= INT8_BOUND.faithfulDeltaDb &&
    measured.realisticMeanAbsLevels <= INT8_BOUND.realisticMeanAbsLevels
  )
}

/**
 * The widest weights, no wider than `widest` (what this CPU's kernels sum exactly), whose measured figures keep
 * the bound; null where none do. 7-bit weights run exactly wherever 8-bit ones do, so a calibration made on a
 * CPU that could measure only them still serves one that computes 8-bit weights exactly.
 */
export function boundedWeights(calibration: Int8Calibration, widest: WeightBits): WeightBits | null {
  const candidates: WeightBits[] = widest === 'int8' ? ['int8', 'int7'] : ['int7']
  return candidates.find((bits) => withinBound(calibration, bits)) ?? null
}

const lerp = (a: number, b: number, t: number): number => a + (b - a) * t

/**
 * The plan at any realism between two grid points: ranges interpolated linearly, factors geometrically
 * (any positive factors keep the function exact; only how well int8 fits varies, and it is measured between
 * grid points by the calibration command).
 */
export function planAt(calibration: Int8Calibration, realism: number): Int8Plan {
  const grid = [...calibration.grid].sort((a, b) => a.realism - b.realism)
  let i = 0
  while (i < grid.length - 2 && grid[i + 1]!.realism <= realism) i++
  const [lo, hi] = [grid[i]!, grid[i + 1]!]
  const t = Math.min(1, Math.max(0, (realism - lo.realism) / (hi.realism - lo.realism || 1)))
  const scales = new Map(
    Object.entries(lo.scales).map(([conv, a]) => {
      const b = hi.scales[conv] ?? a
      return [conv, Float32Array.from(a, (v, c) => Math.exp(lerp(Math.log(v), Math.log(b[c] ?? v), t)))]
    }),
  )
  const ranges = new Map(
    Object.entries(lo.ranges).map(([key, a]): [string, Range] => {
      const b = hi.ranges[key] ?? a
      return [key, [lerp(a[0], b[0], t), lerp(a[1], b[1], t)]]
    }),
  )
  return { scales, ranges }
}

/** The int8 ONNX graph of RRDBNet weights: channels equalised, then the dense blocks quantised. */
export function int8Onnx(arch: RrdbArch, weights: StateDict, plan: Int8Plan, bits: WeightBits): Uint8Array {
  return buildOnnx(arch, equaliseWeights(weights, arch, plan.scales), {
    ranges: plan.ranges,
    precision: 'int8',
    weights: bits,
  })
}
