/** A folder's job watched for new photos in the app: the scanner workflow, each print saved into one folder. */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScriptedDialogs, startBackend } from '../e2e/harness.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-watch-folder-'))
const album = join(work, 'Scans')
const dataDir = join(work, 'data')
const dialogs = new ScriptedDialogs()
const timing = { settleMs: 200, pollMs: 300 }
let backend: Awaited<ReturnType<typeof startBackend>>

const scan = (name: string, background: string, folder = album): Promise<unknown> =>
  sharp({ create: { width: 24, height: 16, channels: 3, background } })
    .png()
    .toFile(join(folder, name))

/** The mean colour of a result, in sixteenths: what the flat scan it came from was. */
async function colourOf(path: string): Promise<number[]> {
  const { channels } = await sharp(path).stats()
  return channels.slice(0, 3).map((c) => Math.round(c.mean / 16))
}

beforeAll(async () => {
  mkdirSync(album)
  await scan('page-1.png', '#806040')
  backend = await startBackend(dataDir, dialogs, {}, timing)
})
afterAll(() => backend.close())

async function doneInputs(jobId: string, count: number): Promise<string[]> {
  const names = async () =>
    (await backend.services.listItems(jobId))
      .filter((i) => i.state === 'done')
      .map((i) => basename(i.input))
      .sort()
  await expect.poll(async () => (await names()).length, { timeout: 120_000 }).toBe(count)
  return names()
}

describe('watching a folder from the app', () => {
  it('takes each scan saved into the folder, goes on after a restart, and stops when asked', async () => {
    const dropped = await backend.services.selectDropped([album])
    const added = await backend.services.addJob(dropped!.id)
    if (!added.ok) throw new Error(added.error.message)
    const jobId = added.value.id
    expect([added.value.watchable, added.value.watching]).toEqual([true, false])
    await doneInputs(jobId, 1)

    await backend.services.watchJob(jobId, true)
    expect((await backend.services.listJobs())[0]).toMatchObject({ id: jobId, watching: true })
    await scan('page-2.png', '#408060')
    expect(await doneInputs(jobId, 2)).toEqual(['page-1.png', 'page-2.png'])
    expect(await colourOf(join(album, 'Enhanced', 'page-2.png'))).toEqual([4, 8, 6])

    // The watch is in the queue: the app started again watches on.
    await backend.close()
    backend = await startBackend(dataDir, dialogs, {}, timing)
    expect((await backend.services.listJobs())[0]).toMatchObject({ id: jobId, watching: true })
    await scan('page-3.png', '#604080')
    expect(await doneInputs(jobId, 3)).toEqual(['page-1.png', 'page-2.png', 'page-3.png'])

    // "Clear finished" leaves a job that still watches its folder.
    expect(await backend.services.clearFinishedJobs()).toBe(0)
    expect((await backend.services.listJobs()).map((j) => j.id)).toEqual([jobId])

    await backend.services.watchJob(jobId, false)
    await scan('page-4.png', '#204060')
    await new Promise((resolve) => setTimeout(resolve, 10 * (timing.settleMs + timing.pollMs)))
    expect((await backend.services.listItems(jobId)).map((i) => basename(i.input)).sort()).toEqual([
      'page-1.png',
      'page-2.png',
      'page-3.png',
    ])
  })

  it('a job paused while watched takes nothing new until resumed; a job of single photos has no folder to watch', async () => {
    const folder = join(work, 'Paused')
    mkdirSync(folder)
    await scan('a.png', '#a04040', folder)
    const api = backend.services
    const added = await api.addJob((await api.selectDropped([folder]))!.id)
    if (!added.ok) throw new Error(added.error.message)
    await doneInputs(added.value.id, 1)
    await api.watchJob(added.value.id, true)
    // A large scan arrives and is paused while it is enhanced; a scan saved meanwhile waits for Resume.
    const noise = Buffer.from(Array.from({ length: 640 * 480 * 3 }, (_, k) => (k * 2654435761) >>> 24))
    await sharp(noise, { raw: { width: 640, height: 480, channels: 3 } })
      .png()
      .toFile(join(folder, 'b.png'))
    await expect
      .poll(async () => (await api.listItems(added.value.id)).find((i) => i.state === 'running')?.input, {
        timeout: 60_000,
        interval: 20,
      })
      .toBe(join(folder, 'b.png'))
    await api.pauseJob(added.value.id)
    await scan('c.png', '#4040a0', folder)
    await new Promise((resolve) => setTimeout(resolve, 10 * (timing.settleMs + timing.pollMs)))
    const held = await api.listItems(added.value.id)
    expect(held.map((i) => [basename(i.input), i.state])).toEqual([
      ['a.png', 'done'],
      ['b.png', 'queued'],
    ])
    await api.resumeJob(added.value.id)
    expect(await doneInputs(added.value.id, 3)).toEqual(['a.png', 'b.png', 'c.png'])

    const single = await api.addJob((await api.selectDropped([join(folder, 'a.png')]))!.id)
    if (!single.ok) throw new Error(single.error.message)
    expect(single.value.watchable).toBe(false)
    await expect(api.watchJob(single.value.id, true)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
  })
})
