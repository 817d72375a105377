import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/enhance.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'enhance-startup-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

// Records the packages a process loads through require (sharp, onnxruntime-node and protobufjs are CommonJS).
const hook = join(work, 'record-packages.cjs')
writeFileSync(
  hook,
  `const Module = require('node:module')
const load = Module._load
const seen = new Set()
Module._load = function (request, parent, ...rest) {
  try {
    const m = /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(Module._resolveFilename(request, parent))
    if (m) seen.add(m[1])
  } catch {}
  return load.call(this, request, parent, ...rest)
}
process.on('exit', () => process.stderr.write('packages: ' + [...seen].sort().join(' ') + '\\n'))
`,
)

function packagesLoaded(args: string[]): { status: number | null; packages: string[] } {
  const run = spawnSync(process.execPath, ['--require', hook, BIN, ...args], { encoding: 'utf8' })
  const line = /packages: (.*)/.exec(run.stderr)?.[1] ?? ''
  return { status: run.status, packages: line.split(' ').filter(Boolean) }
}

// sharp's own entry is an ES module, so the hook sees it by its native half (@img/sharp-<platform>)
const ENGINE_ONLY = [/^@img\/sharp-/, /^onnxruntime-node$/, /^protobufjs$/]
const engineOnly = (packages: string[]) => ENGINE_ONLY.filter((p) => packages.some((name) => p.test(name)))

describe('what the CLI process loads', () => {
  it('leaves the image and inference libraries to the engine process', () => {
    for (const args of [['--version'], ['queue', '--queue-dir', join(work, 'queue')]]) {
      const { status, packages } = packagesLoaded(args)
      expect(status).toBe(0)
      expect(engineOnly(packages)).toEqual([])
    }
    // the hook does see them where a command needs them in its own process (eval runs the engine there)
    expect(engineOnly(packagesLoaded(['eval', join(work, 'no-such-set')]).packages)).toEqual(ENGINE_ONLY)
  })
})
