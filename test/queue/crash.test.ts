import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs'
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

/** A photo of 768 tiles (512×384 in tiles of 16) and a model that reads each pixel's neighbours, run once whole. */
async function longPhoto(name: string, checkpointMs: string) {
  const dir = mkdtempSync(join(work, `${name}-`))
  mkdirSync(join(dir, 'in'))
  const noise = { type: 'gaussian', mean: 128, sigma: 50 } as const
  await sharp({ create: { width: 512, height: 384, channels: 3, background: '#000', noise } })
    .png()
    .toFile(join(dir, 'in', 'scan.png'))
  const neighbours = writeIdentityModel(dir, 4, 1, 2, 'input')
  const data = join(dir, 'data')
  const env = { ...process.env, ENHANCE_DATA_DIR: data, ENHANCE_CHECKPOINT_MS: checkpointMs }
  const out = join(dir, 'out')
  const queue = join(dir, 'queue')
  const command = (output = out, queueDir = queue): string[] => [
    CLI,
    join(dir, 'in'),
    '--out',
    output,
    '--queue-dir',
    queueDir,
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
  const resumeFiles = (): string[] =>
    existsSync(join(data, 'resume'))
      ? readdirSync(join(data, 'resume')).filter((file) => file.endsWith('.tiles'))
      : []
  /** `enhance --resume`: the tiles it ran, and whether its result equals the photo enhanced in one go. */
  const resume = async () => {
    const resumed = spawnSync(process.execPath, [CLI, '--resume', '--queue-dir', queue, '--json'], {
      env,
      encoding: 'utf8',
    })
    expect(resumed.status).toBe(0)
    const [again, inOneGo] = await Promise.all(
      [join(out, 'scan.png'), join(dir, 'whole', 'scan.png')].map((path) => sharp(path).raw().toBuffer()),
    )
    return { tiles: tilesOf(resumed.stdout), same: again!.equals(inOneGo!) }
  }
  return { dir, data, env, out, queue, command, resumeFiles, resume }
}

/** The tiles done, in order, that a run's progress events report. */
const tilesOf = (stdout: string): number[] =>
  stdout
    .split('\n')
    .filter((line) => line.includes('"event":"progress"'))
    .map((line) => (JSON.parse(line) as { tile: number }).tile)
    .filter((tile) => tile > 0)

describe('a power cut part-way through a long photo, then enhance --resume', () => {
  it('picks up at the last checkpoint of its tiles, and the result is the same as in one go', async () => {
    // A checkpoint as often as its cost allows (1/20 of the run), not once a minute.
    const photo = await longPhoto('power-cut', '0')
    const { data, env, out } = photo
    // How many tiles the checkpoint on disk holds (its header's `done`), 0 if none.
    const checkpointed = (): number => {
      const [name] = photo.resumeFiles()
      if (!name) return 0
      const head = readFileSync(join(data, 'resume', name))
        .subarray(0, 64 * 1024)
        .toString('latin1')
        .split('\n')[1]
      return (JSON.parse(head!) as { done: number }).done
    }
    expect(photo.resumeFiles()).toEqual([])

    // The command and its engine process killed at once, as a power cut would, once a checkpoint is on disk and
    // a hundred tiles are done: those since the checkpoint are lost, and done again.
    const child = spawn(process.execPath, photo.command(), {
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
        if (last >= 100 && checkpointed() > 0 && child.exitCode === null && !child.killed) {
          process.kill(-child.pid!, 'SIGKILL')
          resolve(last)
        }
      })
    })
    if (child.exitCode === null && child.signalCode === null)
      await new Promise((resolve) => child.on('exit', resolve))
    expect([cutAt !== null && cutAt < 768, existsSync(join(out, 'scan.png'))]).toEqual([true, false])
    // The last checkpoint whole on disk: how often they come depends on what one costs here.
    const kept = checkpointed()
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThanOrEqual(cutAt!)

    const { tiles, same } = await photo.resume()
    expect(tiles[0]).toBe(kept + 1)
    expect(tiles.at(-1)).toBe(768)
    expect(same).toBe(true)
    // Nothing left of it: neither its checkpoint nor the one the cut caught half-written.
    expect(readdirSync(join(data, 'resume'))).toEqual([])
  }, 120_000)
})

