/** The TIFFs the engine writes for decoded pictures (`tiff-write.ts`), read back by sharp: samples, layout, profile. */
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { uncompressedTiff } from '../../src/engine/image/tiff-write.js'
import type { TiffLayout } from '../../src/engine/image/tiff-write.js'

/** A TIFF of `layout`, its samples counting up in steps of `step`, wrapping at its depth. */
function tiffOf(layout: TiffLayout, step: number): { tiff: Uint8Array; samples: number[] } {
  const { tiff, samples } = uncompressedTiff(layout)
  samples.forEach((_, i) => (samples[i] = (i * step) % 2 ** layout.bitsPerSample))
  return { tiff, samples: Array.from(samples) }
}

describe('uncompressedTiff', () => {
  it('writes 16-bit RGB with alpha and its ICC profile, read back sample for sample', async () => {
    const { icc } = await sharp({ create: { width: 1, height: 1, channels: 3, background: 'red' } })
      .withIccProfile('p3')
      .png()
      .toBuffer()
      .then((png) => sharp(png).metadata())
    const { tiff, samples } = tiffOf(
      { width: 7, height: 5, bitsPerSample: 16, colour: 'rgb', alpha: true, icc },
      1021,
    )
    const read = sharp(tiff, { ignoreIcc: true })
    const meta = await read.metadata()
    expect([meta.width, meta.height, meta.channels, meta.depth, meta.hasAlpha]).toEqual([
      7,
      5,
      4,
      'ushort',
      true,
    ])
    expect(Buffer.from(meta.icc!).equals(Buffer.from(icc!))).toBe(true)
    const { data } = await read
      .toColourspace('rgb16')
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true })
    expect(Array.from(new Uint16Array(data.buffer, data.byteOffset, data.length / 2))).toEqual(samples)
  })

  it('writes 8-bit grey, and CMYK with alpha as inks sharp converts', async () => {
    const grey = tiffOf({ width: 9, height: 3, bitsPerSample: 8, colour: 'grey', alpha: false }, 7)
    const greyRead = sharp(grey.tiff)
    expect((await greyRead.metadata()).channels).toBe(1)
    expect(Array.from(await greyRead.toColourspace('b-w').raw().toBuffer())).toEqual(grey.samples)
    const { tiff } = uncompressedTiff({ width: 2, height: 1, bitsPerSample: 8, colour: 'cmyk', alpha: true })
    tiff.set([0, 0, 0, 0, 255, 255, 255, 255, 255, 128], tiff.length - 10) // no ink, opaque; all inks, half clear
    const meta = await sharp(tiff).metadata()
    expect([meta.space, meta.channels, meta.hasAlpha]).toEqual(['cmyk', 5, true])
    const rgba = Array.from(await sharp(tiff).toColourspace('srgb').raw().toBuffer())
    expect([rgba.slice(0, 4), rgba[7]]).toEqual([[255, 255, 255, 255], 128])
    expect(Math.max(...rgba.slice(4, 7))).toBeLessThan(40)
  })
})
