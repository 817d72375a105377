/// <reference lib="dom" />
/**
 * Dust and scratches in Chromium: with "Remove dust" chosen in Settings, Realism's preview of a dusty, scratched
 * scan shows its specks gone and its scratch kept (its "before" still the scan as it is); with "Remove scratches"
 * too, the scratch gone; and a job started then enhances it without either.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cropRaster } from '../../src/engine/image/crop.js'
import { largestSpeck } from '../../src/engine/image/dust.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { dusted, forDisc, smoothScene } from '../helpers/dust.js'
import type { LaidSpeck } from '../helpers/dust.js'
import { AppSession, dataUrlBytes } from './session.js'

const app = new AppSession()
const photos = join(app.work, 'photos')
const scan = join(photos, 'dusty scan.png')
const clean = smoothScene(128, 96, 12)
// Four specks, well apart, in the middle 96 × 96 that Realism shows (columns 16 to 111).
const { image: dusty, specks } = dusted(
  cropRaster(clean, { x: 16, y: 0, width: 96, height: 96 }, 0).image,
  4,
  largestSpeck(clean, 600),
  12,
  24,
)
/** A light scratch across the middle, 2 px wide, along the row furthest from every speck. */
const SCRATCH = { from: 24, to: 104, width: 2, level: 235 }
const scratchRow = Array.from({ length: 70 }, (_, i) => i + 13).reduce((best, y) =>
  farthest(y) > farthest(best) ? y : best,
)
function farthest(y: number): number {
  return Math.min(...specks.map((speck) => Math.abs(speck.y - y) - speck.radius))
}

beforeAll(async () => {
  mkdirSync(photos, { recursive: true })
  // The scan: the clean scene with the dusty middle laid back in, at 600 dpi.
  const pixels = clean.pixels.slice()
  for (let y = 0; y < 96; y++)
    pixels.set(dusty.pixels.subarray(y * 96 * 3, (y + 1) * 96 * 3), (y * 128 + 16) * 3)
  for (let y = scratchRow; y < scratchRow + SCRATCH.width; y++)
    pixels.fill(SCRATCH.level, (y * 128 + SCRATCH.from) * 3, (y * 128 + SCRATCH.to) * 3)
  await sharp(pixels, { raw: { width: 128, height: 96, channels: 3 } })
    .withMetadata({ density: 600 })
    .png()
    .toFile(scan)
  await app.start()
}, 120_000)

afterAll(() => app.stop())

/**
 * How far a speck stands out in an enlargement ×`scale` of the region it was laid in (`left` columns in): the
 * largest channel's mean over its core against the mean of a ring around it.
 */
function standsOut(image: RasterImage, speck: LaidSpeck, scale: number, left = 0): number {
  const at = { ...speck, x: (speck.x + left) * scale, y: speck.y * scale }
  const core = { ...at, radius: Math.max(1, (speck.radius - 0.5) * scale) }
  const mean = (within: (distance: number) => boolean): number[] => {
    const sum = [0, 0, 0]
    let n = 0
    forDisc({ ...at, radius: (speck.radius + 3) * scale }, 0, image, (offset, distance) => {
      if (!within(distance)) return
      for (let c = 0; c < 3; c++) sum[c] = sum[c]! + image.pixels[offset + c]!
      n++
    })
    return sum.map((s) => s / n)
  }
  const inner = mean((distance) => distance <= core.radius)
  const ring = mean((distance) => distance >= (speck.radius + 1.5) * scale)
  return Math.max(...inner.map((v, c) => Math.abs(v - ring[c]!)))
}

async function rasterOf(source: string | Buffer): Promise<RasterImage> {
  const { data, info } = await sharp(source).removeAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: 3, depth: 8, pixels: data }
}

/**
 * How far the scratch stands out in an enlargement ×`scale` of the region it was laid in (`left` columns in, of the
 * scan's): the largest channel's mean along it against the mean of the rows 4 to 6 scan pixels above and below.
 */
function scratchStandsOut(image: RasterImage, scale: number, left = 16): number {
  const mean = (rows: number[]): number[] => {
    const sum = [0, 0, 0]
    let n = 0
    for (const row of rows)
      for (let y = row * scale; y < (row + 1) * scale; y++)
        for (let x = (SCRATCH.from + 2 - 16 + left) * scale; x < (SCRATCH.to - 2 - 16 + left) * scale; x++) {
          for (let c = 0; c < 3; c++) sum[c] = sum[c]! + image.pixels[(y * image.width + x) * 3 + c]!
          n++
        }
    return sum.map((s) => s / n)
  }
  const along = mean([scratchRow, scratchRow + 1])
  const around = mean([-6, -5, -4, 5, 6, 7].map((d) => scratchRow + d))
  return Math.max(...along.map((v, c) => Math.abs(v - around[c]!)))
}

