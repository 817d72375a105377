import { loadModel } from '../../engine/model.js'
import type { Result } from '../../shared/api.js'
import { toErrorData } from '../../shared/errors.js'
import type { ModelInfo } from '../../shared/model.js'

/** Service handlers are plain functions: ipcMain binds them in the app, tests bind them to a browser page. */
export async function inspectModel(path: string): Promise<Result<ModelInfo>> {
  try {
    return { ok: true, value: (await loadModel(path)).info }
  } catch (error) {
    return { ok: false, error: toErrorData(error) }
  }
}
