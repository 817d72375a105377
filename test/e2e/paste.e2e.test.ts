/// <reference lib="dom" />
/**
 * Pasting and dropping in Chromium: a photo copied to the real clipboard and pasted with the keyboard, or an
 * image dragged from a browser (a File with no path), becomes a job, its image saved once in main's folder and
 * enhanced beside it; text fields keep their own pastes; a link dropped alone is said not to be downloaded.
 */
import { mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NOTHING_TAKEN } from '../../src/main/services/pasted.js'
import { AppSession, photo } from './session.js'

const app = new AppSession()
const pastedDir = () => join(app.dataDir, 'Pasted into Enhance')
let copied: Buffer

/** Puts `png` on the system clipboard as a browser's Copy Image does. */
async function copyImage(png: Buffer): Promise<void> {
  await app.page.evaluate(
    async (bytes) => {
      const blob = new Blob([new Uint8Array(bytes)], { type: 'image/png' })
      await navigator.clipboard.write([new ClipboardItem({ 'image/png': blob })])
    },
    [...png],
  )
}

const copyText = (text: string) => app.page.evaluate((t) => navigator.clipboard.writeText(t), text)

async function pressPaste(): Promise<void> {
  await app.page.locator('body').focus()
  await app.page.keyboard.press('Control+V')
}

beforeAll(async () => {
  const source = join(app.work, 'copied.jpg')
  await photo(source, 3, 40, 30)
  copied = await sharp(source).png().toBuffer()
  await app.start()
  await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
}, 120_000)

afterAll(() => app.stop())

