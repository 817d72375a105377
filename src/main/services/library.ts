import { bundledModels } from '../../engine/catalog.js'
import type { Catalog } from '../../engine/catalog.js'
import type { EngineClient } from '../../engine/client.js'
import { ModelStore } from '../../node/model-store.js'
import type { AppEvent, EnhanceApi } from '../../shared/api.js'
import type { LibraryEntry } from '../../shared/library.js'
import type { PreferencesFile } from './preferences.js'
import { attempt } from './result.js'

export interface LibraryServiceDeps {
  engine: EngineClient
  preferences: PreferencesFile
  modelsDir: string
  catalog: Catalog | null
  /** resources/models/library.json's entries. */
  library: Record<string, LibraryEntry>
  installedModelsDir: string
  emit(event: AppEvent): void
}

type LibraryApi = Pick<EnhanceApi, 'listLibrary' | 'downloadModel' | 'cancelDownload' | 'removeModel'>

export function createModelStore(deps: LibraryServiceDeps): ModelStore {
  return new ModelStore({
    modelsDir: deps.installedModelsDir,
    entries: deps.library,
    bundled: bundledModels(deps.modelsDir, deps.catalog),
    inspect: (path) => deps.engine.inspect(path),
  })
}

/** The catalogue in the app: downloads run in main (never the renderer), each file checked by the engine. */
export function libraryServices(deps: LibraryServiceDeps, store: ModelStore): LibraryApi {
  const running = new Map<string, AbortController>()
  return {
    listLibrary: () => attempt(() => store.list()),

    downloadModel: (id) =>
      attempt(async () => {
        running.get(id)?.abort()
        const controller = new AbortController()
        running.set(id, controller)
        try {
          return await store.download(id, {
            signal: controller.signal,
            onProgress: (progress) => deps.emit({ type: 'download', id, progress }),
          })
        } finally {
          if (running.get(id) === controller) running.delete(id)
        }
      }),

    cancelDownload: (id) => {
      running.get(id)?.abort()
      return Promise.resolve()
    },

    removeModel: (id) =>
      attempt(async () => {
        const path = store.pathOf(id)
        await store.remove(id)
        const choice = deps.preferences.get().model
        if (choice && (choice.path === path || choice.partner === path))
          await deps.preferences.update({ model: null })
        return null
      }),
  }
}
