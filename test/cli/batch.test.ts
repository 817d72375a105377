import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import type { BatchEvent } from '../../src/cli/report.js'
import { openQueue } from '../../src/queue/session.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import { WORKER, writeIdentityModel } from '../helpers/models.js'
import { fixturePath } from '../helpers/fixtures.js'
import { fileVersion } from '../../src/node/files.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-batch-'))
const album = join(work, 'Family album')
let model = ''
const noCleanup = { removeStalePartials: () => Promise.resolve(0) }

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split('\\').join('/'))
    .sort()
}

async function photo(path: string, colour: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true })
  await sharp({ create: { width: 40, height: 24, channels: 3, background: colour } })
    .jpeg()
    .toFile(path)
}

interface Run {
  status: number
  events: BatchEvent[]
  err: string
}

async function run(
  argv: string[],
  onEngine?: (engine: EngineClient) => void,
  queue = join(work, 'queue'),
  engineEnv: Record<string, string> = {},
): Promise<Run> {
  let out = ''
  let err = ''
  const status = await main(
    ['--model', model, '--json', '--device', 'cpu', '--tile', '16', '--queue-dir', queue, ...argv],
    { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) },
    {
      engine: (device) => {
        const engine = new EngineClient(() =>
          forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: device, ...engineEnv } }),
        )
        onEngine?.(engine)
        return engine
      },
    },
  )
  const events = out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as BatchEvent)
  return { status, events, err }
}

beforeAll(async () => {
  model = writeIdentityModel(work)
  await photo(join(album, '1962 Summer', 'Grand-mère à la plage.jpg'), '#c08040')
  await photo(join(album, '1962 Summer', 'picnic.jpg'), '#40c080')
  await photo(join(album, 'Über uns', 'tief', 'hochzeit 1975.jpg'), '#8040c0')
  await photo(join(album, 'cover.jpg'), '#808080')
  writeFileSync(join(album, 'notes.txt'), 'not a photo')
})

