import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LogFile } from '../../src/node/log-file.js'

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /

describe('the diagnostic log', () => {
  it('makes its folder and writes timestamped lines in order, each line of a text under one time', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'enhance-log-')), 'logs', 'enhance.log')
    const log = new LogFile(path)
    void log.write('first')
    await log.write('trace:\n  at a\r\n  at b')
    const lines = readFileSync(path, 'utf8').split('\n')
    expect(lines.map((line) => line.replace(STAMP, ''))).toEqual(['first', 'trace:', '  at a', '  at b', ''])
    expect(lines.slice(0, 4).every((line) => STAMP.test(line))).toBe(true)
    expect(new Set(lines.slice(1, 4).map((line) => line.slice(0, 24))).size).toBe(1)
  })

  it("writes a name's control characters as codes, so it cannot begin a line or rewrite one", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'enhance-log-')), 'enhance.log')
    await new LogFile(path).write('Photo failed: /a/b\r2026-01-01T00:00:00.000Z forged\x1b[2J.jpg')
    const text = readFileSync(path, 'utf8')
    expect(text.replace(STAMP, '')).toBe(
      'Photo failed: /a/b\\x0d2026-01-01T00:00:00.000Z forged\\x1b[2J.jpg\n',
    )
  })

  it('stays within two files of its size: the full one is set aside as .1, the one before dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-log-'))
    const path = join(dir, 'enhance.log')
    writeFileSync(path, 'x'.repeat(900)) // a log from an earlier run
    const log = new LogFile(path, 1000)
    for (let i = 0; i < 40; i++) await log.write(`line ${String(i).padStart(2, '0')} ${'y'.repeat(60)}`)
    expect(statSync(path).size).toBeLessThanOrEqual(1000)
    expect(statSync(`${path}.1`).size).toBeLessThanOrEqual(1000)
    expect(readFileSync(path, 'utf8')).toContain('line 39')
    expect(readFileSync(`${path}.1`, 'utf8')).not.toContain('x')
    expect(existsSync(`${path}.2`)).toBe(false)
  })

  it('never throws where it cannot write', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'enhance-log-')), 'a-file')
    writeFileSync(file, '')
    await expect(new LogFile(join(file, 'enhance.log')).write('lost')).resolves.toBeUndefined()
  })
})
