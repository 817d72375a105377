import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { evaluateDataset } from '../../src/cli/eval.js'
import { writeIdentityModel } from '../helpers/models.js'

describe('enhance eval', () => {
  it('scores what a file would get: a grey photo comes out grey, a colour one as the model makes it', async () => {
    const work = mkdtempSync(join(tmpdir(), 'enhance-eval-'))
    // +0.1 red (25.5 levels) and −0.04 blue (−10.2) everywhere, in whole levels as a file holds them; a file of a
    // grey photo gets their mean, +5.1 (125.1 written as 125).
    const casting = writeIdentityModel(work, 4, 1, 2, false, [0.1, 0, -0.04])
    const set = join(work, 'set')
    for (const folder of ['HR', 'LR_x4']) mkdirSync(join(set, folder), { recursive: true })
    const photos = { grey: { r: 120, g: 120, b: 120 }, warm: { r: 150, g: 100, b: 60 } }
    for (const [name, background] of Object.entries(photos)) {
      await sharp({ create: { width: 64, height: 64, channels: 3, background } })
        .png()
        .toFile(join(set, 'HR', `${name}.png`))
      await sharp({ create: { width: 16, height: 16, channels: 3, background } })
        .png()
        .toFile(join(set, 'LR_x4', `${name}.png`))
    }
    const results = await evaluateDataset(set, { path: casting }, { device: 'cpu', bicubic: false })
    const shift = (name: string) =>
      results.find((r) => r.image === `${name}.png`)!.model.colour.map((v) => Math.round(v * 10) / 10)
    expect(shift('grey')).toEqual([5, 5, 5])
    expect(shift('warm')).toEqual([26, 0, -10])
  })
})
