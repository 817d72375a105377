import { EnhanceError } from '../shared/errors.js'
import type { ErrorCode } from '../shared/errors.js'
import type { ModelSession } from './runtime/session.js'

const PROBE_SIZE = 16

/** A small image with gradients and fine texture, so a working model cannot answer it with black. */
export function probeImage(channels: number, size = PROBE_SIZE): Float32Array {
  const plane = size * size
  const data = new Float32Array(channels * plane)
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const texture = (x + y + c) % 2 ? 0.1 : -0.1
        data[c * plane + y * size + x] = 0.2 + (0.5 * (x + y)) / (2 * size) + texture
      }
    }
  }
  return data
}

export type Degeneracy = 'not-finite' | 'black' | null

export function degeneracy(output: Float32Array): Degeneracy {
  let brightest = 0
  for (const v of output) {
    if (!Number.isFinite(v)) return 'not-finite'
    brightest = Math.max(brightest, v)
  }
  return brightest < 1 / 255 ? 'black' : null
}

/**
 * chaiNNer's interpolation sanity check, run on every model when its session is made: a blend of
 * two unrelated models can cancel out into black, a damaged model gives NaN, and an .onnx graph
 * may not do what its weights suggest. Refuse such a model before it ruins a batch.
 */
export async function assertUsableOutput(
  session: ModelSession,
  expected: { channels: number; scale: number },
  code: ErrorCode,
): Promise<void> {
  const { channels, scale } = expected
  const { data, dims } = await session.run(probeImage(channels), [1, channels, PROBE_SIZE, PROBE_SIZE])
  const side = PROBE_SIZE * scale
  if (dims.join('×') !== [1, 3, side, side].join('×')) {
    throw new EnhanceError(
      code,
      `This model turns a ${PROBE_SIZE}×${PROBE_SIZE} test image into ${dims.join('×')} instead of 1×3×${side}×${side}, ` +
        'so it is not the network it claims to be. It was not used; try another model file.',
    )
  }
  const problem = degeneracy(data)
  if (problem) {
    const what = problem === 'black' ? 'an all-black image' : 'invalid (NaN or infinite) pixels'
    const advice = code === 'DEGENERATE_MODEL' ? 'Try another model file.' : 'Try a different pair or amount.'
    throw new EnhanceError(code, `This model produces ${what} on a test image, so it was not used. ${advice}`)
  }
}
