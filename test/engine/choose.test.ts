import { describe, expect, it } from 'vitest'
import { assertAgreesWithCpu, measureProviders } from '../../src/engine/runtime/choose.js'
import type { Opener } from '../../src/engine/runtime/choose.js'
import type { Provider } from '../../src/engine/runtime/providers.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import { codeOf } from '../helpers/errors.js'

/** A seam for the choice's logic: sessions that take a set time and answer a set image. */
function fakeOpener(
  behaviour: Partial<Record<Provider, { delayMs: number; shift?: number } | 'missing'>>,
): Opener {
  return (provider) => {
    const how = behaviour[provider] ?? { delayMs: 0 }
    if (how === 'missing') return Promise.reject(new Error(`${provider} libraries not installed\nstack`))
    const session: ModelSession = {
      provider,
      precision: 'fp32',
      run: async (input, dims) => {
        await new Promise((resolve) => setTimeout(resolve, how.delayMs))
        return { data: input.map((v) => v + (how.shift ?? 0)), dims: [...dims] }
      },
      release: () => Promise.resolve(),
    }
    return Promise.resolve(session)
  }
}

describe("auto's device choice", () => {
  it('keeps the CPU when the accelerator is slower (a software adapter), and says so with the times', async () => {
    const open = fakeOpener({ cpu: { delayMs: 0 }, cuda: 'missing', webgpu: { delayMs: 60 } })
    const decision = await measureProviders(open, ['cuda', 'webgpu', 'cpu'], 3, 'RRDBNet ×4')
    expect(decision.provider).toBe('cpu')
    expect(decision.reason).toMatch(
      /^CPU: no other device beat it on a 64×64 probe tile \(CPU: .* ms; CUDA: .*; WebGPU: \d+ ms\)/,
    )
    expect(decision.probes.map((p) => p.provider)).toEqual(['cpu', 'cuda', 'webgpu'])
    expect(decision.probes[1]).toMatchObject({ provider: 'cuda' })
    expect(decision.probes[1]!.problem).toBeDefined()
  })

  it('opens no accelerator on a machine without a GPU, and records why for each', async () => {
    const opened: Provider[] = []
    const fast = fakeOpener({ cpu: { delayMs: 60 }, webgpu: { delayMs: 0 } })
    const open: Opener = (provider) => {
      opened.push(provider)
      return fast(provider)
    }
    const noGpu = 'this machine has no GPU'
    const decision = await measureProviders(open, ['cuda', 'webgpu', 'cpu'], 3, 'RRDBNet ×4', noGpu)
    expect(opened).toEqual(['cpu'])
    expect(decision.provider).toBe('cpu')
    expect(decision.probes.slice(1)).toEqual([
      { provider: 'cuda', problem: 'not measured: this machine has no GPU' },
      { provider: 'webgpu', problem: 'not measured: this machine has no GPU' },
    ])
    expect(decision.reason).toBe('CPU: this machine has no GPU, so no accelerator was measured.')
  })

  it('takes a faster accelerator that computes the same image', async () => {
    const open = fakeOpener({ cpu: { delayMs: 60 }, webgpu: { delayMs: 0 } })
    const decision = await measureProviders(open, ['webgpu', 'cpu'], 3, 'RRDBNet ×4')
    expect(decision.provider).toBe('webgpu')
    expect(decision.reason).toMatch(/^WebGPU, \d+(\.\d)?× the CPU/)
  })

  it('never takes an accelerator whose image differs from the CPU, however fast', async () => {
    const open = fakeOpener({ cpu: { delayMs: 60 }, webgpu: { delayMs: 0, shift: 0.01 } })
    const decision = await measureProviders(open, ['webgpu', 'cpu'], 3, 'Compact ×2')
    expect(decision.provider).toBe('cpu')
    expect(decision.probes[1]!.problem).toMatch(/differs from the CPU's by up to 0\.010/)
  })

  it('refuses an explicitly chosen accelerator that computes a different image, with the difference', async () => {
    const open = fakeOpener({ webgpu: { delayMs: 0, shift: 0.5 } })
    const session = await open('webgpu')
    // The engine says what is wrong; each surface adds its own way on (a flag, or a setting and Resume).
    await expect(assertAgreesWithCpu(session, open, 3)).rejects.toMatchObject({
      message:
        "WebGPU cannot run this model: its image differs from the CPU's by up to 0.50 (more than 0.001), so WebGPU computes this model wrongly here.",
    })
    expect(await codeOf(() => assertAgreesWithCpu(session, open, 3))).toBe('DEVICE_UNAVAILABLE')
    const same = await fakeOpener({})('webgpu')
    await expect(assertAgreesWithCpu(same, fakeOpener({}), 3)).resolves.toBeUndefined()
  })
})
