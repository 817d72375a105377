import { EngineClient, forkEngine } from '../../src/engine/client.js'
import { WORKER } from './models.js'

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
