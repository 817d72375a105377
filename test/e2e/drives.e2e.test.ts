/**
 * The app on a network drive whose server froze mid-album (a real FUSE drive, frozen and thawed): the card says what
 * the photo waits for, Pause stops the wait, and Resume finishes once the drive is back. Needs root and bindfs.
 */
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canMountWith, networkDrive, unmountAll, until } from '../helpers/drives.js'
import type { NetworkDrive } from '../helpers/drives.js'
import { AppSession, photo } from './session.js'

const canMount = canMountWith('bindfs')
const app = new AppSession()
const PHOTOS = 4
let drive: NetworkDrive
let album = ''

beforeAll(async () => {
  if (!canMount) return
  drive = await networkDrive(app.work, 'NAS')
  album = join(drive.dir, 'Album 1974')
  mkdirSync(album)
  for (let i = 0; i < PHOTOS; i++) await photo(join(album, `photo ${i}.jpg`), i)
  await app.start()
}, 120_000)

afterAll(async () => {
  drive?.thaw()
  await app.stop()
  unmountAll()
})

describe.runIf(canMount)('a network drive that freezes mid-album, in the app', () => {
  it('the card says which folder does not answer and since when; Pause stops the wait; Resume finishes once it is back', async () => {
    const { page, dialogs, backend } = app
    const runner = backend.queue.runner
    dialogs.inputs = [album]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const job = page.getByRole('article', { name: /Job Album 1974/ })
    await job.waitFor()
    const done = () => runner.jobs.flatMap((j) => runner.items(j.id)).filter((i) => i.state === 'done').length
    await until(() => done() > 0, 'the first photo', 120_000)
    drive.freeze()
    const waiting = job.getByRole('status').filter({ hasText: 'has not answered since' })
    await waiting.waitFor({ timeout: 60_000 })
    expect(await waiting.textContent()).toContain(`Waiting: ${album} has not answered since`)
    // No time left is claimed for a wait no one can foresee.
    expect(await job.getByText(/s left/).count()).toBe(0)
    const photoLine = job
      .getByRole('region', { name: /^Now enhancing/ })
      .locator('p')
      .first()
    expect(await photoLine.textContent()).toMatch(/^photo \d\.jpg\s+— waiting for its drive$/)
    await app.shot('drive-waiting')
    await job.getByRole('button', { name: /^Pause/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('paused')
    expect(await waiting.count()).toBe(0)
    expect(done()).toBeLessThan(PHOTOS)
    drive.thaw()
    await job.getByRole('button', { name: /^Resume/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done')
    // No output folder chosen: the results are saved in an "Enhanced" folder inside the album, on the drive too.
    expect(readdirSync(join(album, 'Enhanced')).filter((f) => f.endsWith('.jpg'))).toHaveLength(PHOTOS)
  })
})