describe('pasting and dropping photos in Chromium', () => {
  it('enhances a copied image pasted from any view, saved once with its pixels as copied', async () => {
    const { page } = app
    await page.getByText(/paste it with Ctrl\+V/).waitFor()
    await app.tab('Models')
    await copyImage(copied)
    await pressPaste()
    const job = page.getByRole('article', {
      name: /^Job Pasted \d{4}-\d\d-\d\d at \d\d\.\d\d\.\d\d\.png \(1 photo\)$/,
    })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    expect(await page.getByRole('tab', { name: 'Queue' }).getAttribute('aria-selected')).toBe('true')

    const [saved] = readdirSync(pastedDir()).filter((name) => name.endsWith('.png'))
    const pixels = (file: string | Buffer) => sharp(file).removeAlpha().raw().toBuffer()
    expect((await pixels(join(pastedDir(), saved!))).equals(await pixels(copied))).toBe(true)
    const [item] = await app.backend.services.listItems((await app.backend.services.listJobs())[0]!.id)
    expect(item!.output).toBe(join(pastedDir(), 'Enhanced', saved!))
    expect(await sharp(item!.output).metadata()).toMatchObject({ width: 160, height: 120 })
  })

  it('copies the enhanced photo to the clipboard, whole, and says so under it', async () => {
    const job = (await app.backend.services.listJobs())[0]!
    const [item] = await app.backend.services.listItems(job.id)
    const name = item!.input.split('/').at(-1)!
    await app.page.getByRole('button', { name: `Copy the enhanced ${name}` }).click()
    await app.page.getByRole('status').filter({ hasText: 'Copied' }).waitFor()
    const raw = (file: Uint8Array | string) =>
      sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    const [copiedPixels, output] = await Promise.all([raw(app.dialogs.copied!), raw(item!.output)])
    expect(copiedPixels.info).toMatchObject({ width: 160, height: 120 })
    expect(copiedPixels.data.equals(output.data)).toBe(true)
  })

  it('takes the same image pasted again as the same photo: no second file, no second job', async () => {
    await pressPaste()
    await expect.poll(() => app.backend.services.listJobs().then((jobs) => jobs.length)).toBe(1)
    await app.page.waitForTimeout(300)
    expect((await app.backend.services.listJobs()).length).toBe(1)
    expect(readdirSync(pastedDir()).filter((name) => name !== 'Enhanced')).toHaveLength(1)
    expect(await app.page.getByRole('alert').count()).toBe(0)
  })

  it('says what to copy when the clipboard holds no photo', async () => {
    await copyText('https://example.com/photo.jpg')
    await pressPaste()
    const alert = app.page.getByRole('alert')
    await expect.poll(() => alert.textContent()).toContain(NOTHING_TAKEN.paste)
    expect(await alert.textContent()).toContain('NO_PHOTOS')
    await app.page.getByRole('button', { name: 'Dismiss' }).click()
    await alert.waitFor({ state: 'detached' })
    expect((await app.backend.services.listJobs()).length).toBe(1)
  })

  it('leaves a paste into a text field to the field', async () => {
    const { page } = app
    await app.tab('Settings')
    const names = page.getByRole('textbox', { name: 'File names' })
    await names.fill('')
    await copyText('{name}_restored')
    await names.focus()
    await page.keyboard.press('Control+V')
    await expect.poll(() => names.inputValue()).toBe('{name}_restored')
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true')
    await copyImage(copied)
    await names.focus()
    await page.keyboard.press('Control+V')
    await page.waitForTimeout(300)
    expect((await app.backend.services.listJobs()).length).toBe(1)
    expect(await page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true')
  })

  it('enhances files copied in the file manager where they are, as a drop does, and not their icons', async () => {
    const { page } = app
    const album = join(app.work, 'copied-files')
    mkdirSync(album)
    await photo(join(album, 'scan.jpg'), 9, 40, 30)
    await page.evaluate(
      (path) => {
        Object.assign(globalThis, { __droppedPaths: { 'scan.jpg': path } })
        const files = new DataTransfer()
        files.items.add(new File(['not read: the file is on disk'], 'scan.jpg', { type: 'image/jpeg' }))
        // As Finder puts a copied file's icon on the clipboard beside it: not a photo to enhance.
        files.items.add(
          new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'image.png', { type: 'image/png' }),
        )
        document.body.dispatchEvent(new ClipboardEvent('paste', { clipboardData: files, bubbles: true }))
      },
      join(album, 'scan.jpg'),
    )
    const job = page.getByRole('article', { name: 'Job scan.jpg (1 photo)' })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const jobs = await app.backend.services.listJobs()
    const scanJob = jobs.find((j) => j.inputs[0] === join(album, 'scan.jpg'))!
    const [item] = await app.backend.services.listItems(scanJob.id)
    // Named by the template the last test pasted into Settings.
    expect(item!.output).toBe(join(album, 'Enhanced', 'scan_restored.jpg'))
    expect(readdirSync(pastedDir()).filter((name) => name !== 'Enhanced')).toHaveLength(1)
  })

  it('takes an image dragged from a browser, which has no file, as a pasted one', async () => {
    const { page } = app
    const dragged = await sharp({ create: { width: 24, height: 18, channels: 3, background: '#a04060' } })
      .png()
      .toBuffer()
    const transfer = await page.evaluateHandle(
      (bytes) => {
        const files = new DataTransfer()
        files.items.add(new File([new Uint8Array(bytes)], 'photo.png', { type: 'image/png' }))
        files.setData('text/uri-list', 'https://example.com/photo.png')
        return files
      },
      [...dragged],
    )
    await page.locator('section[aria-label="Queue"]').dispatchEvent('drop', { dataTransfer: transfer })
    const job = page.getByRole('article', {
      name: /^Job Dropped \d{4}-\d\d-\d\d at [\d.]+\.png \(1 photo\)$/,
    })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const saved = readdirSync(pastedDir()).find((name) => name.startsWith('Dropped'))!
    expect(readFileSync(join(pastedDir(), saved)).equals(dragged)).toBe(true)
  })

  it('takes nothing from an image dragged inside the window and let go on the queue', async () => {
    const { page } = app
    await page
      .getByRole('button', { name: 'Dismiss' })
      .click()
      .catch(() => undefined)
    const before = (await app.backend.services.listJobs()).length
    const thumbnail = page.locator('section[aria-label="Queue"] li img').first()
    await thumbnail.dragTo(page.locator('section[aria-label="Queue"] .toolbar'))
    await page.waitForTimeout(500)
    expect(await page.getByRole('alert').count()).toBe(0)
    expect((await app.backend.services.listJobs()).length).toBe(before)
  })

  it('says a link dropped alone is not downloaded, and what to do instead', async () => {
    const { page } = app
    const before = (await app.backend.services.listJobs()).length
    const transfer = await page.evaluateHandle(() => {
      const link = new DataTransfer()
      link.setData('text/uri-list', 'https://example.com/photo.jpg')
      return link
    })
    await page.locator('section[aria-label="Queue"]').dispatchEvent('drop', { dataTransfer: transfer })
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.textContent()).toContain(NOTHING_TAKEN.drop)
    expect((await app.backend.services.listJobs()).length).toBe(before)
  })
})
