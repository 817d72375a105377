import type { EnhanceApi } from '../../../shared/api.js'
import type { ErrorData } from '../../../shared/errors.js'
import { DEFAULT_PREFERENCES } from '../../../shared/preferences.js'
import type { Preferences, WindowPreferencesPatch } from '../../../shared/preferences.js'

/** The settings store as the renderer sees it: loaded once, changed through the main process, which validates and saves. */
export class PreferencesStore {
  #value = $state<Preferences>(DEFAULT_PREFERENCES)
  #loaded = $state(false)
  #error = $state<ErrorData | null>(null)

  constructor(private readonly api: EnhanceApi) {
    void api.getPreferences().then((p) => {
      this.#value = p
      this.#loaded = true
    })
  }

  get value(): Preferences {
    return this.#value
  }
  get loaded(): boolean {
    return this.#loaded
  }
  get error(): ErrorData | null {
    return this.#error
  }

  /** Applies a change; a refused one leaves the stored value as it was and says why. */
  async update(patch: WindowPreferencesPatch): Promise<boolean> {
    const result = await this.api.updatePreferences(patch)
    if (result.ok) this.#value = result.value
    this.#error = result.ok ? null : result.error
    return result.ok
  }

  /** Asks for the output folder when none is chosen yet; false when the user cancels. */
  /** Main puts the chosen folder into the settings itself; the window only reads them back. */
  async chooseOutputFolder(): Promise<boolean> {
    const folder = await this.api.chooseOutputFolder()
    if (!folder) return false
    this.#value = await this.api.getPreferences()
    return true
  }
}
