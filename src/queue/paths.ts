import { isAbsolute, join, relative, resolve } from 'node:path'
import { defaultDataDir } from '../node/paths.js'

export function defaultQueueDir(): string {
  return join(defaultDataDir(), 'queue')
}

/** Whether `path` lies strictly inside `folder` (after resolving both): where a job may write. */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path))
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}
