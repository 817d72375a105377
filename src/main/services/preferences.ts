import { readFileSync, renameSync } from 'node:fs'
import { dirname } from 'node:path'
import { writeFileAtomic } from '../../node/files.js'
import {
  DEFAULT_PREFERENCES,
  upgradeStoredPreferences,
  validatePreferences,
} from '../../shared/preferences.js'
import type { Preferences, PreferencesPatch } from '../../shared/preferences.js'
import { makeDirectory } from '../../node/make-directory.js'

/**
 * The settings file: one JSON file in the app's data folder, written atomically. A file that cannot
 * be read back (hand-edited, from a future version) is set aside as `.bad` and the defaults are used,
 * rather than the app refusing to start.
 */
export class PreferencesFile {
  #current: Preferences
  #dirty = false
  #writing: Promise<void> | null = null

  constructor(private readonly path: string) {
    this.#current = this.load()
  }

  private load(): Preferences {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch {
      return DEFAULT_PREFERENCES
    }
    try {
      const stored = upgradeStoredPreferences(JSON.parse(text)) as Partial<Preferences>
      return validatePreferences({ ...DEFAULT_PREFERENCES, ...stored })
    } catch {
      renameSync(this.path, `${this.path}.bad`)
      return DEFAULT_PREFERENCES
    }
  }

  get(): Preferences {
    return this.#current
  }

  /** Validates the whole result before anything changes. Writes coalesce: a burst (a dragged slider) writes the latest once or twice. */
  async update(patch: PreferencesPatch): Promise<Preferences> {
    const next = validatePreferences({
      ...this.#current,
      ...patch,
      output: { ...this.#current.output, ...patch.output },
    })
    this.#current = next
    this.#dirty = true
    this.#writing ??= this.drain().finally(() => (this.#writing = null))
    await this.#writing
    return next
  }

  /** Resolves once every change so far is on disk (before the app quits). */
  async flush(): Promise<void> {
    await this.#writing
  }

  private async drain(): Promise<void> {
    makeDirectory(dirname(this.path))
    while (this.#dirty) {
      this.#dirty = false
      await writeFileAtomic(
        this.path,
        new TextEncoder().encode(`${JSON.stringify(this.#current, null, 1)}\n`),
      )
    }
  }
}
