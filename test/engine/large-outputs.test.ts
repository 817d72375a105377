import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { checkOutputSize, checkRasterSize, encodeImage, jpegOptions } from '../../src/engine/image/encode.js'
import { codeOf } from '../helpers/errors.js'

describe('large outputs', () => {
  it('optimises Huffman tables only while the coefficients fit the memory budget', () => {
    expect(jpegOptions(92, 2560, 1920)).toMatchObject({ chromaSubsampling: '4:4:4', optimiseCoding: true })
    // 12000×8000 at 4:4:4 would hold 576 MB of coefficients.
    expect(jpegOptions(92, 12000, 8000)).toMatchObject({ optimiseCoding: false })
    // 4:2:0 holds half as many samples, so the same size still fits.
    expect(jpegOptions(80, 7000, 7000).optimiseCoding).toBe(true)
    expect(jpegOptions(92, 7000, 7000).optimiseCoding).toBe(false)
  })

  it('writes a valid JPEG past the coding budget, with the pixels it was given', async () => {
    const [width, height] = [8000, 6000]
    const pixels = new Uint8Array(width * height * 3)
    for (let i = 0; i < pixels.length; i += 3) pixels.set([200, 120, 40], i)
    const image = { width, height, channels: 3 as const, depth: 8 as const, pixels }
    const meta = { format: 'jpeg', gray: false, hasAlpha: false }
    const options = { format: 'jpeg', quality: 92, background: '#ffffff', metadata: 'none' } as const
    const file = await encodeImage(image, meta, { ...options, width, height })
    const decoded = sharp(file)
    expect(await decoded.metadata()).toMatchObject({ format: 'jpeg', width, height })
    const { data } = await decoded
      .extract({ left: 4000, top: 3000, width: 1, height: 1 })
      .raw()
      .toBuffer({ resolveWithObject: true })
    const error = [200, 120, 40].map((want, i) => Math.abs(data[i]! - want))
    expect(Math.max(...error)).toBeLessThanOrEqual(2)
  })

  it('refuses, before any work, a WebP or AVIF too big to encode in half the memory; JPEG, PNG and TIFF stream', async () => {
    const eightGb = { bytes: 8 * 2 ** 30, container: false }
    const check = (format: 'webp' | 'avif' | 'jpeg' | 'png' | 'tiff', width: number, height: number) => () =>
      checkOutputSize(format, width, height, eightGb)
    expect(await codeOf(check('avif', 16000, 12000))).toBe('RESULT_TOO_LARGE')
    expect(await codeOf(check('webp', 16383, 16383))).toBe('RESULT_TOO_LARGE')
    expect(check('avif', 16000, 12000)).toThrow(/about 7\.9 GB .* Choose JPEG, PNG or TIFF/)
    expect(check('avif', 4000, 3000)).not.toThrow()
    expect(check('webp', 12000, 8000)).not.toThrow()
    for (const format of ['jpeg', 'png', 'tiff'] as const) expect(check(format, 60000, 40000)).not.toThrow()
  })
})

describe('rasters too large to hold', () => {
  const terabyte = { bytes: 2 ** 40, container: false }
  it('refuses a result one typed array cannot hold, however much memory there is', async () => {
    // 89.6 MP RGB ×4: 43840×32704×3 bytes, just past the largest typed array.
    const tooBig = { width: 43840, height: 32704 }
    expect(await codeOf(() => checkRasterSize([tooBig], 3, 1, terabyte))).toBe('RESULT_TOO_LARGE')
    expect(
      await codeOf(() => checkRasterSize([{ width: 9_000_000, height: 9_000_000 }], 3, 1, terabyte)),
    ).toBe('RESULT_TOO_LARGE')
    expect(() => checkRasterSize([{ width: 40000, height: 32000 }], 3, 1, terabyte)).not.toThrow()
  })

  it('counts the model output and its resized copy against half the memory', async () => {
    const eightGb = { bytes: 8 * 2 ** 30, container: false }
    const model = { width: 32000, height: 24000 } // 2.1 GiB at 8-bit RGB
    expect(() => checkRasterSize([model], 3, 1, eightGb)).not.toThrow()
    expect(await codeOf(() => checkRasterSize([model, { width: 30000, height: 22500 }], 3, 1, eightGb))).toBe(
      'RESULT_TOO_LARGE',
    )
    expect(await codeOf(() => checkRasterSize([model], 3, 2, eightGb))).toBe('RESULT_TOO_LARGE')
  })
})
