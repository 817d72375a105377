import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { BatchEvent } from '../../src/cli/report.js'

export const BIN = fileURLToPath(new URL('../../bin/enhance.js', import.meta.url))

export interface CliRun {
  status: number | null
  /** The signal that ended it (a command stopped by Ctrl-C ends by SIGINT, as a shell expects). */
  signal: NodeJS.Signals | null
  events: BatchEvent[]
  err: string
}

/**
 * The real command as its own process, `--json` added, its report read event by event as it comes (`onEvent`, with
 * the process), until the command's own output closes (an engine's is its own: one that outlives the command, as a
 * thread waiting on a frozen drive makes it, does not hold the command's open).
 */
export function runCli(
  args: string[],
  dataDir: string,
  onEvent?: (event: BatchEvent, child: ChildProcess) => void,
): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ENHANCE_DATA_DIR: dataDir },
  })
  const events: BatchEvent[] = []
  let pending = ''
  let err = ''
  child.stdout.on('data', (data: Buffer) => {
    const lines = (pending + data.toString()).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      const event = JSON.parse(line) as BatchEvent
      events.push(event)
      onEvent?.(event, child)
    }
  })
  child.stderr.on('data', (data: Buffer) => (err += data.toString()))
  return new Promise((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, events, err })),
  )
}
