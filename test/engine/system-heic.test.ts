import { spawnSync } from 'node:child_process'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { pagesNote } from '../../src/engine/enhance-file.js'
import { decodeImage, readThroughSystemDecoder } from '../../src/engine/image/decode.js'
import { PhotoTiles } from '../../src/engine/image/photo-tiles.js'
import { findHeicDecoder, withDecodedHeic } from '../../src/engine/image/system-heic.js'
import type { HeicDecoder } from '../../src/engine/image/system-heic.js'
import { thumbnail } from '../../src/engine/image/thumbnail.js'
import { codeOf } from '../helpers/errors.js'

const HEVC_FIXTURE = fileURLToPath(new URL('../fixtures/images/hevc.heic', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'enhance-heic-test-'))

// libheif's tools (Debian's libheif-examples): heif-enc makes HEVC photos, heif-convert decodes them.
const hasLibheif = spawnSync('heif-enc', ['--version']).error === undefined && findHeicDecoder() !== null
// CI installs them (scripts/install-system-deps.sh), so there a missing one fails the suite instead.
if (!hasLibheif && process.env.CI === 'true') throw new Error("libheif's tools are required in CI.")
if (!hasLibheif)
  console.log('HEIC decoding tests skipped: no heif-enc / heif-convert (apt-get install libheif-examples).')

/** An executable shell script in a folder of its own, as a stand-in decoder: a unit-test seam. */
function script(name: string, body: string): string {
  const folder = mkdtempSync(join(work, 'bin-'))
  const path = join(folder, name)
  writeFileSync(path, `#!/bin/sh\n${body}\n`)
  chmodSync(path, 0o755)
  return path
}

/** Whether process `pid` is still there (a killed one may linger a moment, until it is reaped). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** 96×64, a distinct colour in each quadrant, so a lost or turned picture shows. */
const QUADRANTS = [
  [220, 40, 40],
  [40, 190, 60],
  [50, 70, 210],
  [230, 210, 50],
]
/** A stand-in decoder: `command` run with the output's path, writing a file of `extension` for any purpose. */
function standIn(command: string, extension: string, orient = false): HeicDecoder {
  const file = { extension, args: (_: string, output: string) => [output] }
  return { command, writes: { photo: file, thumbnail: file }, orient }
}

/** The quadrants as a PNG. */
async function quadrantsPng(name: string): Promise<string> {
  const raw = Buffer.alloc(96 * 64 * 3)
  for (let y = 0; y < 64; y++)
    for (let x = 0; x < 96; x++) raw.set(QUADRANTS[(y < 32 ? 0 : 2) + (x < 48 ? 0 : 1)]!, (y * 96 + x) * 3)
  const png = join(work, `${name}.png`)
  await sharp(raw, { raw: { width: 96, height: 64, channels: 3 } })
    .png()
    .toFile(png)
  return png
}

/** The quadrants as an iPhone saves a photo: HEIC, coded with HEVC by heif-enc. */
async function quadrantsHeic(name: string, source?: string): Promise<string> {
  const heic = join(work, `${name}.heic`)
  const made = spawnSync('heif-enc', ['-q', '95', '-o', heic, source ?? (await quadrantsPng(name))], {
    encoding: 'utf8',
  })
  if (made.status !== 0) throw new Error(made.stderr)
  return heic
}

/** The colour at the centre of each quadrant of an RGB raster. */
function quadrantColours(pixels: ArrayLike<number>, width: number, height: number): number[][] {
  return [0, 1, 2, 3].map((q) => {
    const x = Math.floor(((q % 2) + 0.5) * (width / 2))
    const y = Math.floor((Math.floor(q / 2) + 0.5) * (height / 2))
    const at = (y * width + x) * 3
    return [pixels[at]!, pixels[at + 1]!, pixels[at + 2]!]
  })
}

describe("finding the system's HEIC decoder", () => {
  it("takes libheif's heif-dec, then heif-convert, from the PATH, and none on Windows", () => {
    const convert = script('heif-convert', 'exit 0')
    const folder = join(convert, '..')
    expect(findHeicDecoder({ PATH: `${work}:${folder}` }, 'linux')?.command).toBe(convert)
    const dec = script('heif-dec', 'exit 0')
    expect(findHeicDecoder({ PATH: `${folder}:${join(dec, '..')}` }, 'linux')?.command).toBe(dec)
    expect(findHeicDecoder({ PATH: work }, 'linux')).toBeNull()
    expect(findHeicDecoder({ PATH: folder }, 'win32')).toBeNull()
  })

  it('says what to install or do where there is none, and runs nothing', async () => {
    const error: unknown = await withDecodedHeic(HEVC_FIXTURE, 0, null, () => Promise.resolve(1)).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'UNSUPPORTED_FORMAT' })
    expect((error as Error).message).toMatch(/HEVC.*apt install libheif-examples.*convert it to JPEG/s)
  })
})

