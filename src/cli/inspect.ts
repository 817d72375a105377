import { loadModel } from '../engine/model.js'
import { archOf } from '../shared/model.js'
import type { ModelInfo } from '../shared/model.js'

export async function inspectCommand(path: string): Promise<ModelInfo> {
  const { info } = await loadModel(path)
  return {
    format: info.format,
    layout: info.layout,
    ...archOf(info),
    params: info.params,
    sha256: info.sha256,
  }
}
