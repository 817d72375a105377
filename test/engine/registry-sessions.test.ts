import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { MODELS_DIR } from '../../src/cli/models.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import type { RegistryOptions } from '../../src/engine/registry.js'
import * as sessions from '../../src/engine/runtime/session.js'
import { DecisionStore, Int8Store } from '../../src/node/device-decisions.js'

// The real openSession, watched: which precisions a prepare opens sessions in.
vi.mock('../../src/engine/runtime/session.js', async (original) => {
  const real = await original<typeof sessions>()
  return { ...real, openSession: vi.fn(real.openSession) }
})

const data = mkdtempSync(join(tmpdir(), 'enhance-registry-sessions-'))
afterAll(() => rmSync(data, { recursive: true, force: true }))

const pair = {
  path: join(MODELS_DIR, 'enhance-real-psnr-x4.safetensors'),
  blend: { path: join(MODELS_DIR, 'enhance-real-gan-x4.safetensors'), realism: 0.5 },
}

/** The precision of each session one prepare opens, in a fresh registry (a new engine process). */
async function opened(options: RegistryOptions): Promise<string[]> {
  const open = vi.mocked(sessions.openSession)
  open.mockClear()
  const registry = new ModelRegistry({ threads: 1, int8Weights: 'int7', noGpu: 'test', ...options })
  try {
    await registry.prepare(pair)
    return open.mock.calls.map((call) => call[3] ?? 'fp32')
  } finally {
    await registry.close()
  }
}

describe('sessions a job opens', () => {
  it('opens no float32 session where the CPU and int8 are remembered, and both where they are measured', async () => {
    const stores = { decisions: DecisionStore.in(data), int8: Int8Store.in(data) }
    const measuring = await opened({ device: 'auto', precision: 'auto', ...stores })
    expect(measuring).toContain('fp32') // int8 is measured against float32 the first time
    expect(measuring).toContain('int8')
    const decision = Object.values(await stores.int8.all())[0]!
    await stores.int8.set(Object.keys(await stores.int8.all())[0]!, { ...decision, int8: true })

    expect(await opened({ device: 'auto', precision: 'auto', ...stores })).toEqual(['int8'])
    // float32 asked for by name still opens float32 alone
    expect(await opened({ device: 'auto', precision: 'fp32', ...stores })).toEqual(['fp32'])
  })
})
