import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { errnoCode } from '../node/errno.js'
import { EnhanceError } from '../shared/errors.js'
import type { ModelInfo, Precision } from '../shared/model.js'
import { detectArchitecture } from './arch/detect.js'
import { blend, checkRealism } from './interpolate.js'
import { blendOnnx, initializerFloats } from './onnx/blend.js'
import { buildOnnx } from './onnx/graph.js'
import { decodeModel } from './onnx/proto.js'
import { readCheckpoint } from './weights/checkpoint.js'
import { LIMITS, tooLarge } from './weights/limits.js'
import { numel } from './weights/tensor.js'
import type { StateDict } from './weights/tensor.js'

/** A model ready to become a session: canonical RRDBNet weights, or a ready ONNX graph. */
export type LoadedModel =
  | { kind: 'weights'; info: ModelInfo; weights: StateDict }
  | { kind: 'onnx'; info: ModelInfo; bytes: Uint8Array }

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

export async function readModelFile(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    const code = errnoCode(error)
    if (code === 'ENOENT') throw new EnhanceError('FILE_NOT_FOUND', `The model file ${path} does not exist.`)
    if (code === 'EISDIR')
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        `${path} is a folder, not a model file. Name a .pth, .safetensors or .onnx file.`,
      )
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `The model file ${path} cannot be read (${code ?? 'unknown error'}).`,
    )
  }
  if (bytes.length === 0)
    throw new EnhanceError(
      'CORRUPT_CHECKPOINT',
      `The model file ${path} is empty (0 bytes): it was not downloaded or copied whole. Download or copy it again.`,
    )
  return bytes
}

export function parseModel(bytes: Uint8Array, fileName = ''): LoadedModel {
  const hash = sha256(bytes)
  if (extname(fileName).toLowerCase() === '.onnx') return parseOnnx(bytes, hash)
  const checkpoint = readCheckpoint(bytes)
  const { layout, arch, weights } = detectArchitecture(checkpoint.tensors)
  // Shapes only: nothing has been decoded yet, so an oversized architecture costs no memory.
  const params = [...weights.values()].reduce((sum, t) => sum + numel(t.shape), 0)
  if (params > LIMITS.params) throw tooLarge(`${params} parameters`)
  assertFiniteWeights(weights)
  return {
    kind: 'weights',
    info: { ...arch, format: checkpoint.format, layout, params, sha256: hash },
    weights,
  }
}

/** NaN or infinite weights make every photo black or NaN; refuse them when the model is read. */
function assertFiniteWeights(weights: StateDict): void {
  for (const [name, tensor] of weights) {
    if (!tensor.data.every(Number.isFinite)) {
      throw new EnhanceError(
        'DEGENERATE_MODEL',
        `This model's weight ${name} holds NaN or infinite values, so it would turn photos black. Download it again or use another model.`,
      )
    }
  }
}

/**
 * An .onnx model keeps its own graph. Its architecture is always read from its initializers, never
 * from metadata the file claims; the engine then checks on a probe image that the graph does what
 * that architecture does (output size, finite values).
 */
function parseOnnx(bytes: Uint8Array, hash: string): LoadedModel {
  const model = decodeModel(bytes)
  const initializers = model.graph.initializer
  const params = initializers.reduce((sum, t) => sum + numel(t.dims), 0)
  if (!(params <= LIMITS.params)) throw tooLarge(`${params} parameters`)
  const info = { format: 'onnx', layout: 'onnx', params, sha256: hash } as const
  try {
    const tensors: StateDict = new Map()
    for (const t of initializers) {
      const data = initializerFloats(t)
      if (data && t.dims.length >= 1 && /\.(weight|bias)$/.test(t.name))
        tensors.set(t.name, { shape: t.dims, data, stored: 'float32' })
    }
    return { kind: 'onnx', info: { ...detectArchitecture(tensors).arch, ...info }, bytes }
  } catch {
    throw new EnhanceError(
      'UNKNOWN_ARCHITECTURE',
      'This .onnx file is not an RRDBNet Enhance recognises (its weights are not named like an ESRGAN model).',
    )
  }
}

export async function loadModel(path: string): Promise<LoadedModel> {
  return parseModel(await readModelFile(path), path)
}

export function modelToOnnx(model: LoadedModel, precision: Precision = 'fp32'): Uint8Array {
  if (model.kind === 'onnx') {
    if (precision === 'fp16') {
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        'Converting a ready .onnx file to float16 is not supported; convert from the .pth or .safetensors.',
      )
    }
    return model.bytes
  }
  return buildOnnx(model.info, model.weights, {
    precision,
    metadata: { 'enhance.sha256': model.info.sha256 },
  })
}

/** The identity of a blend, known without blending: the session cache is looked up with it first. */
export function blendSha(a: LoadedModel, b: LoadedModel, realism: number): string {
  return sha256(new TextEncoder().encode(`${a.info.sha256}+${b.info.sha256}@${realism}`))
}

/** Network interpolation between two loaded models: weights by canonical key, ONNX graphs by initializer. */
export function blendModels(a: LoadedModel, b: LoadedModel, realism: number): LoadedModel {
  checkRealism(realism)
  const sha = blendSha(a, b, realism)
  if (a.kind === 'weights' && b.kind === 'weights') {
    return {
      kind: 'weights',
      info: { ...a.info, sha256: sha },
      weights: blend(a.weights, b.weights, realism),
    }
  }
  if (a.kind === 'onnx' && b.kind === 'onnx') {
    return { kind: 'onnx', info: { ...a.info, sha256: sha }, bytes: blendOnnx(a.bytes, b.bytes, realism) }
  }
  throw new EnhanceError(
    'INCOMPATIBLE_MODELS',
    'A checkpoint cannot be blended with an .onnx file. Blend two checkpoints, or two .onnx files of one graph.',
  )
}
