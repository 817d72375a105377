import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { fileURLToPath } from 'node:url'
import { forkEngine, forwardEngineOutput } from '../../src/engine/client.js'

/** The client as a command runs it (built by the suites' setup). */
const BUILT_CLIENT = fileURLToPath(new URL('../../dist/src/engine/client.js', import.meta.url))

const DAWN = [
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
  'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.',
]

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  return () => Buffer.concat(chunks).toString('utf8')
}

describe("the engine's stderr", () => {
  it('keeps every line but Dawn’s two limit notices, in order', async () => {
    const source = new PassThrough()
    const sink = new PassThrough()
    const text = collect(sink)
    forwardEngineOutput(source, sink)
    source.end(
      [
        'onnxruntime: a real warning',
        DAWN[0],
        'Warning: something else artificially reduced',
        DAWN[1],
        'last',
      ].join('\n'),
    )
    await new Promise((resolve) => source.on('close', resolve))
    await new Promise((resolve) => setImmediate(resolve))
    expect(text()).toBe('onnxruntime: a real warning\nWarning: something else artificially reduced\nlast\n')
  })

  it('reaches the sink from a forked engine process, Dawn’s notices left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-stderr-'))
    const worker = join(dir, 'worker.mjs')
    const lines = [DAWN[0], 'engine: out of memory', DAWN[1], 'done']
    writeFileSync(worker, `process.stderr.write(${JSON.stringify(lines.join('\n') + '\n')})\n`)
    const sink = new PassThrough()
    const text = collect(sink)
    const channel = forkEngine({ workerPath: worker, stderr: sink })
    await new Promise((resolve) => channel.onExit(resolve))
    await vi.waitFor(() => expect(text()).toContain('done'))
    expect(text()).toBe('engine: out of memory\ndone\n')
  })

  it("holds none of the command's own output: a command ended while its engine cannot end yet closes its output, and what the engine printed went to stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-stdout-'))
    // An engine that cannot end yet, as one whose thread waits on a frozen drive's server: it outlives its command.
    const engine = join(dir, 'engine.mjs')
    writeFileSync(
      engine,
      `import { writeFileSync } from 'node:fs'
process.on('disconnect', () => undefined)
writeFileSync(${JSON.stringify(join(dir, 'pid'))}, String(process.pid))
process.stdout.write('from the engine\\n')
setTimeout(() => undefined, 60_000)
`,
    )
    const command = join(dir, 'command.mjs')
    writeFileSync(
      command,
      `import { forkEngine } from ${JSON.stringify(BUILT_CLIENT)}
forkEngine({ workerPath: ${JSON.stringify(engine)} })
setTimeout(() => process.exit(0), 1_000)
`,
    )
    const child = spawn(process.execPath, [command], { stdio: ['ignore', 'pipe', 'pipe'] })
    const out = collect(child.stdout.pipe(new PassThrough()))
    const err = collect(child.stderr.pipe(new PassThrough()))
    await new Promise((resolve) => child.on('close', resolve))
    const enginePid = Number(readFileSync(join(dir, 'pid'), 'utf8'))
    try {
      // Closed while the engine still runs (before, its output waited for the engine's end).
      expect(process.kill(enginePid, 0)).toBe(true)
      expect([out(), err()]).toEqual(['', 'from the engine\n'])
    } finally {
      process.kill(enginePid, 'SIGKILL')
    }
  })
})
