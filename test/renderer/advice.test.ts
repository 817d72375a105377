import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { checkRasterSize } from '../../src/engine/image/encode.js'
import { advice, pauseAdvice } from '../../src/renderer/src/lib/format.js'
import { EnhanceError } from '../../src/shared/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'enhance-advice-'))

async function decodeFailure(name: string, bytes: Buffer): Promise<EnhanceError> {
  const path = join(dir, name)
  writeFileSync(path, bytes)
  const error = await decodeImage(path).then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(EnhanceError)
  return error as EnhanceError
}

describe('what a failed photo says to do, in the window', () => {
  it('is the engine’s own sentence alone for a damaged or unreadable file', async () => {
    const noise = Buffer.from(Array.from({ length: 96 * 64 * 3 }, (_, i) => (i * 7919) % 251))
    const jpeg = await sharp(noise, { raw: { width: 96, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer()
    const failures = [
      await decodeFailure('empty.jpg', Buffer.alloc(0)),
      await decodeFailure('cut.jpg', jpeg.subarray(0, jpeg.length >> 1)),
      await decodeFailure('notes.png', Buffer.from('just some text, not a picture')),
    ]
    expect(failures.map((e) => e.code)).toEqual(['CORRUPT_IMAGE', 'PARTIAL_IMAGE', 'UNSUPPORTED_FORMAT'])
    for (const error of failures) {
      expect(error.message).toMatch(/Copy it again|save it as JPEG or PNG/)
      expect(error.message).not.toMatch(/--|in the app/)
    }
    expect(failures.map((e) => advice(e.toData()))).toEqual([
      '',
      'Or press “Enhance what can be read”: the missing part is filled in grey or black, as photo viewers show it.',
      '',
    ])
  })

  it('offers a window user a way past the pixel limit, and not the command line’s flag', async () => {
    const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#808080' } })
      .png()
      .toBuffer()
    writeFileSync(join(dir, 'big.png'), photo)
    const error = await decodeImage(join(dir, 'big.png'), { maxPixels: 1000 }).then(
      () => null,
      (e: unknown) => e as EnhanceError,
    )
    expect(error?.code).toBe('IMAGE_TOO_LARGE')
    expect(error?.message).toContain('has more than 1,000 pixels')
    expect(error?.message).toContain('Enhance a smaller copy of it')
    expect(error?.message).not.toContain('--max-pixels')
    expect(advice(error!.toData())).toBe('')
  })

  it('names the button to press where the message cannot', () => {
    const data = (code: 'DISK_FULL' | 'ENGINE_CRASHED') => new EnhanceError(code, 'x').toData()
    expect(advice(data('DISK_FULL'))).toBe('Free some disk space, then press Resume.')
    expect(advice(data('ENGINE_CRASHED'))).toBe('The engine restarted. Press Retry to try this photo again.')
  })

  it("says where a smaller result is chosen in the window, and the engine's message names no flag", () => {
    let refusal: unknown
    try {
      checkRasterSize([{ width: 90_000, height: 60_000 }], 3, 1, { bytes: 2 ** 33, container: false })
    } catch (error) {
      refusal = error
    }
    const data = (refusal as EnhanceError).toData()
    expect(data).toEqual({
      code: 'RESULT_TOO_LARGE',
      message:
        'A 90000×60000 result needs about 15.1 GB of memory at once; this computer allows 4.0 GB. Choose a smaller output size, or a smaller photo.',
    })
    expect(advice(data)).toBe(
      'Choose a smaller Size (or another format) in Settings, then add the photo again.',
    )
  })
})

describe("a paused job's advice", () => {
  const gone = {
    code: 'INPUT_UNAVAILABLE' as const,
    message: 'Cannot read /Volumes/NAS/Scans: its drive stopped answering.',
  }

  it('says a watched job paused by its drive goes on by itself; unwatched, or paused for a device, it waits for Resume', () => {
    expect(pauseAdvice({ pauseReason: gone, watching: true })).toBe(
      'The watch goes on by itself once that is put right (it looks every 30 s), or press Resume.',
    )
    expect(pauseAdvice({ pauseReason: gone, watching: false })).toBe(
      'Then press Resume: the photos not yet enhanced go on.',
    )
    const device = { code: 'DEVICE_UNAVAILABLE' as const, message: 'WebGPU needs a GPU.' }
    expect(pauseAdvice({ pauseReason: device, watching: true })).toBe(advice(device))
    expect(pauseAdvice({ watching: true })).toBe('')
  })
})
