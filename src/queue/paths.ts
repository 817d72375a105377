import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { defaultDataDir } from '../node/paths.js'
import type { Shard } from './shard.js'

export function defaultQueueDir(): string {
  return join(defaultDataDir(), 'queue')
}

/** A shard's own queue, on the shared output storage so a retry on another node finds it (hidden: never scanned). */
export function shardQueueDir(outDir: string, shard: Shard): string {
  return join(outDir, '.enhance-shards', String(shard.index))
}

/** Whether `path` lies strictly inside `folder` (after resolving both): where a job may write. */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path))
  // A name that only begins with two dots (`..photo.png`) is inside.
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)
}
