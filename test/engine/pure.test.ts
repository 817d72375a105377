import { describe, expect, it } from 'vitest'
import { degeneracy } from '../../src/engine/probe.js'
import { blend } from '../../src/engine/interpolate.js'
import { floatToHalf } from '../../src/engine/onnx/fp16.js'
import { deviceOffers, providersFor } from '../../src/engine/runtime/providers.js'
import { SessionCache } from '../../src/engine/runtime/cache.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import { bfloat16ToFloat, gatherStrided, halfToFloat } from '../../src/engine/weights/tensor.js'
import type { StateDict } from '../../src/engine/weights/tensor.js'
import { codeOf } from '../helpers/errors.js'

describe('half precision', () => {
  it('every finite half value survives float → half → float exactly', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = halfToFloat(bits)
      if (Number.isNaN(value)) continue
      expect(floatToHalf(value)).toBe(bits)
    }
  })

  it('rounds to nearest even and saturates to infinity', () => {
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1) // tie → even
    expect(halfToFloat(floatToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9)
    expect(halfToFloat(floatToHalf(70000))).toBe(Infinity)
    expect(halfToFloat(floatToHalf(2 ** -25 * 1.5))).toBe(2 ** -24) // subnormal
  })

  it('bfloat16 is the top half of a float32', () => {
    expect(bfloat16ToFloat(0x3f80)).toBe(1)
    expect(bfloat16ToFloat(0xc000)).toBe(-2)
  })
})

describe('strided views', () => {
  it('gathers a transposed view', () => {
    const storage = Float32Array.from([0, 1, 2, 3, 4, 5])
    expect([...gatherStrided(storage, 0, [3, 2], [1, 3])]).toEqual([0, 3, 1, 4, 2, 5])
  })

  it('honours the storage offset', () => {
    const storage = Float32Array.from([9, 9, 1, 2, 3, 4])
    expect([...gatherStrided(storage, 2, [2, 2], [2, 1])]).toEqual([1, 2, 3, 4])
  })

  it('refuses a view that reaches outside its storage', async () => {
    expect(await codeOf(() => gatherStrided(new Float32Array(4), 2, [2, 2], [2, 1]))).toBe(
      'CORRUPT_CHECKPOINT',
    )
  })
})

function dict(entries: Record<string, number[]>): StateDict {
  return new Map(
    Object.entries(entries).map(([k, v]) => [
      k,
      { shape: [v.length], data: Float32Array.from(v), stored: 'float32' },
    ]),
  )
}

describe('blend', () => {
  it('is (1 − α)·a + α·b', () => {
    const out = blend(dict({ w: [0, 10] }), dict({ w: [10, 20] }), 0.25)
    expect([...out.get('w')!.data]).toEqual([2.5, 12.5])
  })

  it('refuses different keys, different shapes and α outside [0, 1]', async () => {
    expect(await codeOf(() => blend(dict({ w: [1] }), dict({ v: [1] }), 0.5))).toBe('INCOMPATIBLE_MODELS')
    expect(await codeOf(() => blend(dict({ w: [1] }), dict({ w: [1, 2] }), 0.5))).toBe('INCOMPATIBLE_MODELS')
    expect(await codeOf(() => blend(dict({ w: [1] }), dict({ w: [1], v: [2] }), 0.5))).toBe(
      'INCOMPATIBLE_MODELS',
    )
    expect(await codeOf(() => blend(dict({ w: [1] }), dict({ w: [1] }), 1.5))).toBe('INVALID_ARGUMENT')
    expect(await codeOf(() => blend(dict({ w: [1] }), dict({ w: [1] }), NaN))).toBe('INVALID_ARGUMENT')
  })
})

describe('degenerate outputs', () => {
  it('detects black and NaN images and passes normal ones', () => {
    expect(degeneracy(new Float32Array(12).fill(-0.3))).toBe('black')
    expect(degeneracy(Float32Array.from([0.5, NaN]))).toBe('not-finite')
    expect(degeneracy(Float32Array.from([0, 0.2, 0.9]))).toBeNull()
  })
})

describe('execution providers', () => {
  it('orders GPU providers before the CPU per platform', () => {
    expect(providersFor('auto', 'win32', 'x64')).toEqual(['cuda', 'dml', 'webgpu', 'cpu'])
    expect(providersFor('auto', 'linux', 'x64')).toEqual(['cuda', 'webgpu', 'cpu'])
    expect(providersFor('auto', 'darwin', 'arm64')).toEqual(['coreml', 'webgpu', 'cpu'])
    expect(providersFor('auto', 'darwin', 'x64')).toEqual(['webgpu', 'cpu'])
    expect(providersFor('webgpu', 'linux', 'x64')).toEqual(['webgpu'])
  })

  it('tries a named device alone and refuses one the platform lacks', async () => {
    expect(providersFor('cuda', 'linux', 'x64')).toEqual(['cuda'])
    expect(await codeOf(() => providersFor('dml', 'linux', 'x64'))).toBe('DEVICE_UNAVAILABLE')
    expect(await codeOf(() => providersFor('coreml', 'win32', 'x64'))).toBe('DEVICE_UNAVAILABLE')
  })

  it("offers Settings each platform's devices, marking accelerators where there is no GPU", () => {
    expect(deviceOffers('win32', 'x64', null)).toEqual(
      ['auto', 'cpu', 'cuda', 'dml', 'webgpu'].map((device) => ({ device })),
    )
    expect(deviceOffers('darwin', 'arm64', null)).toEqual(
      ['auto', 'cpu', 'coreml', 'webgpu'].map((device) => ({ device })),
    )
    expect(deviceOffers('linux', 'x64', 'no GPU here')).toEqual([
      { device: 'auto' },
      { device: 'cpu' },
      { device: 'cuda', unavailable: 'no GPU here' },
      { device: 'webgpu', unavailable: 'no GPU here' },
    ])
  })
})

describe('session cache', () => {
  function fake(log: string[], name: string): ModelSession {
    return {
      provider: 'cpu',
      precision: 'fp32',
      run: () => Promise.resolve({ data: new Float32Array(), dims: [] }),
      release: () => {
        log.push(`release ${name}`)
        return Promise.resolve()
      },
    }
  }
  const key = (model: string, realism = 0.5) => ({
    model,
    realism,
    device: 'auto' as const,
    precision: 'fp32' as const,
  })

  it('reuses a session for the same key and releases the least recently used', async () => {
    const log: string[] = []
    const cache = new SessionCache(2)
    let created = 0
    const make = (name: string) => () => {
      created++
      return Promise.resolve(fake(log, name))
    }
    const a = await cache.get(key('a'), make('a'))
    expect(await cache.get(key('a'), make('a2'))).toBe(a)
    await cache.get(key('b'), make('b'))
    await cache.get(key('a'), make('a3'))
    await cache.get(key('a', 0.7), make('a@0.7'))
    expect(created).toBe(3)
    expect(log).toEqual(['release b'])
    expect(cache.size).toBe(2)
    await cache.clear()
    expect(log).toEqual(['release b', 'release a', 'release a@0.7'])
  })

  it('forgets a session whose creation failed', async () => {
    const cache = new SessionCache(2)
    await expect(cache.get(key('x'), () => Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect(cache.size).toBe(0)
  })
})
