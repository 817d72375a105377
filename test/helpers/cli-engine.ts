import type { Hooks } from '../../src/cli/jobs.js'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import { WORKER } from './models.js'

/** The engine a command run in this process starts (`Hooks.engine`): the built worker, as asked, with `env` added. */
export function builtEngine(env: Record<string, string> = {}): NonNullable<Hooks['engine']> {
  return (device, precision, maxPixels) =>
    new EngineClient(() =>
      forkEngine({
        workerPath: WORKER,
        env: {
          ENHANCE_DEVICE: device,
          ENHANCE_PRECISION: precision,
          ENHANCE_MAX_PIXELS: String(maxPixels),
          ...env,
        },
      }),
    )
}
