import { EnhanceError } from '../../shared/errors.js'

/**
 * Bounds for parsing untrusted model files (DESIGN.md §4): a file may only make the parser do work
 * and allocate memory in proportion to what a real super-resolution checkpoint needs.
 */
export const LIMITS = {
  /** The pickle of a state dict is a few kB; 64 MiB leaves room for any real one. */
  pickleBytes: 64 * 1024 * 1024,
  /** One storage; ESRGAN's largest tensors are about 0.1 M elements, whole models about 17 M. */
  storageBytes: 256 * 1024 * 1024,
  /** All parameters of one model (RRDBNet ×4 with nf 64, nb 23: 16.7 M). */
  params: 64 * 1024 * 1024,
  /** Values a pickle may push: a state dict of RRDBNet ×4 (nb 23) pushes about 20,000. */
  pickleItems: 2_000_000,
  /** Entries of the weights dict: RRDBNet ×4 (nb 23) has 702. */
  tensors: 65_536,
  /** Python ints in a state dict are small; bigger LONG4 values only cost time to decode. */
  longBytes: 64,
  /** Wrapper dicts (`params_ema`, `state_dict`…) nest a few levels at most. */
  wrapperDepth: 16,
} as const

export function tooLarge(what: string): EnhanceError {
  return new EnhanceError(
    'CORRUPT_CHECKPOINT',
    `The checkpoint declares ${what}, far more than any super-resolution model needs. ` +
      'It was refused without loading it; use a model file from a source you trust.',
  )
}

/** A count or size from a file: a non-negative safe integer, or the file is corrupt. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** The element count of a shape, refusing overflow past `limit` as it multiplies. */
export function boundedNumel(shape: readonly number[], limit: number): number | null {
  let total = 1
  for (const size of shape) {
    total *= size
    if (total > limit) return null
  }
  return total
}
