import { randomUUID } from 'node:crypto'
import { basename, resolve } from 'node:path'
import type { ChosenFile, Selection } from '../../shared/api.js'
import { EnhanceError } from '../../shared/errors.js'

/** Enough for every dialog a session opens; older selections are forgotten, so memory stays bounded. */
const KEPT = 200

/**
 * Dialog results and drops stay in main (DESIGN.md §4): the window gets an unguessable id and the
 * names to show, and refers back to them by that id, so it can never name a path of its own.
 */
export class Selections {
  private readonly chosen = new Map<string, string[]>()

  add(paths: readonly string[]): Selection | null {
    if (paths.length === 0) return null
    const id = randomUUID()
    this.chosen.set(
      id,
      paths.map((path) => resolve(path)),
    )
    for (const old of this.chosen.keys()) {
      if (this.chosen.size <= KEPT) break
      this.chosen.delete(old)
    }
    return { id, names: paths.map((path) => basename(path)) }
  }

  /** Every path of a selection; INVALID_ARGUMENT for an id main never handed out. */
  paths(id: string): string[] {
    const paths = this.chosen.get(id)
    if (!paths)
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        'Those photos were not chosen in this session. Choose them again with Add photos or drop them on the window.',
      )
    return paths
  }

  file({ selection, index }: ChosenFile): string {
    const path = this.paths(selection)[index]
    if (path === undefined)
      throw new EnhanceError('INVALID_ARGUMENT', 'That file is not part of what was chosen. Choose it again.')
    return path
  }
}
