/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Settings, models, drag-and-drop and readability, in Debian's Chromium against the real services.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURES } from '../helpers/fixtures.js'
import { MODELS_DIR } from './harness.js'
import { deviceOffers } from '../../src/engine/runtime/providers.js'
import { noGpuReason } from '../../src/node/gpu-devices.js'
import { AppSession, photo } from './session.js'

const app = new AppSession()
const photos = join(app.work, 'photos')

beforeAll(async () => {
  mkdirSync(photos, { recursive: true })
  await photo(join(photos, 'IMG_0001.jpg'), 2, 96, 64)
  await app.start()
}, 120_000)

afterAll(() => app.stop())

describe('the desktop UI in Chromium: settings, models and accessibility', () => {
  it('keeps settings across a restart and refuses a bad file name pattern with the reason', async () => {
    const { page } = app
    await app.tab('Settings')
    await app.shot('10-settings')
    // Each repair says what it does in a sentence; how, in full, behind its "How it works".
    const dust = page.locator('.help').filter({ hasText: 'Removing fills small grey specks of dust' })
    const how = dust.getByText(/^Removing fills small light or dark specks/)
    expect(await how.isVisible()).toBe(false)
    await dust.getByText('How it works').click()
    await expect.poll(() => how.isVisible()).toBe(true)
    await dust.getByText('How it works').click()
    await expect.poll(() => how.isVisible()).toBe(false)
    const naming = page.getByRole('textbox', { name: 'File names' })
    await naming.fill('photo')
    await naming.press('Enter')
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/\{name\}.*INVALID_ARGUMENT$/s)
    await expect.poll(() => naming.inputValue()).toBe('{name}')
    await naming.fill('{name}_x{scale}')
    await naming.press('Enter')
    await page.getByRole('combobox', { name: 'Format' }).selectOption('png')
    await page.getByRole('combobox', { name: 'Metadata' }).selectOption('profile')
    await page.getByRole('combobox', { name: 'Cut-short or damaged photos' }).selectOption('read')
    await page.getByRole('combobox', { name: 'If the file exists' }).selectOption('skip')
    await page.getByRole('combobox', { name: 'Precision' }).selectOption('fp32')
    await page.getByText('IMG_0042_x4.png').waitFor()
    // The bundled pair's own scale, as the engine read it for the Models list.
    const native = page.getByRole('combobox', { name: 'Size', exact: true }).locator('option[value="native"]')
    await expect.poll(() => native.textContent()).toBe("The model's scale (×4)")
    // Restart only once the last change has reached the store, as quitting the app would.
    await expect.poll(() => app.backend.services.getPreferences().then((p) => p.policy)).toBe('skip')
    await app.restart()
    await app.tab('Settings')
    await expect(app.page.getByRole('textbox', { name: 'File names' }).inputValue()).resolves.toBe(
      '{name}_x{scale}',
    )
    await expect(app.page.getByRole('combobox', { name: 'Metadata' }).inputValue()).resolves.toBe('profile')
    const precision = app.page.getByRole('combobox', { name: 'Precision' })
    await expect(precision.inputValue()).resolves.toBe('fp32')
    const stored = JSON.parse(readFileSync(join(app.dataDir, 'preferences.json'), 'utf8')) as {
      output: { format: string }
      policy: string
    }
    expect(stored).toMatchObject({
      output: { format: 'png', readDamaged: true },
      policy: 'skip',
      precision: 'fp32',
    })
    await expect(
      app.page.getByRole('combobox', { name: 'Cut-short or damaged photos' }).inputValue(),
    ).resolves.toBe('read')
    await precision.selectOption('auto')
    await expect.poll(() => app.backend.services.getPreferences().then((p) => p.precision)).toBe('auto')
  })

  it("lists this computer's devices, greying out accelerators it has no GPU for", async () => {
    await app.tab('Settings')
    const device = app.page.getByRole('combobox', { name: 'Device' })
    const offers = deviceOffers(process.platform, process.arch, noGpuReason())
    await expect
      .poll(() =>
        device
          .locator('option')
          .evaluateAll((options) =>
            options.map((o) => [(o as HTMLOptionElement).value, (o as HTMLOptionElement).disabled]),
          ),
      )
      .toEqual(offers.map((o) => [o.device, o.unavailable !== undefined]))
    const greyed = offers.find((o) => o.unavailable)
    if (greyed)
      await expect(device.locator(`option[value="${greyed.device}"]`).textContent()).resolves.toMatch(
        / — no GPU found$/,
      )
  })

  it('shows the log file, to send with a report, from the settings as from the Help menu', async () => {
    await app.tab('Settings')
    const shown = app.dialogs.shown.length
    await app.page.getByRole('button', { name: 'Show log file' }).click()
    await expect
      .poll(() => app.dialogs.shown.slice(shown))
      .toEqual([join(app.dataDir, 'logs', 'enhance.log')])
  })

  it('enhances photos dropped on the queue, named and encoded as the settings say', async () => {
    const { page } = app
    await app.tab('Queue')
    const input = join(photos, 'IMG_0001.jpg')
    app.dialogs.outputFolder = join(app.work, 'out')
    await app.backend.services.chooseOutputFolder()
    await page.evaluate((paths) => Object.assign(globalThis, { __droppedPaths: paths }), {
      'IMG_0001.jpg': input,
    })
    const files = await page.evaluateHandle(() => {
      const transfer = new DataTransfer()
      transfer.items.add(new File(['(bytes)'], 'IMG_0001.jpg', { type: 'image/jpeg' }))
      return transfer
    })
    await page.locator('section[aria-label="Queue"]').dispatchEvent('drop', { dataTransfer: files })
    const job = page.getByRole('article', { name: /Job IMG_0001.jpg/ })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const output = join(app.work, 'out', 'IMG_0001_x4.png')
    expect(existsSync(output)).toBe(true)
    expect(await sharp(output).metadata()).toMatchObject({ format: 'png', width: 384, height: 256 })
  })

  it("changes a job's folder before its first photo is saved: the photo in flight lands there instead", async () => {
    const { page } = app
    await app.tab('Queue')
    const input = join(photos, 'IMG_0002.jpg')
    await photo(input, 5, 640, 480)
    app.dialogs.inputs = [input]
    await page.getByRole('button', { name: 'Add photos…' }).click()
    const job = page.getByRole('article', { name: /Job IMG_0002.jpg/ })
    await job.getByRole('progressbar', { name: /^Tiles of/ }).waitFor({ timeout: 60_000 })
    const elsewhere = join(app.work, 'elsewhere')
    app.dialogs.outputFolder = elsewhere
    await job.getByRole('button', { name: /^Change where .* is saved/ }).click()
    await job.getByText(`Saved to ${elsewhere}`).waitFor()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 90_000 }).toBe('done')
    expect(readdirSync(elsewhere)).toEqual(['IMG_0002_x4.png'])
    expect(existsSync(join(app.work, 'out', 'IMG_0002_x4.png'))).toBe(false)
    // Its results stay together: once a photo is saved, the folder is no longer offered for change.
    expect(await job.getByRole('button', { name: /^Change where/ }).count()).toBe(0)
  })

  it('sizes photos by their longest side, or for a print, whose dpi the file says', async () => {
    const { page } = app
    await app.tab('Settings')
    const size = page.getByRole('combobox', { name: 'Size', exact: true })
    const stored = () => app.backend.services.getPreferences().then((p) => p.output.size)
    await size.selectOption('long')
    const side = page.getByRole('spinbutton', { name: 'Longest side' })
    await expect(side.inputValue()).resolves.toBe('3840')
    await side.fill('2000')
    await side.press('Enter')
    await expect.poll(stored).toEqual({ mode: 'fit', width: 2000, height: 2000 })
    await size.selectOption('print')
    const print = page.getByRole('combobox', { name: 'Print', exact: true })
    const dpi = page.getByRole('spinbutton', { name: 'Pixels per inch' })
    expect([await print.inputValue(), await dpi.inputValue()]).toEqual(['8x10', '300'])
    await print.selectOption({ label: '4 × 6 in (10 × 15 cm)' })
    await dpi.fill('10') // below 50: refused, and the field goes back to what is in effect
    await dpi.press('Enter')
    await expect.poll(() => dpi.inputValue()).toBe('300')
    await dpi.fill('100')
    await dpi.press('Enter')
    await expect.poll(stored).toEqual({ mode: 'print', width: 4, height: 6, dpi: 100 })
    await page.getByText('A 4 × 6 in print at 100 pixels per inch is 600 × 400 pixels.').waitFor()
    // A size of one's own, typed as on the command line; one that is not a size goes back to what is in effect.
    await print.selectOption('other')
    const typed = page.getByRole('textbox', { name: 'Size of the print' })
    expect(await typed.inputValue()).toBe('4x6')
    await typed.fill('20x30cm')
    await typed.press('Enter')
    await expect.poll(stored).toEqual({ mode: 'print', width: 20 / 2.54, height: 30 / 2.54, dpi: 100 })
    await page.getByText('A 20 × 30 cm print at 100 pixels per inch is 1181 × 787 pixels.').waitFor()
    await typed.fill('poster')
    await typed.press('Enter')
    await expect.poll(() => typed.inputValue()).toBe('20x30cm')
    await print.selectOption({ label: '4 × 6 in (10 × 15 cm)' })
    await expect.poll(stored).toEqual({ mode: 'print', width: 4, height: 6, dpi: 100 })
    await expect.poll(() => typed.count()).toBe(0)
    const onPrint = page.getByRole('combobox', { name: 'On the print' })
    expect(await onPrint.inputValue()).toBe('fit')
    await onPrint.selectOption('fill')
    await expect.poll(stored).toEqual({ mode: 'print', width: 4, height: 6, dpi: 100, fill: true })
    await page.getByText('The photo fills it, turned to its orientation').waitFor()
    // Realism shows what filling the print cuts off a square photo: 64 × 64 for 6 × 4 in keeps its middle 64 × 43.
    const square = join(photos, 'square.jpg')
    await photo(square, 7, 64, 64)
    await app.tab('Realism')
    app.dialogs.inputs = [square]
    await page.getByRole('button', { name: 'Choose a photo…' }).click()
    await page.getByText('Hatched: the edges cut to fill a 4 × 6 in print').waitFor()
    const bands = page.locator('.print-cut')
    const placed = () =>
      bands.evaluateAll((spans) =>
        spans.map((span) => [(span as HTMLElement).style.top, (span as HTMLElement).style.height]),
      )
    await expect.poll(placed).toEqual([
      ['0%', `${(10 / 64) * 100}%`],
      [`${(53 / 64) * 100}%`, `${(11 / 64) * 100}%`],
    ])
    await app.shot('realism-print-cut')
    await app.tab('Settings')
    await onPrint.selectOption({ label: 'The whole photo (the file is its shape)' })
    await expect.poll(stored).toEqual({ mode: 'print', width: 4, height: 6, dpi: 100 })
    await page.getByText('its file says 100 pixels per inch').waitFor()
    expect(await bands.count()).toBe(0) // fitted, nothing is cut
    await onPrint.selectOption('border')
    await expect.poll(stored).toEqual({ mode: 'print', width: 4, height: 6, dpi: 100, border: true })
    await page.getByText('never cropped, on white to the print’s size').waitFor()
    expect(await bands.count()).toBe(0) // on white, nothing is cut
    await app.shot('settings-print-size')
    await app.tab('Queue')
    const printed = join(app.work, 'printed')
    app.dialogs.outputFolder = printed
    await app.backend.services.chooseOutputFolder()
    const input = join(photos, 'IMG_0003.jpg')
    await photo(input, 6, 96, 72)
    app.dialogs.inputs = [input]
    await page.getByRole('button', { name: 'Add photos…' }).click()
    const job = page.getByRole('article', { name: /Job IMG_0003.jpg/ })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    await expect(job.locator('.counts').textContent()).resolves.toMatch(
      /· for a 4 × 6 in print at 100 dpi, on white to fill it\s*$/,
    )
    // The model's ×4 made 384 × 288: the print needed more, and the photo's row says so.
    await job
      .getByText("Enlarged past the model's own 384 × 288 px to 533 × 400 px for a 4 × 6 in print at 100 dpi")
      .waitFor()
    // 96 × 72 within 6 × 4 in (turned to the photo) at 100 pixels per inch: 533 × 400 on a white 600 × 400.
    const [output] = readdirSync(printed)
    const made = join(printed, output!)
    expect(await sharp(made).metadata()).toMatchObject({ width: 600, height: 400, density: 100 })
    const { data } = await sharp(made).raw().toBuffer({ resolveWithObject: true })
    const pixel = (x: number, y: number) => [...data.subarray((y * 600 + x) * 3, (y * 600 + x) * 3 + 3)]
    expect(Math.min(...pixel(10, 200), ...pixel(590, 200))).toBeGreaterThan(245)
    expect(Math.min(...pixel(100, 100))).toBeLessThan(200)
    // Compare lays the original where it lies in the print: 33 px in from the left, 533 of 600 wide.
    await job.getByRole('button', { name: 'Compare IMG_0003.jpg before and after' }).click()
    const original = page.getByRole('img', { name: 'Before', exact: true })
    await original.waitFor()
    const [left, width] = await original.evaluate((img) =>
      [(img as HTMLElement).style.left, (img as HTMLElement).style.width].map(parseFloat),
    )
    expect(left).toBeCloseTo((33 / 600) * 100, 3)
    expect(width).toBeCloseTo((533 / 600) * 100, 3)
    await page.getByRole('img', { name: 'After' }).waitFor()
    await app.shot('compare-print-border')
    await app.tab('Settings')
    await size.selectOption('native')
    await expect.poll(stored).toEqual({ mode: 'native' })
  })

  it('offers the bundled pairs by what the photos are, the real-photo pair by default', async () => {
    const { page } = app
    await app.tab('Models')
    const photos = page.getByRole('radio', { name: /Photos from phones, the web and scans/ })
    const clean = page.getByRole('radio', { name: /Clean, sharp originals/ })
    await expect.poll(() => photos.isChecked()).toBe(true)
    expect(await clean.isChecked()).toBe(false)
    await clean.check()
    await expect
      .poll(async () => (await app.backend.services.getPreferences()).model)
      .toEqual({
        path: join(MODELS_DIR, 'enhance-psnr-x4.safetensors'),
        partner: join(MODELS_DIR, 'enhance-gan-x4.safetensors'),
      })
    await photos.check()
    await expect.poll(async () => (await app.backend.services.getPreferences()).model).toBeNull()
  })

  it('imports a checkpoint, refuses a pair of different architectures, and inspects a bad file', async () => {
    const { page } = app
    await app.tab('Models')
    await page.getByRole('listitem').filter({ hasText: 'enhance-psnr-x4' }).waitFor()
    // A faithful model's facts line says what it pairs with, then what it is: one sentence, no stray separator.
    const factsLine = (name: string) =>
      page
        .getByRole('listitem')
        .filter({ has: page.getByText(name, { exact: true }) })
        .locator('.help')
    expect(await factsLine('enhance-real-psnr-x4').textContent()).toBe(
      'Pairs with enhance-real-gan-x4 for the realism slider · RRDBNet ×4, nf 32, nb 6, 1.12 M parameters, safetensors',
    )
    expect(await factsLine('enhance-real-gan-x4').textContent()).toBe(
      'RRDBNet ×4, nf 32, nb 6, 1.12 M parameters, safetensors',
    )
    app.dialogs.inputs = [join(FIXTURES, 'oldarch_x4_legacy.pth')]
    await page.getByRole('button', { name: 'Import a model…' }).click()
    await page.getByRole('listitem').filter({ hasText: 'oldarch_x4_legacy' }).getByText('imported').waitFor()
    const facts = page.getByRole('definition')
    await facts.filter({ hasText: 'the original ESRGAN release’s (old-arch)' }).waitFor()
    expect(await facts.allTextContents()).toContain('RRDBNet (ESRGAN): nf 8, nb 2, gc 4')
    expect(existsSync(join(app.dataDir, 'models', 'oldarch_x4_legacy.pth'))).toBe(true)
    await page.getByRole('combobox', { name: 'Faithful model' }).selectOption({ label: 'enhance-psnr-x4' })
    await page
      .getByRole('combobox', { name: 'Realistic partner' })
      .selectOption({ label: 'oldarch_x4_legacy' })
    await page.getByRole('button', { name: 'Use for new jobs' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/INCOMPATIBLE_MODELS/)
    expect((await app.backend.services.getPreferences()).model).toBeNull()
    await page.getByRole('combobox', { name: 'Realistic partner' }).selectOption({ label: 'enhance-gan-x4' })
    await page.getByRole('button', { name: 'Use for new jobs' }).click()
    await expect
      .poll(async () => (await app.backend.services.getPreferences()).model?.partner)
      .toMatch(/enhance-gan-x4/)
    await app.shot('11-models')
    app.dialogs.inputs = [join(FIXTURES, 'malicious_zip.pth')]
    await page.getByRole('button', { name: 'Inspect a model file…' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/UNSAFE_CHECKPOINT/)
  })

  it("shows an iPhone HEIC (HEVC) in the preview, read by the system's decoder (libheif's here)", async () => {
    const { page } = app
    await app.tab('Realism')
    app.dialogs.inputs = [join(FIXTURES, '..', 'images', 'hevc.heic')]
    await page.getByRole('button', { name: 'Choose a photo…' }).click()
    await page.getByText('hevc.heic').waitFor()
    await page.getByText('64×48').waitFor()
    await page.getByRole('img', { name: /^Preview at realism/ }).waitFor({ timeout: 60_000 })
  })

  it('is operable from the keyboard: tabs move with the arrow keys and focus stays visible', async () => {
    const { page } = app
    await page.getByRole('tab', { name: 'Queue' }).click()
    await page.keyboard.press('ArrowRight')
    await expect(page.getByRole('tab', { name: 'Realism' }).getAttribute('aria-selected')).resolves.toBe(
      'true',
    )
    await page.keyboard.press('Tab')
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)
    expect(outline).not.toBe('none')
  })

  it('stays readable at 200 % zoom: every view reflows with nothing cut off or scrolled sideways', async () => {
    await app.closeWindow()
    await app.open({ width: 640, height: 430 }, 2)
    for (const name of ['Queue', 'Realism', 'Compare', 'Models', 'Settings']) {
      await app.tab(name)
      const overflow = await app.page.evaluate(() => {
        const root = document.documentElement
        const clipped = [...document.querySelectorAll('button, label, select, h1, h2, h3, p')]
          .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
          .map((e) => e.textContent?.trim().slice(0, 40))
        const outside = [...document.querySelectorAll('button, select, input, p')]
          .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1)
          .map((e) => e.outerHTML.slice(0, 60))
        return { sideways: root.scrollWidth - root.clientWidth, clipped, outside }
      })
      expect({ view: name, ...overflow }).toEqual({ view: name, sideways: 0, clipped: [], outside: [] })
      // With finished photos and none chosen, Compare says what to do rather than showing an empty stage.
      if (name === 'Compare')
        await app.page
          .getByText('Choose a finished photo above, or press Compare beside one in the queue.')
          .waitFor()
      await app.shot(`12-zoom-200-${name.toLowerCase()}`)
    }
  })
})
