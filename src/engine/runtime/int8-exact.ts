import { int8Probe } from '../onnx/int8-probe.js'
import { openSession } from './session.js'

/**
 * Whether ONNX Runtime's CPU int8 kernels compute exactly on this machine, measured: one int8 convolution at
 * the extremes of its ranges, compared with exact arithmetic. On x86-64 without VNNI the u8×s8 kernels add
 * pairs of products into 16 bits and saturate (ONNX Runtime's quantisation guide; on an AVX2 EPYC 8,579 of
 * 9,216 outputs of the int8 fixture network moved, by up to 80 levels); Arm and VNNI/AMX sum in 32 bits.
 * Measured rather than read from CPU flags, which Node can read on Linux only.
 */
export async function measureInt8Exact(): Promise<boolean> {
  const probe = int8Probe()
  const session = await openSession(probe.model, 'cpu', 1, 'int8')
  try {
    const { data } = await session.run(probe.input, probe.dims)
    return data.length === probe.exact.length && data.every((v, i) => v === probe.exact[i])
  } finally {
    await session.release()
  }
}

let measured: Promise<boolean> | undefined

/** `measureInt8Exact`, once per process (a few milliseconds); a probe that fails to run counts as inexact. */
export function int8KernelsExact(): Promise<boolean> {
  measured ??= measureInt8Exact().catch(() => false)
  return measured
}
