import { EnhanceError } from '../../shared/errors.js'

export type DType =
  'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool'

export const DTYPE_SIZE: Record<DType, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
}

/** A dense, contiguous tensor in float32, whatever its stored type was. */
export interface Tensor {
  shape: number[]
  data: Float32Array
  /** The type it was stored as on disk. */
  stored: DType
}

/**
 * A tensor whose data is decoded on first use: a checkpoint's shapes are checked against the
 * architecture before any weight is materialised, so a file can't make the loader allocate for
 * tensors that are then refused.
 */
export function lazyTensor(shape: number[], stored: DType, load: () => Float32Array): Tensor {
  let data: Float32Array | undefined
  return {
    shape,
    stored,
    get data() {
      return (data ??= load())
    },
  }
}

/** Tensors by name, in file order. */
export type StateDict = Map<string, Tensor>

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length)
  let step = 1
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = step
    step *= shape[i] ?? 1
  }
  return strides
}

export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const fraction = bits & 0x3ff
  if (exponent === 0) return sign * fraction * 2 ** -24
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15)
}

const f32 = new Float32Array(1)
const u32 = new Uint32Array(f32.buffer)

export function bfloat16ToFloat(bits: number): number {
  u32[0] = bits << 16
  return f32[0] ?? 0
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/** Decodes `count` little-endian elements of `dtype` starting at element `start` of `bytes` into float32. */
export function decodeElements(bytes: Uint8Array, dtype: DType, start: number, count: number): Float32Array {
  const size = DTYPE_SIZE[dtype]
  if ((start + count) * size > bytes.byteLength) {
    throw new EnhanceError(
      'CORRUPT_CHECKPOINT',
      'A tensor reaches past the end of its data: the file is truncated or corrupt.',
    )
  }
  if (dtype === 'float32' && littleEndianHost) {
    // One copy instead of a DataView read per element (checkpoints and hosts are little-endian).
    const at = bytes.byteOffset + start * size
    return new Float32Array(bytes.buffer.slice(at, at + count * size))
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start * size, count * size)
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) out[i] = readElement(view, dtype, i * size)
  return out
}

function readElement(view: DataView, dtype: DType, at: number): number {
  switch (dtype) {
    case 'float32':
      return view.getFloat32(at, true)
    case 'float16':
      return halfToFloat(view.getUint16(at, true))
    case 'bfloat16':
      return bfloat16ToFloat(view.getUint16(at, true))
    case 'float64':
      return view.getFloat64(at, true)
    case 'int64':
      return Number(view.getBigInt64(at, true))
    case 'int32':
      return view.getInt32(at, true)
    case 'int16':
      return view.getInt16(at, true)
    case 'int8':
      return view.getInt8(at)
    case 'uint8':
    case 'bool':
      return view.getUint8(at)
  }
}

/**
 * Gathers a strided view of a storage into a contiguous tensor. PyTorch saves views as
 * (storage, offset, shape, stride), so a permuted or sliced tensor shares its storage.
 */
export function gatherStrided(
  storage: Float32Array,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
): Float32Array {
  const total = numel(shape)
  const out = new Float32Array(total)
  if (total === 0) return out
  let last = offset
  shape.forEach((size, axis) => (last += (size - 1) * (stride[axis] ?? 0)))
  if (offset < 0 || last >= storage.length || stride.some((s) => s < 0)) {
    throw new EnhanceError(
      'CORRUPT_CHECKPOINT',
      'A tensor view reaches outside its storage: the file is corrupt.',
    )
  }
  const index = new Array<number>(shape.length).fill(0)
  let source = offset
  for (let i = 0; i < total; i++) {
    out[i] = storage[source] ?? 0
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const axisStride = stride[axis] ?? 0
      if (++index[axis]! < shape[axis]!) {
        source += axisStride
        break
      }
      source -= axisStride * (shape[axis]! - 1)
      index[axis] = 0
    }
  }
  return out
}
