import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { MAX_PROGRESSIVE_SCANS, progressiveScans } from '../../src/engine/image/jpeg-scans.js'
import { thumbnail } from '../../src/engine/image/thumbnail.js'
import type { EnhanceError } from '../../src/shared/errors.js'
import { codeOf } from '../helpers/errors.js'
import { progressiveJpegOfScans, withScanHeadersInAComment } from '../helpers/jpeg-scans.js'

const dir = mkdtempSync(join(tmpdir(), 'enhance-scans-'))
const at = (name: string): string => join(dir, name)
const noise = { type: 'gaussian', mean: 128, sigma: 60 } as const

describe('counting the scans of a JPEG as libjpeg meets them', () => {
  beforeAll(async () => {
    const photo = sharp({ create: { width: 96, height: 64, channels: 3, background: '#000', noise } })
    await photo.clone().jpeg({ progressive: true }).toFile(at('colour.jpg'))
    await photo.clone().toColourspace('b-w').jpeg({ progressive: true }).toFile(at('grey.jpg'))
    await photo.clone().jpeg().toFile(at('baseline.jpg'))
    // Several MiB: the walk crosses its 1 MiB window many times.
    await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#000', noise } })
      .jpeg({ progressive: true, quality: 95 })
      .toFile(at('large.jpg'))
  })

  it("finds libjpeg's own progressions (10 scans in colour, 6 in grey, as djpeg counts them) and none in a baseline JPEG", async () => {
    const counts = await Promise.all(
      ['colour.jpg', 'grey.jpg', 'baseline.jpg', 'large.jpg'].map((name) => progressiveScans(at(name), 1000)),
    )
    expect(counts).toEqual([10, 6, 0, 10])
  })

  it('skips what segments hold: a comment full of scan headers adds none, and the photo reads as before', async () => {
    const original = at('colour.jpg')
    const commented = at('commented.jpg')
    writeFileSync(commented, withScanHeadersInAComment(readFileSync(original), 400))
    expect(await progressiveScans(commented, 1000)).toBe(10)
    const [before, after] = await Promise.all([decodeImage(original), decodeImage(commented)])
    expect(
      Buffer.compare(Buffer.from(after.image.pixels.buffer), Buffer.from(before.image.pixels.buffer)),
    ).toBe(0)
  })

  it('finds a marker that straddles the edge of its 1 MiB window', async () => {
    const jpeg = progressiveJpegOfScans(64, 48, 5)
    // The second scan's marker: reached by looking through the first scan's data, not by a segment's length.
    const secondScan = jpeg.indexOf(Buffer.from([0xff, 0xda]), jpeg.indexOf(Buffer.from([0xff, 0xda])) + 2)
    for (const lastByte of [0, 1]) {
      // Comments before the frame put that 0xFF, then its code, on the window's last byte.
      let fill = (1 << 20) - 1 - lastByte - secondScan
      const comments: Buffer[] = []
      while (fill > 0) {
        const size = Math.min(fill, 60_000)
        comments.push(
          Buffer.concat([
            Buffer.from([0xff, 0xfe, (size - 2) >> 8, (size - 2) & 0xff]),
            Buffer.alloc(size - 4, 0x41),
          ]),
        )
        fill -= size
      }
      const path = at(`edge-${lastByte}.jpg`)
      writeFileSync(path, Buffer.concat([jpeg.subarray(0, 2), ...comments, jpeg.subarray(2)]))
      expect(readFileSync(path).subarray((1 << 20) - 1 - lastByte, (1 << 20) + 1 - lastByte)).toEqual(
        Buffer.from([0xff, 0xda]),
      )
      expect(await progressiveScans(path, 1000)).toBe(5)
    }
  })

  it('counts scans of end-of-block runs, stopping at the number asked for', async () => {
    writeFileSync(at('runs.jpg'), progressiveJpegOfScans(640, 480, 3000))
    expect(await progressiveScans(at('runs.jpg'), 5000)).toBe(3000)
    expect(await progressiveScans(at('runs.jpg'), 300)).toBe(300)
  })
})

describe('a progressive JPEG of more scans than encoders write', () => {
  it(`is read at ${MAX_PROGRESSIVE_SCANS} scans: a flat grey photo, without a warning`, async () => {
    const input = at('at-limit.jpg')
    writeFileSync(input, progressiveJpegOfScans(64, 48, MAX_PROGRESSIVE_SCANS))
    const decoded = await decodeImage(input)
    expect(decoded.warning).toBeUndefined()
    expect(new Set(decoded.image.pixels)).toEqual(new Set([128]))
  })

  it(`is refused at ${MAX_PROGRESSIVE_SCANS + 1}, before it is decoded, for the photo and its thumbnail alike`, async () => {
    const input = at('over-limit.jpg')
    writeFileSync(input, progressiveJpegOfScans(64, 48, MAX_PROGRESSIVE_SCANS + 1))
    const error = (await decodeImage(input).catch((e: unknown) => e)) as EnhanceError
    expect([error.code, error.message]).toEqual([
      'CORRUPT_IMAGE',
      `${input} is a progressive JPEG of more than 256 scans, where photos have about ten: it is damaged or made to stall the programs that open it, and reading it could take many minutes. If it is your photo and opens elsewhere, save it again there as JPEG; Enhance has not changed it.`,
    ])
    expect(await codeOf(() => thumbnail(input, 64))).toBe('CORRUPT_IMAGE')
  })
})
