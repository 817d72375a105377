import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import stringWidth from 'string-width'
import { beforeAll, describe, expect, it } from 'vitest'
import { OPTIONS, main } from '../../src/cli/main.js'
import { TEXT_COLUMNS } from '../../src/cli/wrap.js'
import type { Io } from '../../src/cli/main.js'
import { QueueStore, readQueueState } from '../../src/queue/store.js'
import { restoreFadedColour } from '../../src/engine/image/faded-colour.js'
import { DEFAULT_RESTORE_STRENGTH } from '../../src/shared/settings.js'
import { largestSpeck, removeDust } from '../../src/engine/image/dust.js'
import { removeScratches } from '../../src/engine/image/scratches.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { dusted, smoothScene, speckError } from '../helpers/dust.js'
import { fadeOf, faded, scene } from '../helpers/fading.js'
import { writeIdentityModel } from '../helpers/models.js'
import { builtEngine } from '../helpers/cli-engine.js'
import { exiftool, hasExiftool } from '../helpers/exiftool.js'
import { takenMoment } from '../../src/shared/taken.js'

const CLI = new URL('../../bin/enhance.js', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'enhance-usability-'))
const album = join(work, 'album')
let model = ''

/** Grainy PNGs at `files` under `dir`: a blur or a turn shows in their pixels; `tint` casts them (a faded print). */
async function grainyAlbum(
  dir: string,
  files: string[],
  width: number,
  height: number,
  tint?: string,
): Promise<void> {
  const noise = { type: 'gaussian', mean: 128, sigma: 40 } as const
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true })
    const grain = sharp({ create: { width, height, channels: 3, background: '#808080', noise } })
    await (tint ? grain.tint(tint) : grain).png().toFile(join(dir, file))
  }
}

/** The raw pixels of each of `files` in the folder `out`. */
function pixelsOf(out: string, files: string[]): Promise<Buffer[]> {
  return Promise.all(files.map((file) => sharp(join(out, file)).raw().toBuffer()))
}

async function photo(path: string, width = 40, height = 24): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true })
  await sharp({ create: { width, height, channels: 3, background: '#806040' } })
    .jpeg()
    .toFile(path)
}

interface Run {
  status: number
  out: string
  err: string
}

async function cli(argv: string[], io: Partial<Io> = {}, platform?: NodeJS.Platform): Promise<Run> {
  let out = ''
  let err = ''
  const status = await main(
    argv,
    { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), ...io },
    {
      ...(platform ? { platform } : {}),
      engine: builtEngine(),
    },
  )
  return { status, out, err }
}

const batch = (queue: string, ...argv: string[]): string[] => [
  '--model',
  model,
  '--device',
  'cpu',
  '--queue-dir',
  join(work, queue),
  ...argv,
]

beforeAll(async () => {
  model = writeIdentityModel(work)
  await photo(join(album, 'a.jpg'))
  await photo(join(album, 'b.jpg'))
  await photo(join(album, 'older', 'c.jpg'))
})

