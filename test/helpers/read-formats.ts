/**
 * What the tests of each format the engine decodes itself (JPEG XL, JPEG 2000, Photoshop) prove alike: damage is read
 * or refused, the memory a decode takes is checked first, a decode stops when cancelled or late, and an album of them
 * is enhanced as the same album of PNGs is.
 */
import { copyFileSync, mkdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { expect } from 'vitest'
import type { MemoryLimit } from '../../src/node/memory.js'
import { decodeImage } from '../../src/engine/image/decode.js'
import type { DecodedPicture, WasmReadOptions } from '../../src/engine/image/decoder-worker.js'
import { runCli } from './cli-process.js'
import { damageOutcomes, unexpectedOutcomes } from './damage.js'
import { refusal } from './errors.js'
import { FIXTURES } from './fixtures.js'

/** `decode` of a photo is CANCELLED when its signal aborts, and TIMED_OUT past its time, naming `format`'s decoder. */
export async function expectDecodeStops(
  decode: (options: WasmReadOptions) => Promise<DecodedPicture>,
  format: string,
): Promise<void> {
  const limits = { maxPixels: 1_000_000, readDamaged: false }
  const cancelled = new AbortController()
  const decoding = decode({ ...limits, signal: cancelled.signal })
  cancelled.abort()
  expect((await refusal(decoding))[0]).toBe('CANCELLED')
  const [code, message] = await refusal(decode({ ...limits, timeoutMs: 1 }))
  expect(code).toBe('TIMED_OUT')
  expect(message).toContain(`kept the ${format} decoder busy for over 0 s and it was stopped`)
}

/**
 * Each of `photos` (a fixture, the name it has in the album, and the PNG it was made from) in one folder and the PNGs in
 * another, both enhanced by the command: the results (PNGs, ×4) are equal pixel for pixel.
 */
export async function expectEnhancedAsTheirPngs(
  work: string,
  photos: { photo: string; as: string; png: string }[],
): Promise<void> {
  const album = (name: string, files: [string, string][]): string => {
    const dir = join(work, name)
    mkdirSync(dir)
    for (const [from, to] of files) copyFileSync(from, join(dir, to))
    return dir
  }
  const fromPhotos = album(
    'photo-album',
    photos.map(({ photo, as }) => [photo, as]),
  )
  const fromPngs = album(
    'png-album',
    photos.map(({ as, png }) => [png, as.replace(/\.\w+$/, '.png')]),
  )
  const model = join(FIXTURES, 'compact_x4.safetensors')
  for (const dir of [fromPhotos, fromPngs])
    expect(
      (await runCli([dir, '--out', `${dir}-enhanced`, '--model', model], join(work, 'data'))).status,
    ).toBe(0)
  for (const { as } of photos) {
    const name = basename(as).replace(/\.\w+$/, '.png')
    const [a, b] = [join(`${fromPhotos}-enhanced`, name), join(`${fromPngs}-enhanced`, name)]
    expect((await sharp(a).metadata()).width).toBe(256)
    expect((await sharp(a).raw().toBuffer()).equals(await sharp(b).raw().toBuffer())).toBe(true)
  }
}

/** 25 damaged copies of each of `photos`, each read as a picture or refused with a coded error; both happen. */
export async function expectDamageReadOrRefused(photos: string[], work: string, seed: number): Promise<void> {
  const outcomes = await damageOutcomes(photos, work, { trials: 25, changes: 6, cutEvery: 4, seed })
  expect(unexpectedOutcomes(outcomes)).toEqual([])
  // Both kinds happened: the damage reached the decoder, not only the signature.
  expect(outcomes.get('read')).toBeGreaterThan(3)
  expect(outcomes.get('CORRUPT_IMAGE')).toBeGreaterThan(10)
}

/**
 * A 64×48 `photo` is refused over a pixel limit of 3000, and by `decode` on a container whose memory is 2 bytes short
 * of twice what its decode takes (`bytesPerPixel`, named as `format`); with exactly that, it is decoded.
 */
export async function expectMemoryBound(
  photo: string,
  decode: (options: WasmReadOptions, memory: MemoryLimit) => Promise<DecodedPicture>,
  { format, bytesPerPixel }: { format: string; bytesPerPixel: number },
): Promise<void> {
  const limits = { maxPixels: 1_000_000, readDamaged: false }
  expect((await refusal(decodeImage(photo, { maxPixels: 3000 })))[0]).toBe('IMAGE_TOO_LARGE')
  const needed = 64 * 48 * bytesPerPixel * 2
  const [code, message] = await refusal(decode(limits, { bytes: needed - 2, container: true }))
  expect(code).toBe('IMAGE_TOO_LARGE')
  expect(message).toMatch(
    new RegExp(
      `^Decoding ${escaped(photo)} \\(${format}\\) needs about \\d+ MB of memory at once, more than the decoder can use on the \\d+ MB its container allows\\. Save it as a PNG or TIFF in another program first\\.$`,
    ),
  )
  expect((await decode(limits, { bytes: needed, container: true })).width).toBe(64)
}

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
