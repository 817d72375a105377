import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, writeFileSync } from 'node:fs'
import { totalmem, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import type { BatchEvent } from '../../src/cli/report.js'
import { memoryLimit, memoryWords } from '../../src/node/memory.js'
import { writeIdentityModel } from '../helpers/models.js'
import { BIN, runCli } from '../helpers/cli-process.js'

/**
 * A container's memory limit (Docker's --memory, a Kubernetes pod's limits), made real with a cgroup of its own: the
 * command and its engine run inside it. Needs root and a cgroup memory controller (v1 or v2), as CI has.
 */
const MEMORY = fileURLToPath(new URL('../../dist/src/node/memory.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'enhance-container-'))
const model = writeIdentityModel(work)

/** Where this machine lets a memory cgroup be made, and how its limit is written: v1's file, or v2's. */
function cgroupRoot(): { dir: string; limitFile: string } | null {
  if (process.getuid?.() !== 0) return null
  if (existsSync('/sys/fs/cgroup/memory/cgroup.procs'))
    return { dir: '/sys/fs/cgroup/memory', limitFile: 'memory.limit_in_bytes' }
  if (existsSync('/sys/fs/cgroup/cgroup.subtree_control'))
    return { dir: '/sys/fs/cgroup', limitFile: 'memory.max' }
  return null
}
const root = cgroupRoot()
if (!root && process.env.CI)
  throw new Error('CI cannot make a memory cgroup: needs root and a memory controller')
if (!root)
  console.log('skipped: needs root and a cgroup memory controller to limit memory as a container does')

const made: string[] = []
afterAll(() => {
  for (const dir of made) rmdirSync(dir)
})

/** A cgroup limited to `bytes`, as a container is. */
function container(name: string, bytes: number): string {
  const dir = join(root!.dir, `enhance-test-${process.pid}-${name}`)
  mkdirSync(dir)
  made.push(dir)
  writeFileSync(join(dir, root!.limitFile), String(bytes))
  return dir
}

/** Runs `command` inside the cgroup `dir`: a shell joins it, then becomes the command. */
function runIn(dir: string, command: string[]): Promise<{ status: number | null; out: string; err: string }> {
  const child = spawn('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, ...command], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ENHANCE_DATA_DIR: join(work, 'data') },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, out, err })))
}

const MiB = 2 ** 20

function childOf(pid: number): number | null {
  try {
    return Number(execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim())
  } catch {
    return null
  }
}

describe.runIf(root)('a container that limits memory', () => {
  it("is the limit Enhance budgets by, not the computer's memory", async () => {
    const limited = await runIn(container('limit', 700 * MiB), [
      process.execPath,
      '--input-type=module',
      '-e',
      `import { memoryLimit } from ${JSON.stringify(MEMORY)}; console.log(JSON.stringify(memoryLimit()))`,
    ])
    expect(JSON.parse(limited.out)).toEqual({ bytes: 700 * MiB, container: true })
    // A limit above the computer's memory limits nothing.
    const loose = await runIn(container('loose', 2 * totalmem()), [
      process.execPath,
      '--input-type=module',
      '-e',
      `import { memoryLimit } from ${JSON.stringify(MEMORY)}; console.log(JSON.stringify(memoryLimit()))`,
    ])
    expect(JSON.parse(loose.out)).toEqual({ bytes: totalmem(), container: false })
  })

  it('a photo whose result needs more than half the limit is refused at once, naming the container (before, it ran until the system killed it)', async () => {
    const photo = join(work, 'scan.png')
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#808080' } })
      .png()
      .toFile(photo)
    const started = performance.now()
    const run = await runIn(container('photo', 512 * MiB), [
      process.execPath,
      BIN,
      photo,
      '--out',
      join(work, 'out'),
      '--queue-dir',
      join(work, 'q'),
      '--model',
      model,
      '--device',
      'cpu',
      '--json',
    ])
    const failed = run.out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as BatchEvent)
      .find((e) => e.event === 'failed')
    expect(failed).toEqual({
      event: 'failed',
      item: photo,
      code: 'RESULT_TOO_LARGE',
      message:
        'A 12000×8000 result needs about 275 MB of memory at once; its container allows 256 MB. Choose a smaller output size, or a smaller photo. For a smaller result, run again with --scale 2 or --fit 8000x8000.',
    })
    expect(run.status).toBe(1)
    console.log(`refused in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  })
})

describe('an engine the system kills (as its out-of-memory killer does)', () => {
  it('is said to be that, with the memory allowed and what to do, when the photo is skipped after the second time', async () => {
    const photo = join(work, 'large.png')
    await sharp({ create: { width: 256, height: 256, channels: 3, background: '#336699' } })
      .png()
      .toFile(photo)
    const killed = new Set<number>()
    // Armed when the photo (re)starts: a progress event read later was sent by the engine now at work on it. Without,
    // a progress event still unread from the engine just killed took its successor, not yet ready, for it: killed
    // before it started, the job paused (ENGINE_NOT_STARTED) instead (2 runs in 5 here).
    let armed = false
    const run = await runCli(
      [photo, '--out', join(work, 'out-killed'), '--queue-dir', join(work, 'q-killed')].concat([
        '--model',
        model,
        '--device',
        'cpu',
        '--tile',
        '16',
      ]),
      join(work, 'data'),
      (event, cli) => {
        if (event.event === 'item') armed = true
        if (event.event !== 'progress' || !armed) return
        // The engine at work on a tile: its process is the command's child (none between one killed and the next).
        const engine = childOf(cli.pid!)
        if (engine === null || killed.has(engine)) return
        process.kill(engine, 'SIGKILL')
        killed.add(engine)
        armed = false
      },
    )
    expect(killed.size).toBe(2)
    expect(run.status).toBe(1)
    expect(run.events.find((e) => e.event === 'failed')).toEqual({
      event: 'failed',
      item: photo,
      code: 'ENGINE_CRASHED',
      message:
        'The engine stopped twice on this photo, so it was skipped. The second time: The inference engine was ' +
        `stopped by the system (ended by SIGKILL), most often for needing more memory than ${memoryWords(memoryLimit())}. ` +
        'It has been restarted. If this photo stops it again, choose a smaller output size or tile size, or give ' +
        'Enhance more memory.',
    })
  })
})

describe('the limit in words', () => {
  it("says the computer's memory, or the container's limit", () => {
    expect(memoryWords({ bytes: 24 * 2 ** 30, container: false })).toBe("this computer's 24.0 GB")
    expect(memoryWords({ bytes: 4 * 2 ** 30, container: true })).toBe('the 4.0 GB its container allows')
    expect(memoryWords({ bytes: 512 * 2 ** 20, container: true })).toBe('the 512 MB its container allows')
  })
})
