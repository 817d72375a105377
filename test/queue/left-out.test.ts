import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanInputs } from '../../src/queue/scan.js'

describe('what a scan leaves out', () => {
  it('counts the files a person put there by extension, system files aside, in a bounded record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-left-out-'))
    const names = [
      'photo.jpg',
      'IMG_1.CR2',
      'IMG_2.cr2',
      'notes.txt',
      'README',
      `x.${'a'.repeat(20)}`, // an extension too long to be one
      'Thumbs.db',
      'desktop.ini',
      '.DS_Store',
      ...Array.from({ length: 30 }, (_, i) => `z.k${String(i).padStart(2, '0')}`), // scanned last
    ]
    for (const name of names) writeFileSync(join(dir, name), 'x')
    const counter = { count: 0, leftOut: new Map<string, number>() }
    const photos = []
    for await (const file of scanInputs([dir], false, counter)) photos.push(file.path)
    expect(photos).toEqual([join(dir, 'photo.jpg')])
    expect(counter.count).toBe(names.length - 1)
    const leftOut = Object.fromEntries(counter.leftOut)
    expect(Object.keys(leftOut)).toHaveLength(25) // 24 kinds told apart, and "other"
    expect(leftOut).toMatchObject({ '.cr2': 2, '.txt': 1, '': 2 })
    // 35 left-out files a person put there, whatever their kind; the three system files are not among them.
    expect(Object.values(leftOut).reduce((a, b) => a + b, 0)).toBe(35)
    expect(leftOut['other']).toBe(35 - 2 - 1 - 2 - 21)
  })
})