const mostStandingOut = (image: RasterImage, scale: number, left = 0): number =>
  Math.max(...specks.map((speck) => standsOut(image, speck, scale, left)))
const leastStandingOut = (image: RasterImage, scale: number, left = 0): number =>
  Math.min(...specks.map((speck) => standsOut(image, speck, scale, left)))

/** How magenta a pixel is: its red and blue over its green. */
const magentaAt = (image: RasterImage, x: number, y: number): number => {
  const at = (Math.floor(y) * image.width + Math.floor(x)) * 3
  return (image.pixels[at]! + image.pixels[at + 2]!) / 2 - image.pixels[at + 1]!
}

/**
 * "Mark what was filled" shows the "before" with each speck and the scratch tinted magenta and nothing far from them
 * changed; pressed again, the plain "before" (`plain`) is back.
 */
async function expectFilledMarked(scale: number, plain: string): Promise<void> {
  const { page } = app
  const before = page.getByRole('img', { name: /^Before/ })
  const mark = page.getByRole('button', { name: 'Mark what was filled' })
  await mark.click()
  await expect.poll(() => mark.getAttribute('aria-pressed')).toBe('true')
  const marked = await rasterOf(dataUrlBytes((await before.getAttribute('src'))!))
  expect(await before.getAttribute('alt')).toMatch(/filled in magenta/)
  await page.getByText('Before · filled in magenta').waitFor()
  await page
    .getByRole('status')
    .filter({ hasText: `${specks.length} specks and 1 scratch filled in the whole photo` })
    .waitFor()
  const original = await rasterOf(dataUrlBytes(plain))
  const shift = (x: number, y: number) =>
    magentaAt(marked, x * scale, y * scale) - magentaAt(original, x * scale, y * scale)
  for (const speck of specks) expect(shift(speck.x, speck.y)).toBeGreaterThan(60)
  for (let x = SCRATCH.from + 2; x < SCRATCH.to - 2; x += 4)
    expect(shift(x - 16 + 0.5, scratchRow + 1)).toBeGreaterThan(60)
  // Far from every speck and the scratch, the same pixels.
  const farRows = [2, 93].filter((y) => specks.every((speck) => Math.abs(speck.y - y) > speck.radius + 4))
  expect(farRows.length).toBeGreaterThan(0)
  for (const y of farRows) for (let x = 1; x < 95; x += 3) expect(shift(x, y)).toBe(0)
  await app.shot('realism-filled-marked')
  await mark.click()
  await expect.poll(() => before.getAttribute('src')).toBe(plain)
}

/** The scan's photo of its job opened in Realism from its row: its job's card, the preview as a raster and its scale. */
async function openedFromItsRow() {
  const card = app.page.getByRole('article', { name: /Job dusty scan\.png/ })
  await card.getByRole('button', { name: /^Realism \d+%… of dusty scan\.png/ }).click()
  const after = app.page.getByRole('img', { name: /^Preview at realism/ })
  await after.waitFor({ timeout: 60_000 })
  const shown = async () => rasterOf(dataUrlBytes((await after.getAttribute('src'))!))
  return { card, shown, scale: (await shown()).width / 96 }
}

