import { createHash } from 'node:crypto'
import { basename, join, sep } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import type { InputFile } from './scan.js'

/** One of `count` processes that share an album, `index` counted from 0. */
export interface Shard {
  index: number
  count: number
}

/**
 * The shard a photo belongs to: a hash of its path below its input root, so every machine computes
 * the same partition whatever order its folders list in. Separators and Unicode forms (macOS writes
 * names decomposed) are normalised first.
 */
export function shardOf(file: InputFile, count: number): number {
  const key = join(file.relativeDir, basename(file.path)).split(sep).join('/').normalize('NFC')
  const digest = createHash('sha256').update(key, 'utf8').digest()
  return Number(digest.readBigUInt64BE(0) % BigInt(count))
}

export function inShard(file: InputFile, shard: Shard | undefined): boolean {
  return !shard || shardOf(file, shard.count) === shard.index
}

const MAX_SHARDS = 100_000

function whole(text: string | undefined, what: string): number {
  const value = Number(text)
  if (text === undefined || text.trim() === '' || !Number.isInteger(value) || value < 0)
    throw new EnhanceError('INVALID_ARGUMENT', `${what} must be a whole number ≥ 0, not "${text ?? ''}".`)
  return value
}

function checked(index: number, count: number, from: string): Shard {
  if (count < 1 || count > MAX_SHARDS || index >= count)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `${from} gives shard ${index} of ${count}: the index counts from 0 and must be below the count (1 to ${MAX_SHARDS}).`,
    )
  return { index, count }
}

/**
 * `--shard <k>/<n>` (the k-th of n, from 0), or `auto`: a Kubernetes Indexed Job's JOB_COMPLETION_INDEX
 * with ENHANCE_SHARD_COUNT (Kubernetes does not pass the completion count), or a Slurm job array's
 * task id, minimum, step and count.
 */
export function parseShard(
  text: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Shard | undefined {
  if (text === undefined) return undefined
  if (text !== 'auto') {
    const match = /^(\d+)\/(\d+)$/.exec(text.trim())
    if (!match)
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        `--shard takes <k>/<n> (for example 0/3, 1/3 and 2/3) or auto, not "${text}".`,
      )
    return checked(Number(match[1]), Number(match[2]), `--shard ${text}`)
  }
  if (env['JOB_COMPLETION_INDEX'] !== undefined) {
    const index = whole(env['JOB_COMPLETION_INDEX'], 'JOB_COMPLETION_INDEX')
    if (env['ENHANCE_SHARD_COUNT'] === undefined)
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        "--shard auto found JOB_COMPLETION_INDEX but no ENHANCE_SHARD_COUNT: set it to the Job's completions in the pod's env.",
      )
    return checked(index, whole(env['ENHANCE_SHARD_COUNT'], 'ENHANCE_SHARD_COUNT'), 'The Kubernetes index')
  }
  if (env['SLURM_ARRAY_TASK_ID'] !== undefined) {
    const id = whole(env['SLURM_ARRAY_TASK_ID'], 'SLURM_ARRAY_TASK_ID')
    const min = whole(env['SLURM_ARRAY_TASK_MIN'] ?? '0', 'SLURM_ARRAY_TASK_MIN')
    const step = Math.max(1, whole(env['SLURM_ARRAY_TASK_STEP'] ?? '1', 'SLURM_ARRAY_TASK_STEP'))
    const count = whole(env['SLURM_ARRAY_TASK_COUNT'], 'SLURM_ARRAY_TASK_COUNT')
    if ((id - min) % step !== 0 || id < min)
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        `SLURM_ARRAY_TASK_ID ${id} is not in the array ${min}…, step ${step}.`,
      )
    return checked((id - min) / step, count, 'The Slurm array')
  }
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    '--shard auto needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID (a Slurm array); elsewhere give --shard <k>/<n>.',
  )
}
