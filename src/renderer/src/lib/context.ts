import { createContext } from 'svelte'
import type { EnhanceApi } from '../../../shared/api.js'
import type { PreferencesStore } from './preferences.svelte.js'
import type { QueueStore } from './queue.svelte.js'
import type { RealismStore } from './realism.svelte.js'

/** The window's API and the app's stores, made once by App.svelte and read by any view below it. */
export interface AppContext {
  api: EnhanceApi
  queue: QueueStore
  prefs: PreferencesStore
  realism: RealismStore
}

export const [appContext, setAppContext] = createContext<AppContext>()
