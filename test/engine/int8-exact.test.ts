import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { OUTPUT_SCALE, int8Probe } from '../../src/engine/onnx/int8-probe.js'
import { exactInt8Weights, kernelsExact } from '../../src/engine/runtime/int8-exact.js'
import { openSession } from '../../src/engine/runtime/session.js'

/** What the CPU's flags say of int8 weights (Linux only), the oracle the measurement must agree with. */
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

async function levelsOff(bits: 'int8' | 'int7'): Promise<number> {
  const probe = int8Probe(bits)
  const session = await openSession(probe.model, 'cpu', 1, 'int8')
  const { data } = await session.run(probe.input, probe.dims)
  await session.release()
  return Math.max(...data.map((v, i) => Math.abs(v - probe.exact[i]!) / OUTPUT_SCALE))
}

describe('int8 kernel exactness, measured', () => {
  it("the probe's exact answer is the integer arithmetic of one 3×3 convolution", () => {
    // 32 channels × 255 × (127 or 63) × (4 taps at corners, 6 on edges, 9 inside) / 65,536, rounded
    const rows = (bits: 'int8' | 'int7') =>
      [...int8Probe(bits).exact.slice(0, 10)].map((v) => v / OUTPUT_SCALE)
    expect(rows('int8')).toEqual([63, 95, 95, 95, 63, 95, 142, 142, 142, 95])
    expect(rows('int7')).toEqual([31, 47, 47, 47, 31, 47, 71, 71, 71, 47])
    const { exact, dims } = int8Probe('int8')
    expect(exact.length).toBe(16 * 25)
    expect(dims).toEqual([1, 32, 5, 5])
  })

  it('ONNX Runtime lands on the exact answer or, where it saturates, far from it', async () => {
    const off = await levelsOff('int8')
    expect(await kernelsExact('int8')).toBe(off === 0)
    // pairs saturating at 32,767 instead of 64,770 leave about half the interior's 142 levels
    if (off > 0) expect(off).toBeGreaterThan(60)
  })

  it('computes 7-bit weights exactly on every CPU: two products of 255 × 63 fit a 16-bit lane', async () => {
    expect(await levelsOff('int7')).toBe(0)
    expect(await kernelsExact('int7')).toBe(true)
  })

  it("agrees with the CPU's flags where they can be read, and is measured once per process", async () => {
    const oracle = linuxFlagsSayExact()
    const first = exactInt8Weights()
    expect(exactInt8Weights()).toBe(first)
    if (oracle !== null) expect(await first).toBe(oracle ? 'int8' : 'int7')
  })
})
