import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { MODELS_DIR } from '../../src/cli/models.js'
import { TILE_PAD } from '../../src/engine/tiling/plan.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { loadModel, modelToOnnx } from '../../src/engine/model.js'
import { createSession } from '../../src/engine/runtime/session.js'
import type { ModelSession } from '../../src/engine/runtime/session.js'
import { upscaleRaster } from '../../src/engine/upscale.js'
import { inputMultiple } from '../../src/engine/tiling/plan.js'
import { fixturePath } from '../helpers/fixtures.js'

let session: ModelSession
afterAll(() => session?.release())

/** A photo-like test image: smooth gradients, edges and fine texture. */
async function testImage(width: number, height: number): Promise<RasterImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#203060"/><stop offset="1" stop-color="#e0a040"/></linearGradient>
    <pattern id="p" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="2" height="5" fill="#ffffff" opacity="0.4"/></pattern></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="${width / 3}" cy="${height / 2}" r="${height / 3}" fill="url(#p)"/>
    <rect x="${width / 2}" y="10" width="${width / 3}" height="${height / 2}" fill="#10a050" transform="rotate(12)"/></svg>`
  const { data, info } = await sharp(Buffer.from(svg))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, channels: 3, depth: 8, pixels: new Uint8Array(data) }
}

describe('tiled inference on the bundled trained model', () => {
  it.each([32, 48, 64])('equals whole-image inference within 1/255 with %i-pixel tiles', async (tile) => {
    session ??= await createSession(
      modelToOnnx(await loadModel(`${MODELS_DIR}enhance-psnr-x4.safetensors`)),
      { device: 'cpu' },
    )
    const image = await testImage(150, 100)
    const whole = await upscaleRaster(image, session, {
      scale: 4,
      tile: 4096,
      pad: TILE_PAD,
      transparency: 'lanczos',
    })
    const tiled = await upscaleRaster(image, session, {
      scale: 4,
      tile,
      pad: TILE_PAD,
      transparency: 'lanczos',
    })
    let max = 0
    for (let i = 0; i < whole.pixels.length; i++)
      max = Math.max(max, Math.abs(whole.pixels[i]! - tiled.pixels[i]!))
    expect(max).toBeLessThanOrEqual(1)
    // Without context the seams show: the check above is not vacuous.
    const seamy = await upscaleRaster(image, session, { scale: 4, tile, pad: 0, transparency: 'lanczos' })
    let seam = 0
    for (let i = 0; i < whole.pixels.length; i++)
      seam = Math.max(seam, Math.abs(whole.pixels[i]! - seamy.pixels[i]!))
    expect(seam).toBeGreaterThan(4)
  })
})

function maxDiff(a: RasterImage, b: RasterImage): number {
  let max = 0
  for (let i = 0; i < a.pixels.length; i++) max = Math.max(max, Math.abs(a.pixels[i]! - b.pixels[i]!))
  return max
}

describe('Real-ESRGAN ×1 and ×2 models (pixel-unshuffle first) on a photo of odd size', () => {
  // These models take sides that are multiples of 4 and 2; a 53 × 37 photo failed with a reshape error.
  it.each([
    ['basicsr_x1.safetensors', 1],
    ['basicsr_x2_zip.pth', 2],
  ])('%s enhances it whole and in tiles, the same within 1/255', async (file, scale) => {
    const model = await loadModel(fixturePath(file))
    const own = await createSession(modelToOnnx(model), { device: 'cpu' })
    try {
      const image = await testImage(53, 37)
      const options = {
        scale,
        pad: TILE_PAD,
        multiple: inputMultiple(model.info),
        transparency: 'lanczos',
      } as const
      const whole = await upscaleRaster(image, own, { ...options, tile: 4096 })
      const tiled = await upscaleRaster(image, own, { ...options, tile: 17 })
      expect([whole.width, whole.height]).toEqual([53 * scale, 37 * scale])
      expect(maxDiff(whole, tiled)).toBeLessThanOrEqual(1)
      expect(new Set(whole.pixels).size).toBeGreaterThan(50)
    } finally {
      await own.release()
    }
  })
})
