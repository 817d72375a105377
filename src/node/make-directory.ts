import { mkdirSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { errnoCode } from './errno.js'

/**
 * `mkdir -p`, one level at a time. Node's `{ recursive: true }` spins forever at full CPU where an existing
 * parent cannot hold children and the child answers ENOENT (a path under /proc, measured on Node 20 here; a
 * dangling symlink it does report): the parent answers EEXIST, and it retries. This
 * walks up to the nearest existing folder, then makes each missing one, so such a path fails at once with
 * its own error code.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = []
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      statSync(at)
      break // exists: what it is, mkdir below (or the caller's write) reports
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' || dirname(at) === at) throw error
      missing.push(at)
    }
  }
  for (const at of missing.reverse()) {
    try {
      mkdirSync(at)
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error // EEXIST: made meanwhile, or a link whose child fails next
    }
  }
}