/**
 * A terminal sends Ctrl-C and its hang-up to its whole foreground group, the engine included, and Slurm's
 * `scancel`, `docker stop` and `systemctl stop` send SIGTERM to every process: each pauses the photo in flight
 * with every tile it has, not only those of its last checkpoint (none here: they are a minute apart).
 */
describe('Ctrl-C in a terminal, a closed terminal, or a polite kill of every process, then enhance --resume', () => {
  it.each(['SIGINT', 'SIGHUP', 'SIGTERM'] as const)(
    '%s to the command and its engine keeps every tile so far',
    async (signal) => {
      const photo = await longPhoto(signal, String(3_600_000))
      const child = spawn(process.execPath, photo.command(), {
        env: photo.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      let stdout = ''
      let sent = false
      const stoppedAt = await new Promise<number>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString()
          const last = tilesOf(stdout).at(-1) ?? 0
          if (last >= 100 && !sent) {
            sent = true
            process.kill(-child.pid!, signal)
            resolve(last)
          }
        })
      })
      const ended = await new Promise((resolve) => child.on('exit', (code, by) => resolve(by ?? code)))
      // Ended by that signal once its tiles were saved, as a shell expects: a script's loop stops at Ctrl-C too.
      expect([ended, stdout.includes('"event":"paused"'), photo.resumeFiles().length]).toEqual([
        signal,
        true,
        1,
      ])

      const { tiles, same } = await photo.resume()
      expect(tiles[0]).toBeGreaterThan(stoppedAt)
      expect([tiles.at(-1), same]).toEqual([768, true])
    },
    120_000,
  )

  it('a terminal window closed on the command (its hang-up, then writes that fail) keeps every tile so far', async () => {
    const photo = await longPhoto('closed-terminal', String(3_600_000))
    const statusFile = join(photo.dir, 'status')
    const command = [
      CLI,
      ...photo
        .command()
        .slice(1)
        .filter((arg) => arg !== '--json'),
    ]
    // The terminal's shell: it runs the command as a job of its own and passes the hang-up on to it, as
    // bash and zsh do, and writes down how the command ended.
    const shell = `
      const { spawn } = require('node:child_process')
      const job = spawn(process.execPath, ${JSON.stringify(command)}, { stdio: 'inherit', detached: true })
      process.on('SIGHUP', () => process.kill(-job.pid, 'SIGHUP'))
      job.on('exit', (code, signal) => require('node:fs').writeFileSync(${JSON.stringify(statusFile)}, String(code ?? signal)))`
    const script = join(photo.dir, 'shell.cjs')
    writeFileSync(script, shell)
    const terminal = spawn('script', ['-qfc', `exec '${process.execPath}' '${script}'`, '/dev/null'], {
      env: photo.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    let screen = ''
    const stoppedAt = await new Promise<number>((resolve) => {
      terminal.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString()
        const last = Number([...screen.matchAll(/(\d+)\/768 tiles/g)].at(-1)?.[1] ?? 0)
        if (last >= 100 && !terminal.killed) {
          terminal.kill('SIGKILL') // the terminal window closes: the kernel hangs its session up
          resolve(last)
        }
      })
    })
    for (const started = Date.now(); !existsSync(statusFile) && Date.now() - started < 60_000;)
      await new Promise((resolve) => setTimeout(resolve, 100))
    // Not SIGABRT: Node's exit-time terminal reset aborts on a closed terminal (nodejs/node#51519).
    expect([readFileSync(statusFile, 'utf8'), photo.resumeFiles().length]).toEqual(['SIGHUP', 1])

    const { tiles, same } = await photo.resume()
    expect(tiles[0]).toBeGreaterThan(stoppedAt)
    expect([tiles.at(-1), same]).toEqual([768, true])
  }, 120_000)
})
