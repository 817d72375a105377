/// <reference lib="dom" />
/**
 * Split scans in Chromium: scans of several prints chosen in the dialog are cut into one photo per print, beside
 * them, and enhanced in a job; a photo with no glass around it is said, with its code; splitting again keeps the
 * prints as they are and makes no second job.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { printPicture, scanOf } from '../helpers/scans.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { AppSession } from './session.js'

const app = new AppSession()
const scans = join(app.work, 'Album scans')
const page = join(scans, 'page 1.png')
const photo = join(scans, 'portrait.png')
const prints = join(scans, 'Prints')

const png = (image: RasterImage) =>
  sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .png()
    .toBuffer()

beforeAll(async () => {
  mkdirSync(scans)
  const laid = [
    { picture: printPicture(150, 110, 51), cx: 110, cy: 100, angle: (4 * Math.PI) / 180 },
    { picture: printPicture(140, 100, 52), cx: 290, cy: 210, angle: 0 },
  ]
  writeFileSync(page, await png(scanOf(400, 300, laid)))
  writeFileSync(photo, await png(printPicture(160, 120, 53)))
  await app.start()
}, 120_000)

afterAll(() => app.stop())

describe('Split scans in Chromium', () => {
  it('cuts each print out of a scan beside it and enhances them; a photo without glass is said', async () => {
    app.dialogs.inputs = [page, photo]
    await app.page.getByRole('button', { name: 'Split scans…' }).click()
    await app.page
      .getByRole('status')
      .filter({ hasText: `2 prints cut from 1 scan into ${prints}, and enhanced below.` })
      .waitFor({ timeout: 60_000 })
    const alert = app.page.getByRole('alert')
    expect(await alert.textContent()).toMatch(
      /portrait\.png shows no scanner glass around its edge.*NO_PRINTS/,
    )
    const [job] = await app.backend.services.listJobs()
    await expect
      .poll(async () => (await app.backend.services.listJobs())[0]!.state, { timeout: 60_000 })
      .toBe('done')
    const items = await app.backend.services.listItems(job!.id)
    expect(items.map((item) => item.input)).toEqual([
      join(prints, 'page 1-1.png'),
      join(prints, 'page 1-2.png'),
    ])
    // Each print, and its enhancement ×4 in "Enhanced" beside it.
    for (const item of items) {
      const cut = await sharp(item.input).metadata()
      expect(await sharp(item.output).metadata()).toMatchObject({
        width: cut.width * 4,
        height: cut.height * 4,
      })
      expect(item.output).toBe(join(prints, 'Enhanced', item.input.split('/').at(-1)!))
    }
    // The straight print lies 140×100 on the glass; its cut is inside it, 3 px off each edge at most.
    const straight = await sharp(items[1]!.input).metadata()
    expect(straight.width).toBeGreaterThanOrEqual(134)
    expect(straight.width).toBeLessThanOrEqual(140)
    await app.shot('split-scans')
  })

  it('keeps the prints of a scan split before, and continues its job', async () => {
    const first = join(prints, 'page 1-1.png')
    const before = { bytes: readFileSync(first), modified: statSync(first).mtimeMs }
    await app.page.getByRole('button', { name: 'Dismiss' }).first().click()
    app.dialogs.inputs = [page]
    await app.page.getByRole('button', { name: 'Split scans…' }).click()
    await app.page
      .getByRole('status')
      .filter({ hasText: '2 prints cut from 1 scan' })
      .waitFor({ timeout: 60_000 })
    expect(readFileSync(first).equals(before.bytes)).toBe(true)
    expect(statSync(first).mtimeMs).toBe(before.modified)
    expect(await app.backend.services.listJobs()).toHaveLength(1)
  })
})
