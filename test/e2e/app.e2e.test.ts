/**
 * The desktop UI in a real browser: the renderer built by electron-vite, in Debian's Chromium, bound to
 * the same main-side services the app uses, with the real queue and engine process on real files.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, sep } from 'node:path'
import sharp from 'sharp'
import type { Sharp } from 'sharp'
import type { Locator } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppSession, dataUrlBytes, photo } from './session.js'
import { takenMoment } from '../../src/shared/taken.js'
import { descriptionsOf, hasExiftool, tagsOf } from '../helpers/exiftool.js'
import type { QueueRunner } from '../../src/queue/runner.js'
import { itemRealism, jobModel, jobRealism } from '../../src/queue/types.js'

/** Waits (up to two minutes) for every photo of a job to be done: enhanced again after a turn, a mirror, a date. */
function everyPhotoDone(runner: QueueRunner, jobId: string): Promise<void> {
  return expect
    .poll(() => runner.items(jobId).every((i) => i.state === 'done'), { timeout: 120_000 })
    .toBe(true)
}

/** The photos the runner starts from now on, by their inputs, until `stop`. */
function photosRun(runner: QueueRunner): { ran: string[]; stop: () => void } {
  const ran: string[] = []
  const stop = runner.subscribe((event) => {
    if (event.type === 'item' && event.item.state === 'running') ran.push(event.item.input)
  })
  return { ran, stop }
}

const app = new AppSession()
// A caption written in place is read back by ExifTool (a Perl start a run): under CI's load, seconds for an album.
const CAPTION_WRITTEN_MS = 20_000

/** How much of an element shows: its opacity and every ancestor's, multiplied. */
function seen(locator: Locator): Promise<number> {
  return locator.evaluate((element) => {
    let shown = 1
    for (let at: Element | null = element; at; at = at.parentElement)
      shown *= Number(getComputedStyle(at).opacity)
    return shown
  })
}

/** The queue shown, with the album's job: the page, the runner, the job and its card. */
async function albumInQueue() {
  const { page, backend } = app
  await app.tab('Queue')
  const runner = backend.queue.runner
  const job = runner.jobs[0]!
  return { page, runner, job, card: page.getByRole('article', { name: /Job Album 1962/ }) }
}
const album = join(app.work, 'Album 1962')
const jpgsIn = (dir: string): number =>
  readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.jpg')).length

beforeAll(async () => {
  mkdirSync(join(album, 'beach'), { recursive: true })
  for (let i = 0; i < 6; i++) await photo(join(album, i < 3 ? 'beach' : '', `photo ${i}.jpg`), i)
  await app.start()
}, 120_000)

afterAll(() => app.stop())

