import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { errnoCode, isDiskFull } from '../../src/node/errno.js'

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
