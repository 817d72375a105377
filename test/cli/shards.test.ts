import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { queueItems } from '../../src/queue/report.js'
import type { MergedReport } from '../../src/queue/report.js'
import { readQueueState } from '../../src/queue/store.js'
import { fileVersion } from '../../src/node/files.js'

const BIN = fileURLToPath(new URL('../../bin/enhance.js', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'enhance-shards-'))
const album = join(work, 'album')
/** Fixed tiles, so every run computes each photo the same way whatever its timing. */
const COMMON = ['--recursive', '--device', 'cpu', '--tile', '64', '--json']

interface Finished {
  status: number | null
  out: string
  err: string
}

/** The real CLI as its own process group, as a Kubernetes pod or a Slurm task runs it. */
function enhance(args: string[]): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ENHANCE_DATA_DIR: join(work, 'data') },
  })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const finished = new Promise<Finished>((resolve) =>
    child.on('close', (status) => resolve({ status, out, err })),
  )
  return { child, finished }
}

const shardArgs = (out: string, index: number) => [album, '--out', out, '--shard', `${index}/3`, ...COMMON]
const shardQueues = (out: string) => [0, 1, 2].map((k) => join(out, '.enhance-shards', String(k)))

/** Every result file below `dir` (the shards' hidden queues left out) with its bytes. */
function results(dir: string): Map<string, Buffer> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => !f.startsWith('.enhance-shards') && statSync(join(dir, f)).isFile())
    .sort()
  return new Map(files.map((f) => [f, readFileSync(join(dir, f))]))
}

async function merged(out: string): Promise<MergedReport> {
  const { finished } = enhance(['queue', 'report', '--merge', ...shardQueues(out)])
  const { status, out: text } = await finished
  expect(status).toBe(0)
  return JSON.parse(text) as MergedReport
}

let single = new Map<string, Buffer>()

beforeAll(async () => {
  // A nested album of 60 photos, each its own noise, with a name conflict and non-ASCII names.
  const folders = ['', 'Summer 2019', 'Summer 2019/Beach', 'Ölands bro', 'scans/1962']
  let n = 0
  for (const folder of folders) {
    mkdirSync(join(album, folder), { recursive: true })
    for (let i = 0; i < 12; i++, n++) {
      const noise = Buffer.alloc(40 * 28 * 3)
      for (let p = 0; p < noise.length; p++) noise[p] = (p * 7 + n * 131 + ((p * n) % 17) * 13) % 256
      const name = i === 11 ? 'IMG_0000.png' : `IMG_${String(i).padStart(4, '0')}.jpg`
      const image = sharp(noise, { raw: { width: 40, height: 28, channels: 3 } })
      await (i === 11 ? image.png() : image.jpeg({ quality: 90 })).toFile(join(album, folder, name))
    }
  }
  const { finished } = enhance([
    album,
    '--out',
    join(work, 'single'),
    '--queue-dir',
    join(work, 'q'),
    ...COMMON,
  ])
  const { status, err } = await finished
  expect(err).toBe('')
  expect(status).toBe(0)
  single = results(join(work, 'single'))
  expect(single.size).toBe(60)
}, 300_000)

describe('an album shared by three shard processes', () => {
  it('gives, all three at once, exactly the single run: the same files, byte for byte, none done twice', async () => {
    const out = join(work, 'three')
    const runs = [0, 1, 2].map((k) => enhance(shardArgs(out, k)))
    for (const { finished } of runs) expect((await finished).status).toBe(0)
    expect(results(out)).toEqual(single)
    const report = await merged(out)
    expect(report).toMatchObject({ queues: 3, jobs: 3, total: 60, duplicates: 0, failures: [] })
    expect(report.counts.done).toBe(60)
  }, 300_000)

  it('completes exactly when a shard is killed (kill -9 of its process group) mid-way and run again', async () => {
    const out = join(work, 'killed')
    const [first, victim, third] = [0, 1, 2].map((k) => enhance(shardArgs(out, k)))
    const queue = shardQueues(out)[1]!
    const doneIn = () => {
      try {
        const items = queueItems(readQueueState(queue))
        return { done: items.filter((i) => i.state === 'done').length, total: items.length }
      } catch {
        return { done: 0, total: 0 }
      }
    }
    while (doneIn().done < 2) await new Promise((r) => setTimeout(r, 10))
    process.kill(-victim!.child.pid!, 'SIGKILL')
    const atKill = doneIn()
    expect((await victim!.finished).status).toBeNull() // killed, not finished
    expect(atKill.done).toBeLessThan(atKill.total) // it really stopped mid-way
    for (const run of [first!, third!]) expect((await run.finished).status).toBe(0)
    expect(results(out).size).toBeLessThan(60)

    const rerun = await enhance(shardArgs(out, 1)).finished
    expect(rerun.status).toBe(0)
    expect(results(out)).toEqual(single)
    const leftovers = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.partial'),
    )
    expect(leftovers).toEqual([])
    const report = await merged(out)
    expect(report).toMatchObject({ queues: 3, jobs: 3, total: 60, duplicates: 0 })
    expect(report.counts.done).toBe(60)
  }, 300_000)

  it('writes nothing when a finished shard runs again', async () => {
    const out = join(work, 'three')
    const versions = () => Promise.all([...results(out).keys()].map((f) => fileVersion(join(out, f))))
    const before = await versions()
    const again = await enhance(shardArgs(out, 2)).finished
    expect(again.status).toBe(0)
    const events = again.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string })
    expect(events.filter((e) => e.event === 'done' || e.event === 'item')).toEqual([])
    expect(await versions()).toEqual(before)
    expect((await merged(out)).jobs).toBe(3) // continued its job, did not add one
  }, 120_000)

  it('refuses --suffix, whose names depend on what each shard happens to see', async () => {
    const { status, err } = await enhance([...shardArgs(join(work, 'x'), 0), '--suffix']).finished
    expect(status).toBe(1)
    expect(err).toMatch(/^error INVALID_ARGUMENT: --suffix names photos by what already exists/)
  })
})
