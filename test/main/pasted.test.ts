/** Images pasted into the window become photo files main names and writes, once each, bytes as they came. */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { PastedPhotos, pastedStem } from '../../src/main/services/pasted.js'
import { handedPhotos } from '../../src/shared/handed.js'
import { argumentProblem } from '../../src/shared/api-schema.js'
import { MAX_HANDED_IMAGE_BYTES } from '../../src/shared/api.js'
import { codeOf } from '../helpers/errors.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-pasted-'))
/** 3 December 2026, 09:05:07 local time: every paste of a test happens in the same second. */
const NOW = new Date(2026, 11, 3, 9, 5, 7)
let png: Buffer
let otherPng: Buffer
let jpeg: Buffer

beforeAll(async () => {
  const flat = (background: string) => sharp({ create: { width: 24, height: 16, channels: 3, background } })
  png = await flat('#336699').png().toBuffer()
  otherPng = await flat('#996633').png().toBuffer()
  jpeg = await flat('#669933').jpeg().toBuffer()
})

const fresh = (name: string): { dir: string; pasted: PastedPhotos } => {
  const dir = join(work, name, 'Pasted into Enhance')
  return { dir, pasted: new PastedPhotos(dir, () => NOW) }
}

describe('pasted images', () => {
  it('are named by the local time, with no character a file system refuses', () => {
    expect(pastedStem(NOW, 'paste')).toBe('Pasted 2026-12-03 at 09.05.07')
    expect(pastedStem(new Date(2027, 0, 31, 23, 59, 0), 'drop')).toBe('Dropped 2027-01-31 at 23.59.00')
  })

  it('are saved byte for byte, named after their format, in a folder made for them', async () => {
    const { dir, pasted } = fresh('formats')
    const paths = await pasted.save([png, jpeg], 'paste')
    expect(paths).toEqual([
      join(dir, 'Pasted 2026-12-03 at 09.05.07.png'),
      join(dir, 'Pasted 2026-12-03 at 09.05.07 (2).jpg'),
    ])
    expect(readFileSync(paths[0]!).equals(png)).toBe(true)
    expect(readFileSync(paths[1]!).equals(jpeg)).toBe(true)
  })

  it('never take one name twice, even pasted at once in the same second', async () => {
    const { dir, pasted } = fresh('at-once')
    const [first, second] = await Promise.all([pasted.save([png], 'paste'), pasted.save([otherPng], 'paste')])
    expect(new Set([...first, ...second]).size).toBe(2)
    expect(readdirSync(dir).sort()).toEqual([
      'Pasted 2026-12-03 at 09.05.07 (2).png',
      'Pasted 2026-12-03 at 09.05.07.png',
    ])
    expect(readFileSync(second[0]!).equals(otherPng)).toBe(true)
  })

  it('are one file however often the same image is pasted, and a new one once that file was changed', async () => {
    const { dir, pasted } = fresh('again')
    const [path] = await pasted.save([png], 'paste')
    expect(await pasted.save([png], 'paste')).toEqual([path])
    expect(readdirSync(dir)).toHaveLength(1)
    writeFileSync(path!, 'edited away') // a different file there now: a new name, not this one overwritten
    const [again] = await pasted.save([png], 'paste')
    expect(again).not.toBe(path)
    expect(readFileSync(path!, 'utf8')).toBe('edited away')
  })

  it('refuse what is no photo Enhance reads, writing nothing', async () => {
    const { dir, pasted } = fresh('refused')
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    expect(await codeOf(() => pasted.save([png, svg], 'paste'))).toBe('UNSUPPORTED_FORMAT')
    expect(() => readdirSync(dir)).toThrow(/ENOENT/)
  })

  it('say when their folder cannot be made', async () => {
    const blocked = join(work, 'a-file')
    writeFileSync(blocked, '')
    const pasted = new PastedPhotos(join(blocked, 'Pasted into Enhance'), () => NOW)
    expect(await codeOf(() => pasted.save([png], 'paste'))).toBe('OUTPUT_NOT_WRITABLE')
  })

  it('are refused past their size before main holds them', () => {
    const call = (image: Uint8Array) =>
      argumentProblem('takePhotos', [{ via: 'paste', paths: [], images: [image], oversized: 0 }])
    expect(call(new Uint8Array(16))).toBeNull()
    expect(call(new Uint8Array(MAX_HANDED_IMAGE_BYTES + 1))).toMatch(
      /^takePhotos: argument 0\.images\.0 is not valid/,
    )
  })
})

describe('what a paste or a drop hands to main', () => {
  it('is the paths of files that have one, and the bytes of those that have none, past the size counted', async () => {
    const onDisk = new File(['(not read)'], 'IMG_1.jpg')
    const copied = new File([new Uint8Array([1, 2, 3])], 'image.png')
    const huge = new File([new Uint8Array(16)], 'huge.png')
    Object.defineProperty(huge, 'size', { value: MAX_HANDED_IMAGE_BYTES + 1 })
    const pathOf = (file: File) => (file === onDisk ? '/photos/IMG_1.jpg' : '')
    const handed = await handedPhotos([onDisk, copied, huge], 'drop', pathOf)
    expect(handed).toEqual({
      via: 'drop',
      paths: ['/photos/IMG_1.jpg'],
      images: [new Uint8Array([1, 2, 3])],
      oversized: 1,
    })
  })
})
