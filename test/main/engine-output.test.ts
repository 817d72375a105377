import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { utilityEngine } from '../../src/main/engine.js'

// Electron's utilityProcess as the bundle's smoke test has it: a real Node child with the stdio main asks for.
vi.mock('electron', async () => ({
  utilityProcess: (await import('../fixtures/electron-stub/electron.mjs')).utilityProcess,
}))

describe("the app's engine process", () => {
  it('what it prints on stdout and on stderr reaches the diagnostic log, line by line, and how it ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-app-engine-'))
    const worker = join(dir, 'worker.mjs')
    writeFileSync(
      worker,
      [
        `process.stdout.write('a notice on stdout\\nand its second line\\n')`,
        `process.stderr.write('onnxruntime: a warning\\n')`,
        `process.exit(3)`,
      ].join('\n'),
    )
    const log: string[] = []
    const channel = utilityEngine(worker, {}, (line) => log.push(line))
    await new Promise((resolve) => channel.onExit(resolve))
    // Before, its stdout was main's own: the notice never reached the log.
    await vi.waitFor(() => expect(log).toHaveLength(4))
    expect(log.filter((line) => line.startsWith('engine: ')).sort()).toEqual([
      'engine: a notice on stdout',
      'engine: and its second line',
      'engine: onnxruntime: a warning',
    ])
    expect(log).toContain('The engine process ended (exit code 3).')
  })
})
