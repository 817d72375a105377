import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { Sharp } from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import type { Hooks } from '../../src/cli/main.js'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import type { EngineChannel } from '../../src/engine/client.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { WORKER } from '../helpers/models.js'
import { printPicture, scanOf } from '../helpers/scans.js'

/** The built engine, as the command starts its own; a scan named `killedOn` has its engine killed as it is sent. */
function engineHook(killedOn?: string): Hooks {
  const started: EngineChannel[] = []
  const spawn = (maxPixels: number): EngineChannel => {
    const channel = forkEngine({ workerPath: WORKER, env: { ENHANCE_MAX_PIXELS: String(maxPixels) } })
    started.push(channel)
    return {
      ...channel,
      send: (request) => {
        channel.send(request)
        if (request.type === 'split' && request.input === killedOn) channel.kill()
      },
    }
  }
  return { engine: (_device, _precision, maxPixels) => new EngineClient(() => spawn(maxPixels)) }
}

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  return cliWith(engineHook(), ...argv)
}

async function cliWith(
  hooks: Hooks,
  ...argv: string[]
): Promise<{ status: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const status = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) }, hooks)
  return { status, out, err }
}

const degrees = (d: number): number => (d * Math.PI) / 180

function fileOf(image: RasterImage): Sharp {
  return sharp(image.pixels, { raw: { width: image.width, height: image.height, channels: image.channels } })
}

