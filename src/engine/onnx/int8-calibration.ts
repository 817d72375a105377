import type { RrdbArch } from '../../shared/model.js'
import { equalisableConvs, equalisingScales } from './equalise.js'
import { activationParams, extent } from './int8.js'
import type { Range } from './int8.js'

/** One calibration run's probed activations: each key's NCHW values and their dims. */
export type ProbeRun = ReadonlyMap<string, { data: Float32Array; dims: readonly number[] }>

/**
 * The part of RRDBNet that runs in int8: the dense blocks. The upsampling tail stays float32. Measured on
 * Set14 at α = 1 (real pair, `bench/int8.ts`): with the tail in int8 too the output moved 1.5–1.9 levels on
 * average from float32's, over the issue's bound of 1; with the tail in float32, under 1.
 */
export const INT8_KEYS = /^body\./

/** (widest / own)^0.5: measured against 0.3, 0.7 and 1 (full equalisation, worst) on Set14. */
export const EQUALISING_POWER = 0.5

/** Each channel's largest |value| of `key` over every run. */
export function channelAbsMax(runs: Iterable<ProbeRun>, key: string): Float64Array {
  let max: Float64Array | undefined
  for (const run of runs) {
    const probe = run.get(key)
    if (!probe) throw new Error(`the calibration runs have no ${key}`)
    const [, channels, h, w] = probe.dims as [number, number, number, number]
    max ??= new Float64Array(channels)
    const plane = h * w
    for (let c = 0; c < channels; c++) {
      let m = max[c]!
      for (let i = c * plane; i < (c + 1) * plane; i++) m = Math.max(m, Math.abs(probe.data[i]!))
      max[c] = m
    }
  }
  return max ?? new Float64Array()
}

/** Equalising factors for every dense-block convolution, from its activation's channel ranges. */
export function calibratedScales(runs: readonly ProbeRun[], arch: RrdbArch): Map<string, Float32Array> {
  return new Map(
    equalisableConvs(arch).map(({ conv }) => [
      conv,
      equalisingScales(channelAbsMax(runs, `${conv}:act`), EQUALISING_POWER),
    ]),
  )
}

/** The squared error uint8 quantisation at `range` makes of `samples` (clipping included). */
export function quantisationError(samples: Float32Array, range: Range): number {
  const { scale, zeroPoint } = activationParams(range)
  let error = 0
  for (const v of samples) {
    const q = Math.min(255, Math.max(0, Math.round(v / scale) + zeroPoint))
    const d = (q - zeroPoint) * scale - v
    error += d * d
  }
  return error
}

const HIGH_FRACTIONS = [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
const LOW_FRACTIONS = [1, 0.8, 0.6, 0.4]

/**
 * The range within [lo, hi] (an activation's min and max) that quantises `samples` of it with the least
 * squared error. Extremes rarer than about one in the sample's size seldom land in it, so they are
 * clipped: covering them spends the 256 levels where almost no values are (Set14, α = 1: 1.86 levels
 * from float32 with min/max, 1.73 with this).
 */
export function clippedRange(samples: Float32Array, [lo, hi]: Range): Range {
  let best: Range = [lo, hi]
  let bestError = Infinity
  for (const high of HIGH_FRACTIONS) {
    for (const low of LOW_FRACTIONS) {
      const range: Range = [lo * low, hi * high]
      const error = quantisationError(samples, range)
      if (error < bestError) [best, bestError] = [range, error]
    }
  }
  return best
}

const SAMPLES_PER_KEY = 20_000

/** Every int8 key's range over the runs: min and max, then `clippedRange` on an even sample of 20,000. */
export function calibratedTrunkRanges(runs: readonly ProbeRun[]): Map<string, Range> {
  const keys = [...(runs[0]?.keys() ?? [])].filter((key) => INT8_KEYS.test(key))
  const ranges = new Map<string, Range>()
  for (const key of keys) {
    const all = runs.map((run) => run.get(key)!.data)
    const total = all.reduce((n, d) => n + d.length, 0)
    const stride = Math.max(1, Math.floor(total / SAMPLES_PER_KEY))
    const samples: number[] = []
    for (const data of all) for (let i = 0; i < data.length; i += stride) samples.push(data[i]!)
    ranges.set(key, clippedRange(Float32Array.from(samples), extent(all)))
  }
  return ranges
}
