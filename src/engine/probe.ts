import { EnhanceError } from '../shared/errors.js'
import type { ErrorCode } from '../shared/errors.js'
import type { ModelSession } from './runtime/session.js'

const PROBE_SIZE = 16

/** A small image with gradients and fine texture, so a working model cannot answer it with black. */
export function probeImage(channels: number): Float32Array {
  const plane = PROBE_SIZE * PROBE_SIZE
  const data = new Float32Array(channels * plane)
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < PROBE_SIZE; y++) {
      for (let x = 0; x < PROBE_SIZE; x++) {
        const texture = (x + y + c) % 2 ? 0.1 : -0.1
        data[c * plane + y * PROBE_SIZE + x] = 0.2 + (0.5 * (x + y)) / (2 * PROBE_SIZE) + texture
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
 * chaiNNer's interpolation sanity check: a blend of two unrelated models can cancel out into
 * an all-black or NaN image. Run a probe and refuse such a model before it ruins a batch.
 */
export async function assertUsableOutput(
  session: ModelSession,
  channels: number,
  code: ErrorCode,
): Promise<void> {
  const { data } = await session.run(probeImage(channels), [1, channels, PROBE_SIZE, PROBE_SIZE])
  const problem = degeneracy(data)
  if (problem) {
    const what = problem === 'black' ? 'an all-black image' : 'invalid (NaN or infinite) pixels'
    throw new EnhanceError(
      code,
      `This model produces ${what} on a test image, so it was not used. Try a different pair or amount.`,
    )
  }
}
