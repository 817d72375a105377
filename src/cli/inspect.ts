import { loadModel } from '../engine/model.js'
import type { ModelInfo } from '../shared/model.js'

export async function inspectCommand(path: string): Promise<ModelInfo> {
  const { info } = await loadModel(path)
  return {
    format: info.format,
    layout: info.layout,
    arch: info.arch,
    scale: info.scale,
    nf: info.nf,
    nb: info.nb,
    gc: info.gc,
    inChannels: info.inChannels,
    outChannels: info.outChannels,
    upsamples: info.upsamples,
    unshuffle: info.unshuffle,
    params: info.params,
    sha256: info.sha256,
  }
}
