import { describe, expect, it } from 'vitest'
import { int8KernelsExact } from '../../src/node/int8-kernels.js'

describe('int8KernelsExact', () => {
  it('trusts VNNI, AMX and Arm, and nothing else on x86-64', () => {
    expect(int8KernelsExact('x64', ['sse2', 'avx2', 'fma'])).toBe(false) // AVX2 only: VPMADDUBSW saturates
    expect(int8KernelsExact('x64', ['avx2', 'avx512f', 'avx512bw'])).toBe(false) // AVX-512 without VNNI too
    expect(int8KernelsExact('x64', ['avx2', 'avx512f', 'avx512_vnni'])).toBe(true)
    expect(int8KernelsExact('x64', ['avx2', 'avx_vnni'])).toBe(true)
    expect(int8KernelsExact('x64', ['amx_int8'])).toBe(true)
    expect(int8KernelsExact('x64', ['avx512_vnnix'])).toBe(false) // whole flags only
    expect(int8KernelsExact('x64', null)).toBe(false) // flags unreadable (not Linux): assume the worst
    expect(int8KernelsExact('arm64', null)).toBe(true)
    expect(int8KernelsExact('ia32', ['avx512_vnni'])).toBe(false)
  })
})
