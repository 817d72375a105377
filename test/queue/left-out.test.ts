import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { scanInputs } from '../../src/queue/scan.js'
import { leftOutText } from '../../src/shared/formats.js'
import { QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { QueueStore } from '../../src/queue/store.js'
import { albumJob, noCleanup } from '../helpers/queue.js'

/** A unit-test seam: no photo reaches it here. */
const noEngine: QueueEngine = { enhance: () => Promise.reject(new Error('not expected')) }

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

  it("passes a drive's system folders, and keeps the kinds said with what to do apart past the cap", async () => {
    const drive = mkdtempSync(join(tmpdir(), 'enhance-drive-'))
    for (const folder of ['System Volume Information', '$RECYCLE.BIN', 'DCIM']) mkdirSync(join(drive, folder))
    writeFileSync(join(drive, 'System Volume Information', 'IndexerVolumeGuid'), 'x')
    writeFileSync(join(drive, 'DCIM', 'IMG_1.jpg'), 'x')
    for (let i = 0; i < 30; i++) writeFileSync(join(drive, `a.k${String(i).padStart(2, '0')}`), 'x')
    symlinkSync(join(drive, 'unplugged', 'IMG_2.jpg'), join(drive, 'z-IMG_2.jpg')) // scanned after the cap fills
    const counter = { count: 0, leftOut: new Map<string, number>() }
    const photos = []
    for await (const file of scanInputs([drive], true, counter)) photos.push(file.path)
    expect(photos).toEqual([join(drive, 'DCIM', 'IMG_1.jpg')])
    const leftOut = Object.fromEntries(counter.leftOut)
    expect(leftOut['link']).toBe(1)
    expect(leftOut['other']).toBe(30 - 24)
    expect(Object.values(leftOut).reduce((a, b) => a + b, 0)).toBe(31) // nothing of the system folders
  })

  it('leaves out a file whose name is not UTF-8, which no path string can name, and keeps one holding U+FFFD', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-latin1-'))
    // "Müller.jpg" as an old zip wrote it: ü in Latin-1, one byte (0xFC) that is not UTF-8.
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/M`), Buffer.from([0xfc]), Buffer.from('ller.jpg')]), 'x')
    writeFileSync(join(dir, 'odd\uFFFD.jpg'), 'x') // a real U+FFFD, written as UTF-8: a usable name
    writeFileSync(
      Buffer.concat([Buffer.from(`${dir}/._M`), Buffer.from([0xfc]), Buffer.from('ller.jpg')]),
      'x',
    ) // a system file: not said
    const counter = { count: 0, leftOut: new Map<string, number>() }
    const photos = []
    for await (const file of scanInputs([dir], false, counter)) photos.push(file.path)
    expect(photos).toEqual([join(dir, 'odd\uFFFD.jpg')])
    expect(Object.fromEntries(counter.leftOut)).toEqual({ name: 1 })
    expect(counter.count).toBe(2)
  })

  it('says a photo is in iCloud only where a Mac keeps a stand-in for it, not that the album holds only hidden files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-icloud-'))
    // What Finder shows as IMG_0001.JPG and IMG_0002.heic, not downloaded; and a document's stand-in, no photo.
    for (const name of ['.IMG_0001.JPG.icloud', '.IMG_0002.heic.icloud', '.notes.txt.icloud', '.icloud'])
      writeFileSync(join(dir, name), 'bplist00')
    const counter = { count: 0, leftOut: new Map<string, number>() }
    const photos = []
    for await (const file of scanInputs([dir], false, counter)) photos.push(file.path)
    expect(photos).toEqual([])
    expect(Object.fromEntries(counter.leftOut)).toEqual({ icloud: 2 })
    expect(leftOutText({ icloud: 2 })).toBe(
      'Left out 2 photos that are in iCloud only, not downloaded to this Mac: in Finder, select them (or their folder) and choose Download Now, then add them again.',
    )
    expect(leftOutText({ icloud: 1 })).toContain('Left out 1 photo that is in iCloud only')
    const { spec } = albumJob([])
    const runner = new QueueRunner(new QueueStore(join(dir, '..', `q-${basename(dir)}`)), noEngine, noCleanup)
    const refusal = await runner.addJob({ ...spec, inputs: [dir] }).catch((error: unknown) => error)
    expect(refusal).toMatchObject({ code: 'NO_PHOTOS' })
    expect((refusal as Error).message).toContain('Left out 2 photos that are in iCloud only')
    expect((refusal as Error).message).not.toContain('hidden or system files')
  })
})
