import { EnhanceError } from '../shared/errors.js'
import { isRealism } from '../shared/settings-schema.js'
import type { StateDict } from './weights/tensor.js'

export function checkRealism(realism: number): void {
  if (!isRealism(realism)) {
    throw new EnhanceError('INVALID_ARGUMENT', `The realism amount must be between 0 and 1; got ${realism}.`)
  }
}

/** Throws INCOMPATIBLE_MODELS unless both dicts have the same keys with the same shapes. */
export function checkCompatible(a: StateDict, b: StateDict): void {
  const incompatible = (detail: string): EnhanceError =>
    new EnhanceError(
      'INCOMPATIBLE_MODELS',
      `These two models cannot be blended: ${detail}. Pair a PSNR model with a GAN model of the same architecture.`,
    )
  if (a.size !== b.size) throw incompatible(`one has ${a.size} weights, the other ${b.size}`)
  for (const [key, ta] of a) {
    const tb = b.get(key)
    if (!tb) throw incompatible(`"${key}" exists in only one of them`)
    if (ta.shape.join('×') !== tb.shape.join('×')) {
      throw incompatible(`"${key}" is ${ta.shape.join('×')} in one and ${tb.shape.join('×')} in the other`)
    }
  }
}

export function lerp(
  a: Float32Array,
  b: Float32Array,
  realism: number,
  out = new Float32Array(a.length),
): Float32Array {
  const keep = 1 - realism
  for (let i = 0; i < a.length; i++) out[i] = keep * a[i]! + realism * b[i]!
  return out
}

/**
 * ESRGAN's network interpolation: θ(α) = (1 − α)·θ_a + α·θ_b, weight by weight.
 * α = 0 gives exactly `a` and α = 1 exactly `b`.
 */
export function blend(a: StateDict, b: StateDict, realism: number): StateDict {
  checkRealism(realism)
  checkCompatible(a, b)
  const out: StateDict = new Map()
  for (const [key, ta] of a) {
    const tb = b.get(key)!
    out.set(key, { shape: ta.shape, data: lerp(ta.data, tb.data, realism), stored: ta.stored })
  }
  return out
}
