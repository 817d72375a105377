/** Adding photos the queue already has, with the same settings: their job takes only what is new. */
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScriptedDialogs, startBackend } from '../e2e/harness.js'
import { fileVersion } from '../../src/node/files.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-add-again-'))
const album = join(work, 'Grandma 1962')
const dialogs = new ScriptedDialogs()
let backend: Awaited<ReturnType<typeof startBackend>>

const scan = (name: string, background: string): Promise<unknown> =>
  sharp({ create: { width: 24, height: 16, channels: 3, background } })
    .png()
    .toFile(join(album, name))

beforeAll(async () => {
  mkdirSync(album)
  await scan('page-1.png', '#806040')
  await scan('page-2.png', '#408060')
  // Beside the scans: the scanner's RAW file, and the system files Windows and macOS leave, which are not news.
  for (const name of ['page-1.CR2', 'Thumbs.db', 'desktop.ini', '.DS_Store'])
    writeFileSync(join(album, name), 'x')
  backend = await startBackend(join(work, 'data'), dialogs)
})
afterAll(() => backend.close())

async function addAlbum(): Promise<string> {
  const api = backend.services
  const dropped = await api.selectDropped([album])
  const job = await api.addJob(dropped!.id)
  if (!job.ok) throw new Error(job.error.message)
  await expect.poll(async () => (await api.listJobs())[0]?.state, { timeout: 120_000 }).toBe('done')
  return job.value.id
}

describe('adding a folder the queue already has', () => {
  it('enhances only the photos scanned since, in the same job, and never a second copy of the others', async () => {
    const first = await addAlbum()
    const enhanced = join(album, 'Enhanced')
    expect(readdirSync(enhanced).sort()).toEqual(['page-1.png', 'page-2.png'])
    const written = () =>
      Promise.all(['page-1.png', 'page-2.png'].map((name) => fileVersion(join(enhanced, name))))
    const firstWritten = await written()

    await scan('page-3.png', '#604080')
    expect(await addAlbum()).toBe(first)
    const [job] = await backend.services.listJobs()
    expect([job!.id, job!.leftOut]).toEqual([
      first,
      'Left out 1 file that is not a photo Enhance reads: 1 .cr2. ' +
        "Camera RAW files (.cr2) need exporting as JPEG or TIFF first, in the camera maker's software or a photo editor.",
    ])
    const items = await backend.services.listItems(first)
    expect(items.map((i) => [basename(i.input), i.state]).sort()).toEqual([
      ['page-1.png', 'done'],
      ['page-2.png', 'done'],
      ['page-3.png', 'done'],
    ])
    expect(readdirSync(enhanced).sort()).toEqual(['page-1.png', 'page-2.png', 'page-3.png'])
    expect(await written()).toEqual(firstWritten)
  })

  it('a photo edited since it was enhanced is enhanced again in place; the others are left as they are', async () => {
    const enhanced = join(album, 'Enhanced')
    const untouched = ['page-1.png', 'page-3.png'].map((name) => join(enhanced, name))
    const before = await Promise.all(untouched.map(fileVersion))
    await scan('page-2.png', '#c02020') // its colours corrected, and saved over itself
    const job = await addAlbum()
    const items = await backend.services.listItems(job)
    expect(items.map((i) => [basename(i.input), i.state]).sort()).toEqual([
      ['page-1.png', 'done'],
      ['page-2.png', 'done'],
      ['page-3.png', 'done'],
    ])
    const { channels } = await sharp(join(enhanced, 'page-2.png')).stats()
    expect(channels.slice(0, 3).map((c) => Math.round(c.mean / 16))).toEqual([0xc, 0x2, 0x2])
    expect(await Promise.all(untouched.map(fileVersion))).toEqual(before)
    expect(readdirSync(enhanced).sort()).toEqual(['page-1.png', 'page-2.png', 'page-3.png'])
  })

  it('dropped twice at once: one job, each photo once', async () => {
    const api = backend.services
    const twice = join(work, 'Wedding 1975')
    mkdirSync(twice)
    const colours = { 'a.png': '#aa4040', 'b.png': '#40aa40', 'c.png': '#4040aa' }
    for (const [name, background] of Object.entries(colours))
      await sharp({ create: { width: 24, height: 16, channels: 3, background } })
        .png()
        .toFile(join(twice, name))
    const drops = await Promise.all([api.selectDropped([twice]), api.selectDropped([twice])])
    const jobs = await Promise.all(drops.map((drop) => api.addJob(drop!.id)))
    const ids = jobs.map((job) => (job.ok ? job.value.id : job.error.message))
    expect(ids[1]).toBe(ids[0])
    await expect
      .poll(async () => (await api.listJobs()).find((j) => j.id === ids[0])?.state, { timeout: 120_000 })
      .toBe('done')
    expect((await api.listItems(ids[0]!)).map((i) => basename(i.input)).sort()).toEqual([
      'a.png',
      'b.png',
      'c.png',
    ])
    expect(readdirSync(join(twice, 'Enhanced')).sort()).toEqual(['a.png', 'b.png', 'c.png'])
  })
})
