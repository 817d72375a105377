import { EnhanceError } from '../../shared/errors.js'
import type { CheckpointFormat } from '../../shared/model.js'
import { PickleDict, TensorRef } from './pickle-values.js'
import type { PickleValue } from './pickle-values.js'
import { LIMITS, tooLarge } from './limits.js'
import { isLegacyPth, readPthLegacy, readPthZip } from './pth.js'
import type { PickledCheckpoint } from './pth.js'
import { looksLikeSafetensors, readSafetensors } from './safetensors.js'
import type { StateDict } from './tensor.js'
import { isZip } from './zip.js'

export interface RawCheckpoint {
  format: Exclude<CheckpointFormat, 'onnx'>
  tensors: StateDict
  metadata: Record<string, string>
}

/** Wrappers training frameworks put around the weights; the EMA copy is the one to use when present. */
const WRAPPERS = ['params_ema', 'params', 'state_dict', 'model', 'net_g', 'generator']

export function detectCheckpointFormat(bytes: Uint8Array): Exclude<CheckpointFormat, 'onnx'> | null {
  if (isZip(bytes)) return 'pth-zip'
  if (looksLikeSafetensors(bytes)) return 'safetensors'
  if (isLegacyPth(bytes)) return 'pth-legacy'
  return null
}

export function readCheckpoint(bytes: Uint8Array): RawCheckpoint {
  if (bytes.length === 0) throw new EnhanceError('CORRUPT_CHECKPOINT', 'The checkpoint file is empty.')
  const format = detectCheckpointFormat(bytes)
  if (format === 'safetensors') {
    const { tensors, metadata } = readSafetensors(bytes)
    return { format, tensors: withoutModulePrefix(tensors), metadata }
  }
  if (format === null) {
    throw new EnhanceError(
      'UNSUPPORTED_FORMAT',
      'This is not a model file Enhance can read. Use a PyTorch .pth, a .safetensors or an .onnx file.',
    )
  }
  const pickled = format === 'pth-zip' ? readPthZip(bytes) : readPthLegacy(bytes)
  return { format, tensors: withoutModulePrefix(stateDictFrom(pickled)), metadata: {} }
}

/** DataParallel saves every key as `module.<name>`. */
function withoutModulePrefix(tensors: StateDict): StateDict {
  return new Map(
    [...tensors].map(([key, t]) => [key.startsWith('module.') ? key.slice('module.'.length) : key, t]),
  )
}

function unwrap(root: PickleValue): PickleDict {
  let current = root
  // A pickle can make a dict its own `params` (memo references): a loop, never weights.
  for (let depth = 0; depth <= LIMITS.wrapperDepth; depth++) {
    if (!(current instanceof PickleDict)) {
      throw new EnhanceError('UNKNOWN_ARCHITECTURE', 'The checkpoint does not hold a dictionary of weights.')
    }
    const dict = current
    const wrapper = WRAPPERS.find((key) => dict.entries.get(key) instanceof PickleDict)
    if (!wrapper) return dict
    current = dict.entries.get(wrapper) ?? null
  }
  throw new EnhanceError(
    'CORRUPT_CHECKPOINT',
    `The checkpoint's weights are wrapped more than ${LIMITS.wrapperDepth} levels deep, or in a loop: it is damaged or hostile.`,
  )
}

function stateDictFrom(pickled: PickledCheckpoint): StateDict {
  const dict = unwrap(pickled.root)
  if (dict.entries.size > LIMITS.tensors) throw tooLarge(`${dict.entries.size} weights`)
  const tensors: StateDict = new Map()
  for (const [key, value] of dict.entries) {
    if (typeof key === 'string' && value instanceof TensorRef) {
      tensors.set(key, pickled.materialize(value))
    }
  }
  if (tensors.size === 0) throw new EnhanceError('UNKNOWN_ARCHITECTURE', 'The checkpoint holds no tensors.')
  return tensors
}
