import { utilityProcess } from 'electron'
import type { EngineChannel } from '../engine/client.js'
import { engineEnv } from '../node/engine-env.js'
import type { EngineEvent } from '../shared/protocol.js'

/** The engine as an Electron utilityProcess: a Node child the app supervises, with its own crash domain. */
export function utilityEngine(workerPath: string, env: Record<string, string>): EngineChannel {
  const child = utilityProcess.fork(workerPath, [], {
    serviceName: 'Enhance engine',
    env: engineEnv(process.env, env),
  })
  return {
    send: (request) => child.postMessage(request),
    onMessage: (listener) => child.on('message', (event: EngineEvent) => listener(event)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  }
}