describe('enhance split', () => {
  const work = mkdtempSync(join(tmpdir(), 'enhance-split-'))
  const scans = join(work, 'Scans')
  const bottom = printPicture(320, 220, 33)
  let pageBytes: Buffer

  beforeAll(async () => {
    mkdirSync(scans)
    const page = scanOf(900, 800, [
      { picture: bottom, cx: 300, cy: 600, angle: 0 },
      { picture: printPicture(300, 200, 31), cx: 620, cy: 200, angle: degrees(-5) },
      { picture: printPicture(280, 200, 32), cx: 230, cy: 190, angle: degrees(4) },
    ])
    // A 600 dpi scan as a scanner saves it, with EXIF of its own.
    pageBytes = await fileOf(page)
      .withMetadata({ density: 600 })
      .withExif({ IFD0: { Make: 'Epson', Model: 'Perfection V600' } })
      .jpeg({ quality: 95 })
      .toBuffer()
    writeFileSync(join(scans, 'page 1.jpg'), pageBytes)
    writeFileSync(
      join(scans, 'portrait.png'),
      await fileOf(printPicture(400, 300, 40))
        .png()
        .toBuffer(),
    )
  })

  it('writes each print of a scan beside it in "Prints", in reading order, straightened, the scan untouched', async () => {
    const run = await cli('split', scans, '--json')
    const lines = run.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const split = lines.find((line) => line['event'] === 'split') as {
      scan: string
      prints: { output: string; width: number; height: number; turned: number }[]
    }
    const out = join(scans, 'Prints')
    expect(split.scan).toBe(join(scans, 'page 1.jpg'))
    expect(split.prints.map((print) => print.output)).toEqual(
      [1, 2, 3].map((n) => join(out, `page 1-${n}.png`)),
    )
    // Top row left to right (turned 4° and −5° on the glass), then the straight one below.
    expect(split.prints.map((print) => print.turned)).toEqual([4, -5, 0])
    expect(readdirSync(out).sort()).toEqual(['page 1-1.png', 'page 1-2.png', 'page 1-3.png'])
    expect(readFileSync(join(scans, 'page 1.jpg')).equals(pageBytes)).toBe(true)
    // The straight print holds the picture's pixels, as closely as the scan's JPEG kept them.
    const { data, info } = await sharp(join(out, 'page 1-3.png')).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height]).toEqual([split.prints[2]!.width, split.prints[2]!.height])
    expect(info.width).toBeGreaterThan(310)
    const dx = (bottom.width - info.width) / 2
    const dy = (bottom.height - info.height) / 2
    let error = 0
    for (let y = 0; y < info.height; y++)
      for (let x = 0; x < info.width; x++)
        for (let c = 0; c < 3; c++)
          error += Math.abs(
            data[(y * info.width + x) * 3 + c]! -
              bottom.pixels[((y + Math.round(dy)) * bottom.width + x + Math.round(dx)) * 3 + c]!,
          )
    expect(error / (info.width * info.height * 3)).toBeLessThan(6)
    // What the scan's file said is kept: its density (a print of it prints at its size) and its camera's EXIF.
    const meta = await sharp(join(out, 'page 1-1.png')).metadata()
    expect(meta.density).toBe(600)
    expect(meta.exif?.includes(Buffer.from('Perfection V600'))).toBe(true)
    // A photo with no glass around it is said, with what to do, and nothing written for it.
    const failed = lines.find((line) => line['event'] === 'failed')
    expect(failed).toMatchObject({ scan: join(scans, 'portrait.png'), code: 'NO_PRINTS' })
    expect(failed!['message']).toMatch(/one photo already/)
    expect(lines.at(-1)).toEqual({ event: 'summary', scans: 2, failed: 1, prints: 3, out })
    expect(run.status).toBe(1)
  })

  it('replaces earlier prints only with --overwrite, and never reads its own output folder as scans', async () => {
    const out = join(work, 'cut')
    const page = join(scans, 'page 1.jpg')
    expect((await cli('split', page, '--out', out)).status).toBe(0)
    const before = readFileSync(join(out, 'page 1-1.png'))
    writeFileSync(join(out, 'page 1-2.png'), 'edited by hand')
    const again = await cli('split', page, '--out', out)
    expect(again.status).toBe(1)
    expect(again.err).toContain(
      `error OUTPUT_EXISTS: ${join(out, 'page 1-1.png')} is there from an earlier split. Run again with --overwrite`,
    )
    expect(readFileSync(join(out, 'page 1-2.png'), 'utf8')).toBe('edited by hand')
    const replaced = await cli('split', page, '--out', out, '--overwrite')
    expect(replaced.status).toBe(0)
    expect(replaced.out).toContain('3 prints from 1 of 1 scans')
    expect(readFileSync(join(out, 'page 1-1.png')).equals(before)).toBe(true)
    expect(readFileSync(join(out, 'page 1-2.png'), 'utf8')).not.toBe('edited by hand')
    // Never over a scan, --overwrite or not: page 1's first print would be named as this other scan is.
    const beside = join(work, 'beside')
    mkdirSync(beside)
    writeFileSync(join(beside, 'page 1.jpg'), pageBytes)
    writeFileSync(join(beside, 'page 1-1.png'), readFileSync(join(out, 'page 1-1.png')))
    const over = await cli('split', beside, '--out', beside, '--overwrite')
    expect(over.err).toContain(
      `error INVALID_ARGUMENT: A print of ${join(beside, 'page 1.jpg')} would be written over ${join(beside, 'page 1-1.png')}, one of the scans.`,
    )
    expect(readFileSync(join(beside, 'page 1-1.png')).equals(before)).toBe(true)
    // The default "Prints" folder inside Scans holds results: splitting Scans again does not take them for scans.
    const inside = await cli('split', scans, '--overwrite', '--json')
    expect(inside.out).not.toContain('"scan":"' + join(scans, 'Prints'))
  })

  it('splits each scan in the engine process: one that brings it down fails alone, the next splits in a new one', async () => {
    const crashing = join(work, 'crashing')
    mkdirSync(crashing)
    for (const name of ['a.jpg', 'b.jpg', 'c.jpg']) writeFileSync(join(crashing, name), pageBytes)
    const run = await cliWith(engineHook(join(crashing, 'b.jpg')), 'split', crashing, '--json')
    const lines = run.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.map((line) => [line['event'], line['scan'] ?? null, line['code'] ?? null])).toEqual([
      ['split', join(crashing, 'a.jpg'), null],
      ['failed', join(crashing, 'b.jpg'), 'ENGINE_CRASHED'],
      ['split', join(crashing, 'c.jpg'), null],
      ['summary', null, null],
    ])
    expect(readdirSync(join(crashing, 'Prints')).sort()).toEqual([
      'a-1.png',
      'a-2.png',
      'a-3.png',
      'c-1.png',
      'c-2.png',
      'c-3.png',
    ])
    expect(run.status).toBe(1)
  })

  it('refuses what names no scan, with a coded error', async () => {
    expect((await cli('split')).err).toContain('error INVALID_ARGUMENT')
    const missing = await cli('split', join(work, 'nowhere.jpg'))
    expect(missing.status).toBe(1)
    expect(missing.err).toContain('error FILE_NOT_FOUND')
    const empty = join(work, 'empty')
    mkdirSync(empty)
    expect((await cli('split', empty)).err).toContain('error NO_PHOTOS')
    // A scan over the pixel limit is refused before it is decoded, with the flag that lets it through.
    const page = join(scans, 'page 1.jpg')
    const large = await cli('split', page, '--out', join(work, 'limited'), '--max-pixels', '700000')
    expect(large.status).toBe(1)
    expect(large.err).toMatch(/error IMAGE_TOO_LARGE: .*run again with a higher --max-pixels/)
    expect(readdirSync(work)).not.toContain('limited')
    expect((await cli('split', page, '--out', join(work, 'limited'), '--max-pixels', '720000')).status).toBe(
      0,
    )
    // A scan cut short is refused, naming the flag; with it, the engine splits what can be read: the top row,
    // and the part of the bottom print above the decoder's grey, which is neither glass nor print.
    const cut = join(work, 'cut short.jpg')
    writeFileSync(cut, pageBytes.subarray(0, Math.floor(pageBytes.length * 0.85)))
    const refused = await cli('split', cut, '--out', join(work, 'cut-prints'))
    expect(refused.err).toMatch(/error PARTIAL_IMAGE: .*run again with --read-damaged/)
    expect(readdirSync(work)).not.toContain('cut-prints')
    const read = await cli('split', cut, '--out', join(work, 'cut-prints'), '--read-damaged', '--json')
    const split = JSON.parse(read.out.split('\n')[0]!) as {
      event: string
      prints: { turned: number; width: number; height: number }[]
    }
    expect(split.event).toBe('split')
    expect(split.prints.map((print) => print.turned)).toEqual([4, -5, 0])
    const cutPrint = split.prints[2]!
    expect(cutPrint.width).toBeGreaterThan(bottom.width - 12)
    expect(cutPrint.width).toBeLessThanOrEqual(bottom.width)
    expect(cutPrint.height).toBeLessThan(bottom.height - 10)
  })
})
