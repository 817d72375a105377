/// <reference lib="dom" />
/**
 * Faded colours in Chromium: with "Restore faded colours" chosen in Settings, Realism's preview of a faded print
 * shows it restored halfway, then all the way once Strength says (its "before" still the print as it is), and a
 * job started then enhances it restored all the way.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { restoreFadedColour } from '../../src/engine/image/faded-colour.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { fadeOf, faded, scene } from '../helpers/fading.js'
import { AppSession, dataUrlBytes } from './session.js'

const app = new AppSession()
const photos = join(app.work, 'photos')
const print = join(photos, 'faded print.png')
const old = faded(scene(128, 96, 8), fadeOf(8))

beforeAll(async () => {
  mkdirSync(photos, { recursive: true })
  await sharp(old.pixels, { raw: { width: 128, height: 96, channels: 3 } })
    .png()
    .toFile(print)
  await app.start()
}, 120_000)

afterAll(() => app.stop())

/** Mean red, green and blue of a raster's columns from `left` on, `width` wide. */
function meanColour({ width, height, channels, pixels }: RasterImage, left = 0, columns = width): number[] {
  const sum = [0, 0, 0]
  for (let y = 0; y < height; y++)
    for (let x = left; x < left + columns; x++)
      for (let c = 0; c < 3; c++) sum[c] = sum[c]! + pixels[(y * width + x) * channels + c]!
  return sum.map((s) => s / (height * columns))
}

async function meanOfImage(source: string | Buffer): Promise<number[]> {
  const { data, info } = await sharp(source).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return meanColour({ width: info.width, height: info.height, channels: 3, depth: 8, pixels: data })
}

const farthest = (a: number[], b: number[]): number => Math.max(...a.map((v, c) => Math.abs(v - b[c]!)))

describe('Restore faded colours, in Chromium', () => {
  it('previews a faded print restored halfway once Settings says so, then as far as Strength says, and enhances it so', async () => {
    const { page } = app
    // The region is the photo's middle 96 × 96 (its short side): columns 16 to 111.
    const fadedRegion = meanColour(old, 16, 96)
    const restoredRegion = (strength: number) =>
      meanColour(restoreFadedColour(old, false, { strength }).image, 16, 96)
    expect(farthest(fadedRegion, restoredRegion(1))).toBeGreaterThan(15)
    await app.tab('Realism')
    app.dialogs.inputs = [print]
    await page.getByRole('button', { name: 'Choose a photo…' }).click()
    const after = page.getByRole('img', { name: /^Preview at realism/ })
    const before = page.getByRole('img', { name: /^Before/ })
    await after.waitFor({ timeout: 60_000 })
    const kept = { after: (await after.getAttribute('src'))!, before: (await before.getAttribute('src'))! }
    expect(farthest(await meanOfImage(dataUrlBytes(kept.after)), fadedRegion)).toBeLessThan(3)
    const previewOnceChanged = async (from: string): Promise<{ src: string; colour: number[] }> => {
      await expect.poll(() => after.getAttribute('src'), { timeout: 60_000 }).not.toBe(from)
      const src = (await after.getAttribute('src'))!
      return { src, colour: await meanOfImage(dataUrlBytes(src)) }
    }

    // Restoring starts halfway: the preview shows the print restored halfway.
    await app.tab('Settings')
    await page.getByRole('combobox', { name: 'Colours' }).selectOption('restore')
    await expect
      .poll(() => app.backend.services.getPreferences().then((p) => p.output.restoreColours))
      .toBe(true)
    const strength = page.getByRole('slider', { name: 'How far faded colours are restored' })
    expect(await strength.inputValue()).toBe('0.5')
    await app.shot('settings-restore-strength')
    await app.tab('Realism')
    const halfway = await previewOnceChanged(kept.after)
    expect(farthest(halfway.colour, restoredRegion(0.5))).toBeLessThan(3)
    expect(farthest(halfway.colour, restoredRegion(1))).toBeGreaterThan(5)
    expect(await before.getAttribute('src')).toBe(kept.before)
    await page
      .getByText(/^\s*New jobs use realism \d+%, with faded colours restored 50% \(Settings\)\.\s*$/)
      .waitFor()
    await app.shot('realism-restored-colours')

    // All the way, as the slider is let go there.
    await app.tab('Settings')
    await strength.fill('1')
    await expect
      .poll(() => app.backend.services.getPreferences().then((p) => p.output.restoreStrength))
      .toBe(1)
    await app.tab('Realism')
    const allTheWay = await previewOnceChanged(halfway.src)
    expect(farthest(allTheWay.colour, restoredRegion(1))).toBeLessThan(3)
    expect(await before.getAttribute('src')).toBe(kept.before)

    await app.tab('Queue')
    app.dialogs.outputFolder = join(app.work, 'out')
    await app.backend.services.chooseOutputFolder()
    app.dialogs.inputs = [print]
    await page.getByRole('button', { name: 'Add photos…' }).first().click()
    await expect
      .poll(async () => (await app.backend.services.listJobs())[0]?.state, { timeout: 60_000 })
      .toBe('done')
    const card = page.getByRole('article', { name: /Job faded print\.png/ })
    expect(await card.locator('.counts').textContent()).toMatch(
      /1 of 1 enhanced\s+· realism \d+%\s+· faded colours restored(?! \d)/,
    )
    const enhanced = await meanOfImage(join(app.work, 'out', 'faded print.png'))
    expect(farthest(enhanced, meanColour(restoreFadedColour(old, false).image))).toBeLessThan(3)

    // This print alone halfway, from its row: previewed so, and enhanced again so, its job's strength as it was.
    await card.getByRole('button', { name: /^Realism \d+%… of faded print\.png/ }).click()
    const ownStrength = page.getByRole('slider', { name: 'How far faded colours are restored' })
    await expect.poll(() => ownStrength.inputValue(), { timeout: 60_000 }).toBe('1')
    await after.waitFor({ timeout: 60_000 })
    const whole = { src: (await after.getAttribute('src'))!, colour: [] as number[] }
    whole.colour = await meanOfImage(dataUrlBytes(whole.src))
    expect(farthest(whole.colour, restoredRegion(1))).toBeLessThan(3)
    await ownStrength.fill('0.5')
    const half = await previewOnceChanged(whole.src)
    expect(farthest(half.colour, restoredRegion(0.5))).toBeLessThan(3)
    await page.getByRole('button', { name: /^Apply \d+% and these repairs to this photo$/ }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /^Realism \d+%, faded colours restored 50%: 1 photo will be enhanced again\.$/ })
      .waitFor()
    await app.shot('realism-strength-for-one-photo')
    const halfwayOut = meanColour(restoreFadedColour(old, false, { strength: 0.5 }).image)
    await expect
      .poll(async () => farthest(await meanOfImage(join(app.work, 'out', 'faded print.png')), halfwayOut), {
        timeout: 60_000,
      })
      .toBeLessThan(3)
    await app.tab('Queue')
    await card.getByText('Repairs for this photo alone: faded colours restored 50%').waitFor()
    expect(await card.locator('.counts').textContent()).toMatch(/· faded colours restored(?! \d)/)
  })
})
