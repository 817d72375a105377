import type { WeightBits } from '../onnx/int8.js'
import { int8Probe } from '../onnx/int8-probe.js'
import { openSession } from './session.js'

/**
 * Whether ONNX Runtime's CPU kernels compute `bits` weights exactly on this machine, measured: one int8
 * convolution at the extremes of its ranges against exact arithmetic. On x86-64 without VNNI the u8×s8 kernels
 * add pairs of products into 16 bits and saturate with int8 weights (ONNX Runtime's quantisation guide; on an
 * AVX2 EPYC 8,579 of 9,216 outputs of the int8 fixture network moved, by up to 80 levels) but not with 7-bit
 * ones; Arm and VNNI/AMX sum in 32 bits. Measured rather than read from CPU flags, which Node can read on
 * Linux only.
 */
export async function kernelsExact(bits: WeightBits): Promise<boolean> {
  const probe = int8Probe(bits)
  const session = await openSession(probe.model, 'cpu', 1, 'int8')
  try {
    const { data } = await session.run(probe.input, probe.dims)
    return data.length === probe.exact.length && data.every((v, i) => v === probe.exact[i])
  } finally {
    await session.release()
  }
}

async function widestExact(): Promise<WeightBits | null> {
  for (const bits of ['int8', 'int7'] as const) if (await kernelsExact(bits)) return bits
  return null
}

let measured: Promise<WeightBits | null> | undefined

/**
 * The widest weights this CPU's int8 kernels compute exactly (int8, else int7), or null where neither does
 * or the probe cannot run; measured once per process (a few milliseconds).
 */
export function exactInt8Weights(): Promise<WeightBits | null> {
  measured ??= widestExact().catch(() => null)
  return measured
}
