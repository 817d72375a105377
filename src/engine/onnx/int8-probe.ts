import { GraphBuilder, INPUT_NAME, OUTPUT_NAME, encodeGraph, int, ints, tensorInfo } from './builder.js'
import { ActivationQuantiser, WEIGHT_LEVELS } from './int8.js'
import type { WeightBits } from './int8.js'
import { DataType } from './proto.js'

// One of the network's int8 convolutions (3×3, 32 channels in, 16 out, per-channel weights, uint8
// activations) at the extreme of both ranges: every product is 255 × the largest weight (127 for int8), so a
// kernel that adds two of them into a saturating 16-bit lane (64,770 > 32,767) lands on about half the sum.
const IN_CHANNELS = 32
const OUT_CHANNELS = 16
const SIDE = 5
const ACTIVATION = 255
/** A full 3×3 window's exact sum lands at level 142 of 255 (int8); a power of two, so every float is exact. */
export const OUTPUT_SCALE = 2 ** 16

export interface Int8Probe {
  model: Uint8Array
  input: Float32Array
  dims: number[]
  /** What exact integer arithmetic gives, to compare the kernels' output with. */
  exact: Float32Array
}

function probeGraph(weight: number): Uint8Array {
  const g = new GraphBuilder('fp32')
  // uint8 over [0, 255] has scale 1 and over [0, 255 × 2^16] scale 2^16, both exact
  const q = new ActivationQuantiser(g, {
    ranges: new Map([
      ['probe:in', [0, ACTIVATION]],
      ['probe:out', [0, ACTIVATION * OUTPUT_SCALE]],
    ]),
  })
  const perChannel = (name: string, dataType: number, data: ArrayBufferView, dims: number[]) =>
    g.initializers.push({
      name,
      dims,
      dataType,
      rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    })
  perChannel('w.q', DataType.INT8, new Int8Array(OUT_CHANNELS * IN_CHANNELS * 9).fill(weight), [
    OUT_CHANNELS,
    IN_CHANNELS,
    3,
    3,
  ])
  perChannel('w.scale', DataType.FLOAT, new Float32Array(OUT_CHANNELS).fill(1), [OUT_CHANNELS])
  perChannel('w.zero', DataType.INT8, new Int8Array(OUT_CHANNELS), [OUT_CHANNELS])
  const weights = g.op('DequantizeLinear', ['w.q', 'w.scale', 'w.zero'], [int('axis', 0)])
  const conv = g.op(
    'Conv',
    [q.at(INPUT_NAME, 'probe:in'), weights],
    [ints('kernel_shape', [3, 3]), ints('pads', [1, 1, 1, 1]), ints('strides', [1, 1])],
  )
  g.nodes.push({
    opType: 'Identity',
    input: [q.at(conv, 'probe:out')],
    output: [OUTPUT_NAME],
    name: OUTPUT_NAME,
  })
  const tensor = (name: string, channels: number) =>
    tensorInfo(name, DataType.FLOAT, [1, channels, SIDE, SIDE])
  return encodeGraph('int8-probe', g, [tensor(INPUT_NAME, IN_CHANNELS)], [tensor(OUTPUT_NAME, OUT_CHANNELS)])
}

/** The exact output: each position's window taps inside the image, times the channels, times 255 × weight, requantised. */
function exactOutput(weight: number): Float32Array {
  const taps = (i: number) => (i === 0 || i === SIDE - 1 ? 2 : 3)
  const plane = Array.from({ length: SIDE * SIDE }, (_, p) => {
    const sum = taps(Math.floor(p / SIDE)) * taps(p % SIDE) * IN_CHANNELS * ACTIVATION * weight
    return Math.min(255, Math.round(sum / OUTPUT_SCALE)) * OUTPUT_SCALE
  })
  return Float32Array.from({ length: OUT_CHANNELS * SIDE * SIDE }, (_, i) => plane[i % (SIDE * SIDE)]!)
}

/** A one-convolution graph whose output shows whether this CPU's kernels sum `bits` weights exactly or saturate. */
export function int8Probe(bits: WeightBits): Int8Probe {
  const weight = WEIGHT_LEVELS[bits]
  return {
    model: probeGraph(weight),
    input: new Float32Array(IN_CHANNELS * SIDE * SIDE).fill(ACTIVATION),
    dims: [1, IN_CHANNELS, SIDE, SIDE],
    exact: exactOutput(weight),
  }
}
