import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { HOSTILE_CASES, writeHostileCorpus } from '../fixtures/hostile.js'
import { manifest } from '../helpers/fixtures.js'

const run = promisify(execFile)
const CHILD = fileURLToPath(new URL('../fixtures/load-model-child.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'enhance-hostile-'))

describe('the hostile model corpus', () => {
  beforeAll(async () => {
    rmSync(manifest.pwnedMarker, { force: true })
    await writeHostileCorpus(dir)
  }, 180_000)

  it.each(HOSTILE_CASES.map((c) => [c.file, c.expect] as const))(
    '%s: %s within 10 s and 1 GiB',
    async (file, expected) => {
      const { stdout } = await run(process.execPath, [CHILD, join(dir, file)], { timeout: 10_000 })
      const result = JSON.parse(stdout.trim()) as { code: string; peakMiB: number }
      expect(result.code).toBe(expected)
      expect(result.peakMiB).toBeLessThan(1024)
      expect(existsSync(manifest.pwnedMarker)).toBe(false)
    },
    15_000,
  )
})
