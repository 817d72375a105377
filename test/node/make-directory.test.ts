import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { errnoCode } from '../../src/node/errno.js'
import { makeDirectory, outputFolderError } from '../../src/node/make-directory.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-mkdir-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const codeOf = (run: () => void): string | undefined => {
  try {
    run()
    return undefined
  } catch (error) {
    return errnoCode(error)
  }
}

describe('making a folder and its missing parents', () => {
  it('makes every missing level, and leaves an existing folder as it is', () => {
    const deep = join(work, 'Family album', 'Über uns', '1975')
    makeDirectory(deep)
    expect(statSync(deep).isDirectory()).toBe(true)
    writeFileSync(join(deep, 'kept.txt'), 'x')
    makeDirectory(deep)
    expect(existsSync(join(deep, 'kept.txt'))).toBe(true)
  })

  it('fails with the file system’s own code where a file or a dangling link is in the way', () => {
    writeFileSync(join(work, 'a-file'), 'x')
    expect(codeOf(() => makeDirectory(join(work, 'a-file', 'sub')))).toBe('ENOTDIR')
    expect(codeOf(() => makeDirectory(join(work, 'a-file')))).toBe('ENOTDIR') // as mkdir -p: a file is no folder
    symlinkSync(join(work, 'unmounted-disk'), join(work, 'link'))
    expect(codeOf(() => makeDirectory(join(work, 'link', 'out')))).toBe('ENOENT')
    mkdirSync(join(work, 'plain'))
    expect(codeOf(() => makeDirectory(join(work, 'plain', 'a', 'b')))).toBeUndefined()
  })

  it('says which is the file, for an output folder that is one and one under one', () => {
    const file = join(work, 'photos.zip')
    writeFileSync(file, 'x')
    const errorFor = (dir: string) => {
      try {
        makeDirectory(dir)
      } catch (error) {
        const coded = outputFolderError(dir, error)
        return [coded.code, coded.message]
      }
      return null
    }
    expect(errorFor(file)).toEqual([
      'OUTPUT_NOT_WRITABLE',
      `${file} is not a folder. Choose another output folder.`,
    ])
    expect(errorFor(join(file, 'Enhanced'))).toEqual([
      'OUTPUT_NOT_WRITABLE',
      `${join(file, 'Enhanced')} cannot be a folder: a folder above it is a file. Choose another output folder.`,
    ])
  })

  it.runIf(process.getuid?.() === 0)(
    'says a drive that went read-only (a failing SD card, a share remounted) is one, rather than its code',
    () => {
      const drive = join(work, 'sd-card')
      mkdirSync(drive)
      try {
        spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', drive], { stdio: 'ignore' })
      } catch {
        // checked below
      }
      const readOnly = codeOf(() => writeFileSync(join(drive, 'probe'), 'x')) === 'EROFS'
      if (!readOnly) {
        console.log('skipped: cannot mount a read-only tmpfs here (needs mount rights)')
        return
      }
      try {
        const dir = join(drive, 'DCIM', 'Enhanced')
        const error = (() => {
          try {
            makeDirectory(dir)
          } catch (caught) {
            return outputFolderError(dir, caught)
          }
          return null
        })()
        expect([error?.code, error?.message]).toEqual([
          'OUTPUT_NOT_WRITABLE',
          `${dir} is on a read-only drive (a CD or DVD, a locked SD card, or a share mounted read-only). Choose another output folder.`,
        ])
      } finally {
        spawnSync('umount', [drive])
      }
    },
  )

  // Node's own { recursive: true } spins at full CPU here, so a regression would hang: run it in a child.
  it.runIf(existsSync('/proc/self'))(
    'enhancing into a folder under /proc pauses the job at once with OUTPUT_NOT_WRITABLE, instead of spinning',
    async () => {
      const photo = join(work, 'photo.jpg')
      await sharp({ create: { width: 8, height: 6, channels: 3, background: '#806040' } })
        .jpeg()
        .toFile(photo)
      const cli = new URL('../../bin/enhance.js', import.meta.url).pathname
      const args = [
        photo,
        '--out',
        '/proc/enhance-no-such-folder',
        '--queue-dir',
        join(work, 'queue'),
        '--json',
      ]
      const run = spawnSync(process.execPath, [cli, ...args, '--device', 'cpu'], {
        encoding: 'utf8',
        timeout: 60_000,
      })
      expect(run.signal).toBeNull() // not killed by the timeout
      expect(run.status).toBe(1)
      const paused = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string; code?: string; message?: string })
        .find((e) => e.event === 'paused')
      expect(paused).toMatchObject({ code: 'OUTPUT_NOT_WRITABLE' })
      expect(paused?.message).toContain('Cannot create /proc/enhance-no-such-folder (ENOENT)')
    },
    90_000,
  )
})
