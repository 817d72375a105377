import { inflateSync } from 'node:zlib'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { encodeImage } from '../../src/engine/image/encode.js'

/** The filter type byte of each row of an 8-bit PNG (its IDAT chunks inflated). */
function rowFilters(png: Uint8Array, width: number, height: number, channels: number): number[] {
  const bytes = Buffer.from(png)
  const idat: Buffer[] = []
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at)
    if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT')
      idat.push(bytes.subarray(at + 8, at + 8 + length))
    at += 12 + length
  }
  const rows = inflateSync(Buffer.concat(idat))
  const stride = 1 + width * channels
  expect(rows.length).toBe(stride * height)
  return Array.from({ length: height }, (_, row) => rows[row * stride]!)
}

describe('PNG outputs', () => {
  it('filter their rows as photos need, holding the same pixels in fewer bytes than unfiltered', async () => {
    // A smooth photo-like field, as an enlarged photo is: noise blurred.
    const [width, height] = [384, 256]
    const noise = { type: 'gaussian', mean: 128, sigma: 60 } as const
    const { data } = await sharp({ create: { width, height, channels: 3, background: '#808080', noise } })
      .blur(4)
      .raw()
      .toBuffer({ resolveWithObject: true })
    const image = { width, height, channels: 3 as const, depth: 8 as const, pixels: new Uint8Array(data) }
    const meta = { format: 'png', gray: false, hasAlpha: false }
    const options = { format: 'png', quality: 92, background: '#ffffff', metadata: 'none' } as const
    const file = await encodeImage(image, meta, { ...options, width, height })
    expect(Buffer.from(await sharp(file).raw().toBuffer()).equals(data)).toBe(true)
    // Rows filtered (Sub, Up, Average or Paeth), not left as they are (None, sharp's default).
    const filters = rowFilters(file, width, height, 3)
    expect(filters.filter((filter) => filter !== 0).length).toBeGreaterThan(height / 2)
    const unfiltered = await sharp(data, { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 9 })
      .toBuffer()
    expect(rowFilters(unfiltered, width, height, 3).every((filter) => filter === 0)).toBe(true)
    expect(file.length).toBeLessThan(0.8 * unfiltered.length)
  })
})