describe('the desktop UI in Chromium: queue, realism and compare', () => {
  it('starts empty and says what to do', async () => {
    await app.page.getByText(/No photos yet/).waitFor({ state: 'visible' })
    await app.shot('01-empty-queue')
  })

  it('adds a folder, shows tile progress and a live preview, pauses, resumes and finishes', async () => {
    const { page, dialogs, backend } = app
    await app.tab('Settings')
    await page.getByRole('combobox', { name: 'Tile size' }).selectOption({ label: '64 px' })
    await app.tab('Queue')
    dialogs.inputs = [album]
    // No output folder chosen: no second dialog, the photos go to an "Enhanced" folder inside the one added.
    dialogs.outputFolder = join(app.work, 'never-asked')
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const job = page.getByRole('article', { name: /Job Album 1962/ })
    await job.waitFor()
    await job.getByRole('progressbar', { name: /^Tiles of/ }).waitFor({ timeout: 60_000 })
    await app.shot('02-running-with-tiles')
    await job.getByRole('button', { name: /^Pause/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('paused')
    const runner = backend.queue.runner
    expect(runner.items(runner.jobs[0]!.id).filter((i) => i.state === 'done').length).toBeLessThan(6)
    // Nothing in a paused job claims to be running, or counts down.
    await expect.poll(() => job.getByText(/running|s left/).count()).toBe(0)
    await app.shot('03-paused')
    await job.getByRole('button', { name: /^Resume/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 120_000 }).toBe('done')
    await job.getByText('6 of 6 enhanced').waitFor({ state: 'visible' })
    // What actually ran is shown for each photo.
    await expect.poll(() => job.getByText('done on CPU').count()).toBe(6)
    // Each photo has a thumbnail of its own.
    await job.getByRole('img', { name: 'photo 3.jpg' }).waitFor()
    expect(jpgsIn(join(album, 'Enhanced'))).toBe(6)
    expect(existsSync(join(app.work, 'never-asked'))).toBe(false)
    // A photo's row shows its main buttons; its others (Copy, Realism, turning) where the pointer or the focus is.
    const row = job.getByRole('listitem').filter({ hasText: 'photo 3.jpg' })
    const copy = row.getByRole('button', { name: 'Copy the enhanced photo 3.jpg' })
    const show = row.getByRole('button', { name: 'Show photo 3.jpg in its folder' })
    const turn = row.getByRole('button', { name: 'Turn photo 3.jpg a quarter left' })
    await page.mouse.move(0, 0)
    await expect.poll(() => Promise.all([seen(show), seen(copy), seen(turn)])).toEqual([1, 0, 0])
    await row.hover()
    await expect.poll(() => Promise.all([seen(show), seen(copy), seen(turn)])).toEqual([1, 1, 1])
    await page.mouse.move(0, 0)
    await expect.poll(() => seen(copy)).toBe(0)
    await copy.focus()
    await expect.poll(() => Promise.all([seen(copy), seen(turn)])).toEqual([1, 1])
    await copy.blur()
    await expect.poll(() => seen(copy)).toBe(0)
    await app.shot('04-done')
  })

  it('re-enhances one photo of a finished job at a new realism, leaving the others as they were', async () => {
    const { page, backend } = app
    const runner = backend.queue.runner
    const items = runner.items(runner.jobs[0]!.id)
    const target = items.find((i) => i.input.endsWith('photo 0.jpg'))!
    const other = items.find((i) => i.input.endsWith('photo 1.jpg'))!
    const [targetBefore, otherBefore] = [readFileSync(target.output), readFileSync(other.output)]
    await page.getByRole('button', { name: /^Realism \d+%… of photo 0\.jpg/ }).click()
    await page.getByRole('slider', { name: /Realism/ }).fill('1')
    await page.locator('img[data-realism="1"]').waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Apply 100% to this photo' }).click()
    await page.getByRole('status').filter({ hasText: '1 photo will be enhanced again' }).waitFor()
    await app.shot('05-realism-for-one-photo')
    await expect
      .poll(() => runner.items(target.jobId).find((i) => i.id === target.id)!.state, { timeout: 60_000 })
      .toBe('done')
    expect(readFileSync(target.output).equals(targetBefore)).toBe(false)
    expect(readFileSync(other.output).equals(otherBefore)).toBe(true)
    await app.tab('Queue')
    await page
      .getByRole('button', { name: /^Realism \d+%… of photo 0\.jpg/ })
      .getByText('Realism 100%…')
      .waitFor()
  })

  it('cancels a job', async () => {
    app.dialogs.inputs = [join(album, 'beach')]
    await app.page.getByRole('button', { name: 'Add photos…' }).click()
    const job = app.page.getByRole('article', { name: /Job beach/ })
    await job.getByRole('button', { name: /^Cancel/ }).click()
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 30_000 }).toBe('cancelled')
    // Its bar stops where its work did: the photos it enhanced before, not the ones cancelled.
    const { runner } = app.backend.queue
    const beach = runner.jobs.find((j) => j.state === 'cancelled' && basename(j.spec.inputs[0]!) === 'beach')!
    const enhanced = runner.items(beach.id).filter((i) => i.state === 'done').length
    expect(runner.items(beach.id).filter((i) => i.state === 'cancelled').length).toBeGreaterThan(0)
    expect(await job.getByRole('progressbar', { name: /^Photos finished/ }).getAttribute('value')).toBe(
      String(enhanced),
    )
  })

  it('says why a folder with no photos makes no job', async () => {
    const { page } = app
    const raw = join(app.work, 'From the camera')
    mkdirSync(raw)
    writeFileSync(join(raw, 'IMG_0001.CR2'), 'a RAW file')
    app.dialogs.inputs = [raw]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'NO_PHOTOS' }).innerText())
      .toBe(
        `There are no photos to enhance in ${raw}. Left out 1 file that is not a photo Enhance reads: 1 .cr2. ` +
          "Camera RAW files (.cr2) need exporting as JPEG or TIFF first, in the camera maker's software or a photo editor. " +
          'Enhance reads JPEG, PNG, WebP, TIFF, AVIF, HEIC, JPEG XL, JPEG 2000, PSD, GIF, BMP files. NO_PHOTOS',
      )
    await app.shot('33-no-photos')
    expect(app.backend.queue.runner.jobs).toHaveLength(2)
    expect(readdirSync(raw)).toEqual(['IMG_0001.CR2'])
  })

  it('reorders jobs by dragging a handle, and with the arrow keys', async () => {
    const { page, backend } = app
    const order = () => backend.queue.runner.jobs.map((j) => j.spec.inputs[0]!.split('/').pop())
    expect(order()).toEqual(['Album 1962', 'beach'])
    const handle = page.getByRole('button', { name: /^Reorder beach/ })
    // The second card may start below the window's fold: the pointer can only press what is on screen.
    await handle.scrollIntoViewIfNeeded()
    const from = (await handle.boundingBox())!
    const top = (await page.getByRole('article', { name: /Job Album 1962/ }).boundingBox())!
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2)
    await page.mouse.down()
    await page.mouse.move(from.x + from.width / 2, top.y + 5, { steps: 8 })
    await app.shot('06-dragging')
    await page.mouse.up()
    await expect.poll(order).toEqual(['beach', 'Album 1962'])
    const titles = await page
      .getByRole('article')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('aria-label')))
    expect(titles).toEqual(['Job beach (3 photos)', 'Job Album 1962 (6 photos)'])
    await handle.focus()
    await page.keyboard.press('ArrowDown')
    await expect.poll(order).toEqual(['Album 1962', 'beach'])
  })

  it('compares before and after, with a loupe that shows the side under the pointer', async () => {
    const { page } = app
    // Opened from the job's card: its first finished photo as the card lists them (the beach folder's first).
    await app.tab('Queue')
    await page
      .getByRole('button', { name: 'Compare the photos of Album 1962 (6 photos), from the first' })
      .click()
    await page.getByRole('img', { name: 'After' }).waitFor()
    expect(
      await page.getByRole('combobox', { name: 'Photo to compare' }).locator('option:checked').textContent(),
    ).toBe('photo 0.jpg')
    // Opened from a finished photo in the queue.
    await app.tab('Queue')
    await page.getByRole('button', { name: 'Compare photo 0.jpg before and after' }).click()
    const after = page.getByRole('img', { name: 'After' })
    await after.waitFor()
    const picker = page.getByRole('combobox', { name: 'Photo to compare' })
    expect(await picker.locator('option:checked').textContent()).toBe('photo 0.jpg')
    // Fitted to the window: the whole photo is on screen, in either orientation.
    const fitted = (await after.boundingBox())!
    expect(fitted.y + fitted.height).toBeLessThanOrEqual(860)
    expect(fitted.x + fitted.width).toBeLessThanOrEqual(1280)
    // The divider is dragged on the image, or moved with the arrow keys.
    const divider = page.getByRole('slider', { name: 'Before/after split' })
    const knob = (await divider.boundingBox())!
    await page.mouse.move(knob.x + knob.width / 2, fitted.y + fitted.height / 2)
    await page.mouse.down()
    await page.mouse.move(fitted.x + fitted.width * 0.32, fitted.y + fitted.height / 2, { steps: 4 })
    await page.mouse.up()
    await expect.poll(async () => Number(await divider.getAttribute('aria-valuenow'))).toBe(32)
    await divider.press('ArrowLeft')
    expect(Number(await divider.getAttribute('aria-valuenow'))).toBe(30)
    await app.shot('06-compare-split')
    // The divider's arrows moved it, not the photo; ‹ › and ← → elsewhere go through the finished photos in order.
    const runner = app.backend.queue.runner
    const shown = () => picker.locator('option:checked').textContent()
    expect(await shown()).toBe('photo 0.jpg')
    const finished = runner.jobs.flatMap((j) => runner.items(j.id)).filter((i) => i.state === 'done')
    await page.getByText(`1 of ${finished.length}`, { exact: true }).waitFor()
    expect(await page.getByRole('button', { name: 'Previous photo' }).isDisabled()).toBe(true)
    const outputOf = (name: string) =>
      runner.items(runner.jobs[0]!.id).find((i) => i.input.endsWith(name))!.output
    const showsFileOf = async (name: string) => {
      const src = await after.getAttribute('src')
      if (!src?.startsWith('data:')) return false
      const [shownPixels, filePixels] = await Promise.all([
        sharp(dataUrlBytes(src)).raw().toBuffer(),
        sharp(outputOf(name)).raw().toBuffer(),
      ])
      return shownPixels.equals(filePixels)
    }
    await page.getByRole('button', { name: 'Next photo' }).click()
    await expect.poll(shown).toBe('photo 1.jpg')
    await page.getByText(`2 of ${finished.length}`, { exact: true }).waitFor()
    await expect.poll(() => showsFileOf('photo 1.jpg')).toBe(true)
    await page.keyboard.press('ArrowRight')
    await expect.poll(shown).toBe('photo 2.jpg')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await expect.poll(shown).toBe('photo 0.jpg')
    await expect.poll(() => showsFileOf('photo 0.jpg')).toBe(true)
    // Past the first there is none: ← leaves it open.
    await page.keyboard.press('ArrowLeft')
    expect(await shown()).toBe('photo 0.jpg')
    // The picker lists the finished photos by folder; what is typed in Find narrows it, and ‹ › go through those.
    const groups = () =>
      picker
        .locator('optgroup')
        .evaluateAll((all) => all.map((group) => (group as HTMLOptGroupElement).label))
    // (the beach folder's own job, made by an earlier test, last)
    expect(await groups()).toEqual(['Album 1962/beach', 'Album 1962', 'beach'])
    const find = page.getByRole('searchbox', { name: 'Find photos by name or folder' })
    const listed = () => picker.locator('option:not([disabled])').allTextContents()
    await find.fill('1962/BEACH')
    await expect.poll(listed).toEqual(['photo 0.jpg', 'photo 1.jpg', 'photo 2.jpg'])
    await page.getByText('1 of 3', { exact: true }).waitFor()
    await find.fill(' photo 4')
    await expect.poll(listed).toEqual(['photo 4.jpg'])
    expect(await groups()).toEqual(['Album 1962'])
    await app.shot('06l-compare-found')
    // The photo open stays open, and keeps its place among those found; the picker no longer names it.
    expect(await picker.inputValue()).toBe('')
    await page.getByText('1 of 2', { exact: true }).waitFor()
    await page.getByRole('button', { name: 'Next photo' }).click()
    await expect.poll(shown).toBe('photo 4.jpg')
    await expect.poll(() => showsFileOf('photo 4.jpg')).toBe(true)
    // Once another is open, the one not found is no longer among them.
    await page.getByText('1 of 1', { exact: true }).waitFor()
    expect(await page.getByRole('button', { name: 'Previous photo' }).isDisabled()).toBe(true)
    await find.fill('photo 9')
    await page
      .getByRole('status')
      .filter({ hasText: "No finished photo has “photo 9” in its name or its folder's." })
      .waitFor()
    expect(await listed()).toEqual([])
    await find.fill('')
    await expect.poll(async () => (await listed()).length).toBe(finished.length)
    await picker.selectOption({ label: 'photo 0.jpg' })
    await expect.poll(() => showsFileOf('photo 0.jpg')).toBe(true)
    // The photo shown opens in Realism, to be made again another way.
    await page.getByRole('button', { name: /^Realism \d+%… of photo 0\.jpg: adjust$/ }).click()
    await page.getByRole('heading', { name: /photo 0\.jpg 256×192/ }).waitFor()
    // There, ‹ › and ← → go through its job's photos as its card lists them; the region's arrows move the region.
    await page.getByText(`1 of ${runner.items(runner.jobs[0]!.id).length}`, { exact: true }).waitFor()
    await page.getByRole('button', { name: 'Next photo' }).click()
    await page.getByRole('heading', { name: /photo 1\.jpg 256×192/ }).waitFor()
    await page.keyboard.press('ArrowLeft')
    await page.getByRole('heading', { name: /photo 0\.jpg 256×192/ }).waitFor()
    const region = page.getByRole('slider', { name: /Region to preview/ })
    const centred = await region.getAttribute('aria-valuetext')
    await region.press('ArrowRight')
    await expect.poll(() => region.getAttribute('aria-valuetext')).not.toBe(centred)
    await page.getByRole('heading', { name: /photo 0\.jpg 256×192/ }).waitFor()
    await app.tab('Compare')
    await after.waitFor()
    // 1:1 shows the result's own pixels: 4× the 256×192 input.
    await page.getByRole('button', { name: '1:1' }).click()
    await expect.poll(async () => (await after.boundingBox())?.width).toBe(1024)
    // …loaded in 512-px tiles as they come into view (any size works the same way): here all four,
    // and each holds exactly the output file's pixels at its place.
    const tiles = after.locator('img[data-tile]')
    await expect.poll(() => tiles.count()).toBe(4)
    const output = outputOf('photo 0.jpg')
    const tileSrc = await after.locator('img[data-tile="1,1"]').getAttribute('src')
    const tilePixels = await sharp(Buffer.from(tileSrc!.split(',')[1]!, 'base64'))
      .raw()
      .toBuffer()
    const filePixels = await sharp(output)
      .extract({ left: 512, top: 512, width: 512, height: 256 })
      .raw()
      .toBuffer()
    expect(tilePixels.equals(filePixels)).toBe(true)
    await page.getByRole('button', { name: 'Fit' }).click()
    await page.getByRole('checkbox', { name: 'Loupe (3×)' }).check()
    const box = (await after.boundingBox())!
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2)
    await page.getByRole('img', { name: 'Loupe, after, 3× magnified' }).waitFor()
    await app.shot('07-compare-loupe')
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2)
    await page.getByRole('img', { name: 'Loupe, before, 3× magnified' }).waitFor()
    await page.getByRole('checkbox', { name: 'Side by side' }).check()
    await page.getByRole('img', { name: 'Before' }).waitFor({ state: 'visible' })
    // An output deleted since: the view says so and what to do, instead of staying blank.
    const last = runner.items(runner.jobs[0]!.id).at(-1)!
    rmSync(last.output)
    await page.getByRole('combobox', { name: 'Photo to compare' }).selectOption({ label: 'photo 5.jpg' })
    await page
      .getByRole('alert')
      .filter({ hasText: /Enhance it again from the queue, or choose another photo\.\s*FILE_NOT_FOUND$/ })
      .waitFor()
  })

  it('turns one photo a quarter right from its row: enhanced again turned, its thumbnail and Realism turned too', async () => {
    const { page, backend } = app
    await app.tab('Queue')
    const runner = backend.queue.runner
    const itemOf = () => runner.items(runner.jobs[0]!.id).find((i) => i.input.endsWith('photo 3.jpg'))!
    const before = await sharp(itemOf().output).rotate(90).resize(48, 64).raw().toBuffer()
    await page.getByRole('button', { name: 'Turn photo 3.jpg a quarter right', exact: true }).click()
    await expect.poll(() => [itemOf().turn, itemOf().state], { timeout: 60_000 }).toEqual([90, 'done'])
    // 256 × 192 in, turned: 768 × 1024 out, the same picture as the earlier result turned.
    const meta = await sharp(itemOf().output).metadata()
    expect([meta.width, meta.height]).toEqual([768, 1024])
    const after = await sharp(itemOf().output).resize(48, 64).raw().toBuffer()
    let difference = 0
    for (let i = 0; i < after.length; i++) difference += Math.abs(after[i]! - before[i]!)
    expect(difference / after.length).toBeLessThan(4)
    await page.getByText('Turned a quarter right').waitFor()
    const thumb = page.getByRole('img', { name: 'photo 3.jpg', exact: true })
    await expect
      .poll(() => thumb.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]))
      .toEqual([72, 96])
    await app.shot('06b-queue-turned')
    // Realism shows it as it is enhanced, and turns it back from there.
    await page.getByRole('button', { name: /^Realism \d+%… of photo 3\.jpg/ }).click()
    await page.getByRole('heading', { name: /photo 3\.jpg 192×256/ }).waitFor()
    await page.getByRole('button', { name: 'Turn a quarter left' }).click()
    await page.getByRole('heading', { name: /photo 3\.jpg 256×192/ }).waitFor()
    await expect.poll(() => itemOf().turn).toBe(0)
    await expect.poll(() => itemOf().state, { timeout: 60_000 }).toBe('done')
    expect((await sharp(itemOf().output).metadata()).width).toBe(1024)
    // A whole job scanned lying on its side: every photo turned at once, and back.
    await app.tab('Queue')
    const job = runner.jobs[0]!
    const sizes = async () => {
      await everyPhotoDone(runner, job.id)
      return Promise.all(runner.items(job.id).map(async (i) => (await sharp(i.output).metadata()).width))
    }
    await page
      .getByRole('button', { name: 'Turn all photos of Album 1962 (6 photos) a quarter left' })
      .click()
    await page
      .getByRole('article', { name: /Job Album 1962/ })
      .getByText('turned a quarter left')
      .waitFor()
    expect(await sizes()).toEqual([768, 768, 768, 768, 768, 768])
    // Every row's thumbnail reads its photo as the job turns it (photo 3 among them, turned on its own before).
    const thumbOf = (name: string) =>
      page
        .getByRole('img', { name, exact: true })
        .evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])
    await expect.poll(() => thumbOf('photo 3.jpg')).toEqual([72, 96])
    await expect.poll(() => thumbOf('photo 4.jpg')).toEqual([72, 96])
    await page
      .getByRole('button', { name: 'Turn all photos of Album 1962 (6 photos) a quarter right' })
      .click()
    await expect.poll(() => runner.job(job.id)!.turn).toBe(0)
    expect(await sizes()).toEqual([1024, 1024, 1024, 1024, 1024, 1024])
    // Turned from Compare: shown again as it now is once enhanced again (it kept the result it replaced).
    await page.getByRole('button', { name: 'Compare photo 3.jpg before and after' }).click()
    const shownAfter = page.getByRole('img', { name: 'After' })
    const natural = () =>
      shownAfter.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])
    await expect.poll(natural).toEqual([1024, 768])
    await page.getByRole('button', { name: 'Turn a quarter right', exact: true }).click()
    await expect.poll(natural, { timeout: 60_000 }).toEqual([768, 1024])
    expect(itemOf().turn).toBe(90)
    await page.getByRole('button', { name: 'Turn a quarter left', exact: true }).click()
    await expect.poll(natural, { timeout: 60_000 }).toEqual([1024, 768])
    expect([itemOf().turn, itemOf().state]).toEqual([0, 'done'])
  })

  it('mirrors a slide scanned from the wrong side from its row, its job, Realism: enhanced again so, shown so', async () => {
    const { page, backend } = app
    await app.tab('Queue')
    const runner = backend.queue.runner
    const job = runner.jobs[0]!
    const itemOf = () => runner.items(job.id).find((i) => i.input.endsWith('photo 3.jpg'))!
    const allDone = () => everyPhotoDone(runner, job.id)
    const raw = (image: Sharp) => image.resize(64, 48).removeAlpha().raw().toBuffer()
    const meanDifference = (a: Buffer, b: Buffer) =>
      a.reduce((sum, v, i) => sum + Math.abs(v - b[i]!), 0) / a.length
    const thumbnail = page.getByRole('img', { name: 'photo 3.jpg', exact: true })
    const shownThumbnail = async () => sharp(dataUrlBytes((await thumbnail.getAttribute('src'))!))
    const [output, thumb] = [
      await raw(sharp(itemOf().output).flop()),
      await raw((await shownThumbnail()).flop()),
    ]
    // Its result, and its thumbnail, are the earlier ones read right to left; its row says so.
    await page.getByRole('button', { name: 'Mirror photo 3.jpg left to right', exact: true }).click()
    await expect.poll(() => [itemOf().mirrored, itemOf().state], { timeout: 60_000 }).toEqual([true, 'done'])
    expect(meanDifference(await raw(sharp(itemOf().output)), output)).toBeLessThan(4)
    await page.getByText('Mirrored', { exact: true }).waitFor()
    await expect.poll(async () => meanDifference(await raw(await shownThumbnail()), thumb)).toBeLessThan(4)
    // Realism mirrors it back as it shows it; turned there, it is turned as shown.
    await page.getByRole('button', { name: /^Realism \d+%… of photo 3\.jpg/ }).click()
    await page.getByRole('heading', { name: /photo 3\.jpg 256×192/ }).waitFor()
    await page.getByRole('button', { name: 'Mirror left to right' }).click()
    await expect.poll(() => [itemOf().turn, itemOf().mirrored]).toEqual([0, false])
    await allDone()
    expect(meanDifference(await raw(sharp(itemOf().output).flop()), output)).toBeLessThan(4)
    // A whole job: every photo mirrored at once (its card says so), and back.
    await app.tab('Queue')
    const outputs = async () => Promise.all(runner.items(job.id).map((i) => raw(sharp(i.output))))
    const upright = await outputs()
    await page
      .getByRole('button', { name: 'Mirror all photos of Album 1962 (6 photos) left to right' })
      .click()
    await page
      .getByRole('article', { name: /Job Album 1962/ })
      .getByText('· mirrored')
      .waitFor()
    await allDone()
    const mirroredOutputs = await outputs()
    for (const [i, photo] of upright.entries()) {
      const mirrored = await raw(sharp(photo, { raw: { width: 64, height: 48, channels: 3 } }).flop())
      expect(meanDifference(mirroredOutputs[i]!, mirrored)).toBeLessThan(4)
    }
    await app.shot('06e-queue-mirrored')
    await page
      .getByRole('button', { name: 'Mirror all photos of Album 1962 (6 photos) left to right' })
      .click()
    await expect.poll(() => runner.job(job.id)!.mirrored).toBe(false)
    await allDone()
  })

  it('dates an album: a year for the job’s photos, a day for one from Realism; a date not on the calendar is refused', async () => {
    const { page, runner, job, card } = await albumInQueue()
    const allDone = () => everyPhotoDone(runner, job.id)
    await card.getByRole('button', { name: 'Date taken… of the photos of Album 1962 (6 photos)' }).click()
    const field = card.getByRole('textbox', { name: 'When were the photos of Album 1962 (6 photos) taken?' })
    // The year the album's name says is offered, chosen, so typing replaces it.
    expect(await field.inputValue()).toBe('1962')
    expect(
      await field.evaluate((input: HTMLInputElement) => input.selectionEnd! - input.selectionStart!),
    ).toBe(4)
    await field.fill('1962-02-30')
    await field.press('Enter')
    await card.getByRole('alert').getByText('"1962-02-30" is not a date').waitFor()
    expect(runner.job(job.id)!.taken).toBeUndefined()
    await field.fill('1962')
    await app.shot('06c-queue-dating')
    // Dated in their files where they lie, not enhanced again: no photo runs.
    const { ran, stop } = photosRun(runner)
    await card.getByRole('button', { name: 'Set date' }).click()
    await card.getByText('· taken in 1962').waitFor()
    await expect.poll(() => runner.job(job.id)!.taken).toBe('1962')
    const moment = (taken: string, place = 0) => takenMoment(taken, place).getTime()
    /** A photo's place in the album (the job's order): as many seconds after midday as photos come before it. */
    const placeOf = (photo: { id: string }) => runner.items(job.id).findIndex((item) => item.id === photo.id)
    const times = () => runner.items(job.id).map((item) => statSync(item.output).mtime.getTime())
    // Midday of 1 January 1962, a second apart in the album's order: libraries sorting by time keep it.
    await expect.poll(times).toEqual([0, 1, 2, 3, 4, 5].map((place) => moment('1962', place)))
    await allDone()
    // One print of the summer before, dated from Realism.
    const itemOf = () => runner.items(job.id).find((i) => i.input.endsWith('photo 2.jpg'))!
    await card.getByRole('button', { name: /^Realism \d+%… of photo 2\.jpg/ }).click()
    await page.getByRole('button', { name: 'Date taken… of photo 2.jpg' }).click()
    const own = page.getByRole('textbox', { name: 'When was photo 2.jpg taken?' })
    await own.fill('1961-8-14')
    await own.press('Enter')
    await expect.poll(() => itemOf().taken).toBe('1961-08-14')
    // At its album place still.
    const place = placeOf(itemOf())
    await expect.poll(() => statSync(itemOf().output).mtime.getTime()).toBe(moment('1961-08-14', place))
    expect(ran).toEqual([])
    stop()
    if (hasExiftool)
      expect(tagsOf(itemOf().output)).toMatchObject({
        DateTimeOriginal: `1961:08:14 12:00:0${place}`,
        DateCreated: '1961:08:14',
      })
    await app.tab('Queue')
    await card.getByText('Taken on 14 August 1961').waitFor()
    await app.shot('06d-queue-dated')
    // And from Compare, for the photo it shows.
    const fourth = () => runner.items(job.id).find((i) => i.input.endsWith('photo 4.jpg'))!
    await card.getByRole('button', { name: 'Compare photo 4.jpg before and after' }).click()
    await page.getByRole('button', { name: 'Date taken… of photo 4.jpg' }).click()
    const compared = page.getByRole('textbox', { name: 'When was photo 4.jpg taken?' })
    await compared.fill('1963-05')
    await compared.press('Enter')
    await expect
      .poll(() => statSync(fourth().output).mtime.getTime())
      .toBe(moment('1963-05', placeOf(fourth())))
    expect(fourth().state).toBe('done')
    await app.tab('Queue')
    await card.getByText('Taken in May 1963').waitFor()
    // Each as its name or folder says: the album's folder says 1962, in place of the dates given per photo, which
    // are written again where they lie (no photo runs).
    const forNames = photosRun(runner)
    await card.getByRole('button', { name: 'Date taken… of the photos of Album 1962 (6 photos)' }).click()
    await card.getByRole('button', { name: 'Each as its name or folder says' }).click()
    await card.getByText('· dated as their names say').waitFor()
    await expect.poll(times).toEqual([0, 1, 2, 3, 4, 5].map((place) => moment('1962', place)))
    expect([forNames.ran, runner.job(job.id)!.state]).toEqual([[], 'done'])
    forNames.stop()
  })

  it('captions a photo from Compare in its file where it lies; taken back, it is enhanced again without one', async () => {
    const { page, runner, job, card } = await albumInQueue()
    const third = () => runner.items(job.id).find((i) => i.input.endsWith('photo 3.jpg'))!
    const { ran, stop } = photosRun(runner)
    const pixels = () => sharp(third().output).raw().toBuffer()
    const pixelsBefore = await pixels()
    await card.getByRole('button', { name: 'Compare photo 3.jpg before and after' }).click()
    await page.getByRole('button', { name: 'Caption… of photo 3.jpg' }).click()
    const field = page.getByRole('textbox', { name: 'What is written under photo 3.jpg?' })
    await field.fill('   ')
    await field.press('Enter')
    await page.getByRole('alert').getByText('The caption is empty').waitFor()
    // Shift+Enter starts a second line; Enter sets it.
    await field.fill('Grandma & Tom at the lake')
    await field.press('Shift+Enter')
    await field.pressSequentially('Page 3')
    await app.shot('06f-compare-caption')
    await field.press('Enter')
    await expect.poll(() => third().caption).toBe('Grandma & Tom at the lake\nPage 3')
    if (hasExiftool)
      await expect
        .poll(() => descriptionsOf([third().output]), { timeout: CAPTION_WRITTEN_MS })
        .toEqual(['Grandma & Tom at the lake\nPage 3'])
    expect([ran, third().state]).toEqual([[], 'done'])
    // Said beside its pixels: the same pixels. Compare shows it under the photo, as an album does, with its date.
    expect((await pixels()).equals(pixelsBefore)).toBe(true)
    const under = page.getByRole('note', { name: 'Under photo 3.jpg' })
    await expect.poll(() => under.innerText()).toBe('Grandma & Tom at the lake\nPage 3\nTaken in 1962')
    await app.shot('06i-compare-captioned')
    await app.tab('Queue')
    await card.getByText('Caption: “Grandma & Tom at the lake…”').waitFor()
    await app.shot('06g-queue-captioned')
    // Taken back: what its original says comes back only from the original, so it is enhanced again.
    await card.getByRole('button', { name: 'Compare photo 3.jpg before and after' }).click()
    await page.getByRole('button', { name: 'Caption… of photo 3.jpg' }).click()
    await page.getByRole('button', { name: 'No caption' }).click()
    await expect.poll(() => ran).toEqual([third().input])
    await everyPhotoDone(runner, job.id)
    stop()
    if (hasExiftool) expect(descriptionsOf([third().output])).toEqual([undefined])
    await expect.poll(() => under.innerText()).toBe('Taken in 1962')
    await app.tab('Queue')
    await card.getByText('Caption: “Grandma & Tom at the lake…”').waitFor({ state: 'detached' })
  })

  it('captions a whole album from its card in place; as their names say, those whose names say none lose it', async () => {
    const { runner, job, card } = await albumInQueue()
    const { ran, stop } = photosRun(runner)
    const descriptions = () => descriptionsOf(runner.items(job.id).map((item) => item.output))
    await card.getByRole('button', { name: 'Caption… of the photos of Album 1962 (6 photos)' }).click()
    const field = card.getByRole('textbox', {
      name: 'What is written under the photos of Album 1962 (6 photos)?',
    })
    await field.fill('Summer at the lake, 1962')
    await app.shot('06h-queue-job-caption')
    await field.press('Enter')
    await card.getByText('· captioned “Summer at the lake, 1962”').waitFor()
    // Written where they lie: no photo runs, the job stays finished.
    if (hasExiftool)
      await expect
        .poll(descriptions, { timeout: CAPTION_WRITTEN_MS })
        .toEqual(Array.from({ length: 6 }, () => 'Summer at the lake, 1962'))
    expect([ran, runner.job(job.id)!.state, runner.job(job.id)!.caption]).toEqual([
      [],
      'done',
      'Summer at the lake, 1962',
    ])
    // Those in "beach" are captioned so in place; "Album 1962/photo 3.jpg" says nothing: each of those loses the
    // album's caption, enhanced again without one.
    await card.getByRole('button', { name: 'Caption… of the photos of Album 1962 (6 photos)' }).click()
    await card.getByRole('button', { name: 'Each as its name or folder says' }).click()
    await card.getByText('· captioned as their names say').waitFor()
    await everyPhotoDone(runner, job.id)
    const inBeach = (input: string) => input.includes(`${sep}beach${sep}`)
    expect(ran.map(inBeach)).toEqual([false, false, false])
    stop()
    if (hasExiftool)
      expect(descriptions()).toEqual(
        runner.items(job.id).map((i) => (inBeach(i.input) ? 'beach' : undefined)),
      )
  })

  it('lists an album’s photos under their folders, each folder dated, captioned, turned and given a realism from its heading', async () => {
    const { runner, job, card } = await albumInQueue()
    const beach = card.getByRole('region', { name: 'Folder Album 1962/beach' })
    const root = card.getByRole('region', { name: 'Folder Album 1962', exact: true })
    const rows = (folder: typeof beach) => folder.locator('.name').allInnerTexts()
    expect([await rows(root), await rows(beach)]).toEqual([
      ['photo 3.jpg', 'photo 4.jpg', 'photo 5.jpg'],
      ['photo 0.jpg', 'photo 1.jpg', 'photo 2.jpg'],
    ])
    // Its name folds a folder's rows away, and back; the heading's choices stay.
    const fold = beach.getByRole('button', { name: 'Album 1962/beach', exact: true })
    await fold.click()
    await expect.poll(() => rows(beach)).toEqual([])
    expect([await fold.getAttribute('aria-expanded'), await rows(root)]).toEqual([
      'false',
      ['photo 3.jpg', 'photo 4.jpg', 'photo 5.jpg'],
    ])
    await beach.getByRole('button', { name: 'Turn all photos of Album 1962/beach a quarter right' }).waitFor()
    await fold.press('Enter')
    await expect.poll(() => rows(beach)).toEqual(['photo 0.jpg', 'photo 1.jpg', 'photo 2.jpg'])
    const { ran, stop } = photosRun(runner)
    const inBeach = (input: string) => input.includes(`${sep}beach${sep}`)
    const photos = () => runner.items(job.id)
    await beach.getByRole('button', { name: 'Caption… of the photos of Album 1962/beach' }).click()
    const caption = beach.getByRole('textbox', {
      name: 'What is written under the photos of Album 1962/beach?',
    })
    await caption.fill('At the beach with Tom')
    await caption.press('Enter')
    await beach.getByText('· captioned “At the beach with Tom”').waitFor()
    await beach.getByRole('button', { name: 'Date taken… of the photos of Album 1962/beach' }).click()
    const date = beach.getByRole('textbox', { name: 'When were the photos of Album 1962/beach taken?' })
    expect(await date.inputValue()).toBe('1962')
    await date.fill('1963-08')
    await date.press('Enter')
    await beach.getByText('· taken in August 1963').waitFor()
    // Written where they lie, the other folder's photos as they were: no photo runs.
    const times = () => photos().map((item) => statSync(item.output).mtime.getTime())
    // Each at its album place, the beach's photos in August 1963: a library sorting by time keeps the album's order.
    const expected = photos().map((item, place) =>
      takenMoment(inBeach(item.input) ? '1963-08' : '1962', place).getTime(),
    )
    await expect.poll(times).toEqual(expected)
    if (hasExiftool)
      expect(descriptionsOf(photos().map((item) => item.output))).toEqual(
        photos().map((item) => (inBeach(item.input) ? 'At the beach with Tom' : undefined)),
      )
    expect([ran, runner.job(job.id)!.state]).toEqual([[], 'done'])
    // A folder of prints laid sideways on the scanner: its photos alone enhanced again, turned, and back.
    const sizes = () => Promise.all(photos().map(async (item) => (await sharp(item.output).metadata()).width))
    const widths = await sizes()
    await beach.getByRole('button', { name: 'Turn all photos of Album 1962/beach a quarter right' }).click()
    await beach.getByText('· turned a quarter right').waitFor()
    await everyPhotoDone(runner, job.id)
    expect(ran.map(inBeach)).toEqual([true, true, true])
    await app.shot('06j-queue-folders')
    // At rest, a photo's Realism shows where it is its own (photo 0's, chosen in an earlier test), not elsewhere.
    await app.page.mouse.move(0, 0)
    const realismOf = (name: string) =>
      card.getByRole('button', { name: new RegExp(`^Realism \\d+%… of ${name}`) })
    await expect
      .poll(() => Promise.all([seen(realismOf('photo 0')), seen(realismOf('photo 1'))]))
      .toEqual([1, 0])
    const heights = await Promise.all(
      photos().map(async (item) => (await sharp(item.output).metadata()).height),
    )
    expect(heights.map((height, n) => (inBeach(photos()[n]!.input) ? height : widths[n]))).toEqual(widths)
    await beach.getByRole('button', { name: 'Turn all photos of Album 1962/beach a quarter left' }).click()
    await beach.getByText('· turned a quarter right').waitFor({ state: 'detached' })
    await everyPhotoDone(runner, job.id)
    expect([ran.length, await sizes()]).toEqual([6, widths])
    // The beach's realism from its heading: Realism opens its first photo, and applies to its three photos alone.
    const realisms = photos().map((item) => item.realism)
    const { page } = app
    // Its photo 0 was enhanced at 100% on its own (an earlier test): the folder's photos share no realism.
    await beach.getByRole('button', { name: 'Realism… of the photos of Album 1962/beach: adjust' }).click()
    await page.getByRole('heading', { name: /^photo 0\.jpg/ }).waitFor()
    await page.getByRole('slider', { name: /Realism/ }).fill('1')
    await page.locator('img[data-realism="1"]').waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Apply 100% to the 3 photos of Album 1962/beach' }).click()
    await page.getByRole('status').filter({ hasText: '3 photos will be enhanced again' }).waitFor()
    await app.shot('06k-realism-for-a-folder')
    await everyPhotoDone(runner, job.id)
    expect(ran.slice(6).map(inBeach)).toEqual([true, true, true])
    expect(photos().map((item) => item.realism)).toEqual(
      photos().map((item, n) => (inBeach(item.input) ? 1 : realisms[n])),
    )
    await app.tab('Queue')
    await beach.getByText('· realism 100%').waitFor()
    // The card says how many of its photos are made at a realism of their own: the beach's three among them.
    const jobNow = runner.job(job.id)!
    const own = photos().filter((item) => itemRealism(jobNow, item) !== jobRealism(jobNow)).length
    expect(own).toBeGreaterThanOrEqual(3)
    await card
      .getByText(`· realism ${Math.round(jobRealism(jobNow)! * 100)}% · ${own} photos at their own realism`)
      .waitFor()
    await beach
      .getByRole('button', { name: 'Realism 100%… of the photos of Album 1962/beach: adjust' })
      .waitFor()
    // The card's own: its photos' realisms now differ; its first photo opens with all three reaches to apply to.
    const first = photos()[0]!
    await card
      .getByRole('button', { name: 'Realism… of the photos of Album 1962 (6 photos): adjust' })
      .click()
    await page.getByRole('heading', { name: basename(first.input) }).waitFor()
    const at = `${Math.round(first.realism! * 100)}%`
    const applies = page.getByRole('group', { name: 'Apply the realism and repairs' }).getByRole('button')
    expect((await applies.allInnerTexts()).filter((text) => text.startsWith('Apply'))).toEqual([
      `Apply ${at} to this photo`,
      `Apply ${at} to the 3 photos of ${inBeach(first.input) ? 'Album 1962/beach' : 'Album 1962'}`,
      `Apply ${at} to the whole job`,
    ])
    await app.tab('Queue')
    stop()
  })

  it('moves the realism slider: the crop changes between α = 0 and 1, and each is deterministic', async () => {
    const { page } = app
    await app.tab('Realism')
    app.dialogs.inputs = [join(album, 'photo 4.jpg')]
    await page.getByRole('button', { name: 'Choose a photo…' }).click()
    await page.getByRole('heading', { name: /^photo 4\.jpg/ }).waitFor()
    const slider = page.getByRole('slider', { name: /Realism/ })
    const crop = (realism: number) => page.locator(`img[data-realism="${realism}"]`)
    const render = async (realism: number): Promise<string> => {
      await slider.fill(String(realism))
      await crop(realism).waitFor({ timeout: 60_000 })
      return (await crop(realism).getAttribute('src'))!
    }
    const faithful = await render(0)
    const realistic = await render(1)
    expect(realistic).not.toBe(faithful)
    expect(await render(0)).toBe(faithful)
    expect(await render(1)).toBe(realistic)
    await page.getByRole('button', { name: 'Show 5 levels' }).click()
    await page.getByRole('button', { name: 'Use realism 50%' }).waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Use realism 50%' }).click()
    // With no queued photo open, the slider sets the realism of new jobs.
    await expect.poll(() => app.backend.services.getPreferences().then((p) => p.realism)).toBe(0.5)
    await app.shot('08-realism-levels')

    // The region with each bundled pair at the slider's realism: the one clicked becomes new jobs'.
    await page.getByRole('button', { name: 'Compare the pairs' }).click()
    const pairs = page.getByRole('group', { name: 'The pairs on this photo' })
    const real = pairs.getByRole('button', {
      name: 'Use the pair for photos from phones, the web and scans (JPEG, noise, blur) for new jobs',
    })
    const clean = pairs.getByRole('button', { name: 'Use the pair for clean, sharp originals for new jobs' })
    await clean.waitFor({ timeout: 60_000 })
    const [realUrl, cleanUrl] = await Promise.all(
      [real, clean].map(async (pair) => (await pair.locator('img').getAttribute('src'))!),
    )
    expect(cleanUrl).not.toBe(realUrl)
    expect([await real.getAttribute('aria-pressed'), await clean.getAttribute('aria-pressed')]).toEqual([
      'true',
      'false',
    ])
    await app.shot('08-realism-pairs')
    await clean.click()
    const newJobsModel = () => app.backend.services.getPreferences().then((p) => p.model?.path ?? null)
    await expect.poll(newJobsModel).toMatch(/enhance-psnr-x4\.safetensors$/)
    await expect.poll(() => clean.getAttribute('aria-pressed')).toBe('true')
    // The crop with new jobs' pair is the one its pair's pane showed, to the byte.
    await page.getByRole('button', { name: 'Before | after' }).click()
    await expect.poll(() => crop(0.5).getAttribute('src'), { timeout: 60_000 }).toBe(cleanUrl)
    await page.getByRole('button', { name: 'Compare the pairs' }).click()
    await real.click()
    await expect.poll(newJobsModel).toBeNull()
    await page.getByRole('button', { name: 'Before | after' }).click()
    await expect.poll(() => crop(0.5).getAttribute('src'), { timeout: 60_000 }).toBe(realUrl)

    await page.getByRole('img', { name: /^Before/ }).waitFor()
    await app.shot('08-realism')
  })

  it('fits the realism view in a 900×600 window, and renders the region dragged to', async () => {
    const { page } = app
    await page.setViewportSize({ width: 900, height: 600 })
    try {
      const inView = async (name: RegExp, role: 'slider' | 'img') => {
        const box = (await page.getByRole(role, { name }).boundingBox())!
        return box.y >= 0 && box.x >= 0 && box.y + box.height <= 600 && box.x + box.width <= 900
      }
      const region = page.getByRole('slider', { name: /^Region to preview/ })
      const before = await region.getAttribute('aria-valuetext')
      const box = (await region.boundingBox())!
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3, { steps: 4 })
      await page.mouse.up()
      await expect.poll(() => region.getAttribute('aria-valuetext')).not.toBe(before)
      await page.getByRole('img', { name: /^Preview at realism/ }).waitFor()
      await page.getByRole('img', { name: /^Before/ }).waitFor()
      expect(await inView(/^Realism, from faithful/, 'slider')).toBe(true)
      expect(await inView(/^Preview at realism/, 'img')).toBe(true)
      expect(await inView(/^Before/, 'img')).toBe(true)
      // Nothing to scroll: the whole view is on screen.
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(600)
      await app.shot('09-realism-900x600')
      // So are both pairs' panes, each whole, and the slider under them.
      await page.getByRole('button', { name: 'Compare the pairs' }).click()
      const group = page.getByRole('group', { name: 'The pairs on this photo' })
      const pairs = group.getByRole('button')
      // Once, in a run of an earlier session, the panes did not come within the minute (they take 4 s): should it
      // happen again, the failure says what the view showed.
      await expect
        .poll(() => pairs.count(), { timeout: 60_000 })
        .toBe(2)
        .catch(async (error: unknown) => {
          const alerts = await page.getByRole('alert').allInnerTexts()
          const shown = { busy: await group.getAttribute('aria-busy'), panes: await pairs.count(), alerts }
          throw new Error(`The pairs' panes did not come: ${JSON.stringify(shown)}`, { cause: error })
        })
      for (const pair of await pairs.all()) {
        const shown = (await pair.boundingBox())!
        expect([
          shown.x >= 0,
          shown.y >= 0,
          shown.x + shown.width <= 900,
          shown.y + shown.height <= 600,
        ]).toEqual([true, true, true, true])
        expect((await pair.locator('img').boundingBox())!.height).toBeGreaterThan(100)
      }
      expect(await inView(/^Realism, from faithful/, 'slider')).toBe(true)
      expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThanOrEqual(600)
      await app.shot('09-realism-pairs-900x600')
      await page.getByRole('button', { name: 'Before | after' }).click()
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 })
    }
  })

  it('restarts mid-job and finds the queue resumed', async () => {
    const { page, dialogs } = app
    await app.tab('Queue')
    dialogs.outputFolder = join(app.work, 'enhanced-3')
    await page.getByRole('button', { name: /^Save to/ }).click()
    dialogs.inputs = [album]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    await page
      .getByRole('article', { name: /Job Album 1962/ })
      .nth(1)
      .waitFor()
    const runner = app.backend.queue.runner
    const jobId = runner.jobs.at(-1)!.id
    expect(runner.job(jobId)!.spec.model.blend?.realism).toBe(0.5)
    await expect
      .poll(() => runner.items(jobId).filter((i) => i.state === 'done').length, { timeout: 60_000 })
      .toBeGreaterThan(0)
    await app.restart()
    const resumed = app.page.getByRole('article', { name: /Job Album 1962/ }).last()
    await expect.poll(() => resumed.getAttribute('data-state'), { timeout: 120_000 }).toBe('done')
    expect(jpgsIn(join(app.work, 'enhanced-3'))).toBe(6)
    await app.shot('09-resumed-after-restart')
  })

  it('skips a photo of its job as asked, not enhanced, and puts it back', async () => {
    const { page, backend } = app
    await app.tab('Queue')
    const runner = backend.queue.runner
    const job = runner.jobs.find((j) => j.state === 'cancelled' && basename(j.spec.inputs[0]!) === 'beach')!
    const card = page.getByRole('article', { name: 'Job beach (3 photos)' })
    const itemOf = (name: string) => runner.items(job.id).find((i) => basename(i.input) === name)!
    await card.getByRole('button', { name: 'Enhance the rest of beach (3 photos)' }).click()
    // A job of one folder offers to skip the photos waiting from its card; the last is skipped from its row.
    await card.getByRole('button', { name: /^Skip the \d photos? of beach \(3 photos\) waiting/ }).waitFor()
    await card.getByRole('button', { name: 'Skip photo 2.jpg: not enhanced' }).click()
    await expect.poll(() => runner.job(job.id)!.state, { timeout: 60_000 }).toBe('done')
    const row = card.getByRole('listitem').filter({ hasText: 'photo 2.jpg' })
    await row.getByText('skipped', { exact: true }).waitFor()
    expect(['photo 0.jpg', 'photo 1.jpg', 'photo 2.jpg'].map((name) => itemOf(name).state)).toEqual([
      'done',
      'done',
      'skipped',
    ])
    expect(existsSync(itemOf('photo 2.jpg').output)).toBe(false)
    await app.shot('37-photo-skipped')
    // Put back (from the card: its row has Put back too), it is enhanced with its job.
    await row.getByRole('button', { name: 'Put back photo 2.jpg: enhanced with its job' }).waitFor()
    await card.getByRole('button', { name: 'Put back the 1 photo of beach (3 photos) skipped' }).click()
    await expect.poll(() => itemOf('photo 2.jpg').state, { timeout: 60_000 }).toBe('done')
    expect((await sharp(itemOf('photo 2.jpg').output).metadata()).width).toBe(1024)
    await row.getByText('skipped', { exact: true }).waitFor({ state: 'detached' })
    await card.getByText('3 of 3 enhanced').waitFor()
  })

  it('skips a folder’s photos waiting from its heading, and puts them back', async () => {
    const { page, dialogs, backend } = app
    await app.tab('Queue')
    const runner = backend.queue.runner
    dialogs.outputFolder = join(app.work, 'enhanced-skip')
    await page.getByRole('button', { name: /^Save to/ }).click()
    const before = runner.jobs.length
    dialogs.inputs = [album]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    // Held as soon as it is made, so that its photos wait.
    await expect.poll(() => runner.jobs.length).toBe(before + 1)
    const job = runner.jobs.at(-1)!
    runner.pause(job.id)
    const card = page.getByRole('article', { name: /Job Album 1962/ }).last()
    // Held before a photo of it was done (as a rule): its card says the engine's estimate of its photos.
    if (runner.items(job.id).every((i) => i.state !== 'done')) {
      await card.getByText(/^0 of 6 enhanced .*· about \d+ s left$/).waitFor()
      await app.shot('39-job-estimated')
    }
    await card.getByRole('button', { name: /^Skip the \d photos? of Album 1962\/beach waiting/ }).click()
    const inBeach = (item: { input: string }) => basename(dirname(item.input)) === 'beach'
    const beach = () => runner.items(job.id).filter(inBeach)
    await expect.poll(() => beach().every((i) => i.state === 'done' || i.skipReason === 'asked')).toBe(true)
    const skipped = beach().filter((i) => i.skipReason === 'asked').length
    expect(skipped).toBeGreaterThanOrEqual(2)
    await card.getByRole('button', { name: 'Resume Album 1962 (6 photos)' }).click()
    await expect.poll(() => runner.job(job.id)!.state, { timeout: 60_000 }).toBe('done')
    expect(jpgsIn(join(app.work, 'enhanced-skip'))).toBe(6 - skipped)
    await app.shot('38-folder-skipped')
    await card
      .getByRole('button', { name: `Put back the ${skipped} photos of Album 1962/beach skipped` })
      .click()
    await expect.poll(() => jpgsIn(join(app.work, 'enhanced-skip')), { timeout: 60_000 }).toBe(6)
    await expect.poll(() => runner.job(job.id)!.state, { timeout: 60_000 }).toBe('done')
  })

  it('shows a name that would be drawn backwards with its code, and keeps a long name on its photo’s row', async () => {
    const { page } = app
    const chat = join(app.work, 'Saved from a chat')
    mkdirSync(chat)
    // "empty" + RIGHT-TO-LEFT OVERRIDE + "gnp.jpg": drawn as it is, it reads "emptygpj.png" and turns its
    // failure sentence around ("emptyro enohp ,aremac…").
    writeFileSync(join(chat, 'empty\u202egnp.jpg'), '')
    const long =
      'IMG_20190704_183522_HDR_Portrait_Mode_edited_final_FINAL_version2_copy_of_copy_of_copy_of_copy.jpg'
    await photo(join(chat, long), 7, 96, 64)
    await app.tab('Queue')
    await page.setViewportSize({ width: 900, height: 600 })
    app.dialogs.inputs = [chat]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const card = page.getByRole('article', { name: /Job Saved from a chat/ })
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const failure = card.locator('.failure > span')
    expect(await failure.innerText()).toBe(
      'empty\\u202egnp.jpg is empty (0 bytes). Copy it again from where it came from (the camera, phone or backup); ' +
        'Enhance has not changed it.',
    )
    const row = card.locator('li').filter({ hasText: long })
    const [thumbnail, name] = [
      await row.locator('.thumb').boundingBox(),
      await row.getByText(long).boundingBox(),
    ]
    expect(name!.y).toBeLessThan(thumbnail!.y + thumbnail!.height)
    expect(name!.x).toBeGreaterThan(thumbnail!.x + thumbnail!.width)
    await app.shot('34-names-from-outside')
    // Narrower, where a row's buttons go under its name: every one of them shows, hovered or not.
    await page.setViewportSize({ width: 700, height: 600 })
    await page.mouse.move(0, 0)
    const copy = row.getByRole('button', { name: /^Copy the enhanced/ })
    await expect.poll(() => seen(copy)).toBe(1)
    await page.setViewportSize({ width: 900, height: 600 })
    await expect.poll(() => seen(copy)).toBe(0)
  })

  it('enhances a finished job again with the other pair, compared on one of its photos in Realism', async () => {
    const { page, backend } = app
    const runner = backend.queue.runner
    const folder = join(app.work, 'Phone photos')
    mkdirSync(folder)
    for (let i = 0; i < 2; i++) await photo(join(folder, `IMG_${i}.jpg`), 10 + i, 96, 64)
    await app.tab('Queue')
    app.dialogs.inputs = [folder]
    await page.getByRole('button', { name: 'Add folder…' }).click()
    const card = page.getByRole('article', { name: /Job Phone photos/ })
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')
    const job = runner.jobs.at(-1)!
    const outputs = () => runner.items(job.id).map((item) => readFileSync(item.output))
    const before = outputs()
    // Its card opens its first photo in Realism with the pairs on it.
    await card.getByRole('button', { name: /^Model pair… of the photos of Phone photos/ }).click()
    expect(await page.getByRole('button', { name: 'Compare the pairs' }).getAttribute('aria-pressed')).toBe(
      'true',
    )
    const pairs = page.getByRole('group', { name: 'The pairs on this photo' })
    const again = (pair: string) =>
      pairs.getByRole('button', { name: `Enhance the whole job again with ${pair}` })
    const real = again('the pair for photos from phones, the web and scans (JPEG, noise, blur)')
    const clean = again('the pair for clean, sharp originals')
    await clean.waitFor({ timeout: 60_000 })
    expect([await real.getAttribute('aria-pressed'), await clean.getAttribute('aria-pressed')]).toEqual([
      'true',
      'false',
    ])
    const cleanUrl = (await clean.locator('img').getAttribute('src'))!
    await app.shot('40-realism-pairs-of-a-job')
    await clean.click()
    await page
      .getByRole('status')
      .filter({ hasText: 'The pair for clean, sharp originals: 2 photos will be enhanced again.' })
      .waitFor()
    await expect.poll(() => clean.getAttribute('aria-pressed')).toBe('true')
    expect(jobModel(runner.job(job.id)!).path).toMatch(/enhance-psnr-x4\.safetensors$/)
    await expect.poll(() => runner.job(job.id)!.state, { timeout: 60_000 }).toBe('done')
    expect(outputs().map((output, i) => output.equals(before[i]!))).toEqual([false, false])
    // Its photo's crop is now the clean pair's, to the byte, as that pair's pane showed it.
    await page.getByRole('button', { name: 'Before | after' }).click()
    const preview = page.getByRole('img', { name: /^Preview at realism/ })
    await expect.poll(() => preview.getAttribute('src'), { timeout: 60_000 }).toBe(cleanUrl)
    await app.tab('Queue')
    await card.getByText(/· the pair for clean, sharp originals ·/).waitFor()
  })
})