describe('a decoder that fails or hangs', () => {
  it('is stopped after the time allowed (TIMED_OUT), and the folder it wrote into removed', async () => {
    const told = join(work, 'told-output.txt')
    const hang = standIn(script('heif-dec', `echo "$1" > ${told}; sleep 30`), 'png')
    const started = Date.now()
    const code = await codeOf(() =>
      withDecodedHeic(HEVC_FIXTURE, 0, hang, () => Promise.resolve(1), { timeoutMs: 300 }),
    )
    expect(code).toBe('TIMED_OUT')
    expect(Date.now() - started).toBeLessThan(10_000)
    const output = readFileSync(told, 'utf8').trim()
    expect(output).toMatch(/enhance-heic-.*photo\.png$/)
    expect(existsSync(dirname(output))).toBe(false)
  })

  it('is killed as soon as its photo is cancelled, decoding or waiting in line, and frees its place', async () => {
    const pids = mkdtempSync(join(work, 'pids-'))
    // One stand-in per photo, each noting its process under the photo's number.
    const hangs = [0, 1, 2].map((n) =>
      standIn(script('heif-dec', `echo $$ > ${pids}/${n}; exec sleep 30`), 'png'),
    )
    const controllers = hangs.map(() => new AbortController())
    const started = Date.now()
    const runs = hangs.map((hang, n) =>
      codeOf(() =>
        withDecodedHeic(HEVC_FIXTURE, 0, hang, () => Promise.resolve(1), { signal: controllers[n]!.signal }),
      ),
    )
    // The first two asked decode, the third waits in line.
    await expect.poll(() => readdirSync(pids).length).toBe(2)
    expect(readdirSync(pids).sort()).toEqual(['0', '1'])
    controllers[2]!.abort()
    expect(await runs[2]).toBe('CANCELLED')
    controllers[0]!.abort()
    controllers[1]!.abort()
    expect(await Promise.all(runs.slice(0, 2))).toEqual(['CANCELLED', 'CANCELLED'])
    expect(Date.now() - started).toBeLessThan(10_000) // not the decoders' 30 s
    expect(readdirSync(pids).sort()).toEqual(['0', '1']) // the one in line never ran
    const decoders = ['0', '1'].map((n) => Number(readFileSync(join(pids, n), 'utf8')))
    for (const pid of decoders) await expect.poll(() => alive(pid), { timeout: 5000 }).toBe(false)
    // Both places are free again: two new photos decode at once, without waiting for the killed ones.
    const png = await quadrantsPng('after-cancel')
    const quick = standIn(script('heif-dec', `cp ${png} "$1"`), 'png')
    const widths = await Promise.all(
      [0, 1].map(() =>
        withDecodedHeic(HEVC_FIXTURE, 0, quick, async (file) => (await sharp(file).metadata()).width),
      ),
    )
    expect(widths).toEqual([96, 96])
    // Cancelled before it starts, a photo runs nothing.
    const before = new AbortController()
    before.abort()
    expect(
      await codeOf(() =>
        withDecodedHeic(HEVC_FIXTURE, 0, hangs[2]!, () => Promise.resolve(1), { signal: before.signal }),
      ),
    ).toBe('CANCELLED')
    expect(readdirSync(pids).sort()).toEqual(['0', '1'])
  })

  it('runs at most two at once, however many photos ask', async () => {
    const png = await quadrantsPng('in-turn')
    const running = mkdtempSync(join(work, 'running-'))
    const log = join(work, 'running.log')
    // Each run marks itself running, notes how many are, works a while, then writes its PNG.
    const body = `mkdir ${running}/$$; ls ${running} | wc -l >> ${log}; sleep 0.3; rmdir ${running}/$$; cp ${png} "$1"`
    const decoder = standIn(script('heif-dec', body), 'png')
    const sizes = await Promise.all(
      Array.from({ length: 5 }, () =>
        withDecodedHeic(HEVC_FIXTURE, 0, decoder, async (file) => (await sharp(file).metadata()).width),
      ),
    )
    expect(sizes).toEqual([96, 96, 96, 96, 96])
    const counts = readFileSync(log, 'utf8').trim().split('\n').map(Number)
    expect(counts).toHaveLength(5)
    expect(Math.max(...counts)).toBe(2)
  })

  // Every Mac has sips, found before the PATH.
  it.skipIf(process.platform === 'darwin')(
    'reaches the photo as the decoder said it, read once, through the engine',
    async () => {
      const calls = join(work, 'calls.log')
      const failing = script('heif-dec', `echo run >> ${calls}; echo "Invalid input: broken" >&2; exit 1`)
      const path = process.env['PATH']
      process.env['PATH'] = dirname(failing)
      const error: unknown = await decodeImage(HEVC_FIXTURE)
        .catch((e: unknown) => e)
        .finally(() => (process.env['PATH'] = path))
      expect(error).toMatchObject({ code: 'CORRUPT_IMAGE' })
      expect((error as Error).message).toMatch(/heif-dec: Invalid input: broken/)
      expect(readFileSync(calls, 'utf8')).toBe('run\n')
    },
  )

  it.skipIf(process.platform === 'darwin')(
    'is stopped through the engine when the photo is cancelled',
    async () => {
      const pids = mkdtempSync(join(work, 'engine-pids-'))
      const hang = script('heif-dec', `/usr/bin/touch ${pids}/$$; exec /usr/bin/sleep 30`) // the PATH holds only it
      const path = process.env['PATH']
      process.env['PATH'] = dirname(hang)
      const controller = new AbortController()
      const decoding = codeOf(() => decodeImage(HEVC_FIXTURE, { signal: controller.signal })).finally(
        () => (process.env['PATH'] = path),
      )
      await expect.poll(() => readdirSync(pids).length).toBe(1)
      controller.abort()
      expect(await decoding).toBe('CANCELLED')
      await expect.poll(() => alive(Number(readdirSync(pids)[0])), { timeout: 5000 }).toBe(false)
    },
  )

  it("passes on what it said, as a damaged photo's error", async () => {
    const failing = standIn(script('heif-dec', 'echo "Invalid input: No ftyp box" >&2; exit 1'), 'png')
    const error: unknown = await withDecodedHeic(HEVC_FIXTURE, 0, failing, () => Promise.resolve(1)).catch(
      (e: unknown) => e,
    )
    expect(error).toMatchObject({ code: 'CORRUPT_IMAGE' })
    expect((error as Error).message).toMatch(/heif-dec: Invalid input: No ftyp box/)
  })
})

