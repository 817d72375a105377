import { createSession } from '../../src/engine/runtime/session.js'
import { modelToOnnx, parseModel } from '../../src/engine/model.js'
import { fixtureBytes } from './fixtures.js'

/** Whether a WebGPU session can be made here, and the reason in words when it can't. */
export async function webgpuAdapter(): Promise<{ ok: boolean; reason: string }> {
  try {
    const model = parseModel(fixtureBytes('basicsr_x4.safetensors'), 'basicsr_x4.safetensors')
    const session = await createSession(modelToOnnx(model), { device: 'webgpu' })
    await session.release()
    return { ok: true, reason: 'adapter found' }
  } catch (error) {
    const reason = `no WebGPU adapter: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`
    if (process.env['ENHANCE_REQUIRE_WEBGPU'] === '1')
      throw new Error(`ENHANCE_REQUIRE_WEBGPU=1, but ${reason}`, { cause: error })
    return { ok: false, reason }
  }
}
