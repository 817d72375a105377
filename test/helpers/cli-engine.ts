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

/** A real engine on the CPU (the built worker), with its process id once it is ready (0 before), to look at in /proc. */
export function cpuEngineWithPid(): { engine: EngineClient; pid: () => number } {
  let pid = 0
  const engine = new EngineClient(() => {
    const channel = forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu' } })
    channel.onMessage((event) => {
      if (event.type === 'ready') pid = event.pid
    })
    return channel
  })
  return { engine, pid: () => pid }
}
