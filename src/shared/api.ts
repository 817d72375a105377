import type { ErrorData } from './errors.js'
import type { ModelInfo } from './model.js'

/** A call's outcome as data: Electron's IPC keeps only `message` from a thrown error, so codes travel here. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData }

/**
 * Everything the renderer can ask of the main process. The preload exposes exactly these
 * methods as `window.api`; nothing generic (no send/invoke by channel name, no file access).
 */
export interface EnhanceApi {
  appVersion(): Promise<string>
  inspectModel(path: string): Promise<Result<ModelInfo>>
}

/** IPC channel per API method: one place, so main and preload cannot disagree. */
export const API_CHANNELS: { [K in keyof EnhanceApi]: `enhance:${K}` } = {
  appVersion: 'enhance:appVersion',
  inspectModel: 'enhance:inspectModel',
}