describe('enhance <folder> --out', () => {
  it('mirrors nested folders with spaces and non-ASCII names, and reports NDJSON', async () => {
    const out = join(work, 'out-1')
    const { status, events } = await run([album, '--out', out, '--recursive'])
    expect(status).toBe(0)
    expect(listFiles(out)).toEqual(
      [
        '1962 Summer/Grand-mère à la plage.jpg',
        '1962 Summer/picnic.jpg',
        'cover.jpg',
        'Über uns/tief/hochzeit 1975.jpg',
      ].sort(),
    )
    const summary = events.at(-1)
    expect(summary).toMatchObject({ event: 'summary', done: 4, failed: 0, skipped: 0 })
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThan(4)
    // The album's notes.txt is no photo: said once, before the photos.
    expect(events.filter((e) => e.event === 'left-out')).toEqual([
      {
        event: 'left-out',
        files: { '.txt': 1 },
        message: 'Left out 1 file that is not a photo Enhance reads: 1 .txt.',
      },
    ])
    // Each photo says the tile side it ran with: --tile 16 here.
    const done = events.filter((e) => e.event === 'done')
    expect(done.map((e) => ('tile' in e ? e.tile : null))).toEqual([16, 16, 16, 16])
    const meta = await sharp(join(out, 'cover.jpg')).metadata()
    expect([meta.width, meta.height]).toEqual([160, 96])
  })

  it('without --recursive takes only the top folder; then skips what exists unless --overwrite', async () => {
    const out = join(work, 'out-2')
    expect((await run([album, '--out', out])).events.at(-1)).toMatchObject({ done: 1 })
    // Not by modification time: an enhanced photo carries its original's; a file written again is a new version.
    const first = await fileVersion(join(out, 'cover.jpg'))
    const again = await run([album, '--out', out])
    expect(again.events.at(-1)).toMatchObject({ done: 0, skipped: 1 })
    expect(await fileVersion(join(out, 'cover.jpg'))).toBe(first)
    const forced = await run([album, '--out', out, '--overwrite'])
    expect(forced.events.at(-1)).toMatchObject({ done: 1, skipped: 0 })
    expect(await fileVersion(join(out, 'cover.jpg'))).not.toBe(first)
  })

  it('reports a bad file with its code, goes on, and exits 1', async () => {
    const mixed = join(work, 'mixed')
    await photo(join(mixed, 'a.jpg'), '#102030')
    writeFileSync(join(mixed, 'b.jpg'), Buffer.from('a text file saved with the wrong name'))
    await photo(join(mixed, 'c.jpg'), '#302010')
    const originals = readdirSync(mixed).map((f) => readFileSync(join(mixed, f)).toString('base64'))
    const out = join(work, 'out-3')
    const { status, events } = await run([mixed, '--out', out, '--format', 'png'])
    expect(status).toBe(1)
    expect(events.find((e) => e.event === 'failed')).toMatchObject({ code: 'UNSUPPORTED_FORMAT' })
    expect(events.at(-1)).toMatchObject({ done: 2, failed: 1 })
    expect(listFiles(out)).toEqual(['a.png', 'c.png'])
    expect(readdirSync(mixed).map((f) => readFileSync(join(mixed, f)).toString('base64'))).toEqual(originals)
  })

  it('survives the engine being killed mid-image: the item is retried and the batch completes', async () => {
    const out = join(work, 'out-4')
    let killed = 0
    const { status, events } = await run([album, '--out', out, '--recursive'], (engine) => {
      const original = engine.enhance.bind(engine)
      engine.enhance = (request, options = {}) =>
        original(request, {
          ...options,
          onProgress: (e) => {
            options.onProgress?.(e)
            if (killed === 0 && request.input.includes('picnic') && e.tilesDone === 2) {
              killed++
              engine.kill()
            }
          },
        })
    })
    expect(killed).toBe(1)
    expect(status).toBe(0)
    expect(events.at(-1)).toMatchObject({ done: 4, failed: 0 })
    expect(listFiles(out).length).toBe(4)
    expect(listFiles(out).some((f) => f.includes('.partial'))).toBe(false)
  })

  it('runs its own photos only: a job queued earlier waits for --resume, and the summary says so', async () => {
    const queue = join(work, 'queue-shared')
    const earlier = join(work, 'out-earlier')
    const session = await openQueue(
      queue,
      { enhance: () => Promise.reject(new Error('not run here')) },
      noCleanup,
    )
    await session.runner.addJob({
      inputs: [album],
      recursive: true,
      outDir: earlier,
      model: { path: model },
      settings: { ...DEFAULT_SETTINGS, tile: 16 },
      naming: '{name}',
      policy: 'skip',
    })
    session.close()

    const out = join(work, 'out-own')
    const own = await run([join(album, 'cover.jpg'), '--out', out], undefined, queue)
    expect(own.status).toBe(0)
    expect(own.events.at(-1)).toMatchObject({ event: 'summary', done: 1, waiting: 1 })
    expect(listFiles(out)).toEqual(['cover.jpg'])
    expect(existsSync(earlier)).toBe(false)

    const resumed = await run(['--resume'], undefined, queue)
    expect(resumed.events.at(-1)).toMatchObject({ event: 'summary', done: 4, waiting: 0 })
    expect(listFiles(earlier)).toHaveLength(4)
  })

  it('says when a first run measures this computer, before the first tile, and not on the next run', async () => {
    const dir = join(work, 'measuring')
    const input = join(dir, 'wide.png')
    mkdirSync(dir, { recursive: true })
    await sharp({ create: { width: 300, height: 200, channels: 3, background: '#806040' } })
      .png()
      .toFile(input)
    const engineEnv = { ENHANCE_DATA_DIR: join(dir, 'data') }
    const progressOf = async (out: string): Promise<string[]> => {
      const argv = [input, '--out', join(dir, out), '--tile', 'auto']
      const { status, events } = await run(argv, undefined, join(dir, 'queue'), engineEnv)
      expect(status).toBe(0)
      return events.flatMap((e) =>
        e.event !== 'progress' ? [] : [e.measuring ? 'measuring' : `${e.tile}/${e.tiles}`],
      )
    }
    const first = await progressOf('first')
    expect(first[0]).toBe('measuring')
    expect(first.slice(1).every((p) => /^\d+\/\d+$/.test(p))).toBe(true)
    expect(first.at(-1)).toMatch(/^(\d+)\/\1$/)
    const second = await progressOf('second')
    expect(second.length).toBeGreaterThan(0)
    expect(second).not.toContain('measuring')
  })

  it('says the run’s time left from each photo’s estimate, from the first photo’s tiles on', async () => {
    const dir = join(work, 'sizes')
    mkdirSync(dir, { recursive: true })
    const sizes = { 'a large scan.png': [256, 192], 'b.png': [64, 48], 'c.png': [64, 48], 'd.png': [96, 64] }
    for (const [name, [width, height]] of Object.entries(sizes))
      await sharp({ create: { width: width!, height: height!, channels: 3, background: '#604080' } })
        .png()
        .toFile(join(dir, name))
    const engineEnv = { ENHANCE_DATA_DIR: join(dir, 'data') }
    const queue = join(dir, 'queue')
    // A first run measures this computer's tile speeds; the next one goes by them.
    await run([dir, '--out', join(dir, 'measured'), '--tile', 'auto'], undefined, queue, engineEnv)
    const { status, events } = await run([dir, '--out', join(dir, 'out')], undefined, queue, engineEnv)
    expect(status).toBe(0)
    const firstDone = events.findIndex((e) => e.event === 'done')
    const large = events
      .slice(0, firstDone)
      .filter((e) => e.event === 'progress' && e.item.endsWith('a large scan.png') && e.batchEtaMs !== null)
    // Before any photo is done, the mean of those done could say nothing.
    expect(large.length).toBeGreaterThan(0)
    // The engine's estimates of the others (tiles of 16, as the run has them), the large scan's own time left added.
    const engine = new EngineClient(() =>
      forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu', ...engineEnv } }),
    )
    const inputs = Object.keys(sizes).map((name) => join(dir, name))
    const { perPhotoMs } = await engine
      .estimate({ path: model }, 16, inputs, { measure: false })
      .finally(() => engine.close())
    const others = perPhotoMs!.slice(1).reduce((sum, ms) => sum! + ms!, 0)!
    for (const e of large) {
      if (e.event !== 'progress') continue
      expect(Math.abs(e.batchEtaMs! - (e.etaMs! + others))).toBeLessThanOrEqual(1)
    }
    expect(others).toBeGreaterThan(0)
  })

  it('asks for no estimate at each photo while the engine says nothing is measured, going by the mean', async () => {
    const dir = join(work, 'unmeasured')
    mkdirSync(dir, { recursive: true })
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f'])
      await sharp({ create: { width: 48, height: 32, channels: 3, background: '#406080' } })
        .png()
        .toFile(join(dir, `${name}.png`))
    const asked: number[] = []
    const counting = (engine: EngineClient): void => {
      const estimate = engine.estimate.bind(engine)
      engine.estimate = (model, tile, inputs, options) => {
        asked.push(inputs.length)
        return estimate(model, tile, inputs, options)
      }
    }
    // A fresh computer and a fixed tile: no tile speed is known, nor measured by the run.
    const engineEnv = { ENHANCE_DATA_DIR: join(dir, 'data') }
    const { status, events } = await run(
      [dir, '--out', join(dir, 'out')],
      counting,
      join(dir, 'queue'),
      engineEnv,
    )
    expect(status).toBe(0)
    // As the run starts (and at its first tile, if that answer came first); not again at each photo after it.
    expect(asked[0]).toBe(6)
    expect(asked.length).toBeLessThanOrEqual(2)
    const lastPhoto = events.filter((e) => e.event === 'progress' && e.item.endsWith('f.png'))
    expect(lastPhoto.length).toBeGreaterThan(0)
    for (const e of lastPhoto) if (e.event === 'progress') expect(e.batchEtaMs).not.toBeNull()
  })

  it('without --out writes where the app would: an "Enhanced" folder inside a folder named, beside a photo named', async () => {
    const scans = join(work, 'Scans 1970')
    await photo(join(scans, 'page 1.jpg'), '#806040')
    await photo(join(work, 'loose.jpg'), '#406080')
    expect((await run([scans])).events.at(-1)).toMatchObject({ done: 1, failed: 0 })
    expect((await run([join(work, 'loose.jpg')])).events.at(-1)).toMatchObject({ done: 1, failed: 0 })
    expect(listFiles(scans)).toEqual(['Enhanced/page 1.jpg', 'page 1.jpg'])
    expect(listFiles(join(work, 'Enhanced'))).toEqual(['loose.jpg'])
    // The results folder is not read as photos the next time.
    expect((await run([scans, '--recursive'])).events.at(-1)).toMatchObject({ done: 0, skipped: 1 })
  })

  it("names a ×2 model's photos x2 with {size}, as the engine reads the model", async () => {
    const x2 = fixturePath('compact_x2_zip.pth')
    const one = join(album, '1962 Summer', 'picnic.jpg')
    const out = join(work, 'out-x2')
    const result = await run([one, '--out', out, '--model', x2, '--naming', '{name}_{size}_x{scale}'])
    expect(result.status).toBe(0)
    expect(listFiles(out)).toEqual(['picnic_x2_x2.jpg'])
    const meta = await sharp(join(out, 'picnic_x2_x2.jpg')).metadata()
    expect([meta.width, meta.height]).toEqual([80, 48])
  })

  it('rejects bad flags with a coded error', async () => {
    for (const flags of [
      ['--scale', '0'],
      ['--size', '12by3'],
      ['--quality', '101'],
      ['--format', 'bmp'],
      ['--tile', '3'],
      ['--device', 'tpu'],
      ['--alpha', '7'],
      ['--metadata', 'some'],
      ['--naming', 'photo'],
      ['--naming', '{name}{date}'],
      ['--background', 'notacolour'],
      ['--restore-strength', '0'],
      ['--restore-strength', 'half'],
      ['--print', 'poster'],
      ['--print', '8x10', '--dpi', '20'],
      ['--dpi', '300'],
      ['--fill'],
      ['--print', '4x6', '--fill', '--border'],
      ['--print', '8x10', '--scale', '2'],
      ['--turn', '45'],
      ['--turn', 'over'],
      ['--taken', 'summer 1962'],
      ['--taken', '1962-02-30'],
      ['--taken', '2999'],
    ]) {
      const result = await run([album, '--out', join(work, 'never'), ...flags])
      expect(result.status).toBe(1)
      expect(result.err).toMatch(/^error INVALID_ARGUMENT: /)
    }
    expect(relative(work, join(work, 'never'))).toBe('never')
    expect(readdirSync(work)).not.toContain('never')
  })
})
