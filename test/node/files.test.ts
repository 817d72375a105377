import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TileStore } from '../../src/node/device-decisions.js'
import { fileVersion, removeStalePartials, writeFileAtomic } from '../../src/node/files.js'
import type { EnhanceError } from '../../src/shared/errors.js'

describe('stale partial files', () => {
  it("are removed for the named outputs only: another writer's file in the same folder is left alone", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-partials-'))
    const names = [
      '.mine.png.0123456789ab.partial',
      '.theirs.png.ba9876543210.partial',
      '.mine.png.notapartial',
      'mine.png',
    ]
    for (const name of names) writeFileSync(join(dir, name), 'x')
    expect(await removeStalePartials(dir, new Set(['mine.png']))).toBe(1)
    expect(readdirSync(dir).sort()).toEqual([
      '.mine.png.notapartial',
      '.theirs.png.ba9876543210.partial',
      'mine.png',
    ])
    // With no names, every partial in the folder goes (one writer per folder).
    expect(await removeStalePartials(dir)).toBe(1)
    expect(readdirSync(dir).sort()).toEqual(['.mine.png.notapartial', 'mine.png'])
  })

  it('fit beside a target whose name is as long as a file system allows, and are found again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-partials-'))
    const target = join(dir, `${'é'.repeat(125)}.png`) // 254 bytes
    await writeFileAtomic(target, new Uint8Array([7]))
    expect(readdirSync(dir)).toEqual([`${'é'.repeat(125)}.png`])
    // A writer killed mid-way leaves its temporary file, named with the target's name cut to fit.
    const stem = 'é'.repeat(116) // 232 bytes: 233 would cut a character in two
    writeFileSync(join(dir, `.${stem}.0123456789ab.partial`), 'x')
    expect(await removeStalePartials(dir, new Set([`${'é'.repeat(125)}.png`]))).toBe(1)
    expect(readdirSync(dir)).toEqual([`${'é'.repeat(125)}.png`])
  })
})

describe('remembered measurements', () => {
  it('make their data folder when it does not exist yet, so the next run finds them', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'enhance-choices-')), 'not', 'yet')
    const measured = { tile: 128, rates: { '128': 50000 }, measuredAt: '2026-11-30T10:00:00.000Z' }
    await TileStore.in(dir).set('machine|model|cpu|fp32', measured)
    expect(await TileStore.in(dir).get('machine|model|cpu|fp32')).toEqual(measured)
  })
})

describe('writing an output atomically', () => {
  it('dates it as asked, and a file written again with the same date and size is a new version of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-atomic-'))
    const file = join(dir, 'photo.png')
    const taken = new Date('2001-02-03T04:05:06.789Z')
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]), taken)
    const first = await fileVersion(file)
    expect(statSync(file).mtimeMs).toBe(taken.getTime())
    await writeFileAtomic(file, new Uint8Array([4, 5, 6]), taken)
    expect([statSync(file).mtimeMs, statSync(file).size]).toEqual([taken.getTime(), 3])
    expect(await fileVersion(file)).not.toBe(first)
  })

  it('into a "folder" that is a file: OUTPUT_NOT_WRITABLE with the reason, not an unexpected failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-atomic-'))
    const file = join(dir, 'photo.jpg')
    writeFileSync(file, 'the original')
    const error = (await writeFileAtomic(join(file, 'photo.jpg'), new Uint8Array([1])).catch(
      (e: unknown) => e,
    )) as EnhanceError
    expect([error.code, error.message]).toEqual([
      'OUTPUT_NOT_WRITABLE',
      `Cannot write ${join(file, 'photo.jpg')} (ENOTDIR). Check the folder exists and is writable.`,
    ])
    expect(readdirSync(dir)).toEqual(['photo.jpg'])
  })

  it('into a folder gone while its job ran (a USB drive ejected): says so, not "check the folder exists"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-atomic-'))
    const target = join(dir, 'STICK', 'Enhanced', 'photo.jpg')
    const error = (await writeFileAtomic(target, new Uint8Array([1])).catch(
      (e: unknown) => e,
    )) as EnhanceError
    expect([error.code, error.message]).toEqual([
      'OUTPUT_NOT_WRITABLE',
      `Cannot write ${target}: its folder is not there now. Its drive was disconnected (a USB drive ejected), or the folder was moved or deleted: reconnect the drive or put the folder back.`,
    ])
    expect(readdirSync(dir)).toEqual([])
  })

  it('past the whole-path limit (4,096 bytes on Linux): PATH_TOO_LONG naming it, and nothing written', async () => {
    let dir = mkdtempSync(join(tmpdir(), 'enhance-atomic-'))
    // A folder whose path is 3,950 bytes (under the limit), then a 244-byte name (under the name limit).
    while (Buffer.byteLength(dir) + 241 < 3950) dir = join(dir, 'd'.repeat(240))
    dir = join(dir, 'd'.repeat(3950 - Buffer.byteLength(dir) - 1))
    mkdirSync(dir, { recursive: true })
    const target = join(dir, `${'p'.repeat(240)}.png`)
    const error = (await writeFileAtomic(target, new Uint8Array([1])).catch(
      (e: unknown) => e,
    )) as EnhanceError
    expect([error.code, error.message]).toEqual([
      'PATH_TOO_LONG',
      `${target} is a longer path than this system allows (${Buffer.byteLength(target)} bytes), so this photo was not written. Choose an output folder with a shorter path, or a shorter naming template.`,
    ])
    expect(readdirSync(dir)).toEqual([])
  })

  it('onto a folder of the same name: says so, and leaves the folder and no temporary file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-atomic-'))
    const folder = join(dir, 'photo.jpg')
    mkdirSync(folder)
    writeFileSync(join(folder, 'kept.txt'), 'x')
    const error = (await writeFileAtomic(folder, new Uint8Array([1])).catch(
      (e: unknown) => e,
    )) as EnhanceError
    expect([error.code, error.message]).toEqual([
      'OUTPUT_NOT_WRITABLE',
      `Cannot write ${folder}: a folder has that name. Rename or move that folder, or choose another output folder.`,
    ])
    expect([readdirSync(dir), readdirSync(folder)]).toEqual([['photo.jpg'], ['kept.txt']])
  })
})
