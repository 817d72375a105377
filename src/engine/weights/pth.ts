import { EnhanceError } from '../../shared/errors.js'
import { storageDType } from './pickle-allow-list.js'
import { PickleDict, PickleTuple, StorageRef } from './pickle-values.js'
import type { PickleValue, TensorRef } from './pickle-values.js'
import { unpickle } from './pickle.js'
import { LIMITS, boundedNumel, isCount, tooLarge } from './limits.js'
import { DTYPE_SIZE, decodeElements, gatherStrided, lazyTensor } from './tensor.js'
import type { Tensor } from './tensor.js'
import { openZip } from './zip.js'

/** A checkpoint's pickled object tree, and a way to turn its tensor references into data. */
export interface PickledCheckpoint {
  root: PickleValue
  materialize(ref: TensorRef): Tensor
}

function corrupt(detail: string): EnhanceError {
  return new EnhanceError('CORRUPT_CHECKPOINT', `The PyTorch checkpoint is damaged (${detail}).`)
}

/** Turns tensor references into lazily decoded tensors; `loadBytes` gets each storage's exact byte size. */
function storagesReader(
  loadBytes: (key: string, byteLength: number) => Uint8Array,
): (ref: TensorRef) => Tensor {
  const cache = new Map<string, Float32Array>()
  const decode = (ref: TensorRef): Float32Array => {
    const { storage } = ref
    let data = cache.get(storage.key)
    if (!data) {
      const bytes = loadBytes(storage.key, storage.numel * DTYPE_SIZE[storage.dtype])
      const count = Math.floor(bytes.byteLength / DTYPE_SIZE[storage.dtype])
      if (count < storage.numel) throw corrupt(`storage ${storage.key} is shorter than declared`)
      data = decodeElements(bytes, storage.dtype, 0, storage.numel)
      cache.set(storage.key, data)
    }
    return gatherStrided(data, ref.offset, ref.shape, ref.stride)
  }
  return (ref) => {
    // A view can't hold more elements than its storage (a stride-0 view of a huge shape would).
    if (boundedNumel(ref.shape, ref.storage.numel) === null)
      throw corrupt(`a tensor of shape ${ref.shape.join('×')} is larger than its storage`)
    return lazyTensor(ref.shape, ref.storage.dtype, () => decode(ref))
  }
}

function storageRef(
  key: PickleValue | undefined,
  type: PickleValue | undefined,
  numel: PickleValue | undefined,
): StorageRef {
  if (typeof key !== 'string' || !isCount(numel)) throw corrupt('bad storage reference')
  const dtype = storageDType(type ?? null)
  if (numel * DTYPE_SIZE[dtype] > LIMITS.storageBytes) throw tooLarge(`a storage of ${numel} elements`)
  return new StorageRef(key, dtype, numel)
}

function tupleItems(pid: PickleValue): PickleValue[] {
  if (!(pid instanceof PickleTuple) || pid.items[0] !== 'storage')
    throw corrupt('unknown persistent reference')
  return pid.items
}

/** PyTorch ≥ 1.6: a ZIP with `<name>/data.pkl` and one raw file per storage under `<name>/data/`. */
export function readPthZip(bytes: Uint8Array): PickledCheckpoint {
  const zip = openZip(bytes)
  const pickleName = zip.names().find((n) => /^[^/]+\/data\.pkl$/.test(n))
  if (!pickleName) throw corrupt('no data.pkl inside the archive')
  const prefix = pickleName.slice(0, -'data.pkl'.length)
  const byteOrder = zip.names().includes(`${prefix}byteorder`)
    ? new TextDecoder().decode(zip.read(`${prefix}byteorder`, 16))
    : 'little'
  if (byteOrder.trim() !== 'little') {
    throw new EnhanceError(
      'UNSUPPORTED_FORMAT',
      'This checkpoint was saved on a big-endian machine, which is not supported.',
    )
  }
  const { value } = unpickle(zip.read(pickleName, LIMITS.pickleBytes), 0, (pid) => {
    const [, type, key, , numel] = tupleItems(pid)
    return storageRef(key, type, numel)
  })
  return {
    root: value,
    materialize: storagesReader((key, byteLength) => zip.read(`${prefix}data/${key}`, byteLength)),
  }
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn

/**
 * The pre-1.6 format: pickles of (magic number, protocol version, system info, the object,
 * the sorted storage keys), then each storage as an int64 element count and raw little-endian data.
 */
export function readPthLegacy(bytes: Uint8Array): PickledCheckpoint {
  const magic = unpickle(bytes, 0)
  if (magic.value !== LEGACY_MAGIC) {
    throw new EnhanceError('UNSUPPORTED_FORMAT', 'This file is a pickle but not a PyTorch checkpoint.')
  }
  const version = unpickle(bytes, magic.end)
  if (version.value !== 1001) throw corrupt('unknown legacy protocol version')
  const info = unpickle(bytes, version.end)
  if (info.value instanceof PickleDict && info.value.entries.get('little_endian') === false) {
    throw new EnhanceError(
      'UNSUPPORTED_FORMAT',
      'This checkpoint was saved on a big-endian machine, which is not supported.',
    )
  }
  const storages = new Map<string, StorageRef>()
  const main = unpickle(bytes, info.end, (pid) => {
    const [, type, key, , numel, view] = tupleItems(pid)
    if (view !== null && view !== undefined) throw corrupt('storage views are not supported')
    const ref = (typeof key === 'string' && storages.get(key)) || storageRef(key, type, numel)
    storages.set(ref.key, ref)
    return ref
  })
  const keys = unpickle(bytes, main.end)
  if (!Array.isArray(keys.value)) throw corrupt('missing storage list')
  const offsets = legacyStorageOffsets(bytes, keys.end, keys.value, storages)
  return {
    root: main.value,
    materialize: storagesReader((key) => {
      const at = offsets.get(key)
      if (at === undefined) throw corrupt(`storage ${key} is missing`)
      return bytes.subarray(at.start, at.end)
    }),
  }
}

function legacyStorageOffsets(
  bytes: Uint8Array,
  start: number,
  keys: PickleValue[],
  storages: Map<string, StorageRef>,
): Map<string, { start: number; end: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const offsets = new Map<string, { start: number; end: number }>()
  let at = start
  for (const key of keys) {
    const ref = typeof key === 'string' ? storages.get(key) : undefined
    if (!ref) throw corrupt('the storage list names an unknown storage')
    if (at + 8 > bytes.byteLength) throw corrupt('truncated before a storage')
    const count = Number(view.getBigInt64(at, true))
    const end = at + 8 + count * DTYPE_SIZE[ref.dtype]
    if (count < 0 || end > bytes.byteLength) {
      throw new EnhanceError(
        'CORRUPT_CHECKPOINT',
        'The checkpoint ends in the middle of its data: it is truncated.',
      )
    }
    offsets.set(ref.key, { start: at + 8, end })
    at = end
  }
  return offsets
}

export function isLegacyPth(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] <= 5
}
