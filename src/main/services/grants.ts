import { resolve } from 'node:path'
import { EnhanceError } from '../../shared/errors.js'

/**
 * Main owns every path (DESIGN.md §4): the window may only name files and folders that main handed
 * it, from a dialog, a drop or the queue. A path not granted is refused, so a compromised window
 * cannot read or write elsewhere on disk.
 */
export class PathGrants {
  private readonly granted = new Set<string>()

  grant(paths: Iterable<string>): void {
    for (const path of paths) this.granted.add(resolve(path))
  }

  /** Whether `path` was granted itself, or lies inside a granted folder. */
  has(path: string): boolean {
    const full = resolve(path)
    for (let dir = full; ;) {
      if (this.granted.has(dir)) return true
      const parent = resolve(dir, '..')
      if (parent === dir) return false
      dir = parent
    }
  }

  /** Throws INVALID_ARGUMENT for a path main never gave the window, naming what to do instead. */
  check(path: string, extra: (path: string) => boolean = () => false): string {
    if (this.has(path) || extra(path)) return path
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `The window asked for ${path}, which was not chosen in a dialog, dropped or added to the queue. Choose it with the Add or Choose buttons.`,
    )
  }
}
