import { Writable } from 'node:stream'
import { utilityProcess } from 'electron'
import { forwardEngineOutput } from '../engine/client.js'
import type { EngineChannel } from '../engine/client.js'
import { engineEnv } from '../node/engine-env.js'
import type { EngineEvent } from '../shared/protocol.js'

/**
 * The engine as an Electron utilityProcess: a Node child the app supervises, with its own crash domain. What
 * it says on stdout or stderr (ONNX Runtime's and the system's own messages, a crash's trace) and how it ended go to
 * `log` as well as to this process's stderr: a packaged app's stderr is read by no one. Its stdout is piped, not
 * inherited, as the CLI's is: an engine that cannot end yet holds none of this process's own output.
 */
export function utilityEngine(
  workerPath: string,
  env: Record<string, string>,
  log: (line: string) => void,
): EngineChannel {
  const child = utilityProcess.fork(workerPath, [], {
    serviceName: 'Enhance engine',
    env: engineEnv(process.env, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const output of [child.stderr, child.stdout]) if (output) forwardEngineOutput(output, teeToLog(log))
  child.on('exit', (code) => log(`The engine process ended (exit code ${code}).`))
  return {
    send: (request) => child.postMessage(request),
    onMessage: (listener) => child.on('message', (event: EngineEvent) => listener(event)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  }
}

/** A sink for the engine's output lines: each to this process's stderr and to the log. */
function teeToLog(log: (line: string) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      process.stderr.write(chunk)
      log(`engine: ${chunk.toString('utf8').replace(/\n$/, '')}`)
      done()
    },
  })
}
