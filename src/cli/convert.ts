import { existsSync, statSync } from 'node:fs'
import { extname } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { blendModels, loadModel, modelToOnnx } from '../engine/model.js'
import { assertUsableOutput } from '../engine/probe.js'
import { createSession } from '../engine/runtime/session.js'
import { storedPrecision } from '../engine/onnx/precision.js'
import type { Precision } from '../shared/model.js'
import { writeFileAtomic } from '../node/files.js'

export interface ConvertOptions {
  checkpoint: string
  out: string
  blend?: string
  realism: number
  precision: Precision
  /** Replace an existing --out (never the models being converted). */
  overwrite?: boolean
}

export interface ConvertResult {
  out: string
  bytes: number
  precision: Precision
  scale: number
  blended: boolean
}

/**
 * One file under both names: the same device and inode, whatever the names (links, relative names, case on a drive
 * that ignores it, on Linux too). A file not there yet is no model.
 */
function sameFile(a: string, b: string): boolean {
  const identity = (path: string): string | null => {
    try {
      const info = statSync(path, { bigint: true, throwIfNoEntry: false })
      return info ? `${info.dev}:${info.ino}` : null
    } catch {
      return null // unreadable: reading the model will say why
    }
  }
  const first = identity(a)
  return first !== null && first === identity(b)
}

/**
 * What --out may be: an .onnx file that is not one of the models read, and that does not exist yet unless
 * --overwrite says to replace it. A mistyped --out would otherwise silently replace a photo or the checkpoint.
 */
export function checkConvertOutput({ checkpoint, blend, out, overwrite }: ConvertOptions): void {
  const refuse = (why: string): EnhanceError => new EnhanceError('INVALID_ARGUMENT', `--out ${out} ${why}`)
  if (extname(out).toLowerCase() !== '.onnx') throw refuse('must name an .onnx file, like model.onnx.')
  if ([checkpoint, blend].some((model) => model !== undefined && sameFile(model, out)))
    throw refuse('is a model being converted; name another file.')
  if (existsSync(out) && !overwrite) throw refuse('exists; add --overwrite to replace it.')
}

export async function convertCommand(options: ConvertOptions): Promise<ConvertResult> {
  checkConvertOutput(options)
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
    // A ready .onnx file is written as it is (modelToOnnx refuses a float16 conversion of one).
    precision: model.kind === 'onnx' ? storedPrecision(onnx) : options.precision,
    scale: model.info.scale,
    blended: !!options.blend,
  }
}
