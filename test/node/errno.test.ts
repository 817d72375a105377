import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { errnoCode, isDiskFull, isDriveGone } from '../../src/node/errno.js'
import { driveNotAnswering } from '../../src/node/file-access.js'

function failureOf(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error('expected the action to fail')
}

describe('errnoCode', () => {
  it('reads the code of a real failed system call', () => {
    const dir = mkdtempSync(join(tmpdir(), 'errno-'))
    try {
      expect(errnoCode(failureOf(() => readFileSync(join(dir, 'missing'))))).toBe('ENOENT')
      expect(errnoCode(failureOf(() => readFileSync(dir)))).toBe('EISDIR')
    } finally {
      rmSync(dir, { recursive: true })
    }
  })

  it('is undefined for errors without a string code and for non-errors', () => {
    expect(errnoCode(new Error('plain'))).toBeUndefined()
    expect(errnoCode(Object.assign(new Error('numeric'), { code: 28 }))).toBeUndefined()
    expect(errnoCode(null)).toBeUndefined()
    expect(errnoCode(undefined)).toBeUndefined()
    expect(errnoCode('ENOSPC')).toBeUndefined()
  })
})

describe('isDiskFull', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code })

  it('is true for ENOSPC and EDQUOT only', () => {
    expect(isDiskFull(withCode('ENOSPC'))).toBe(true)
    expect(isDiskFull(withCode('EDQUOT'))).toBe(true)
    expect(isDiskFull(withCode('EACCES'))).toBe(false)
    expect(isDiskFull(withCode('ENOENT'))).toBe(false)
    expect(isDiskFull(new Error('ENOSPC in the message only'))).toBe(false)
  })
})

describe('a drive that stopped answering', () => {
  const withCode = (code: string) => Object.assign(new Error(code), { code })

  it("is told by the codes of a lost connection or a removed drive, not by a file's own failures", () => {
    for (const code of ['ENOTCONN', 'ESTALE', 'EHOSTDOWN', 'ETIMEDOUT', 'ENOMEDIUM', 'ENODEV'])
      expect([code, isDriveGone(withCode(code))]).toEqual([code, true])
    for (const code of ['ENOENT', 'EACCES', 'ENOSPC', 'EIO', 'EISDIR'])
      expect([code, isDriveGone(withCode(code))]).toEqual([code, false])
    expect(isDriveGone(new Error('ENOTCONN'))).toBe(false)
  })

  it("names the folder and the code; a read error (EIO) is the drive's only where its folder cannot be looked at either", () => {
    const dir = mkdtempSync(join(tmpdir(), 'drive-'))
    try {
      const photo = join(dir, 'photo.jpg')
      expect(driveNotAnswering(photo, withCode('ENOTCONN'))).toBe(
        'its drive stopped answering (ENOTCONN): a network drive lost its connection, or a USB drive or memory card was removed',
      )
      // A scratched disc's file on a drive still there: the file is damaged, not the drive gone.
      expect(driveNotAnswering(photo, withCode('EIO'))).toBeNull()
      expect(driveNotAnswering(join(dir, 'unplugged', 'photo.jpg'), withCode('EIO'))).toContain('(EIO)')
      expect(driveNotAnswering(photo, withCode('ENOENT'))).toBeNull()
      expect(driveNotAnswering(photo, new Error('no code'))).toBeNull()
    } finally {
      rmSync(dir, { recursive: true })
    }
  })
})