describe('Remove dust and scratches, in Chromium', () => {
  it('previews a dusty, scratched scan without its specks, then its scratch, as Settings says, and enhances it so', async () => {
    const { page } = app
    expect(leastStandingOut(dusty, 1)).toBeGreaterThan(60)
    expect(farthest(scratchRow)).toBeGreaterThan(8)
    await app.tab('Realism')
    app.dialogs.inputs = [scan]
    await page.getByRole('button', { name: 'Choose a photo…' }).click()
    const after = page.getByRole('img', { name: /^Preview at realism/ })
    const before = page.getByRole('img', { name: /^Before/ })
    await after.waitFor({ timeout: 60_000 })
    const kept = { after: (await after.getAttribute('src'))!, before: (await before.getAttribute('src'))! }
    const scale = (await rasterOf(dataUrlBytes(kept.after))).width / 96
    expect(leastStandingOut(await rasterOf(dataUrlBytes(kept.after)), scale)).toBeGreaterThan(40)
    expect(scratchStandsOut(await rasterOf(dataUrlBytes(kept.after)), scale, 0)).toBeGreaterThan(60)

    await app.tab('Settings')
    await page.getByRole('combobox', { name: 'Dust' }).selectOption('remove')
    await expect.poll(() => app.backend.services.getPreferences().then((p) => p.output.removeDust)).toBe(true)
    await app.tab('Realism')
    await expect.poll(() => after.getAttribute('src'), { timeout: 60_000 }).not.toBe(kept.after)
    const dustless = await rasterOf(dataUrlBytes((await after.getAttribute('src'))!))
    expect(mostStandingOut(dustless, scale)).toBeLessThan(8)
    expect(scratchStandsOut(dustless, scale, 0)).toBeGreaterThan(60) // dust removal leaves lines
    expect(await before.getAttribute('src')).toBe(kept.before)
    await page.getByText(/^\s*New jobs use realism \d+%, with dust removed \(Settings\)\.\s*$/).waitFor()
    await app.shot('realism-dust-removed')

    await app.tab('Settings')
    await page.getByRole('combobox', { name: 'Scratches' }).selectOption('remove')
    await expect
      .poll(() => app.backend.services.getPreferences().then((p) => p.output.removeScratches))
      .toBe(true)
    await app.tab('Realism')
    await expect
      .poll(
        async () =>
          scratchStandsOut(await rasterOf(dataUrlBytes((await after.getAttribute('src'))!)), scale, 0),
        {
          timeout: 60_000,
        },
      )
      .toBeLessThan(8)
    expect(
      mostStandingOut(await rasterOf(dataUrlBytes((await after.getAttribute('src'))!)), scale),
    ).toBeLessThan(8)
    expect(await before.getAttribute('src')).toBe(kept.before)
    await page
      .getByText(/^\s*New jobs use realism \d+%, with dust and scratches removed \(Settings\)\.\s*$/)
      .waitFor()
    await expectFilledMarked(scale, kept.before)

    await app.tab('Queue')
    app.dialogs.outputFolder = join(app.work, 'out')
    await app.backend.services.chooseOutputFolder()
    app.dialogs.inputs = [scan]
    await page.getByRole('button', { name: 'Add photos…' }).first().click()
    await expect
      .poll(async () => (await app.backend.services.listJobs())[0]?.state, { timeout: 60_000 })
      .toBe('done')
    const card = page.getByRole('article', { name: /Job dusty scan\.png/ })
    expect(await card.locator('.counts').textContent()).toMatch(
      /1 of 1 enhanced\s+· realism \d+%\s+· dust and scratches removed/,
    )
    await expect
      .poll(() => card.locator('.note').textContent())
      .toBe(
        `${specks.length} specks of dust were filled before enhancing. 1 scratch or hair was filled before enhancing.`,
      )
    const enhanced = await rasterOf(join(app.work, 'out', 'dusty scan.png'))
    expect(enhanced.width).toBe(128 * 4)
    expect(mostStandingOut(enhanced, 4, 16)).toBeLessThan(8)
    expect(scratchStandsOut(enhanced, 4)).toBeLessThan(8)
  })
  it('enhances that photo again without dust removal, chosen for it alone in Realism, its job keeping both', async () => {
    const { page } = app
    const { card, shown, scale } = await openedFromItsRow()
    const dust = page.getByRole('checkbox', { name: 'Remove dust' })
    expect(await dust.isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: 'Remove scratches' }).isChecked()).toBe(true)
    expect(await page.getByRole('checkbox', { name: 'Restore faded colours' }).isChecked()).toBe(false)
    expect(mostStandingOut(await shown(), scale)).toBeLessThan(8)
    await page.getByText(/is at \d+%, dust and scratches removed\./).waitFor()

    await dust.uncheck()
    await expect
      .poll(async () => leastStandingOut(await shown(), scale), { timeout: 60_000 })
      .toBeGreaterThan(40)
    expect(scratchStandsOut(await shown(), scale, 0)).toBeLessThan(8)
    await page.getByRole('button', { name: 'Mark what was filled' }).click()
    await page.getByRole('status').filter({ hasText: '1 scratch filled in the whole photo' }).waitFor()
    await app.shot('realism-repairs-for-one-photo')
    await page.getByRole('button', { name: /^Apply \d+% and these repairs to the whole job$/ }).waitFor()
    await page.getByRole('button', { name: /^Apply \d+% and these repairs to this photo$/ }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /^Realism \d+%, scratches removed: 1 photo will be enhanced again\.$/ })
      .waitFor()

    const output = join(app.work, 'out', 'dusty scan.png')
    await expect
      .poll(async () => leastStandingOut(await rasterOf(output), 4, 16), { timeout: 60_000 })
      .toBeGreaterThan(40)
    expect(scratchStandsOut(await rasterOf(output), 4)).toBeLessThan(8)
    await expect.poll(async () => (await app.backend.services.listJobs())[0]?.state).toBe('done')
    await app.tab('Queue')
    await card.getByText('Repairs for this photo alone: scratches removed').waitFor()
    await app.shot('queue-repairs-for-one-photo')
    expect(await card.locator('.counts').textContent()).toMatch(/· dust and scratches removed/)
  })
  it('keeps one speck, clicked on its mark in Realism, and enhances the photo with it and without the others', async () => {
    const { page } = app
    const { card, shown, scale } = await openedFromItsRow()
    await page.getByRole('checkbox', { name: 'Remove dust' }).check()
    await expect.poll(async () => mostStandingOut(await shown(), scale), { timeout: 60_000 }).toBeLessThan(8)
    const plain = await rasterOf(dataUrlBytes((await page.getByAltText(/^Before/).getAttribute('src'))!))
    await page.getByRole('button', { name: 'Mark what was filled' }).click()
    await page.getByText('Before · filled in magenta · click a mark to keep it').waitFor()
    const status = page.getByRole('status').filter({ hasText: 'filled in the whole photo' })
    await status
      .filter({ hasText: `${specks.length} specks and 1 scratch filled in the whole photo; none kept` })
      .waitFor()

    // A click on the first speck's mark: its pixel's place in the square region, drawn as large as fits its box.
    const [kept, ...filled] = specks
    const clickAt = async (x: number, y: number) => {
      const box = (await page.getByAltText(/^Before/).boundingBox())!
      const side = Math.min(box.width, box.height)
      await page.mouse.click(
        box.x + (box.width - side) / 2 + ((x + 0.5) / 96) * side,
        box.y + (box.height - side) / 2 + ((y + 0.5) / 96) * side,
      )
    }
    const counted = (kept: number, words: string) => {
      const left = specks.length - kept
      const filledNow = `${left} speck${left === 1 ? '' : 's'} and 1 scratch filled in the whole photo`
      return status.filter({ hasText: `${filledNow}; ${words}` }).waitFor({ timeout: 60_000 })
    }
    await clickAt(kept!.x, kept!.y)
    await counted(1, '1 speck kept')
    const marked = await rasterOf(dataUrlBytes((await page.getByAltText(/^Before/).getAttribute('src'))!))
    const magentaShift = (speck: LaidSpeck) =>
      magentaAt(marked, speck.x * scale, speck.y * scale) - magentaAt(plain, speck.x * scale, speck.y * scale)
    expect(magentaShift(kept!)).toBe(0)
    for (const speck of filled) expect(magentaShift(speck)).toBeGreaterThan(60)
    expect(standsOut(await shown(), kept!, scale)).toBeGreaterThan(40)
    for (const speck of filled) expect(standsOut(await shown(), speck, scale)).toBeLessThan(8)
    const keptMarks = page.getByRole('button', { name: /^Speck at \d+, \d+, kept: fill it again$/ })
    expect(await keptMarks.count()).toBe(1)
    // The whole photo beside shows where it keeps a place: on that speck.
    const keptDots = page.locator('.photo .kept-place')
    expect(await keptDots.count()).toBe(1)
    const [dot, overview] = [(await keptDots.boundingBox())!, (await page.locator('.photo').boundingBox())!]
    // The photo is 128 wide; the specks lie in its middle 96 columns.
    const dotAt = {
      x: ((dot.x + dot.width / 2 - overview.x) / overview.width) * 128 - 16,
      y: ((dot.y + dot.height / 2 - overview.y) / overview.height) * 96,
    }
    expect(Math.hypot(dotAt.x - kept!.x, dotAt.y - kept!.y)).toBeLessThan(kept!.radius + 1)
    await page.getByText('Before · magenta: filled · outlined: kept').waitFor()
    await app.shot('realism-speck-kept')
    // A click on the kept speck's far edge, not where it was kept, gives it back; one more keeps it again.
    await clickAt(kept!.x + kept!.radius - 1, kept!.y)
    await counted(0, 'none kept')
    expect(await keptMarks.count()).toBe(0)
    await clickAt(kept!.x, kept!.y)
    await counted(1, '1 speck kept')
    // Keys: a filled speck's own button, pressed with Enter, keeps it; pressed again, fills it again.
    const filledMark = page.getByRole('button', { name: /^Speck at \d+, \d+, filled: keep it as it was$/ })
    expect(await filledMark.count()).toBe(filled.length)
    const name = (await filledMark.first().getAttribute('aria-label'))!
    const where = name.replace(/, filled: .*/, '')
    await filledMark.first().focus()
    await page.keyboard.press('Enter')
    await counted(2, '2 specks kept')
    const same = page.getByRole('button', { name: `${where}, kept: fill it again` })
    expect(await same.getAttribute('aria-pressed')).toBe('true')
    await expect.poll(() => same.evaluate((button) => button === document.activeElement)).toBe(true)
    await page.keyboard.press('Enter')
    await counted(1, '1 speck kept')
    // The marks are one Tab stop; the arrow keys go from one to the next, in reading order.
    const marks = page.getByRole('toolbar', { name: /^Filled specks and scratches/ }).getByRole('button')
    expect(await marks.count()).toBe(specks.length + 1)
    expect(await marks.evaluateAll((all) => all.filter((b) => b.tabIndex === 0).length)).toBe(1)
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))
    await page.keyboard.press('Home')
    expect(await focused()).toBe(await marks.nth(0).getAttribute('aria-label'))
    await page.keyboard.press('ArrowRight')
    expect(await focused()).toBe(await marks.nth(1).getAttribute('aria-label'))
    expect(await marks.nth(1).getAttribute('aria-label')).not.toBe(
      await marks.nth(0).getAttribute('aria-label'),
    )
    // Every place given back at once, then the first speck kept again.
    await page.getByRole('button', { name: 'Fill the place kept again' }).click()
    await counted(0, 'none kept')
    expect(await keptDots.count()).toBe(0)
    await clickAt(kept!.x, kept!.y)
    await counted(1, '1 speck kept')

    await page.getByRole('button', { name: /^Apply \d+% and these repairs to this photo$/ }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /1 photo will be enhanced again\.$/ })
      .waitFor()
    const output = join(app.work, 'out', 'dusty scan.png')
    // Enhanced last without dust removal, every speck stood out; enhanced again, only the kept one.
    const mostFilled = async () => {
      const image = await rasterOf(output)
      return Math.max(...filled.map((speck) => standsOut(image, speck, 4, 16)))
    }
    await expect.poll(mostFilled, { timeout: 60_000 }).toBeLessThan(8)
    const enhanced = await rasterOf(output)
    expect(standsOut(enhanced, kept!, 4, 16)).toBeGreaterThan(40)
    for (const speck of filled) expect(standsOut(enhanced, speck, 4, 16)).toBeLessThan(8)
    expect(scratchStandsOut(enhanced, 4)).toBeLessThan(8)
    await page.getByText(/is at \d+%, dust and scratches removed, 1 place kept\./).waitFor()
    await app.tab('Queue')
    await card.getByText('Repairs for this photo alone: 1 place kept').waitFor()
  })
  it('offers a photo of a job whose model has no GAN partner its repairs alone, and enhances it so', async () => {
    const { page } = app
    const api = app.backend.services
    const listed = await api.listModels()
    if (!listed.ok) throw new Error(listed.error.message)
    const faithful = listed.value.find((m) => m.bundled && m.isDefault)!
    expect(await api.updatePreferences({ model: { path: faithful.path, partner: null } })).toMatchObject({
      ok: true,
    })
    app.dialogs.outputFolder = join(app.work, 'out-single')
    await api.chooseOutputFolder()
    app.dialogs.inputs = [scan]
    await page.getByRole('button', { name: 'Add photos…' }).first().click()
    await expect
      .poll(async () => (await api.listJobs()).map((j) => j.state), { timeout: 60_000 })
      .toEqual(['done', 'done'])

    await page.getByRole('button', { name: 'Repairs… of dusty scan.png: adjust' }).click()
    const after = page.getByRole('img', { name: 'Preview, enhanced' })
    await after.waitFor({ timeout: 60_000 })
    expect(await page.getByRole('slider', { name: /^Realism/ }).count()).toBe(0)
    await page.getByText('dusty scan.png: dust and scratches removed.').waitFor()
    const shown = async () => rasterOf(dataUrlBytes((await after.getAttribute('src'))!))
    const scale = (await shown()).width / 96
    await page.getByRole('checkbox', { name: 'Remove scratches' }).uncheck()
    await expect
      .poll(async () => scratchStandsOut(await shown(), scale, 0), { timeout: 60_000 })
      .toBeGreaterThan(40)
    await page.getByRole('button', { name: 'Apply these repairs to this photo' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: 'With dust removed: 1 photo will be enhanced again.' })
      .waitFor()
    const output = join(app.work, 'out-single', 'dusty scan.png')
    await expect
      .poll(async () => scratchStandsOut(await rasterOf(output), 4), { timeout: 60_000 })
      .toBeGreaterThan(40)
    expect(mostStandingOut(await rasterOf(output), 4, 16)).toBeLessThan(8)
  })
})
