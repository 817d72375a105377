import { blendModels, loadModel, modelToOnnx } from '../engine/model.js'
import { assertUsableOutput } from '../engine/probe.js'
import { createSession } from '../engine/runtime/session.js'
import type { Precision } from '../shared/model.js'
import { writeFileAtomic } from '../node/files.js'

export interface ConvertOptions {
  checkpoint: string
  out: string
  blend?: string
  realism: number
  precision: Precision
}

export interface ConvertResult {
  out: string
  bytes: number
  precision: Precision
  scale: number
  blended: boolean
}

export async function convertCommand(options: ConvertOptions): Promise<ConvertResult> {
  let model = await loadModel(options.checkpoint)
  if (options.blend) {
    model = blendModels(model, await loadModel(options.blend), options.realism)
    // Probe the full-precision graph on the CPU: it is the same weights whatever precision is written.
    const session = await createSession(modelToOnnx(model, 'fp32'), { device: 'cpu' })
    try {
      await assertUsableOutput(
        session,
        { channels: model.info.inChannels, scale: model.info.scale },
        'INCOMPATIBLE_MODELS',
      )
    } finally {
      await session.release()
    }
  }
  const onnx = modelToOnnx(model, options.precision)
  await writeFileAtomic(options.out, onnx)
  return {
    out: options.out,
    bytes: onnx.byteLength,
    precision: options.precision,
    scale: model.info.scale,
    blended: !!options.blend,
  }
}
