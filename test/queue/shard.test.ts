import { join } from 'node:path'
import type * as FsPromises from 'node:fs/promises'
import { describe, expect, it, vi } from 'vitest'
import { QueueRunner } from '../../src/queue/runner.js'
import type { QueueEngine } from '../../src/queue/runner.js'
import { parseShard, shardOf } from '../../src/queue/shard.js'
import { QueueStore } from '../../src/queue/store.js'
import type { JobSpec } from '../../src/queue/types.js'
import { codeOf } from '../helpers/errors.js'
import { albumJob, noCleanup } from '../helpers/queue.js'

/** Directory listings in an order a test chooses: a different file system, or another machine. */
const listing = vi.hoisted(() => ({ seed: 0 }))
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof FsPromises>()
  const readdir = async (...args: Parameters<typeof fs.readdir>) => {
    const entries = (await (fs.readdir as (...a: unknown[]) => Promise<unknown[]>)(...args)).slice()
    let state = listing.seed
    for (let i = entries.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) >>> 0
      const j = state % (i + 1)
      ;[entries[i], entries[j]] = [entries[j], entries[i]]
    }
    return entries
  }
  return { ...fs, readdir, default: { ...fs, readdir } }
})

const neverRuns: QueueEngine = { enhance: () => Promise.reject(new Error('not in this test')) }

function album(): { dir: string; spec: JobSpec } {
  const names: string[] = []
  for (const folder of ['', 'a', 'a/b', 'Ölands bro', 'c']) {
    for (let n = 0; n < 8; n++) names.push(join(folder, `IMG_${n}.jpg`))
    // Two photos that want one output name: the first in the plan gets it, the other a suffix.
    names.push(join(folder, 'same.jpg'), join(folder, 'same.png'))
  }
  return albumJob(names, 'enhance-shard-')
}

/** Each shard's plan (input → output), scanned with the directory listings in the order of `seed`. */
async function plans(spec: JobSpec, dir: string, seed: number): Promise<Map<string, string>[]> {
  listing.seed = seed
  const shards: Map<string, string>[] = []
  for (let index = 0; index < 3; index++) {
    const runner = new QueueRunner(new QueueStore(join(dir, `queue-${seed}-${index}`)), neverRuns, noCleanup)
    const job = await runner.addJob({ ...spec, shard: { index, count: 3 } })
    shards.push(new Map(runner.items(job.id).map((i) => [i.input, i.output])))
  }
  return shards
}

describe('shards of an album', () => {
  it('partition it by path alone: the same whatever order the folders list in, each photo once', async () => {
    const { dir, spec } = album()
    const first = await plans(spec, dir, 1)
    const second = await plans(spec, dir, 987654321)
    expect(second).toEqual(first)
    const all = first.flatMap((m) => [...m.keys()])
    expect(all).toHaveLength(50)
    expect(new Set(all).size).toBe(50)
    // Each of three gets a fair share of fifty.
    for (const shard of first) expect(shard.size).toBeGreaterThan(8)
    // Every shard planned every name, so the conflict resolves alike whichever shard holds which photo.
    const outputs = new Map(first.flatMap((m) => [...m]))
    expect(outputs.get(join(dir, 'in', 'a', 'same.jpg'))).toBe(join(dir, 'out', 'a', 'same.png'))
    expect(outputs.get(join(dir, 'in', 'a', 'same.png'))).toBe(join(dir, 'out', 'a', 'same_2.png'))
  })

  it('hash the path below the input root, normalised: the same key on every machine', () => {
    const file = (relativeDir: string, name: string) => ({
      path: join('/anywhere', relativeDir, name),
      relativeDir,
    })
    const composed = file('Ölands bro', 'Café.jpg')
    const decomposed = file('O\u0308lands bro', 'Cafe\u0301.jpg')
    expect(shardOf(decomposed, 7)).toBe(shardOf(composed, 7))
    expect(shardOf(file('a', 'x.jpg'), 1000)).toBe(
      shardOf({ path: '/elsewhere/a/x.jpg', relativeDir: 'a' }, 1000),
    )
    // The first 8 bytes of SHA-256 of the path, big-endian, modulo the count (Python's hashlib agrees):
    // a change of hash would re-partition albums that are half done.
    expect([0, 1, 2, 3, 4].map((n) => shardOf(file('', `IMG_${n}.jpg`), 3))).toEqual([1, 2, 1, 0, 0])
  })

  it('read --shard k/n, or auto from a Kubernetes Indexed Job or a Slurm array', async () => {
    expect(parseShard('2/3', {})).toEqual({ index: 2, count: 3 })
    expect(parseShard('auto', { JOB_COMPLETION_INDEX: '4', ENHANCE_SHARD_COUNT: '10' })).toEqual({
      index: 4,
      count: 10,
    })
    const slurm = { SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_STEP: '2' }
    expect(parseShard('auto', { ...slurm, SLURM_ARRAY_TASK_COUNT: '5' })).toEqual({ index: 3, count: 5 })
    for (const [text, env] of [
      ['3/3', {}],
      ['1/0', {}],
      ['-1/3', {}],
      ['one/three', {}],
      ['auto', {}],
      ['auto', { JOB_COMPLETION_INDEX: '1' }],
      ['auto', { ...slurm, SLURM_ARRAY_TASK_ID: '8', SLURM_ARRAY_TASK_COUNT: '5' }],
    ] as const)
      expect(await codeOf(() => parseShard(text, env))).toBe('INVALID_ARGUMENT')
  })
})
