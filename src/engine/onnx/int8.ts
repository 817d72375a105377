import { DataType } from './proto.js'
import { int } from './builder.js'
import type { GraphBuilder } from './builder.js'

/** An activation's calibrated range (min ≤ 0 ≤ max), from float32 runs over sample photos. */
export type Range = readonly [number, number]
/** Ranges by activation key: `<conv>:in` (its input), `<conv>:out` (before the activation), `<conv>:act` (after). */
export type Ranges = ReadonlyMap<string, Range>

/** uint8 scale and zero point covering `range` exactly at its ends, with 0 representable (ONNX's convention). */
export function activationParams([lo, hi]: Range): { scale: number; zeroPoint: number } {
  const min = Math.min(lo, 0)
  const max = Math.max(hi, 0)
  const scale = max > min ? (max - min) / 255 : 1
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-min / scale))) }
}

/** Symmetric per output channel: scale = max |w| / `levels` (127, or 63 for 7 bits) over each channel's weights. */
export function quantiseWeights(
  data: Float32Array,
  outChannels: number,
  levels = 127,
): { values: Int8Array; scales: Float32Array } {
  const per = data.length / outChannels
  const values = new Int8Array(data.length)
  const scales = new Float32Array(outChannels)
  for (let c = 0; c < outChannels; c++) {
    let max = 0
    for (let i = c * per; i < (c + 1) * per; i++) max = Math.max(max, Math.abs(data[i]!))
    const scale = max > 0 ? max / levels : 1
    scales[c] = scale
    for (let i = c * per; i < (c + 1) * per; i++) values[i] = Math.round(data[i]! / scale)
  }
  return { values, scales }
}

function bytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
}

/** What a graph does at each activation key: nothing, record it as an output (calibration), or quantise it. */
export interface ActivationPlan {
  ranges?: Ranges
  probe?: boolean
  /** The weights' precision (int8 when absent); the activations are uint8 either way. */
  weights?: WeightBits
}

/**
 * int8 weights, or 7-bit ones (max |w| ↦ 63) for x86-64 CPUs without VNNI, whose u8×s8 kernels add two
 * products into a saturating 16-bit lane: 2 × 255 × 63 = 32,130 always fits, 2 × 255 × 127 does not (ONNX
 * Runtime's `reduce_range`). They run the same kernels at the same speed, at half the weights' resolution.
 */
export type WeightBits = 'int8' | 'int7'
export const WEIGHT_LEVELS: Record<WeightBits, number> = { int8: 127, int7: 63 }

/**
 * Places QuantizeLinear → DequantizeLinear pairs where a plan has a range, in the QDQ form ONNX Runtime's
 * CPU provider fuses into int8 kernels (QLinearConv, QLinearConcat, QLinearLeakyRelu, uint8 Resize), or
 * records each keyed activation for calibration.
 */
export class ActivationQuantiser {
  /** Calibration outputs: key → the graph value. */
  readonly probes = new Map<string, string>()
  private readonly keyOf = new Map<string, string>()
  private readonly declared = new Set<string>()

  constructor(
    private readonly g: GraphBuilder,
    private readonly plan: ActivationPlan,
  ) {}

  /** The range key a value was quantised with, if it was. */
  keyOfValue(x: string): string | undefined {
    return this.keyOf.get(x)
  }

  range(key: string): Range | undefined {
    return this.plan.ranges?.get(key)
  }

  /** `x` through Q → DQ at `key`'s range; unchanged when the plan has none (or records it, when probing). */
  at(x: string, key: string): string {
    if (this.plan.probe) {
      if (!this.probes.has(key)) this.probes.set(key, x)
      return x
    }
    const range = this.range(key)
    if (!range) return x
    const name = key.replace(':', '.')
    if (!this.declared.has(name)) this.declareParams(name, range)
    const q = this.g.op('QuantizeLinear', [x, `${name}.scale`, `${name}.zero`])
    const y = this.g.op('DequantizeLinear', [q, `${name}.scale`, `${name}.zero`])
    this.keyOf.set(y, key)
    return y
  }