describe.runIf(hasLibheif)("an iPhone photo (HEIC, HEVC) through the system's decoder", () => {
  it('is decoded with its colours, each quadrant where it was', async () => {
    const heic = await quadrantsHeic('quadrants')
    const { image, meta } = await decodeImage(heic)
    expect([image.width, image.height, image.channels, image.depth, meta.format]).toEqual([
      96,
      64,
      3,
      8,
      'heif',
    ])
    const found = quadrantColours(image.pixels, 96, 64)
    found.forEach((colour, q) =>
      colour.forEach((v, c) => expect(Math.abs(v - QUADRANTS[q]![c]!)).toBeLessThan(8)),
    )
  })

  it('is refused over the pixel limit from its header, before the decoder runs', async () => {
    const heic = await quadrantsHeic('limit')
    expect(await codeOf(() => decodeImage(heic, { maxPixels: 96 * 64 - 1 }))).toBe('IMAGE_TOO_LARGE')
  })

  it('shows in the views: its thumbnail and the compare view tiles', async () => {
    const heic = await quadrantsHeic('views')
    const thumb = await thumbnail(heic, 48)
    expect([thumb.width, thumb.height, thumb.originalWidth, thumb.originalHeight]).toEqual([48, 32, 96, 64])
    const { data } = await sharp(thumb.png).raw().toBuffer({ resolveWithObject: true })
    const found = quadrantColours(data, 48, 32)
    found.forEach((colour, q) =>
      colour.forEach((v, c) => expect(Math.abs(v - QUADRANTS[q]![c]!)).toBeLessThan(8)),
    )
    const tile = await new PhotoTiles(join(work, 'tiles')).tile(heic, 0, 0)
    expect([tile.left, tile.top, tile.width, tile.height]).toEqual([0, 0, 96, 64])
    const pixels = await sharp(tile.png).raw().toBuffer()
    const fromTile = quadrantColours(pixels, 96, 64)
    fromTile.forEach((colour, q) =>
      colour.forEach((v, c) => expect(Math.abs(v - QUADRANTS[q]![c]!)).toBeLessThan(8)),
    )
  })

  it("keeps the pixels as libheif gives them, HEIF's rotation applied and the camera's EXIF orientation not", async () => {
    // heif-enc keeps a JPEG's EXIF (orientation 6 here) and adds no rotation of HEIF's own: HEIF readers,
    // libvips among them, show such a file as stored; heif-convert copies the tag into its PNG all the same.
    const jpeg = join(work, 'turned.jpg')
    await sharp(await quadrantsPng('turned'))
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toFile(jpeg)
    const heic = await quadrantsHeic('turned', jpeg)
    const { image, meta } = await decodeImage(heic)
    expect([image.width, image.height]).toEqual([96, 64])
    quadrantColours(image.pixels, 96, 64).forEach((colour, q) =>
      colour.forEach((v, c) => expect(Math.abs(v - QUADRANTS[q]![c]!)).toBeLessThan(8)),
    )
    expect(meta.exif?.length).toBeGreaterThan(0) // kept for the output, where its orientation becomes 1
  })

  it('writes every pixel (a PNG) for the engine and the 1:1 view, a JPEG at quality 95 for a thumbnail', async () => {
    const heic = await quadrantsHeic('purposes')
    const header = await sharp(heic).metadata()
    const formatFor = (purpose: 'photo' | 'thumbnail') =>
      readThroughSystemDecoder(
        heic,
        header,
        { limitInputPixels: 1e6 },
        (_, decoded) => Promise.resolve(decoded.format),
        {
          purpose,
        },
      )
    expect([await formatFor('photo'), await formatFor('thumbnail')]).toEqual(['png', 'jpeg'])
  })

  it('of a file with two images, reads the primary one and counts both', async () => {
    const red = join(work, 'red.png')
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#ff0000' } })
      .png()
      .toFile(red)
    // heif-enc makes the first input the primary image; libheif then writes one PNG per image.
    const heic = join(work, 'two.heic')
    expect(spawnSync('heif-enc', ['-q', '90', '-o', heic, await quadrantsPng('two'), red]).status).toBe(0)
    const { image, meta } = await decodeImage(heic)
    expect([image.width, image.height, meta.pages]).toEqual([96, 64, 2])
    expect(pagesNote(meta)).toBe('It holds 2 images: only the one it shows as the photo was enhanced.')
  })

  it('reads the fixture made by heif-enc as a 64×48 photo', async () => {
    const copy = join(work, 'IMG_0001.HEIC')
    copyFileSync(HEVC_FIXTURE, copy)
    const { image } = await decodeImage(copy)
    expect([image.width, image.height]).toEqual([64, 48])
  })
})

