/**
 * The evaluation suite: checks our metrics against published MATLAB figures on ../shared data.
 * Run with `npm run test:eval` (CI does); `npm test` does not need ../shared.
 */
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { evaluateDataset, averageOf } from '../../src/cli/eval.js'
import { DEFAULT_NIQE_PARAMS } from '../../src/cli/models.js'
import { decodeImage } from '../../src/engine/image/decode.js'
import { loadNiqeModel, niqe } from '../../src/engine/metrics/niqe.js'
import { lumaOf } from '../../src/engine/metrics/quality.js'
import { fixturePath } from '../helpers/fixtures.js'

const SHARED = new URL('../../../shared/', import.meta.url).pathname
const BABOON = `${SHARED}metrics/niqe_baboon.png`

describe.runIf(existsSync(BABOON))('NIQE', () => {
  it('gives MATLAB R2021a’s 5.72957338 on baboon within 0.001', async () => {
    const { image } = await decodeImage(BABOON)
    const luma = lumaOf(image.pixels as Uint8Array, image.width, image.height, image.channels)
    const score = niqe({ ...luma, data: luma.data.map(Math.round) }, await loadNiqeModel(DEFAULT_NIQE_PARAMS))
    console.log(`NIQE(baboon) = ${score.toFixed(6)} (MATLAB R2021a: 5.72957338)`)
    expect(Math.abs(score - 5.72957338)).toBeLessThan(0.001)
  })
})

describe.runIf(existsSync(`${SHARED}datasets/eval/Set5`))('PSNR/SSIM protocol', () => {
  it('reproduces the published bicubic baseline on Set5 (28.42 dB)', async () => {
    const results = await evaluateDataset(
      `${SHARED}datasets/eval/Set5`,
      { path: fixturePath('basicsr_x4.safetensors') },
      { device: 'cpu' },
    )
    const bicubic = averageOf(results, 'bicubic')
    console.log(`Set5 bicubic: PSNR-Y ${bicubic.psnr.toFixed(3)} dB, SSIM ${bicubic.ssim.toFixed(4)}`)
    expect(Math.abs(bicubic.psnr - 28.42)).toBeLessThan(0.03)
    expect(bicubic.ssim).toBeGreaterThan(0.8)
  })
})
