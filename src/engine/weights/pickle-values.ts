import { EnhanceError } from '../../shared/errors.js'
import type { DType } from './tensor.js'

/** What a pickle holds once read: plain values, and inert stand-ins for the few objects a state dict uses. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | GlobalRef
  | StorageRef
  | TensorRef
  | Opaque

export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

export class PickleDict {
  readonly entries = new Map<PickleValue, PickleValue>()
}

export class GlobalRef {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
}

export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
  ) {}
}

export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** A harmless placeholder for allowed non-tensor objects (numpy scalars, dtypes) that state dicts never need. */
export class Opaque {
  constructor(readonly type: string) {}
}

export function malformed(detail: string): EnhanceError {
  return new EnhanceError('CORRUPT_CHECKPOINT', `The checkpoint's pickle data is malformed (${detail}).`)
}
