import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OUTPUT_SCALE, int8Probe } from '../../src/engine/onnx/int8-probe.js'
import { int8KernelsExact, measureInt8Exact } from '../../src/engine/runtime/int8-exact.js'
import { openSession } from '../../src/engine/runtime/session.js'

/** What the CPU's flags say (Linux only), the oracle the measurement must agree with. */
function linuxFlagsSayExact(): boolean | null {
  if (process.platform !== 'linux') return null
  if (process.arch === 'arm64') return true
  const flags = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('flags'))
    ?.split(':')[1]
    ?.trim()
    .split(/\s+/)
  return flags ? ['avx512_vnni', 'avx_vnni', 'amx_int8'].some((f) => flags.includes(f)) : null
}

describe('int8 kernel exactness, measured', () => {
  it("the probe's exact answer is the integer arithmetic of one 3×3 int8 convolution", () => {
    const { exact, dims } = int8Probe()
    const levels = [...exact.slice(0, 25)].map((v) => v / OUTPUT_SCALE)
    // 32 channels × 255 × 127 × (4 taps at corners, 6 on edges, 9 inside) / 65,536, rounded
    expect(levels.slice(0, 5)).toEqual([63, 95, 95, 95, 63])
    expect(levels.slice(5, 10)).toEqual([95, 142, 142, 142, 95])
    expect(exact.length).toBe(16 * 25)
    expect(dims).toEqual([1, 32, 5, 5])
  })

  it('ONNX Runtime lands on the exact answer or, where it saturates, far from it', async () => {
    const probe = int8Probe()
    const session = await openSession(probe.model, 'cpu', 1, 'int8')
    const { data } = await session.run(probe.input, probe.dims)
    await session.release()
    const steps = Math.max(...data.map((v, i) => Math.abs(v - probe.exact[i]!) / OUTPUT_SCALE))
    const exact = await measureInt8Exact()
    expect(exact).toBe(steps === 0)
    // pairs saturating at 32,767 instead of 64,770 leave about half the interior's 142 levels
    if (!exact) expect(steps).toBeGreaterThan(60)
  })

  it("agrees with the CPU's flags where they can be read, and is measured once per process", async () => {
    const oracle = linuxFlagsSayExact()
    const first = int8KernelsExact()
    expect(int8KernelsExact()).toBe(first)
    if (oracle !== null) expect(await first).toBe(oracle)
  })
})
