import { afterAll } from 'vitest'
import { createSession } from '../../src/engine/runtime/session.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import type { DeviceRequest } from '../../src/engine/runtime/providers.js'
import { input, manifest } from './fixtures.js'

/**
 * Runs an ONNX model on the fixtures' input on `device`, keeping every session until the file's tests
 * end (call at the top level of a test file: it registers the release).
 */
export function fixtureRunner(
  device: DeviceRequest = 'cpu',
): (onnx: Uint8Array) => Promise<{ data: Float32Array; dims: number[]; provider: string }> {
  const sessions: ModelSession[] = []
  afterAll(async () => Promise.all(sessions.map((s) => s.release())))
  return async (onnx) => {
    const session = await createSession(onnx, { device })
    sessions.push(session)
    return { ...(await session.run(input, manifest.inputShape)), provider: session.provider }
  }
}
