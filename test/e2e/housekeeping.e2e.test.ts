/// <reference lib="dom" />
/**
 * Queue housekeeping in Chromium: honest job states, failures in plain words, Show in folder by id,
 * remove and clear finished.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toErrorData } from '../../src/shared/errors.js'
import { AppSession, photo } from './session.js'

const app = new AppSession()
const album = join(app.work, 'Summer 2019')

beforeAll(async () => {
  mkdirSync(album, { recursive: true })
  await photo(join(album, 'beach.jpg'), 1, 48, 32)
  await photo(join(album, 'dunes.jpg'), 2, 48, 32)
  writeFileSync(join(album, 'empty.jpg'), '') // a 0-byte file: no retry can help it
  await app.start()
}, 120_000)

afterAll(() => app.stop())

describe('queue housekeeping in Chromium', () => {
  it('says "Done, 1 of 3 failed", explains the failure in a sentence, and offers no useless retry', async () => {
    const { page } = app
    app.dialogs.outputFolder = join(app.work, 'out')
    await app.backend.services.chooseOutputFolder()
    app.dialogs.inputs = [album]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const job = page.getByRole('article', { name: 'Job Summer 2019 (3 photos)' })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    await expect.poll(() => job.locator('.state').textContent()).toBe('Done, 1 of 3 failed')
    expect(await job.locator('.state').getAttribute('class')).toContain('warning')
    const failure = job.getByRole('note')
    expect(await failure.locator('span').first().textContent()).toMatch(/^empty\.jpg is empty \(0 bytes\)\./)
    expect(await failure.locator('span').first().textContent()).not.toContain(album)
    await failure.getByText('Details').click()
    expect(await failure.locator('details').textContent()).toContain('CORRUPT_IMAGE')
    expect(await job.getByRole('button', { name: /^Retry/ }).count()).toBe(0)
    expect(await job.getByRole('button', { name: /of empty\.jpg: adjust/ }).count()).toBe(0)
    await app.shot('30-job-with-a-failure')
  })

  it('shows outputs and the output folder by id, then removes and clears jobs', async () => {
    const { page } = app
    const job = page.getByRole('article', { name: 'Job Summer 2019 (3 photos)' })
    await job.getByRole('button', { name: 'Show in folder: the output of Summer 2019 (3 photos)' }).click()
    await job.getByRole('button', { name: 'Show beach.jpg in its folder' }).click()
    await expect
      .poll(() => app.dialogs.shown)
      .toEqual([join(app.work, 'out'), join(app.work, 'out', 'beach.jpg')])

    await job.getByRole('button', { name: 'Remove Summer 2019 (3 photos) from the list' }).click()
    await job.waitFor({ state: 'detached' })
    expect(await app.backend.services.listJobs()).toEqual([])

    app.dialogs.inputs = [join(album, 'dunes.jpg')]
    await page.getByRole('button', { name: 'Add photos…' }).click()
    const second = page.getByRole('article', { name: 'Job dunes.jpg (1 photo)' })
    await expect.poll(() => second.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    await page.getByRole('button', { name: 'Clear finished' }).click()
    await second.waitFor({ state: 'detached' })
    expect(await app.backend.services.listJobs()).toEqual([])
  })

  it('offers to enhance what a cut-short photo holds, and says so under the result', async () => {
    const { page } = app
    const texture = Buffer.from(Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 7919) % 251))
    const whole = await sharp(texture, { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg()
      .toBuffer()
    const cut = join(app.work, 'cut.jpg')
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)))
    app.dialogs.inputs = [cut]
    await page.getByRole('button', { name: 'Add photos…' }).click()
    const job = page.getByRole('article', { name: 'Job cut.jpg (1 photo)' })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const failure = job.locator('.failure')
    const sentence = await failure.locator('span').first().textContent()
    expect(sentence).toMatch(/^cut\.jpg is cut short or damaged.*Or press “Enhance what can be read”/)
    expect(sentence).not.toContain('--read-damaged')
    await app.shot('31-cut-short-photo')
    await job.getByRole('button', { name: 'Enhance what can be read of cut.jpg' }).click()
    await expect.poll(() => job.locator('li').getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    await expect
      .poll(() => job.locator('.note').textContent())
      .toMatch(/premature end.*what could be read was enhanced/)
    expect(await job.locator('.failure').count()).toBe(0)
    await app.shot('32-cut-short-photo-read')
    expect((await sharp(join(app.work, 'out', 'cut.jpg')).metadata()).width).toBe(256)
  })

  it('makes the model of new jobs ready at start, so a photo then runs where the warm-up said', async () => {
    const ready = await app.backend.services.warmUp()
    expect(ready.provider).toBe('cpu')
    app.dialogs.inputs = [join(album, 'beach.jpg')]
    await app.page.getByRole('button', { name: 'Add photos…' }).click()
    const job = app.page.getByRole('article', { name: 'Job beach.jpg (1 photo)' })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const [item] = await app.backend.services.listItems((await app.backend.services.listJobs()).at(-1)!.id)
    expect(item!.provider).toBe(ready.provider)
  })

  it('makes a new engine or pair ready when the settings change, but not for a slider move', async () => {
    const { engine, services } = app.backend
    const warmed: string[] = []
    const outcomes: Promise<string>[] = []
    const original = engine.warmUp.bind(engine)
    engine.warmUp = (model, tile, options) => {
      warmed.push(model.path)
      const warming = original(model, tile, options)
      outcomes.push(
        warming.then(
          (reply) => reply.provider,
          (error: unknown) => toErrorData(error).code,
        ),
      )
      return warming
    }
    try {
      // The engine is restarted for the new precision: the warm-up and a listing made at once reach the new one.
      await services.updatePreferences({ precision: 'fp32' })
      const listed = await services.listModels()
      await expect.poll(() => warmed.length).toBe(1)
      await services.updatePreferences({ realism: 0.3 })
      if (!listed.ok) throw new Error(`listing the models failed: ${listed.error.message}`)
      const faithful = listed.value.find((m) => m.name === 'enhance-psnr-x4')!
      const partner = listed.value.find((m) => m.name === faithful.pair)!
      await services.updatePreferences({ model: { path: faithful.path, partner: partner.path } })
      await expect.poll(() => warmed).toEqual([warmed[0], faithful.path])
      expect(warmed[0]).toMatch(/enhance-real-psnr-x4\.safetensors$/)
      expect(await Promise.all(outcomes)).toEqual(['cpu', 'cpu'])
    } finally {
      engine.warmUp = original
      await services.updatePreferences({ precision: 'auto', realism: 0.5, model: null })
    }
  })

  it('sets the realism for new jobs from the queue, without choosing a photo first', async () => {
    await app.page.getByRole('slider', { name: 'Realism for new jobs' }).fill('0.75')
    await expect.poll(() => app.backend.services.getPreferences().then((p) => p.realism)).toBe(0.75)
    await app.page.getByText('75%').waitFor()
  })

  it("adds from the menu's Add Photos…, and starts on photos opened with Enhance, from any view", async () => {
    const { page } = app
    const opened = join(app.work, 'Opened')
    mkdirSync(opened)
    for (const [i, name] of ['menu.jpg', 'first.jpg', 'second.jpg'].entries())
      await photo(join(opened, name), 5 + i, 40, 30)
    const queueTab = page.getByRole('tab', { name: 'Queue' })

    await app.tab('Settings')
    app.dialogs.inputs = [join(opened, 'menu.jpg')]
    app.backend.services.menuAdd('files')
    const fromMenu = page.getByRole('article', { name: 'Job menu.jpg (1 photo)' })
    await expect.poll(() => fromMenu.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    expect(await queueTab.getAttribute('aria-selected')).toBe('true')

    await app.tab('Models')
    app.backend.services.openPaths([join(opened, 'first.jpg'), join(opened, 'second.jpg')])
    const fromSystem = page.getByRole('article', { name: 'Job first.jpg and 1 more (2 photos)' })
    await expect.poll(() => fromSystem.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    expect(await queueTab.getAttribute('aria-selected')).toBe('true')
    const written = (await app.backend.services.listJobs()).find((j) => j.total === 2)!
    expect(written.counts.done).toBe(2)
    const outputs = await app.backend.services.listItems(written.id)
    expect(outputs.map((item) => existsSync(item.output))).toEqual([true, true])
  })

  it("moves a job's count and bar with each photo it finishes, not only when the job does", async () => {
    const { page } = app
    const album = join(app.work, 'Slow album')
    mkdirSync(album)
    for (let i = 0; i < 4; i++) await photo(join(album, `p${i}.jpg`), i, 320, 240)
    app.dialogs.inputs = [album]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const job = page.getByRole('article', { name: 'Job Slow album (4 photos)' })
    // Before, it said "0 of 4 enhanced" (its bar at 0) until the last photo was done.
    await expect
      .poll(() => job.locator('.counts').textContent(), { timeout: 60_000, interval: 50 })
      .toMatch(/^\s*[123] of 4 enhanced/)
    expect(await job.getAttribute('data-state')).toBe('running')
    expect(Number(await job.locator('progress').first().getAttribute('value'))).toBeGreaterThanOrEqual(1)
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
  })

  it("watches a folder's job for new photos: pressed, said in its state, and a scan saved there joins it", async () => {
    const { page } = app
    const scans = join(app.work, 'Scans')
    mkdirSync(scans)
    await photo(join(scans, 'print-1.jpg'), 7, 48, 32)
    app.dialogs.inputs = [scans]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const job = page.getByRole('article', { name: /^Job Scans \(/ })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const watch = job.getByRole('button', { name: /^Watch for new photos: the folder of Scans/ })
    expect(await watch.getAttribute('aria-pressed')).toBe('false')
    await watch.click()
    await expect.poll(() => watch.getAttribute('aria-pressed')).toBe('true')
    expect(await job.locator('.state').textContent()).toBe('Watching for new photos')
    await app.shot('36-job-watching-its-folder')

    await photo(join(scans, 'print-2.jpg'), 8, 48, 32)
    await expect
      .poll(() => job.locator('.counts').textContent(), { timeout: 60_000 })
      .toMatch(/^\s*2 of 2 enhanced/)
    await expect.poll(() => job.locator('.state').textContent()).toBe('Watching for new photos')
    await watch.click()
    await expect.poll(() => watch.getAttribute('aria-pressed')).toBe('false')
    expect(await job.locator('.state').textContent()).toBe('Done')
    // A job of single photos has no folder to watch.
    const files = page.getByRole('article', { name: 'Job first.jpg and 1 more (2 photos)' })
    expect([await files.count(), await files.getByRole('button', { name: /^Watch/ }).count()]).toEqual([1, 0])
  })
})