  /** `x` quantised unless it already is: a value keeps the one range it was given. */
  input(x: string, key: string): string {
    return this.keyOf.has(x) ? x : this.at(x, key)
  }

  private declareParams(name: string, range: Range): void {
    const { scale, zeroPoint } = activationParams(range)
    this.g.initializers.push({
      name: `${name}.scale`,
      dims: [],
      dataType: DataType.FLOAT,
      floatData: [scale],
    })
    this.g.initializers.push({
      name: `${name}.zero`,
      dims: [],
      dataType: DataType.UINT8,
      rawData: new Uint8Array([zeroPoint]),
    })
    this.declared.add(name)
  }

  /**
   * A convolution's weights as int8 per output channel and its bias as int32 at the input scale times each
   * weight scale: with the quantised input and output, what ONNX Runtime fuses into QLinearConv.
   */
  convWeights(
    name: string,
    weight: { shape: number[]; data: Float32Array },
    bias: Float32Array,
    input: Range,
  ) {
    const out = weight.shape[0]!
    const { values, scales } = quantiseWeights(weight.data, out, WEIGHT_LEVELS[this.plan.weights ?? 'int8'])
    const inputScale = activationParams(input).scale
    const biasScales = scales.map((s) => s * inputScale)
    const biasValues = Int32Array.from(bias, (b, c) => Math.round(b / biasScales[c]!))
    const add = (suffix: string, dims: number[], dataType: number, data: ArrayBufferView) =>
      this.g.initializers.push({ name: `${name}.${suffix}`, dims, dataType, rawData: bytes(data) })
    add('weight_q', weight.shape, DataType.INT8, values)
    add('weight_scale', [out], DataType.FLOAT, scales)
    add('weight_zero', [out], DataType.INT8, new Int8Array(out))
    add('bias_q', [out], DataType.INT32, biasValues)
    add('bias_scale', [out], DataType.FLOAT, biasScales)
    add('bias_zero', [out], DataType.INT32, new Int32Array(out))
    const axis = [int('axis', 0)]
    return {
      weight: this.g.op(
        'DequantizeLinear',
        [`${name}.weight_q`, `${name}.weight_scale`, `${name}.weight_zero`],
        axis,
      ),
      bias: this.g.op(
        'DequantizeLinear',
        [`${name}.bias_q`, `${name}.bias_scale`, `${name}.bias_zero`],
        axis,
      ),
    }
  }
}

/**
 * Convolutions left in float32: the first and the trunk's closing one feed the long skip straight to the
 * output, and are 1 % of the arithmetic. The last one's input is quantised and its output is quantised to
 * exactly the 8-bit image it becomes (range [0, 1], step 1/255: Q's saturation is the output's clamp).
 */
const FLOAT_KEYS = /^(conv_first|conv_body):|^conv_last:in$/
export const OUTPUT_RANGE: Range = [0, 1]

/** The min and max over `arrays`, widening `from` (0 is always inside: ONNX's uint8 convention). */
export function extent(arrays: Iterable<Float32Array>, from: Range = [0, 0]): Range {
  let [lo, hi] = from
  for (const data of arrays) {
    for (const v of data) {
      if (v < lo) lo = v
      else if (v > hi) hi = v
    }
  }
  return [lo, hi]
}

/** int8 ranges from calibration runs: each key's min and max over every probe output seen. */
export function calibratedRanges(runs: Iterable<ReadonlyMap<string, Float32Array>>): Map<string, Range> {
  const ranges = new Map<string, Range>()
  for (const run of runs) {
    for (const [key, data] of run) {
      if (FLOAT_KEYS.test(key) || key === 'conv_last:out') continue
      ranges.set(key, extent([data], ranges.get(key)))
    }
  }
  ranges.set('conv_last:out', OUTPUT_RANGE)
  return ranges
}
