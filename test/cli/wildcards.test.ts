import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expandWildcards, refuseStrayQuotes, splitPattern } from '../../src/cli/wildcards.js'
import { codeOf } from '../helpers/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'enhance-wildcards-'))
const names = ['IMG_10.jpg', 'IMG_2.jpg', 'notes.txt', 'IMG_*.jpg.txt', 'IMG (1) [a].jpg', 'IMG 1 a.jpg']
for (const name of names) writeFileSync(join(dir, name), 'x')
mkdirSync(join(dir, '2019-summer'))
mkdirSync(join(dir, '2019-winter'))

describe('wildcards the shell did not expand (Windows’ cmd and PowerShell)', () => {
  it('become the files and folders they match, in the order file managers show them', async () => {
    expect(await expandWildcards([join(dir, 'IMG_*.jpg')])).toEqual([
      join(dir, 'IMG_2.jpg'),
      join(dir, 'IMG_10.jpg'),
    ])
    expect(await expandWildcards([join(dir, '2019-*'), join(dir, 'notes.t?t')])).toEqual([
      join(dir, '2019-summer'),
      join(dir, '2019-winter'),
      join(dir, 'notes.txt'),
    ])
  })

  it('match regardless of case on Windows, as its file names do, and by case elsewhere', async () => {
    expect(await expandWildcards([join(dir, 'img_1*.JPG')], 'win32')).toEqual([join(dir, 'IMG_10.jpg')])
    expect(await codeOf(() => expandWildcards([join(dir, 'img_1*.JPG')], 'linux'))).toBe('FILE_NOT_FOUND')
  })

  it('take only * and ? as wildcards: brackets and parentheses are part of names', async () => {
    // As a glob, "(1)" and "[a]" would match "IMG 1 a.jpg" instead.
    expect(await expandWildcards([join(dir, 'IMG (1) [a]*')])).toEqual([join(dir, 'IMG (1) [a].jpg')])
  })

  it('leave a name that exists as it is, even one holding a wildcard character', async () => {
    const named = [join(dir, 'IMG_*.jpg.txt'), join(dir, 'IMG_2.jpg'), 'gone.jpg']
    expect(await expandWildcards(named)).toEqual(named)
  })

  it('refuse a pattern that matches nothing, saying so', async () => {
    await expect(expandWildcards([join(dir, '*.png')])).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: `No file or folder matches ${join(dir, '*.png')}. Check the folder and the pattern (for example *.jpg, or IMG_*.JPG).`,
    })
  })

  it('split a Windows pattern at its first wildcard, drive and backslashes kept in the folder', () => {
    expect(splitPattern('C:\\Photos\\2019\\*.jpg', 'win32')).toEqual({
      folder: 'C:\\Photos\\2019\\',
      rest: '*.jpg',
    })
    expect(splitPattern('D:\\*\\IMG_?.JPG', 'win32')).toEqual({ folder: 'D:\\', rest: '*/IMG_?.JPG' })
    expect(splitPattern('*.jpg', 'win32')).toEqual({ folder: '.', rest: '*.jpg' })
    expect(splitPattern('/photos/*/a.jpg', 'linux')).toEqual({ folder: '/photos/', rest: '*/a.jpg' })
    expect(splitPattern('/*.jpg', 'linux')).toEqual({ folder: '/', rest: '*.jpg' })
    expect(splitPattern('Photos [2019]/IMG (1)*.jpg', 'linux')).toEqual({
      folder: 'Photos [2019]/',
      rest: 'IMG \\(1\\)*.jpg',
    })
    expect(splitPattern('C:\\Photos\\a.jpg', 'win32')).toBeNull()
  })
})

describe('a quotation mark in a name on Windows', () => {
  it('is refused with what happened: "C:\\My Photos\\" kept its quote, and swallowed --out', () => {
    // What cmd passes for: enhance "C:\My Photos\" --out enhanced
    expect(() => refuseStrayQuotes(['C:\\My Photos" --out enhanced'], 'win32')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message:
          'C:\\My Photos" --out enhanced holds a quotation mark, which no Windows name can: a backslash just before a ' +
          'closing quote ("C:\\Photos\\") keeps the quote, and what follows it, in the name. Leave out that last backslash ("C:\\Photos").',
      }),
    )
  })

  it('is part of the name elsewhere, where names may hold one', () => {
    const named = ['say "cheese".jpg', 'C:\\Photos']
    expect(refuseStrayQuotes(named, 'linux')).toBe(named)
    expect(refuseStrayQuotes(['C:\\Photos'], 'win32')).toEqual(['C:\\Photos'])
  })
})