describe('the CLI for people', () => {
  it('names every option it accepts in --help and in the README', async () => {
    const flagsIn = (text: string): Set<string> => new Set(text.match(/--[a-z][a-z0-9-]*/g))
    const help = flagsIn((await cli(['--help'])).out)
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const summary = /## The `enhance` command\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    const documented = flagsIn(summary)
    const accepted = Object.keys(OPTIONS).map((name) => `--${name}`)
    expect(accepted.filter((flag) => flag !== '--help' && !help.has(flag))).toEqual([])
    expect(accepted.filter((flag) => !documented.has(flag))).toEqual([])
    expect([...help].filter((flag) => !accepted.includes(flag))).toEqual([])
  })

  it('prints --help within an 80-column terminal', async () => {
    const lines = (await cli(['--help'])).out.split('\n')
    expect(lines.length).toBeGreaterThan(100)
    expect(lines.filter((line) => stringWidth(line) > TEXT_COLUMNS)).toEqual([])
  })

  it('suggests the flag that was meant, and prints its version', async () => {
    const typo = await cli(['photo.jpg', '--ouput', 'out'])
    expect(typo.err).toBe('error INVALID_ARGUMENT: Unknown option --ouput. Did you mean --out?\n')
    const far = await cli(['photo.jpg', '--colourise'])
    expect(far.err).toMatch(/Unknown option --colourise\. Run "enhance --help" for the options\./)
    // A flag without its value is said in a person's words, not Node's "<value>" and "ambiguous".
    expect((await cli(['photo.jpg', '-o'])).err).toBe(
      'error INVALID_ARGUMENT: --out needs a value. Run "enhance --help" for usage.\n',
    )
    expect((await cli(['photo.jpg', '--out', 'o', '--scale', '-1'])).err).toBe(
      'error INVALID_ARGUMENT: --scale needs a value, and what follows it begins with "-". Write --scale=<value> for a value that begins with "-"; run "enhance --help" for usage.\n',
    )
    // A photo whose name begins with "-" (a scanner's "-1.jpg") is said to read as an option, with how to name it.
    const scans = join(work, 'dashed')
    mkdirSync(scans)
    copyFileSync(join(album, 'a.jpg'), join(scans, '-1.jpg'))
    const dashed = spawnSync(process.execPath, [CLI, '-1.jpg', '--out', 'out'], {
      cwd: scans,
      encoding: 'utf8',
    })
    expect([dashed.status, dashed.stderr]).toEqual([
      1,
      'error INVALID_ARGUMENT: -1.jpg is a file, but its name begins with "-", so it reads as an option. Name it ./-1.jpg, or after -- (enhance --out dir -- -1.jpg).\n',
    ])
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect((await cli(['--version'])).out).toBe(`enhance ${pkg.version}\n`)
  })

  it('says when subfolders are left out, and how to include them', async () => {
    const run = await cli(batch('q-sub', album, '--out', join(work, 'out-sub')))
    expect(run.err).toContain(`note: ${album} has 1 subfolder, left out; add --recursive to include them.`)
    expect(readdirSync(join(work, 'out-sub')).sort()).toEqual(['a.jpg', 'b.jpg'])
    // A linked folder is a subfolder too (the scan follows it with --recursive).
    const linking = join(work, 'linking')
    mkdirSync(join(linking, 'real'), { recursive: true })
    copyFileSync(join(album, 'a.jpg'), join(linking, 'a.jpg'))
    symlinkSync(album, join(linking, 'linked'))
    const linked = await cli(batch('q-sub2', linking, '--out', join(work, 'out-sub2')))
    expect(linked.err).toContain(`note: ${linking} has 2 subfolders, left out;`)
    // Its own results (the second run of an album), the output folder named, and a card's system folder are no
    // photos left out: --recursive would not take them either.
    const card = join(work, 'card')
    for (const folder of ['Enhanced', 'out', 'System Volume Information', '$RECYCLE.BIN'])
      mkdirSync(join(card, folder), { recursive: true })
    copyFileSync(join(album, 'a.jpg'), join(card, 'a.jpg'))
    const again = await cli(batch('q-sub3', card, '--out', join(card, 'out')))
    expect([again.status, again.err.split('\n').filter((line) => line.startsWith('note:'))]).toEqual([0, []])
  })

  it('enhances photos saved under the other names of JPEG, HEIF and BMP, each kept in its own format', async () => {
    // Windows saves JPEGs from the web as .jfif, browsers as .pjpeg; Canon, Sony and Fujifilm cameras save HEIF as
    // .HIF; the clipboard saves BMP as .dib. They were left out as "not photos".
    const saved = join(work, 'saved')
    await photo(join(saved, 'web.jfif'))
    await photo(join(saved, 'pic.pjpeg'))
    await sharp({ create: { width: 40, height: 24, channels: 3, background: '#406080' } })
      .heif({ compression: 'av1' })
      .toFile(join(saved, 'DSC0001.HIF'))
    copyFileSync(
      fileURLToPath(new URL('../fixtures/images/bmp/grey8.bmp', import.meta.url)),
      join(saved, 'clip.dib'),
    )
    const out = join(work, 'out-saved')
    const run = await cli(batch('q-saved', saved, '--out', out))
    expect(run.err).not.toContain('Left out')
    expect(run.status).toBe(0)
    expect(readdirSync(out).sort()).toEqual(['DSC0001.avif', 'clip.png', 'pic.pjpeg', 'web.jfif'])
    const formats = await Promise.all(
      ['DSC0001.avif', 'clip.png', 'pic.pjpeg', 'web.jfif'].map(
        async (n) => (await sharp(join(out, n)).metadata()).format,
      ),
    )
    expect(formats).toEqual(['heif', 'png', 'jpeg', 'jpeg'])
  })

  it('expands a wildcard the shell passed as it is (Windows), and says when one matches nothing', async () => {
    const none = await cli(batch('q-wild', join(album, 'z*.jpg'), '--out', join(work, 'out-wild')))
    expect([none.status, none.err]).toEqual([
      1,
      `error FILE_NOT_FOUND: No file or folder matches ${join(album, 'z*.jpg')}. Check the folder and the pattern (for example *.jpg, or IMG_*.JPG).\n`,
    ])
    const run = await cli(batch('q-wild', join(album, '?.jpg'), '--out', join(work, 'out-wild')))
    expect(run.status).toBe(0)
    expect(readdirSync(join(work, 'out-wild')).sort()).toEqual(['a.jpg', 'b.jpg'])
    // As cmd passes `enhance "…\album\" --out …`: the quote kept, --out swallowed.
    const quoted = await cli(batch('q-wild', `${album}" --out ${join(work, 'out-quoted')}`), {}, 'win32')
    expect([quoted.status, quoted.err]).toEqual([
      1,
      expect.stringContaining('error INVALID_ARGUMENT: ') as unknown,
    ])
    expect(quoted.err).toContain('holds a quotation mark, which no Windows name can')
  })

  it('refuses a folder with no photos in it, saying what is there, and writes nothing', async () => {
    const only = join(work, 'only-subfolders')
    await photo(join(only, '2019', 'a.jpg'))
    const out = join(work, 'out-none')
    const run = await cli(batch('q-none', only, '--out', out))
    expect(run.status).toBe(1)
    expect(run.err).toBe(
      `note: ${only} has 1 subfolder, left out; add --recursive to include them.\n` +
        `error NO_PHOTOS: There are no photos to enhance in ${only}. It holds one subfolder, not looked in. ` +
        'Enhance reads JPEG, PNG, WebP, TIFF, AVIF, HEIC, JPEG XL, JPEG 2000, PSD, GIF, BMP files.\n',
    )
    expect(existsSync(out)).toBe(false)
    expect(readQueueState(join(work, 'q-none')).jobs.size).toBe(0)
    expect((await cli(batch('q-none', only, '--out', out, '--recursive'))).status).toBe(0)
    expect(readdirSync(join(out, '2019'))).toEqual(['a.jpg'])
  })

  it('--dry-run lists each photo and the file it would write, or why it is skipped, and writes nothing', async () => {
    const dryAlbum = join(work, 'dry album')
    for (const name of ['a.jpg', 'b.jpg', join('older', 'c.jpg')]) await photo(join(dryAlbum, name))
    writeFileSync(join(dryAlbum, 'notes.txt'), 'Summer 1962')
    const out = join(work, 'out-dry')
    mkdirSync(out)
    writeFileSync(join(out, 'a.jpg'), 'an earlier result')
    const queue = join(work, 'q-dry')
    const dry = (...argv: string[]) => cli(batch('q-dry', dryAlbum, '--out', out, '--dry-run', ...argv))
    const events = (run: Run) =>
      run.out
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>)
    const told = await dry()
    // How long it would take: the network's time over the photo from this computer's measured speed (the first time
    // measured, and said so), at the pace photos were enhanced here once one was (this file's earlier tests).
    const measuringLine = 'For the estimate, measuring this computer’s speed (only the first time)…\n'
    const estimateLine =
      /\n {2}(It|The network) would take about \d+ s on cpu (fp32|int8) \(1 photo, 0\.00096 MP\), (at the pace photos were enhanced on this computer|as timed on this computer; reading and writing each photo adds to it \(once a photo is enhanced here, estimates count that too\))\.\n$/
    expect(told.err).toMatch(estimateLine)
    expect([told.status, told.out, told.err.replace(measuringLine, '').replace(estimateLine, '\n')]).toEqual([
      0,
      '',
      `note: ${dryAlbum} has 1 subfolder, left out; add --recursive to include them.\n` +
        'note: Left out 1 file that is not a photo Enhance reads: 1 .txt.\n' +
        `- ${join(dryAlbum, 'a.jpg')}: ${join(out, 'a.jpg')} exists (use --overwrite to replace it)\n` +
        `+ ${join(dryAlbum, 'b.jpg')} → ${join(out, 'b.jpg')}\n` +
        '1 photo would be enhanced, 1 skipped; nothing was written. Run it again without --dry-run to enhance it.\n' +
        '  With identity-x4.\n',
    ])
    // Nothing was written: the earlier result as it was, no other file, no queue.
    expect([readdirSync(out), readFileSync(join(out, 'a.jpg'), 'utf8'), existsSync(queue)]).toEqual([
      ['a.jpg'],
      'an earlier result',
      false,
    ])
    // For scripts: every photo, the file each would replace said so.
    expect(events(await dry('--recursive', '--overwrite', '--json'))).toEqual([
      {
        event: 'left-out',
        files: { '.txt': 1 },
        message: 'Left out 1 file that is not a photo Enhance reads: 1 .txt.',
      },
      { event: 'planned', item: join(dryAlbum, 'a.jpg'), output: join(out, 'a.jpg'), replaces: true },
      { event: 'planned', item: join(dryAlbum, 'b.jpg'), output: join(out, 'b.jpg'), replaces: false },
      {
        event: 'planned',
        item: join(dryAlbum, 'older', 'c.jpg'),
        output: join(out, 'older', 'c.jpg'),
        replaces: false,
      },
      {
        event: 'plan',
        photos: 3,
        replacing: 1,
        skipped: 0,
        model: 'identity-x4',
        made: [],
        estimate: {
          ms: expect.any(Number) as number,
          photos: 3,
          unread: 0,
          tooLarge: 0,
          megapixels: (3 * 40 * 24) / 1e6,
          provider: 'cpu',
          precision: expect.stringMatching(/^(fp32|int8)$/) as string,
          fromRuns: expect.any(Boolean) as boolean,
        },
      },
    ])
    // Photos over --max-pixels (each is 40×24 = 960 pixels) are left out of the estimate, as the run refuses them
    // (a.jpg is skipped: its result exists).
    const limited = events(await dry('--recursive', '--max-pixels', '959', '--json')).at(-1)
    expect(limited!['estimate']).toMatchObject({ ms: 0, photos: 0, unread: 0, tooLarge: 2, megapixels: 0 })
    // What they would be made with: the pair, the realism, the repairs and the size, as a job's card says it.
    const made = await dry('--blend', model, '--alpha', '0.8', '--remove-dust', '--scale', '2')
    expect(made.err.split('\n').at(-3)).toBe(
      '  With identity-x4 blended with identity-x4: realism 80% · dust removed · ×2.',
    )
    // The run then writes the files the plan named: beside the earlier result, and by the model's scale as the
    // engine reads it.
    writeFileSync(join(out, 'b_x4.jpg'), 'another earlier result')
    const named = ['--recursive', '--suffix', '--naming', '{name}_x{scale}']
    const planned = events(await dry(...named, '--json')).flatMap((e) =>
      e.event === 'planned' ? [e.output] : [],
    )
    expect(planned).toEqual([join(out, 'a_x4.jpg'), join(out, 'b_x4_2.jpg'), join(out, 'older', 'c_x4.jpg')])
    const run = await cli(batch('q-dry', dryAlbum, '--out', out, ...named, '--json'))
    expect(run.status).toBe(0)
    expect(events(run).flatMap((e) => (e.event === 'done' ? [e.output] : []))).toEqual(planned)
    // It says what enhancing photos would do; with anything else it is refused, and that is not done.
    const jobs = readQueueState(queue).jobs.size
    for (const [other, argv] of [
      ['--resume', ['--resume']],
      ['--watch', [dryAlbum, '--watch']],
      ['"enhance queue"', ['queue', 'clear']],
      ['"enhance split"', ['split', dryAlbum]],
    ] as const)
      expect((await cli(['--dry-run', ...argv, '--queue-dir', queue])).err).toBe(
        `error INVALID_ARGUMENT: --dry-run says what enhancing photos would do (enhance <photos|folders> --dry-run); it does not go with ${other}, which it would not stop.\n`,
      )
    expect([readQueueState(queue).jobs.size, existsSync(join(dryAlbum, 'Prints'))]).toEqual([jobs, false])
  })

  it('names --max-pixels in the pixel-limit error, and the flag raises the limit', async () => {
    const small = await cli(
      batch('q-px', join(album, 'a.jpg'), '--out', join(work, 'out-px'), '--max-pixels', '500', '--json'),
    )
    expect(small.status).toBe(1)
    expect(small.out).toMatch(/IMAGE_TOO_LARGE.*more than 500 pixels.*run again with a higher --max-pixels/)
    const raised = await cli(
      batch('q-px2', join(album, 'a.jpg'), '--out', join(work, 'out-px2'), '--max-pixels', '960'),
    )
    expect(raised.status).toBe(0)
    expect((await cli(['x.jpg', '--out', 'o', '--max-pixels', 'lots'])).err).toMatch(
      /--max-pixels must be a whole number/,
    )
  })

  it('names a smaller size, not --max-pixels, for a result too large for its format', async () => {
    const out = join(work, 'out-big')
    const run = await cli(
      batch('q-big', join(album, 'a.jpg'), '--out', out, '--size', '70000x10', '--format', 'jpg', '--json'),
    )
    expect(run.status).toBe(1)
    const failed = run.out.split('\n').find((line) => line.includes('"failed"'))
    expect(JSON.parse(failed!)).toMatchObject({
      code: 'RESULT_TOO_LARGE',
      message:
        '70000×10 is larger than JPEG allows (65500 px per side). Choose PNG or TIFF, or a smaller size. For a smaller result, run again with --scale 2 or --fit 8000x8000.',
    })
  })

  it('refuses a cut-short photo, naming --read-damaged, and with it enhances what can be read, with a note', async () => {
    const texture = Buffer.from(Array.from({ length: 64 * 48 * 3 }, (_, i) => (i * 7919) % 251))
    const whole = await sharp(texture, { raw: { width: 64, height: 48, channels: 3 } })
      .jpeg()
      .toBuffer()
    const cut = join(work, 'damaged', 'cut.jpg')
    mkdirSync(join(work, 'damaged'), { recursive: true })
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)))
    const refused = await cli(batch('q-cut', cut, '--out', join(work, 'out-cut')))
    expect(refused.status).toBe(1)
    expect(refused.err + refused.out).toMatch(
      /PARTIAL_IMAGE: .*cut short or damaged.*run again with --read-damaged/,
    )
    expect(existsSync(join(work, 'out-cut', 'cut.jpg'))).toBe(false)
    const read = await cli(batch('q-cut2', cut, '--out', join(work, 'out-cut'), '--read-damaged', '--json'))
    expect(read.status).toBe(0)
    const done = read.out.split('\n').find((line) => line.includes('"event":"done"'))!
    expect((JSON.parse(done) as { note?: string }).note).toMatch(
      /premature end.*what could be read was enhanced/,
    )
    expect((await sharp(join(work, 'out-cut', 'cut.jpg')).metadata()).width).toBe(256)
  })

  it('--restore-colours enhances a faded print with its colours restored halfway first, --restore-strength 1 all the way; without them, as it is', async () => {
    const old = faded(scene(64, 48, 7), fadeOf(7))
    const print = join(work, 'faded', 'print.png')
    mkdirSync(join(work, 'faded'), { recursive: true })
    const raw = { width: 64, height: 48, channels: 3 as const }
    await sharp(old.pixels, { raw }).png().toFile(print)
    const shrunk = async (path: string): Promise<Uint8Array> =>
      new Uint8Array(await sharp(path).resize(64, 48, { kernel: 'nearest' }).raw().toBuffer())
    const largestDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
      Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)))
    const restored = await cli(batch('q-fade', print, '--out', join(work, 'out-fade'), '--restore-colours'))
    expect(restored.status).toBe(0)
    // A strength alone asks to restore.
    const full = await cli(
      batch('q-fade3', print, '--out', join(work, 'out-full'), '--restore-strength', '1'),
    )
    expect(full.status).toBe(0)
    const plain = await cli(batch('q-fade2', print, '--out', join(work, 'out-plain')))
    expect(plain.status).toBe(0)
    // The identity model enlarges pixel for pixel: each 4×4 block is the pixel it was made from.
    const halfway = restoreFadedColour(old, false, { strength: DEFAULT_RESTORE_STRENGTH }).image.pixels
    const allTheWay = restoreFadedColour(old, false).image.pixels
    expect(largestDifference(await shrunk(join(work, 'out-fade', 'print.png')), halfway)).toBeLessThanOrEqual(
      1,
    )
    expect(
      largestDifference(await shrunk(join(work, 'out-full', 'print.png')), allTheWay),
    ).toBeLessThanOrEqual(1)
    expect(
      largestDifference(await shrunk(join(work, 'out-plain', 'print.png')), old.pixels),
    ).toBeLessThanOrEqual(1)
    expect(largestDifference(allTheWay, old.pixels)).toBeGreaterThan(40)
    expect(largestDifference(halfway, allTheWay)).toBeGreaterThan(20)
  })

  it('--restore-colours makes a yellowed black-and-white print grey, and keeps it grey through a model that casts', async () => {
    const print = join(work, 'faded', 'black and white.png')
    const grey = scene(64, 48, 10)
    const yellowed = grey.pixels.map((_, i) => {
      const luma = grey.pixels[i - (i % 3) + 1]! / 255
      return Math.round(255 * [0.15 + 0.8 * luma, 0.12 + 0.75 * luma, 0.08 + 0.6 * luma][i % 3]!)
    })
    await sharp(yellowed, { raw: { width: 64, height: 48, channels: 3 } })
      .png()
      .toFile(print)
    const casting = writeIdentityModel(work, 4, 1, 2, false, [0.02, 0, -0.02])
    const outputs = join(work, 'out-grey')
    const run = (queue: string, ...flags: string[]) =>
      cli(
        [...batch(queue, print, '--out', outputs, '--overwrite', ...flags)].map((a) =>
          a === model ? casting : a,
        ),
      )
    const channelsApart = async (): Promise<number> => {
      const data = await sharp(join(outputs, 'black and white.png')).raw().toBuffer()
      let most = 0
      for (let at = 0; at < data.length; at += 3)
        most = Math.max(
          most,
          Math.max(data[at]!, data[at + 1]!, data[at + 2]!) -
            Math.min(data[at]!, data[at + 1]!, data[at + 2]!),
        )
      return most
    }
    expect((await run('q-grey', '--restore-colours')).status).toBe(0)
    expect(await channelsApart()).toBe(0)
    expect((await run('q-grey2')).status).toBe(0)
    expect(await channelsApart()).toBeGreaterThan(20)
  })

  it('--remove-dust enhances a scan with its specks filled first (by its dpi); without it, as it is', async () => {
    const clean = smoothScene(96, 72, 11)
    const { image: dusty, specks } = dusted(clean, 4, largestSpeck(clean, 600), 11, 24)
    const scan = join(work, 'dusty', 'scan.png')
    mkdirSync(join(work, 'dusty'), { recursive: true })
    await sharp(dusty.pixels, { raw: { width: 96, height: 72, channels: 3 } })
      .withMetadata({ density: 600 })
      .png()
      .toFile(scan)
    const shrunk = async (path: string): Promise<RasterImage> => ({
      ...dusty,
      pixels: new Uint8Array(await sharp(path).resize(96, 72, { kernel: 'nearest' }).raw().toBuffer()),
    })
    const cleaned = await cli(batch('q-dust', scan, '--out', join(work, 'out-dust'), '--remove-dust'))
    expect(cleaned.status).toBe(0)
    const plain = await cli(batch('q-dust2', scan, '--out', join(work, 'out-dusty')))
    expect(plain.status).toBe(0)
    // The identity model enlarges pixel for pixel: the output is the photo as the engine mended it.
    const removal = await removeDust(dusty, 600)
    const expected = removal.image
    expect(removal.specks).toBe(specks.length)
    expect(`${cleaned.out}${cleaned.err}`).toContain(
      `note: ${specks.length} specks of dust were filled before enhancing.`,
    )
    expect(`${plain.out}${plain.err}`).not.toContain('note:')
    const spotless = join(work, 'dusty', 'spotless.png')
    await sharp(clean.pixels, { raw: { width: 96, height: 72, channels: 3 } })
      .withMetadata({ density: 600 })
      .png()
      .toFile(spotless)
    const none = await cli(batch('q-dust3', spotless, '--out', join(work, 'out-dust'), '--remove-dust'))
    expect(`${none.out}${none.err}`).toContain('note: No dust was found to remove.')
    expect(Buffer.from((await shrunk(join(work, 'out-dust', 'scan.png'))).pixels)).toEqual(
      Buffer.from(expected.pixels),
    )
    const kept = await shrunk(join(work, 'out-dusty', 'scan.png'))
    expect(Buffer.from(kept.pixels)).toEqual(Buffer.from(dusty.pixels))
    for (const speck of specks) {
      expect(speckError(kept, clean, speck)).toBeGreaterThan(30)
      expect(speckError(expected, clean, speck)).toBeLessThan(6)
    }
  })

  it('--remove-scratches fills a scan’s scratches first, after its dust where both are asked', async () => {
    const clean = smoothScene(120, 80, 12)
    const pixels = clean.pixels.slice()
    for (let x = 10; x < 110; x++) {
      const y = 20 + Math.round((x - 10) * 0.4)
      for (const row of [y, y + 1]) pixels.fill(240, (row * 120 + x) * 3, (row * 120 + x) * 3 + 3)
    }
    const { image: scan } = dusted({ ...clean, pixels }, 2, largestSpeck(clean, 600), 12, 24)
    const folder = join(work, 'scratched')
    mkdirSync(folder, { recursive: true })
    const save = (image: RasterImage, name: string) =>
      sharp(image.pixels, { raw: { width: 120, height: 80, channels: 3 } })
        .withMetadata({ density: 600 })
        .png()
        .toFile(join(folder, name))
    await save(scan, 'scan.png')
    await save(clean, 'spotless.png')
    const run = (queue: string, out: string, ...flags: string[]) =>
      cli(batch(queue, join(folder, 'scan.png'), '--out', join(work, out), ...flags))
    const enhanced = async (out: string): Promise<Buffer> =>
      sharp(join(work, out, 'scan.png'))
        .resize(120, 80, { kernel: 'nearest' })
        .raw()
        .toBuffer()

    const scratchesOnly = await run('q-scratch', 'out-scratch', '--remove-scratches')
    const removal = await removeScratches(scan, 600)
    expect(removal.scratches).toBe(1)
    expect(`${scratchesOnly.out}${scratchesOnly.err}`).toContain(
      'note: 1 scratch or hair was filled before enhancing.',
    )
    expect(await enhanced('out-scratch')).toEqual(Buffer.from(removal.image.pixels))

    const both = await run('q-scratch2', 'out-both', '--remove-dust', '--remove-scratches')
    const dust = await removeDust(scan, 600)
    const dustFirst = await removeScratches(dust.image, 600)
    expect(dust.specks).toBeGreaterThan(0)
    expect(`${both.out}${both.err}`).toContain(
      `note: ${dust.specks} speck${dust.specks === 1 ? ' of dust was' : 's of dust were'} filled before enhancing. 1 scratch or hair was filled before enhancing.`,
    )
    expect(await enhanced('out-both')).toEqual(Buffer.from(dustFirst.image.pixels))
    expect(Buffer.from(dustFirst.image.pixels)).not.toEqual(Buffer.from(removal.image.pixels))

    const none = await cli(
      batch(
        'q-scratch3',
        join(folder, 'spotless.png'),
        '--out',
        join(work, 'out-scratch'),
        '--remove-scratches',
      ),
    )
    expect(`${none.out}${none.err}`).toContain('note: No scratches or hairs were found to remove.')
  })

  it('cancels its own job when nobody reads stdout any more (enhance --json | head)', async () => {
    for (let i = 0; i < 6; i++) await photo(join(work, 'many', `p${i}.jpg`), 64, 48)
    let close: () => void = () => undefined
    const run = await cli(
      batch('q-pipe', join(work, 'many'), '--out', join(work, 'out-pipe'), '--json', '--tile', '16'),
      {
        onOutputFailed: (listener) => {
          close = () => listener(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
          return () => undefined
        },
        out: (text) => {
          if (text.includes('"event":"done"')) close() // the reader took one line and left
        },
      },
    )
    expect(run.status).toBe(1)
    const state = readQueueState(join(work, 'q-pipe'))
    const [job] = state.orderedJobs()
    expect(job!.state).toBe('cancelled')
    const items = state.itemsOf(job!.id)
    expect(items.filter((i) => i.state === 'done').length).toBeGreaterThanOrEqual(1)
    expect(items.filter((i) => i.state === 'cancelled').length).toBeGreaterThanOrEqual(1)
    expect(items.some((i) => i.state === 'queued' || i.state === 'running')).toBe(false)
  })

  it('cancels its own job when nobody reads its report on a real pipe (enhance 2>&1 | head -1)', async () => {
    for (let i = 0; i < 40; i++) await photo(join(work, 'piped', `p${i}.jpg`), 64, 48)
    const queue = join(work, 'q-head')
    const args = batch('q-head', join(work, 'piped'), '--out', join(work, 'out-head'), '--tile', '16')
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    child.stderr.once('data', () => child.stderr.destroy()) // head has its line, and leaves
    const status = await new Promise((resolve) => child.on('exit', resolve))
    const [job] = readQueueState(queue).orderedJobs()
    const items = readQueueState(queue).itemsOf(job!.id)
    expect([status, job!.state]).toEqual([1, 'cancelled'])
    expect(items.filter((i) => i.state === 'done').length).toBeLessThan(40)
  })

  it.runIf(process.getuid?.() === 0)(
    'pauses its job, saying so, when the file its report is sent to fills its disk; --resume finishes the rest',
    async () => {
      for (let i = 0; i < 12; i++) await photo(join(work, 'reported', `p${i}.jpg`), 64, 48)
      const disk = join(work, 'report-disk')
      mkdirSync(disk)
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', disk])
      try {
        writeFileSync(join(disk, 'filler'), Buffer.alloc(12 * 1024)) // a page left: the report's first lines
        const out = join(work, 'out-reported')
        const args = batch('q-report-disk', join(work, 'reported'), '--out', out, '--json', '--tile', '16')
        const report = openSync(join(disk, 'report.json'), 'w')
        const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', report, 'pipe'] })
        let err = ''
        child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()))
        const status = await new Promise((resolve) => child.on('exit', resolve))
        closeSync(report)
        expect([status, err.trim().split('\n').at(-1)]).toEqual([
          1,
          'error DISK_FULL: The report could not be written: the disk it is sent to is full. The job was paused; free some space there, then run enhance --resume.',
        ])
        const queue = join(work, 'q-report-disk')
        const [job] = readQueueState(queue).orderedJobs()
        expect(job!.state).toBe('paused')
        expect(readdirSync(out).length).toBeLessThan(12)
        expect((await cli(['--resume', '--queue-dir', queue, '--device', 'cpu'])).status).toBe(0)
        expect(readdirSync(out)).toHaveLength(12)
      } finally {
        execFileSync('umount', [disk])
      }
    },
  )

  it('dates a finished job where its photos lie, by a shortened id; taken off, they wait to be enhanced again', async () => {
    const queue = join(work, 'q-dated')
    const out = join(work, 'out-dated')
    await cli(batch('q-dated', join(album, 'a.jpg'), join(album, 'b.jpg'), '--out', out))
    const [job] = readQueueState(queue).orderedJobs()
    const id = job!.id.slice(0, 8)
    const outputs = [join(out, 'a.jpg'), join(out, 'b.jpg')]
    const pixelsOf = () => Promise.all(outputs.map((path) => sharp(path).raw().toBuffer()))
    const [enhanced, ranFor] = [
      await pixelsOf(),
      readQueueState(queue)
        .itemsOf(job!.id)
        .map((i) => i.ms),
    ]
    const times = () => outputs.map((path) => statSync(path).mtime.getTime())
    const dateOf = (path: string) =>
      /DateTimeOriginal\s*: ([\d: ]+)/.exec(exiftool('-s', '-DateTimeOriginal', path))?.[1]

    const dated = await cli(['queue', 'date', id.slice(0, 6), '1962-7', '--queue-dir', queue])
    expect([dated.status, dated.out]).toEqual([0, `Dated 2 photos of ${id} in place, taken in July 1962.\n`])
    // Not enhanced again (the same pixels, the same run), each second a photo's place in the album.
    expect(await pixelsOf()).toEqual(enhanced)
    const state = readQueueState(queue)
    expect(state.itemsOf(job!.id).map((i) => [i.state, i.ms])).toEqual(ranFor.map((ms) => ['done', ms]))
    expect([state.jobs.get(job!.id)!.state, state.jobs.get(job!.id)!.taken]).toEqual(['done', '1962-07'])
    expect(times()).toEqual([0, 1].map((place) => takenMoment('1962-07', place).getTime()))
    if (hasExiftool) expect(outputs.map(dateOf)).toEqual(['1962:07:01 12:00:00', '1962:07:01 12:00:01'])

    // Refused before anything changes, with the reason.
    for (const [words, reason] of [
      [['1963-02-29'], '"1963-02-29" is not a date'],
      [['summer', '1962'], '"summer 1962" is not a date'],
      [[], 'Missing date'],
    ] as const) {
      const refused = await cli(['queue', 'date', id, ...words, '--queue-dir', queue])
      expect([refused.status, refused.err]).toEqual([1, expect.stringContaining(reason) as unknown])
    }
    expect(readQueueState(queue).jobs.get(job!.id)!.taken).toBe('1962-07')

    // Taken off, the photos' own dates come back only from their originals: enhanced again, at the next run.
    const off = await cli(['queue', 'date', id, 'none', '--queue-dir', queue])
    expect(off.out).toBe(
      `Took the date off ${id}: 2 photos will be enhanced again without it, run "enhance --resume" (or open the app) for that.\n`,
    )
    // Dated again while they wait, no photo is done to date in place: they take it when enhanced.
    const waiting = await cli(['queue', 'date', id, '1958-06-14', '15:30', '--queue-dir', queue])
    expect(waiting.out).toBe(
      `Dated 0 photos of ${id} in place, taken on 14 June 1958 at 15:30. 2 photos wait to be enhanced so: run "enhance --resume" (or open the app) for that.\n`,
    )
    expect(times()).toEqual([0, 1].map((place) => takenMoment('1962-07', place).getTime()))
    expect((await cli(['--resume', '--queue-dir', queue, '--device', 'cpu'])).status).toBe(0)
    expect(times()).toEqual([0, 0].map(() => takenMoment('1958-06-14T15:30').getTime()))
    if (hasExiftool) expect(outputs.map(dateOf)).toEqual(['1958:06:14 15:30:00', '1958:06:14 15:30:00'])
  })

  it('--taken names dates each photo of an album as its folder or name says, and leaves the rest undated', async () => {
    const named = join(work, 'named')
    for (const file of ['1962/a.jpg', 'Wedding 1958-06-14/b.jpg', 'misc/1971-08 c.jpg', 'misc/d.jpg'])
      await photo(join(named, file))
    const out = join(work, 'out-named')
    const run = await cli(batch('q-named', named, '--recursive', '--taken', 'names', '--out', out))
    expect(run.status).toBe(0)
    const day = (file: string) => {
      const time = statSync(join(out, file)).mtime
      return [time.getFullYear(), time.getMonth() + 1, time.getDate(), time.getHours()]
    }
    expect([day('1962/a.jpg'), day('Wedding 1958-06-14/b.jpg'), day('misc/1971-08 c.jpg')]).toEqual([
      [1962, 1, 1, 12],
      [1958, 6, 14, 12],
      [1971, 8, 1, 12],
    ])
    expect(day('misc/d.jpg')[0]).toBe(new Date().getFullYear())
    // The job dated 1962 from the command line, then as its names say again: d's date goes with the job's.
    const [job] = readQueueState(join(work, 'q-named')).orderedJobs()
    await cli(['queue', 'date', job!.id, '1962', '--queue-dir', join(work, 'q-named')])
    expect(day('misc/d.jpg')).toEqual([1962, 1, 1, 12])
    const again = await cli(['queue', 'date', job!.id, 'names', '--queue-dir', join(work, 'q-named')])
    expect(again.out).toBe(
      `Dated 3 photos of ${job!.id.slice(0, 8)} in place, each as its names say (1 says none). 1 photo waits to be enhanced so: run "enhance --resume" (or open the app) for that.\n`,
    )
    expect((await cli(['--resume', '--queue-dir', join(work, 'q-named'), '--device', 'cpu'])).status).toBe(0)
    expect(day('misc/d.jpg')[0]).toBe(new Date().getFullYear())
    if (hasExiftool) {
      const xmpDate = (file: string) => exiftool('-s3', '-XMP-photoshop:DateCreated', join(out, file)).trim()
      expect(
        ['1962/a.jpg', 'Wedding 1958-06-14/b.jpg', 'misc/1971-08 c.jpg', 'misc/d.jpg'].map(xmpDate),
      ).toEqual(['1962', '1958:06:14', '1971:08', ''])
    }
  })

  it('--caption writes what is under every photo, where photo libraries read a caption, or what each one’s names say', async () => {
    const out = join(work, 'out-captioned')
    const caption = 'Großmutter at the lake, 1962'
    const run = await cli(batch('q-captioned', join(album, 'a.jpg'), '--caption', caption, '--out', out))
    expect(run.status).toBe(0)
    if (hasExiftool) {
      const said = (tag: string) => exiftool('-s3', tag, join(out, 'a.jpg')).trim()
      expect([said('-IFD0:ImageDescription'), said('-XMP-dc:Description')]).toEqual([caption, caption])
    }
    const [job] = readQueueState(join(work, 'q-captioned')).orderedJobs()
    expect(job!.spec.settings.caption).toBe(caption)
    // Each as its name or folder says: a scan named for what it shows, a camera's file in a folder named so.
    const named = join(work, 'Scans')
    for (const file of ['1962 Grandma at the lake.jpg', 'Lake Como 1962/IMG_0001.jpg', 'scan_0042.jpg'])
      await photo(join(named, file))
    const namesOut = join(work, 'out-caption-names')
    expect(
      (await cli(batch('q-caption-names', named, '--recursive', '--caption', 'names', '--out', namesOut)))
        .status,
    ).toBe(0)
    if (hasExiftool) {
      const description = (file: string) =>
        exiftool('-s3', '-XMP-dc:Description', join(namesOut, file)).trim()
      expect(
        ['1962 Grandma at the lake.jpg', 'Lake Como 1962/IMG_0001.jpg', 'scan_0042.jpg'].map(description),
      ).toEqual(['Grandma at the lake', 'Lake Como', ''])
    }
    const refused = await cli(batch('q-captioned', join(album, 'a.jpg'), '--caption', 'a\tb', '--out', out))
    expect([refused.status, refused.err]).toEqual([
      1,
      expect.stringContaining('--caption: The caption holds a control character') as unknown,
    ])
  })

  it('captions one photo of a finished job where it lies, named by the end of its path; taken off, it waits', async () => {
    const queue = join(work, 'q-caption-one')
    const named = join(work, 'captioned')
    for (const file of ['Summer/a.jpg', 'Winter/a.jpg', 'b.jpg']) await photo(join(named, file))
    const out = join(work, 'out-caption-one')
    expect((await cli(batch('q-caption-one', named, '--recursive', '--out', out))).status).toBe(0)
    const [job] = readQueueState(queue).orderedJobs()
    const id = job!.id.slice(0, 8)
    const summer = join(out, 'Summer', 'a.jpg')
    const [pixels, modified] = [await sharp(summer).raw().toBuffer(), statSync(summer).mtime.getTime()]
    const caption = (...words: string[]) =>
      cli(['queue', 'caption', id.slice(0, 6), ...words, '--queue-dir', queue])

    const ambiguous = await caption('a.jpg', 'Grandma')
    expect([ambiguous.status, ambiguous.err]).toEqual([
      1,
      `error INVALID_ARGUMENT: a.jpg names 2 photos of ${id} (${join('Summer', 'a.jpg')}, ${join('Winter', 'a.jpg')}); give more of its path.\n`,
    ])
    const missing = await caption('c.jpg', 'Grandma')
    expect(missing.err).toBe(
      `error INVALID_ARGUMENT: No photo c.jpg in ${id}; its photos: b.jpg, ${join('Summer', 'a.jpg')}, ${join('Winter', 'a.jpg')}.\n`,
    )
    expect((await caption('b.jpg')).err).toMatch(
      /^error INVALID_ARGUMENT: Missing caption: enhance queue caption/,
    )
    expect((await caption('b.jpg', ' ')).status).toBe(1)

    const done = await caption('Summer/a.jpg', 'Grandma', 'at the lake')
    expect([done.status, done.out]).toEqual([
      0,
      `Captioned ${join('Summer', 'a.jpg')} of ${id} in place: “Grandma at the lake”.\n`,
    ])
    // Not enhanced again: the same pixels and file time, the caption beside them.
    expect((await sharp(summer).raw().toBuffer()).equals(pixels)).toBe(true)
    expect(statSync(summer).mtime.getTime()).toBe(modified)
    if (hasExiftool) expect(exiftool('-s3', '-ImageDescription', summer).trim()).toBe('Grandma at the lake')
    const items = () => readQueueState(queue).itemsOf(job!.id)
    const summerItem = () => items().find((i) => i.input === join(named, 'Summer', 'a.jpg'))!
    expect(items().map((i) => [relative(named, i.input), i.state, i.caption])).toEqual([
      ['b.jpg', 'done', undefined],
      [join('Summer', 'a.jpg'), 'done', 'Grandma at the lake'],
      [join('Winter', 'a.jpg'), 'done', undefined],
    ])

    const off = await caption('Summer/a.jpg', 'none')
    expect(off.out).toBe(
      `Took the caption off ${join('Summer', 'a.jpg')} of ${id}: it will be enhanced again without it, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect(summerItem().state).toBe('queued')
    expect((await cli(['--resume', '--queue-dir', queue, '--device', 'cpu'])).status).toBe(0)
    expect(summerItem().state).toBe('done')
    if (hasExiftool) expect(exiftool('-s3', '-ImageDescription', summer).trim()).toBe('')

    // Every photo of the job (all), then each as its names say, in place; names are a whole job's choice.
    const winter = join(out, 'Winter', 'a.jpg')
    const [winterPixels, winterTime] = [
      await sharp(winter).raw().toBuffer(),
      statSync(winter).mtime.getTime(),
    ]
    expect((await caption('all', 'Holiday', 'at the lake')).out).toBe(
      `Captioned 3 photos of ${id} in place, “Holiday at the lake”.\n`,
    )
    expect((await caption('b.jpg', 'names')).err).toBe(
      `error INVALID_ARGUMENT: Captions from names are a whole job's choice: enhance queue caption ${id} all names.\n`,
    )
    expect((await caption('all', 'names')).out).toBe(
      `Captioned 3 photos of ${id} in place, each as its names say (0 say none).\n`,
    )
    expect([
      (await sharp(winter).raw().toBuffer()).equals(winterPixels),
      statSync(winter).mtime.getTime(),
    ]).toEqual([true, winterTime])
    if (hasExiftool)
      expect(
        [winter, summer, join(out, 'b.jpg')].map((file) =>
          exiftool('-s3', '-XMP-dc:Description', file).trim(),
        ),
      ).toEqual(['Winter', 'Summer', 'captioned'])
    expect((await caption('all', 'none')).out).toBe(
      `Took the captions off ${id}: 3 photos will be enhanced again without theirs, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect(items().map((i) => i.state)).toEqual(['queued', 'queued', 'queued'])
    expect((await cli(['--resume', '--queue-dir', queue, '--device', 'cpu'])).status).toBe(0)
    expect((await caption('all', 'none')).out).toBe(`No photo of ${id} has a caption now.\n`)
    if (hasExiftool) expect(exiftool('-s3', '-XMP-dc:Description', winter).trim()).toBe('')

    // One folder's photos, named by the end of its path and a slash: captioned and dated as their own.
    expect((await caption('Summer/', 'At the lake')).out).toBe(
      `Captioned 1 photo of ${id} (Summer/) in place, “At the lake”.\n`,
    )
    expect((await caption('Autumn/', 'At the lake')).err).toBe(
      `error INVALID_ARGUMENT: No folder Autumn/ holds photos of ${id}; its folders: captioned/, Summer/, Winter/.\n`,
    )
    const dated = await cli(['queue', 'date', id, 'Winter/', '1963', '--queue-dir', queue])
    expect(dated.out).toBe(`Dated 1 photo of ${id} (Winter/) in place, taken in 1963.\n`)
    expect([statSync(winter).mtime.getFullYear(), statSync(summer).mtime.getFullYear()]).toEqual([
      1963,
      new Date().getFullYear(),
    ])
    if (hasExiftool)
      expect([summer, winter].map((file) => exiftool('-s3', '-XMP-dc:Description', file).trim())).toEqual([
        'At the lake',
        '',
      ])
    // One photo's own date, named as a caption names it: in place, at its album place (the first photo's: 0).
    const date = (...words: string[]) => cli(['queue', 'date', id, ...words, '--queue-dir', queue])
    const b = join(out, 'b.jpg')
    expect((await date('b.jpg', '1961-08-14')).out).toBe(
      `Dated b.jpg of ${id} in place, taken on 14 August 1961.\n`,
    )
    expect([statSync(b).mtime.getTime(), summerItem().taken, items()[0]!.taken]).toEqual([
      takenMoment('1961-08-14', 0).getTime(),
      undefined,
      '1961-08-14',
    ])
    expect((await date('a.jpg', '1962')).err).toMatch(/^error INVALID_ARGUMENT: a\.jpg names 2 photos of /)
    expect((await date('b.jpg', 'names')).err).toBe(
      `error INVALID_ARGUMENT: Dates from names are a whole job's choice: enhance queue date ${id} names.\n`,
    )
    expect((await date('b.jpg', 'none')).out).toBe(
      `Took the date off b.jpg of ${id}: it will be enhanced again without it, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect(items()[0]!.state).toBe('queued')
  })

  it('chooses the realism of a folder’s photos, one photo’s or a whole job’s; each enhanced so at the next --resume', async () => {
    const queue = join(work, 'q-realism')
    const named = join(work, 'realism album')
    await grainyAlbum(named, ['Summer/a.png', 'Summer/b.png', 'Winter/c.png'], 24, 16)
    // Blended with a partner that blurs its output: each photo's pixels say the realism it was made at.
    const blurring = writeIdentityModel(work, 4, 1, 2, 'output')
    const batchAt = (name: string, realism: string) =>
      cli([
        ...batch(name, named, '--recursive', '--out', join(work, `out-${name}`)),
        ...['--blend', blurring, '--alpha', realism],
      ])
    expect((await batchAt('q-realism', '0')).status).toBe(0)
    const [job] = readQueueState(queue).orderedJobs()
    const id = job!.id.slice(0, 8)
    const files = [join('Summer', 'a.png'), join('Summer', 'b.png'), join('Winter', 'c.png')]
    const pixels = (name: string) => pixelsOf(join(work, `out-${name}`), files)
    // What a job made at each realism writes, to compare with.
    const made: Record<string, Buffer[]> = {}
    for (const realism of ['0', '1', '0.5', '0.25']) {
      expect((await batchAt(`q-realism-${realism}`, realism)).status).toBe(0)
      made[realism] = await pixels(`q-realism-${realism}`)
    }
    expect(made['1']![0]!.equals(made['0']![0]!)).toBe(false)
    const now = () => pixels('q-realism')
    const same = async (expected: Buffer[]) => (await now()).map((data, n) => data.equals(expected[n]!))
    const realism = (...words: string[]) => cli(['queue', 'realism', id, ...words, '--queue-dir', queue])
    const resume = () => cli(['--resume', '--queue-dir', queue, '--device', 'cpu'])
    const states = () =>
      readQueueState(queue)
        .itemsOf(job!.id)
        .map((item) => [item.state, item.realism])

    expect((await realism('Summer/', '100%')).out).toBe(
      `Realism 100% for the photos of ${id} (Summer/): 2 photos will be enhanced so, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect(states()).toEqual([
      ['queued', 1],
      ['queued', 1],
      ['done', undefined],
    ])
    expect((await resume()).status).toBe(0)
    expect([await same(made['1']!), await same(made['0']!)]).toEqual([
      [true, true, false],
      [false, false, true],
    ])
    expect((await realism('c.png', '0.5')).out).toBe(
      `Realism 50% for ${join('Winter', 'c.png')} of ${id}: 1 photo will be enhanced so, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect((await resume()).status).toBe(0)
    expect((await same(made['0.5']!))[2]).toBe(true)
    // The queue's list says the job's models (not the default pair) and how many photos are made at a realism of their
    // own.
    expect((await cli(['queue', '--queue-dir', queue])).out).toBe(
      `${id}  done  3 done, 0 failed, 0 skipped, 0 queued  → ${join(work, 'out-q-realism')}  (with identity-x4 and blur-output-x4 · realism 0% · 3 photos at their own realism)\n`,
    )
    // A whole job's replaces those chosen per photo.
    expect((await realism('all', '0.25')).out).toBe(
      `Realism 25% for the photos of ${id}: 3 photos will be enhanced so, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect(states().map(([, own]) => own)).toEqual([undefined, undefined, undefined])
    expect((await resume()).status).toBe(0)
    expect(await same(made['0.25']!)).toEqual([true, true, true])
    // The queue's list says it, in words and for scripts.
    expect((await cli(['queue', '--queue-dir', queue])).out).toBe(
      `${id}  done  3 done, 0 failed, 0 skipped, 0 queued  → ${join(work, 'out-q-realism')}  (with identity-x4 and blur-output-x4 · realism 25%)\n`,
    )
    const listed = JSON.parse((await cli(['queue', '--json', '--queue-dir', queue])).out) as [
      { chosen: { realism: number; ownRealism: number } },
    ]
    expect([listed[0].chosen.realism, listed[0].chosen.ownRealism]).toEqual([0.25, 0])

    // Refused, each with a sentence: not a realism, a folder the job does not hold, too many words, no partner.
    for (const given of ['1.5', '%', 'half', '101%'])
      expect((await realism('Summer/', given)).err).toMatch(
        /^error INVALID_ARGUMENT: A realism is a number from 0/,
      )
    expect((await realism('Autumn/', '1')).err).toBe(
      `error INVALID_ARGUMENT: No folder Autumn/ holds photos of ${id}; its folders: Summer/, Winter/.\n`,
    )
    expect((await realism('Summer/', 'a.png', '1')).err).toMatch(/^error INVALID_ARGUMENT: Too many words/)
    const alone = join(work, 'q-realism-alone')
    expect((await cli(batch('q-realism-alone', named, '--recursive', '--out', `${alone}-out`))).status).toBe(
      0,
    )
    const [single] = readQueueState(alone).orderedJobs()
    const unpaired = await cli(['queue', 'realism', single!.id.slice(0, 8), '1', '--queue-dir', alone])
    expect(unpaired.err).toBe(
      `error INVALID_ARGUMENT: ${single!.id.slice(0, 8)} is enhanced with one model, with no GAN partner to blend: it has no realism to choose.\n`,
    )
  })

  it('skips a folder’s photos waiting to be enhanced, and puts them back: --resume enhances only the others, then them', async () => {
    const named = join(work, 'skip album')
    await grainyAlbum(named, ['Summer/a.png', 'Summer/b.png', 'Winter/c.png'], 24, 16)
    // Blended with a partner that blurs its output: each photo's pixels say the realism it was made at.
    const blurring = writeIdentityModel(work, 4, 1, 2, 'output')
    const files = [join('Summer', 'a.png'), join('Summer', 'b.png'), join('Winter', 'c.png')]
    const madeAt = async (name: string, realism: string) => {
      const out = join(work, `out-${name}`)
      const run = await cli([
        ...batch(name, named, '--recursive', '--out', out),
        '--blend',
        blurring,
        '--alpha',
        realism,
      ])
      expect(run.status).toBe(0)
      return pixelsOf(out, files)
    }
    const [at0, at1] = [await madeAt('q-skip', '0'), await madeAt('q-skip-1', '1')]
    const queue = join(work, 'q-skip')
    const id = readQueueState(queue).orderedJobs()[0]!.id.slice(0, 8)
    const queueCli = (...words: string[]) => cli(['queue', ...words, '--queue-dir', queue])
    const resume = () => cli(['--resume', '--queue-dir', queue, '--device', 'cpu'])
    const madeNow = async () => {
      const now = await pixelsOf(join(work, 'out-q-skip'), files)
      return now.map((data, n) => (data.equals(at1[n]!) ? 1 : data.equals(at0[n]!) ? 0 : null))
    }
    // Every photo to be made again at 100%; Summer's skipped before the run.
    await queueCli('realism', id, 'all', '1')
    expect((await queueCli('skip', id, 'Summer/')).out).toBe(
      `Skipped the photos of ${id} (Summer/): 2 photos, not enhanced until "enhance queue unskip" (or Put back in the app).\n`,
    )
    expect((await resume()).status).toBe(0)
    expect(await madeNow()).toEqual([0, 0, 1])
    expect((await queueCli('--json')).out).toContain('"skipped":2')
    // A done photo is not skipped; Summer's put back are enhanced at the next run.
    expect((await queueCli('skip', id, 'c.png')).out).toBe(
      `Nothing skipped for ${join('Winter', 'c.png')} of ${id}: only photos waiting to be enhanced are.\n`,
    )
    expect((await queueCli('unskip', id, 'all')).out).toBe(
      `Put back the photos of ${id}: 2 photos wait to be enhanced, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect((await resume()).status).toBe(0)
    expect(await madeNow()).toEqual([1, 1, 1])
    expect((await queueCli('skip', id)).err).toBe(
      'error INVALID_ARGUMENT: Name the photos, and only them: enhance queue skip <job> <photo|folder/|all>. Run "enhance --help" for usage.\n',
    )
  })

  it('turns or mirrors a folder’s photos, one photo or a whole job, each enhanced so at the next --resume', async () => {
    const named = join(work, 'turned album')
    await grainyAlbum(named, ['scans/a.png', 'scans/b.png', 'phone/c.png'], 20, 12)
    const batchOf = (name: string, ...flags: string[]) =>
      cli(batch(name, named, '--recursive', '--out', join(work, `out-${name}`), ...flags))
    expect((await batchOf('q-turn')).status).toBe(0)
    const [job] = readQueueState(join(work, 'q-turn')).orderedJobs()
    const id = job!.id.slice(0, 8)
    const files = [join('scans', 'a.png'), join('scans', 'b.png'), join('phone', 'c.png')]
    const pixels = (name: string) => pixelsOf(join(work, `out-${name}`), files)
    // What jobs made so write, to compare with.
    const made: Record<string, Buffer[]> = { upright: await pixels('q-turn') }
    for (const [name, flags] of [
      ['right', ['--turn', 'right']],
      ['mirrored', ['--mirror']],
    ] as const) {
      expect((await batchOf(`q-turn-${name}`, ...flags)).status).toBe(0)
      made[name] = await pixels(`q-turn-${name}`)
    }
    expect(made['right']![0]!.equals(made['upright']![0]!)).toBe(false)
    /** How each output lies: that of the job made so whose output it equals, pixel for pixel. */
    const facingOf = async () => {
      const all = await pixels('q-turn')
      return all.map((data, n) => Object.keys(made).find((name) => made[name]![n]!.equals(data)) ?? 'other')
    }
    const turn = (...words: string[]) =>
      cli(['queue', 'turn', id, ...words, '--queue-dir', join(work, 'q-turn')])
    const resume = () => cli(['--resume', '--queue-dir', join(work, 'q-turn'), '--device', 'cpu'])

    expect((await turn('scans/', 'right')).out).toBe(
      `Turned a quarter right for the photos of ${id} (scans/): 2 photos will be enhanced so, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect((await resume()).status).toBe(0)
    expect(await facingOf()).toEqual(['right', 'right', 'upright'])
    expect((await sharp(join(work, 'out-q-turn', files[0]!)).metadata()).height).toBe(80)
    expect((await turn('c.png', 'upright', '--mirror')).out).toBe(
      `Mirrored for ${join('phone', 'c.png')} of ${id}: 1 photo will be enhanced so, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect((await resume()).status).toBe(0)
    expect(await facingOf()).toEqual(['right', 'right', 'mirrored'])
    // The whole job upright again: its choice replaces those per photo.
    expect((await turn('upright')).out).toMatch(new RegExp(`^Upright for the photos of ${id}: 3 photos will`))
    expect((await resume()).status).toBe(0)
    expect(await facingOf()).toEqual(['upright', 'upright', 'upright'])
    expect((await turn('scans/', 'sideways')).err).toBe(
      'error INVALID_ARGUMENT: A turn is right, left, 90, 180, 270 or upright; got "sideways". Run "enhance --help" for usage.\n',
    )
    expect((await turn('scans/', 'a.png', 'right')).err).toMatch(/^error INVALID_ARGUMENT: Too many words/)
  })

  it('mends a folder’s photos, one photo or a whole job as asked, each enhanced so at the next --resume', async () => {
    const named = join(work, 'faded album')
    await grainyAlbum(named, ['Summer/a.png', 'Summer/b.png', 'Winter/c.png'], 24, 16, '#c09060')
    const batchOf = (name: string, ...flags: string[]) =>
      cli(batch(name, named, '--recursive', '--out', join(work, `out-${name}`), ...flags))
    expect((await batchOf('q-mend')).status).toBe(0)
    const queue = join(work, 'q-mend')
    const [job] = readQueueState(queue).orderedJobs()
    const id = job!.id.slice(0, 8)
    const files = [join('Summer', 'a.png'), join('Summer', 'b.png'), join('Winter', 'c.png')]
    const pixels = (name: string) => pixelsOf(join(work, `out-${name}`), files)
    // What jobs made with each repair write, to compare with.
    const made: Record<string, Buffer[]> = { none: await pixels('q-mend') }
    for (const [name, flags] of [
      ['colours', ['--restore-colours', '--restore-strength', '1']],
      ['halfway', ['--restore-colours']],
    ] as const) {
      expect((await batchOf(`q-mend-${name}`, ...flags)).status).toBe(0)
      made[name] = await pixels(`q-mend-${name}`)
    }
    expect([
      made['colours']![0]!.equals(made['none']![0]!),
      made['halfway']![0]!.equals(made['none']![0]!),
    ]).toEqual([false, false])
    /** How each output was mended: as the job made so whose output it equals, pixel for pixel. */
    const mendedAs = async () => {
      const all = await pixels('q-mend')
      return all.map((data, n) => Object.keys(made).find((name) => made[name]![n]!.equals(data)) ?? 'other')
    }
    const repairs = (...words: string[]) => cli(['queue', 'repairs', id, ...words, '--queue-dir', queue])
    const resume = () => cli(['--resume', '--queue-dir', queue, '--device', 'cpu'])

    expect((await repairs('Summer/', 'colours', '--restore-strength', '1')).out).toBe(
      `With faded colours restored for the photos of ${id} (Summer/): 2 photos will be enhanced so, run "enhance --resume" (or open the app) for that.\n`,
    )
    expect((await resume()).status).toBe(0)
    expect(await mendedAs()).toEqual(['colours', 'colours', 'none'])
    // A whole job's replace those chosen per photo; colours alone are restored halfway, as --restore-colours does.
    expect((await repairs('all', 'colours')).out).toMatch(
      new RegExp(`^With faded colours restored 50% for the photos of ${id}: 3 photos will`),
    )
    expect((await resume()).status).toBe(0)
    expect(await mendedAs()).toEqual(['halfway', 'halfway', 'halfway'])
    expect((await repairs('c.png', 'none')).out).toMatch(
      new RegExp(`^With no repairs for ${join('Winter', 'c.png')} of ${id}: 1 photo will`),
    )
    expect((await resume()).status).toBe(0)
    expect((await mendedAs())[2]).toBe('none')
    expect((await repairs('b.png', 'dust,scratches')).out).toMatch(/^With dust and scratches removed for /)
    const b = readQueueState(queue).itemsOf(job!.id)[1]!
    expect([b.state, b.repairs]).toEqual([
      'queued',
      { restoreColours: false, restoreStrength: 1, removeDust: true, removeScratches: true },
    ])
    expect((await repairs('Summer/', 'dust,rust')).err).toBe(
      'error INVALID_ARGUMENT: Repairs are colours, dust and scratches, with commas between, or none; got "rust". Run "enhance --help" for usage.\n',
    )
    expect((await repairs('Summer/', 'dust', '--restore-strength', '0.5')).err).toMatch(
      /^error INVALID_ARGUMENT: --restore-strength says how far colours are restored: name colours with it\./,
    )
  })

  it('removes, cancels and clears jobs in the queue, by a shortened id', async () => {
    const queue = join(work, 'q-house')
    await cli(batch('q-house', join(album, 'a.jpg'), '--out', join(work, 'out-house')))
    const [done] = readQueueState(queue).orderedJobs()
    expect((await cli(['queue', 'cancel', done!.id.slice(0, 6), '--queue-dir', queue])).out).toMatch(
      /^Cancelled/,
    )
    expect((await cli(['queue', 'remove', 'zzzz', '--queue-dir', queue])).err).toMatch(/No job zzzz/)
    const cleared = await cli(['queue', 'clear', '--queue-dir', queue])
    expect(cleared.out).toBe('Removed 1 finished job; their photos stay on disk.\n')
    expect(readQueueState(queue).orderedJobs()).toEqual([])
    expect(existsSync(join(work, 'out-house', 'a.jpg'))).toBe(true)
    await cli(batch('q-house', join(album, 'b.jpg'), '--out', join(work, 'out-house')))
    const [second] = readQueueState(queue).orderedJobs()
    const removed = await cli(['queue', 'remove', second!.id.slice(0, 8), '--queue-dir', queue])
    expect(removed.out).toContain('Removed')
    expect(readQueueState(queue).orderedJobs()).toEqual([])
    expect((await cli(['queue', 'frobnicate', '--queue-dir', queue])).err).toMatch(/is not a command/)

    // A job the app watches: listed so, and kept by clear.
    await cli(batch('q-house', join(album, 'a.jpg'), '--out', join(work, 'out-watched')))
    const [watched] = readQueueState(queue).orderedJobs()
    const store = new QueueStore(queue)
    store.commit({ t: 'job-watch', jobId: watched!.id, watching: true })
    store.close()
    expect((await cli(['queue', '--queue-dir', queue])).out).toBe(
      `${watched!.id.slice(0, 8)}  done, watched by the app  1 done, 0 failed, 0 skipped, 0 queued  → ${join(work, 'out-watched')}  (with identity-x4)\n`,
    )
    expect((await cli(['queue', 'clear', '--queue-dir', queue])).out).toBe(
      'Removed 0 finished jobs; their photos stay on disk. 1 watched by the app stays: stop watching there to clear it.\n',
    )
    expect(
      readQueueState(queue)
        .orderedJobs()
        .map((j) => j.id),
    ).toEqual([watched!.id])
  })
})
