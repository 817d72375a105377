import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it, vi } from 'vitest'
import { forkEngine, forwardEngineStderr } from '../../src/engine/client.js'

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
    forwardEngineStderr(source, sink)
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
})
