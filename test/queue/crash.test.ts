import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { writeIdentityModel } from '../helpers/models.js'

const CLI = new URL('../../bin/enhance.js', import.meta.url).pathname
const work = mkdtempSync(join(tmpdir(), 'enhance-crash-'))
const album = join(work, 'album')
let model = ''
let reference = new Map<string, Buffer>()

/** Every file below `dir` (hidden ones too), by relative path. */
function outputsOf(dir: string): Map<string, Buffer> {
  const map = new Map<string, Buffer>()
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, f)
    if (statSync(path).isFile()) map.set(f, readFileSync(path))
  }
  return map
}

function args(out: string, queue: string): string[] {
  return [
    CLI,
    album,
    '--out',
    out,
    '--queue-dir',
    queue,
    '--model',
    model,
    '--device',
    'cpu',
    '--tile',
    '16',
    '--recursive',
    '--format',
    'png',
    '--json',
  ]
}

/** A small deterministic PRNG so each seed kills at its own, repeatable moment. */
function mulberry32(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

beforeAll(async () => {
  model = writeIdentityModel(work, 8, 1, 4)
  for (let i = 0; i < 30; i++) {
    const dir = join(album, `roll ${i % 3}`)
    mkdirSync(dir, { recursive: true })
    const colour = { r: (i * 53) % 256, g: (i * 97) % 256, b: (i * 151) % 256 }
    await sharp({ create: { width: 40 + i, height: 24 + (i % 5), channels: 3, background: colour } })
      .png()
      .toFile(join(dir, `photo ${i}.png`))
  }
  const out = join(work, 'reference')
  const run = spawnSync(process.execPath, args(out, join(work, 'queue-reference')), { encoding: 'utf8' })
  expect(run.status).toBe(0)
  reference = outputsOf(out)
  expect(reference.size).toBe(30)
}, 120_000)

describe('kill -9 mid-batch, then enhance --resume', () => {
  it.each([1, 2, 3])(
    'seed %i: every output exists exactly once, matches an uninterrupted run, no temp files',
    async (seed) => {
      const random = mulberry32(seed)
      const out = join(work, `out-${seed}`)
      const queue = join(work, `queue-${seed}`)
      const child = spawn(process.execPath, args(out, queue), { stdio: ['ignore', 'pipe', 'inherit'] })
      const killAfter = 2 + Math.floor(random() * 20)
      let done = 0
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          done += chunk
            .toString()
            .split('\n')
            .filter((l) => l.includes('"event":"done"')).length
          if (done >= killAfter && !child.killed) child.kill('SIGKILL')
        })
        child.on('exit', () => resolve())
      })
      expect(child.signalCode).toBe('SIGKILL')
      const partial = outputsOf(out).size
      expect(partial).toBeLessThan(30)

      const resumed = spawnSync(process.execPath, [CLI, '--resume', '--queue-dir', queue, '--json'], {
        encoding: 'utf8',
      })
      expect(resumed.status).toBe(0)
      const outputs = outputsOf(out)
      expect([...outputs.keys()].sort()).toEqual([...reference.keys()].sort())
      for (const [name, bytes] of reference) expect(outputs.get(name)?.equals(bytes), name).toBe(true)
      expect([...outputs.keys()].some((f) => f.includes('.partial') || /_2\.png$/.test(f))).toBe(false)
    },
  )
})

describe('a power cut part-way through a long photo, then enhance --resume', () => {
  it('picks up at the last checkpoint of its tiles, and the result is the same as in one go', async () => {
    const dir = mkdtempSync(join(work, 'power-cut-'))
    mkdirSync(join(dir, 'in'))
    // 512×384 in tiles of 16: 768 tiles, and a model that reads each pixel's neighbours.
    const noise = { type: 'gaussian', mean: 128, sigma: 50 } as const
    await sharp({ create: { width: 512, height: 384, channels: 3, background: '#000', noise } })
      .png()
      .toFile(join(dir, 'in', 'scan.png'))
    const neighbours = writeIdentityModel(dir, 4, 1, 2, 'input')
    const data = join(dir, 'data')
    // A checkpoint as often as its cost allows (1/20 of the run), not once a minute.
    const env = { ...process.env, ENHANCE_DATA_DIR: data, ENHANCE_CHECKPOINT_MS: '0' }
    const command = (out: string, queue: string): string[] => [
      CLI,
      join(dir, 'in'),
      '--out',
      out,
      '--queue-dir',
      queue,
      '--model',
      neighbours,
      '--device',
      'cpu',
      '--tile',
      '16',
      '--format',
      'png',
      '--json',
    ]
    const whole = spawnSync(process.execPath, command(join(dir, 'whole'), join(dir, 'queue-whole')), { env })
    expect(whole.status).toBe(0)
    const checkpoints = (): string[] =>
      existsSync(join(data, 'resume'))
        ? readdirSync(join(data, 'resume')).filter((name) => name.endsWith('.tiles'))
        : []
    // How many tiles the checkpoint on disk holds (its header's `done`), 0 if none.
    const checkpointed = (): number => {
      const [name] = checkpoints()
      if (!name) return 0
      const head = readFileSync(join(data, 'resume', name))
        .subarray(0, 64 * 1024)
        .toString('latin1')
        .split('\n')[1]
      return (JSON.parse(head!) as { done: number }).done
    }
    expect(checkpoints()).toEqual([])

    // The command and its engine process killed at once, as a power cut would, once a checkpoint is on disk.
    const tilesOf = (stdout: string): number[] =>
      stdout
        .split('\n')
        .filter((line) => line.includes('"event":"progress"'))
        .map((line) => (JSON.parse(line) as { tile: number }).tile)
        .filter((tile) => tile > 0)
    const out = join(dir, 'out')
    const queue = join(dir, 'queue')
    const child = spawn(process.execPath, command(out, queue), {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    // Null if it ran to its end without a checkpoint.
    const cutAt = await new Promise<number | null>((resolve) => {
      child.on('exit', () => resolve(null))
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const last = tilesOf(stdout).at(-1) ?? 0
        if (checkpointed() >= 100 && child.exitCode === null && !child.killed) {
          process.kill(-child.pid!, 'SIGKILL')
          resolve(last)
        }
      })
    })
    if (child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => child.on('exit', resolve))
    expect([cutAt !== null && cutAt < 768, existsSync(join(out, 'scan.png'))]).toEqual([true, false])

    const resumed = spawnSync(process.execPath, [CLI, '--resume', '--queue-dir', queue, '--json'], {
      env,
      encoding: 'utf8',
    })
    expect(resumed.status).toBe(0)
    const tiles = tilesOf(resumed.stdout)
    expect(tiles[0]).toBeGreaterThan(100)
    expect(tiles.at(-1)).toBe(768)
    const [again, inOneGo] = await Promise.all(
      [join(out, 'scan.png'), join(dir, 'whole', 'scan.png')].map((path) => sharp(path).raw().toBuffer()),
    )
    expect(again!.equals(inOneGo!)).toBe(true)
    // Nothing left of it: neither its checkpoint nor the one the cut caught half-written.
    expect(readdirSync(join(data, 'resume'))).toEqual([])
  }, 120_000)
})
