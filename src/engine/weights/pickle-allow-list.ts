import { EnhanceError } from '../../shared/errors.js'
import { isCount } from './limits.js'
import type { DType } from './tensor.js'
import {
  GlobalRef,
  Opaque,
  PickleDict,
  PickleTuple,
  StorageRef,
  TensorRef,
  malformed,
} from './pickle-values.js'
import type { PickleValue } from './pickle-values.js'

/**
 * The security policy of the pickle reader, in one place to review: the only globals a checkpoint may
 * name, each mapped to an inert TypeScript stand-in. Nothing a file names is ever executed; any other
 * global (os.system, builtins.eval, a model class…) refuses the file as UNSAFE_CHECKPOINT.
 */
const STORAGE_TYPES: Record<string, DType> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
}

type Callable = (args: PickleValue[]) => PickleValue

const CALLABLES: Record<string, Callable> = {
  'collections.OrderedDict': () => new PickleDict(),
  'torch._utils._rebuild_tensor_v2': rebuildTensor,
  'torch._utils._rebuild_tensor': rebuildTensor,
  'torch._utils._rebuild_parameter': (args) => args[0] ?? null,
  'torch._utils._rebuild_parameter_with_state': (args) => args[0] ?? null,
  '_codecs.encode': (args) => latin1Bytes(args[0]),
  'numpy.core.multiarray.scalar': () => new Opaque('numpy.scalar'),
  'numpy.dtype': () => new Opaque('numpy.dtype'),
  'builtins.set': () => [],
}

export function storageDType(ref: PickleValue): DType {
  if (ref instanceof GlobalRef && ref.module === 'torch') {
    const dtype = STORAGE_TYPES[ref.name]
    if (dtype) return dtype
  }
  throw new EnhanceError('CORRUPT_CHECKPOINT', 'A tensor names a storage type this reader does not know.')
}

export function resolveGlobal(module: string, name: string): GlobalRef {
  const qualified = `${module}.${name}`
  if (qualified in CALLABLES || (module === 'torch' && name in STORAGE_TYPES))
    return new GlobalRef(module, name)
  throw new EnhanceError(
    'UNSAFE_CHECKPOINT',
    `This checkpoint asks to run "${qualified}", which a plain set of weights never needs. ` +
      'It was refused and nothing in it was executed. Only load checkpoints from sources you trust.',
  )
}

function asCounts(value: PickleValue | undefined): number[] {
  const items = value instanceof PickleTuple ? value.items : Array.isArray(value) ? value : null
  if (!items || items.length > 8 || !items.every(isCount))
    throw malformed('a tensor shape is not a short list of non-negative integers')
  return items
}

function rebuildTensor(args: PickleValue[]): PickleValue {
  const [storage, offset, shape, stride] = args
  if (!(storage instanceof StorageRef) || !isCount(offset)) throw malformed('a tensor has no storage')
  return new TensorRef(storage, offset, asCounts(shape), asCounts(stride))
}

function latin1Bytes(value: PickleValue | undefined): Uint8Array {
  if (typeof value !== 'string') return new Uint8Array()
  return Uint8Array.from(value, (c) => c.charCodeAt(0) & 0xff)
}

/** Calls an allowed global's stand-in (REDUCE, NEWOBJ). */
export function callAllowed(callee: PickleValue, args: PickleValue): PickleValue {
  if (!(callee instanceof GlobalRef) || !(args instanceof PickleTuple)) throw malformed('bad call')
  const fn = CALLABLES[`${callee.module}.${callee.name}`]
  if (!fn) throw malformed(`${callee.module}.${callee.name} is not callable`)
  return fn(args.items)
}
