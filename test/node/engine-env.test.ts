import { describe, expect, it } from 'vitest'
import { engineEnv } from '../../src/node/engine-env.js'

describe('the engine process environment', () => {
  it('asks glibc for huge pages on Linux, keeping what is there', () => {
    expect(engineEnv({ PATH: '/bin' }, { ENHANCE_DEVICE: 'cpu' }, 'linux')).toEqual({
      PATH: '/bin',
      ENHANCE_DEVICE: 'cpu',
      GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
    })
    expect(engineEnv({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, {}, 'linux')['GLIBC_TUNABLES']).toBe(
      'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
    )
  })

  it("keeps the user's own choice, and changes nothing elsewhere", () => {
    expect(engineEnv({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, {}, 'linux')['GLIBC_TUNABLES']).toBe(
      'glibc.malloc.hugetlb=0',
    )
    expect(engineEnv({ PATH: 'C:\\' }, {}, 'win32')).toEqual({ PATH: 'C:\\' })
  })
})
