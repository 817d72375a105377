import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { writeIdentityModel } from '../helpers/models.js'

const CLI = new URL('../../bin/enhance.js', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'enhance-watch-'))
let model = ''

beforeAll(() => {
  model = writeIdentityModel(work, 4, 1, 2, 'input')
})

async function scan(path: string, seed: number): Promise<void> {
  const noise = { type: 'gaussian', mean: 100 + seed, sigma: 40 } as const
  await sharp({ create: { width: 48, height: 32, channels: 3, background: '#000', noise } })
    .png()
    .toFile(path)
}

async function refusal(argv: string[]): Promise<string> {
  let err = ''
  const status = await main(argv, { out: () => undefined, err: (t) => (err += t) })
  expect(status).toBe(1)
  return err
}

interface Watched {
  /** Its NDJSON events so far. */
  events: () => WatchEvent[]
  /** Resolves once `check` holds, looked at as each event comes. */
  until: (check: () => boolean) => Promise<void>
  /** Ctrl-C: resolves with how it ended. */
  stop: () => Promise<unknown>
}

type WatchEvent = { event: string; item?: string; etaMs?: number | null; batchEtaMs?: number | null }

/** `enhance <folder> --watch` in its own process, as a terminal would run it. */
function watch(folder: string, queue: string, args: string[], env: NodeJS.ProcessEnv = process.env): Watched {
  const child = spawn(process.execPath, [CLI, folder, '--watch', '--queue-dir', queue, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  })
  let stdout = ''
  let look = (): void => undefined
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    look()
  })
  const events = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as WatchEvent)
  const until = (check: () => boolean) =>
    new Promise<void>((resolve) => {
      look = () => {
        if (check()) resolve()
      }
      look()
    })
  const stop = () => {
    child.kill('SIGINT')
    return new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)))
  }
  return { events, until, stop }
}

describe('enhance <folder> --watch', () => {
  it('is refused with a file alone, with --resume and with --shard, saying why', async () => {
    const folder = join(work, 'refused')
    mkdirSync(folder)
    await scan(join(folder, 'a.png'), 0)
    expect(await refusal([join(folder, 'a.png'), '--watch'])).toBe(
      'error INVALID_ARGUMENT: --watch watches folders for new photos: name the folder they are saved into.',
    )
    expect(await refusal(['--resume', '--watch', '--queue-dir', join(work, 'q-refused')])).toBe(
      'error INVALID_ARGUMENT: --watch watches the folders named, so it goes with them, not with --resume.',
    )
    expect(await refusal([folder, '--watch', '--shard', '0/2'])).toBe(
      'error INVALID_ARGUMENT: --watch and --shard do not go together: run one watch for the folders.',
    )
  })

  it('enhances each photo saved into the folder, as a run without --watch would, until Ctrl-C', async () => {
    const folder = join(work, 'Scans')
    mkdirSync(folder)
    await scan(join(folder, 'already there.png'), 1)
    const args = ['--model', model, '--device', 'cpu', '--tile', '16', '--json']
    const { events, until, stop } = watch(folder, join(work, 'q'), args)
    const done = () => events().filter((e) => e.event === 'done').length
    await until(() => done() === 1 && events().at(-1)?.event === 'watching')
    // A scan saved under a temporary name and renamed, as scanning programs do, and one copied in.
    await scan(join(work, 'scan 2.tmp.png'), 2)
    renameSync(join(work, 'scan 2.tmp.png'), join(folder, 'scan 2.png'))
    await scan(join(folder, 'scan 3.png'), 3)
    await until(() => done() === 3)
    expect(await stop()).toBe('SIGINT')
    expect(events().at(-1)).toMatchObject({ event: 'summary', done: 3, failed: 0, pending: 0 })

    // The same pixels as the folder enhanced in one go without --watch.
    const once = spawnSync(
      process.execPath,
      [CLI, folder, '--out', join(work, 'once'), '--queue-dir', join(work, 'q-once'), ...args],
      { encoding: 'utf8' },
    )
    expect(once.status).toBe(0)
    for (const name of ['already there.png', 'scan 2.png', 'scan 3.png']) {
      const [watched, inOneGo] = await Promise.all(
        [join(folder, 'Enhanced', name), join(work, 'once', name)].map((p) => sharp(p).raw().toBuffer()),
      )
      expect(watched!.equals(inOneGo!), name).toBe(true)
    }
  }, 60_000)

  it("says the time left from its first photo's tiles on, by the engine's estimates", async () => {
    const folder = join(work, 'Large scans')
    mkdirSync(folder)
    const large = { create: { width: 256, height: 192, channels: 3, background: '#604080' } } as const
    await sharp(large).png().toFile(join(folder, 'a large scan.png'))
    const env = { ...process.env, ENHANCE_DATA_DIR: join(work, 'data-estimates') }
    const args = ['--model', model, '--device', 'cpu', '--json']
    // A first run measures this computer's tile speeds; the watch goes by them.
    const measured = [
      folder,
      '--out',
      join(work, 'measured'),
      '--queue-dir',
      join(work, 'q-measure'),
      ...args,
    ]
    expect(spawnSync(process.execPath, [CLI, ...measured], { env }).status).toBe(0)
    const { events, until, stop } = watch(folder, join(work, 'q-estimates'), [...args, '--tile', '16'], env)
    await until(() => events().some((e) => e.event === 'done') && events().at(-1)?.event === 'watching')
    expect(await stop()).toBe('SIGINT')
    const beforeDone = events().slice(
      0,
      events().findIndex((e) => e.event === 'done'),
    )
    const told = beforeDone.filter((e) => e.event === 'progress' && e.batchEtaMs != null)
    // Before any photo is done the mean of those done could say nothing; the only photo's time is its tiles'.
    expect(told.length).toBeGreaterThan(0)
    for (const e of told) expect(e.batchEtaMs).toBe(e.etaMs)
  }, 60_000)
})