describe("a decoder that leaves HEIF's rotation to an orientation tag (macOS's sips writes a TIFF)", () => {
  it('has the tag applied: the photo comes out upright, its size turned', async () => {
    // A stand-in for sips: it writes the photo as stored, with orientation 6 (turn 90° clockwise) to apply.
    const tiff = join(work, 'stored.tiff')
    await sharp(await quadrantsPng('stored'))
      .withMetadata({ orientation: 6 })
      .tiff()
      .toFile(tiff)
    const sips = standIn(script('sips', `cp ${tiff} "$1"`), 'tiff', true)
    const header = await sharp(tiff).metadata() // as the HEIC's header would say: 96×64, primary image 0
    const { data, info } = await readThroughSystemDecoder(
      HEVC_FIXTURE,
      header,
      { limitInputPixels: 1e6 },
      async (upright, decoded) => {
        expect([decoded.width, decoded.height]).toEqual([64, 96])
        return upright.raw().toBuffer({ resolveWithObject: true })
      },
      { decoder: sips },
    )
    expect([info.width, info.height]).toEqual([64, 96])
    // Turned clockwise: the top-left quadrant (red) is now top-right, the bottom-left (blue) top-left.
    const [topLeft, topRight] = quadrantColours(data, 64, 96)
    expect(topLeft!.map((v, c) => Math.abs(v - QUADRANTS[2]![c]!) < 8)).toEqual([true, true, true])
    expect(topRight!.map((v, c) => Math.abs(v - QUADRANTS[0]![c]!) < 8)).toEqual([true, true, true])
  })
})
