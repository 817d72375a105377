/**
 * The desktop UI in a real browser: the renderer built by electron-vite, in Debian's Chromium, bound to
 * the same main-side services the app uses, with the real queue and engine process on real files.
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Server } from 'node:http'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES } from '../helpers/fixtures.js'
import {
  SCREENSHOTS,
  ScriptedDialogs,
  bindPage,
  launchChromium,
  serveRenderer,
  startBackend,
} from './harness.js'
import type { AppBackend } from './harness.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-e2e-'))
const album = join(work, 'Album 1962')
const queueDir = join(work, 'queue')
const dialogs = new ScriptedDialogs()
let browser: Browser
let server: Server
let url = ''
let backend: AppBackend
let page: Page
let unbind: () => void

async function photo(path: string, seed: number, width = 256, height = 192): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="hsl(${seed * 47},60%,50%)"/><circle cx="${20 + seed * 5}" cy="30" r="18" fill="#fff" opacity="0.6"/><path d="M0 ${height} L${width} 10" stroke="#202020" stroke-width="3"/></svg>`
  await sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toFile(path)
}

async function openApp(): Promise<void> {
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } })
  unbind = await bindPage(page, backend)
  await page.goto(url)
  await page.getByRole('heading', { name: /Enhance/ }).waitFor()
}

async function shot(name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

beforeAll(async () => {
  mkdirSync(join(album, 'beach'), { recursive: true })
  for (let i = 0; i < 6; i++) await photo(join(album, i < 3 ? 'beach' : '', `photo ${i}.jpg`), i)
  ;({ url, server } = await serveRenderer())
  browser = await launchChromium()
  backend = startBackend(queueDir, dialogs)
  await openApp()
}, 120_000)

afterAll(async () => {
  unbind?.()
  await browser?.close()
  server?.close()
  backend?.close()
})

describe('the desktop UI in Chromium', () => {
  it('starts empty and says what to do', async () => {
    await expect(page.getByText(/No photos yet/).isVisible()).resolves.toBe(true)
    await shot('01-empty-queue')
  })

  it('adds a folder, shows tile progress and a live preview, pauses, resumes and finishes', async () => {
    dialogs.inputs = [album]
    dialogs.outputFolder = join(work, 'enhanced')
    await page.getByRole('combobox', { name: 'Tile size' }).selectOption({ label: '64 px' })
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const job = page.getByRole('article', { name: /Job Album 1962/ })
    await job.waitFor()
    await job.getByRole('progressbar', { name: /^Tiles of/ }).waitFor({ timeout: 60_000 })
    await shot('02-running-with-tiles')
    await job.getByRole('button', { name: /^Pause/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('paused')
    const pausedDone = backend.queue.runner
      .items(backend.queue.runner.jobs[0]!.id)
      .filter((i) => i.state === 'done').length
    expect(pausedDone).toBeLessThan(6)
    await shot('03-paused')
    await job.getByRole('button', { name: /^Resume/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done')
    await expect(job.getByText('6 of 6 enhanced').isVisible()).resolves.toBe(true)
    // What actually ran is shown for each photo.
    await expect(job.getByText('done on CPU').count()).resolves.toBe(6)
    expect(
      readdirSync(join(work, 'enhanced'), { recursive: true }).filter((f) => String(f).endsWith('.jpg')),
    ).toHaveLength(6)
    await shot('04-done')
  })

  it('cancels a job', async () => {
    dialogs.inputs = [join(album, 'beach')]
    dialogs.outputFolder = join(work, 'enhanced-2')
    await page.getByRole('button', { name: 'Add photos…' }).click()
    const job = page.getByRole('article', { name: /Job beach/ })
    await job.getByRole('button', { name: /^Cancel/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled')
  })

  it('compares before and after', async () => {
    await page.getByRole('tab', { name: 'Compare' }).click()
    await page.getByRole('combobox', { name: 'Photo to compare' }).selectOption({ index: 1 })
    await page.getByRole('img', { name: 'After' }).waitFor()
    await page.getByRole('slider', { name: 'Before/after split' }).fill('30')
    await shot('05-compare')
    await page.getByRole('checkbox', { name: 'Side by side' }).check()
    await expect(page.getByRole('img', { name: 'Before' }).isVisible()).resolves.toBe(true)
  })

  it('moves the realism slider: the crop changes between α = 0 and 1, and each is deterministic', async () => {
    await page.getByRole('tab', { name: 'Realism' }).click()
    dialogs.inputs = [join(album, 'photo 4.jpg')]
    await page.getByRole('button', { name: 'Choose a photo…' }).click()
    const slider = page.getByRole('slider', { name: /Realism/ })
    const crop = (alpha: number) => page.locator(`img[data-alpha="${alpha}"]`)
    const render = async (alpha: number): Promise<string> => {
      await slider.fill(String(alpha))
      await crop(alpha).waitFor({ timeout: 60_000 })
      return (await crop(alpha).getAttribute('src'))!
    }
    const faithful = await render(0)
    const realistic = await render(1)
    expect(realistic).not.toBe(faithful)
    expect(await render(0)).toBe(faithful)
    expect(await render(1)).toBe(realistic)
    await page.getByRole('button', { name: 'Show 5 levels' }).click()
    await page.getByRole('button', { name: 'Use realism 50%' }).waitFor({ timeout: 60_000 })
    await shot('06-realism')
  })

  it('imports a checkpoint and shows its architecture, or the error for a bad one', async () => {
    await page.getByRole('tab', { name: 'Models' }).click()
    await page.getByText(/enhance-psnr-x4/).waitFor()
    dialogs.inputs = [join(FIXTURES, 'oldarch_x4_legacy.pth')]
    await page.getByRole('button', { name: 'Inspect a model file…' }).click()
    await page.getByRole('definition').filter({ hasText: 'old-arch' }).waitFor()
    await shot('07-models')
    dialogs.inputs = [join(FIXTURES, 'malicious_zip.pth')]
    await page.getByRole('button', { name: 'Inspect a model file…' }).click()
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/UNSAFE_CHECKPOINT/)
  })

  it('restarts mid-job and finds the queue resumed', async () => {
    await page.getByRole('tab', { name: 'Queue' }).click()
    dialogs.inputs = [album]
    dialogs.outputFolder = join(work, 'enhanced-3')
    await page.getByRole('button', { name: 'Add folder…' }).click()
    await page
      .getByRole('article', { name: /Job Album 1962/ })
      .nth(1)
      .waitFor()
    const runner = backend.queue.runner
    const jobId = runner.jobs.at(-1)!.id
    await expect
      .poll(() => runner.items(jobId).filter((i) => i.state === 'done').length, { timeout: 60_000 })
      .toBeGreaterThan(0)
    // The app quits mid-job (the queue is on disk), then starts again.
    unbind()
    await page.close()
    backend.close()
    backend = startBackend(queueDir, dialogs)
    void backend.queue.runner.run()
    await openApp()
    const resumed = page.getByRole('article', { name: /Job Album 1962/ }).last()
    await expect.poll(() => resumed.getAttribute('data-state'), { timeout: 120_000 }).toBe('done')
    expect(
      readdirSync(join(work, 'enhanced-3'), { recursive: true }).filter((f) => String(f).endsWith('.jpg')),
    ).toHaveLength(6)
    await shot('08-resumed-after-restart')
  })
})
