import { readFile } from 'node:fs/promises'
import { EnhanceError } from '../../shared/errors.js'
import { imresize } from './imresize.js'
import type { Plane } from './imresize.js'
import { covariance, gamma, symmetricPinv } from './linalg.js'
import type { Matrix } from './linalg.js'

/**
 * NIQE (Mittal et al., 2013), computed as MATLAB's niqe and BasicSR's port of it: Y channel rounded
 * to integers, 96-pixel blocks at two scales with a MATLAB bicubic ½ between them, and the Mahalanobis
 * distance of the block statistics to the pristine model. Lower is better.
 */
export interface NiqeModel {
  mu: number[]
  cov: Matrix
  window: Matrix
}

export async function loadNiqeModel(path: string): Promise<NiqeModel> {
  const raw = JSON.parse(
    await readFile(path, 'utf8').catch(() => {
      throw new EnhanceError(
        'FILE_NOT_FOUND',
        `The NIQE pristine model ${path} was not found; pass --niqe-params <file>.`,
      )
    }),
  ) as { mu_pris_param: number[][]; cov_pris_param: Matrix; gaussian_window: Matrix }
  return { mu: raw.mu_pris_param[0]!, cov: raw.cov_pris_param, window: raw.gaussian_window }
}

const BLOCK = 96

/** scipy.ndimage.convolve(mode='nearest') with a symmetric window. */
function filter(plane: Plane, window: Matrix): Float64Array {
  const { width, height, data } = plane
  const size = window.length
  const half = Math.floor(size / 2)
  const out = new Float64Array(width * height)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0
      for (let wy = 0; wy < size; wy++) {
        const sy = Math.min(height - 1, Math.max(0, y + wy - half))
        for (let wx = 0; wx < size; wx++) {
          const sx = Math.min(width - 1, Math.max(0, x + wx - half))
          sum += window[wy]![wx]! * data[sy * width + sx]!
        }
      }
      out[y * width + x] = sum
    }
  }
  return out
}

function normalized(plane: Plane, window: Matrix): Plane {
  const mu = filter(plane, window)
  const squared = filter({ ...plane, data: plane.data.map((v) => v * v) }, window)
  const data = plane.data.map((v, i) => (v - mu[i]!) / (Math.sqrt(Math.abs(squared[i]! - mu[i]! ** 2)) + 1))
  return { ...plane, data }
}

const GAMMAS = Array.from({ length: 9801 }, (_, k) => 0.2 + k * 0.001)
const R_GAMMA = GAMMAS.map((g) => gamma(2 / g) ** 2 / (gamma(1 / g) * gamma(3 / g)))

/** Asymmetric generalised Gaussian fit: shape α and left/right scales. */
function aggd(values: ArrayLike<number>): [number, number, number] {
  const sums = { leftSq: 0, leftN: 0, rightSq: 0, rightN: 0, abs: 0, sq: 0 }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!
    if (v < 0) {
      sums.leftSq += v * v
      sums.leftN++
    } else if (v > 0) {
      sums.rightSq += v * v
      sums.rightN++
    }
    sums.abs += Math.abs(v)
    sums.sq += v * v
  }
  const { leftSq, leftN, rightSq, rightN, abs, sq } = sums
  const leftStd = Math.sqrt(leftSq / leftN)
  const rightStd = Math.sqrt(rightSq / rightN)
  const gammaHat = leftStd / rightStd
  const rHat = (abs / values.length) ** 2 / (sq / values.length)
  const rHatNorm = (rHat * (gammaHat ** 3 + 1) * (gammaHat + 1)) / (gammaHat ** 2 + 1) ** 2
  let best = 0
  let bestError = Infinity
  R_GAMMA.forEach((r, k) => {
    const error = (r - rHatNorm) ** 2
    if (error < bestError) {
      bestError = error
      best = k
    }
  })
  const alpha = GAMMAS[best]!
  const ratio = Math.sqrt(gamma(1 / alpha) / gamma(3 / alpha))
  return [alpha, leftStd * ratio, rightStd * ratio]
}

const SHIFTS: Array<[number, number]> = [
  [0, 1],
  [1, 0],
  [1, 1],
  [1, -1],
]

function blockFeatures(block: Float64Array, size: number): number[] {
  const [alpha, left, right] = aggd(block)
  const features = [alpha, (left + right) / 2]
  for (const [dy, dx] of SHIFTS) {
    // numpy.roll: shifted[y][x] = block[y − dy][x − dx], wrapping around.
    const product = new Float64Array(size * size)
    for (let y = 0; y < size; y++) {
      const sy = (y - dy + size) % size
      for (let x = 0; x < size; x++)
        product[y * size + x] = block[y * size + x]! * block[sy * size + ((x - dx + size) % size)]!
    }
    const [a, l, r] = aggd(product)
    features.push(a, (r - l) * (gamma(2 / a) / gamma(1 / a)), l, r)
  }
  return features
}

function features(plane: Plane, blocksX: number, blocksY: number, size: number): number[][] {
  const rows: number[][] = []
  for (let bx = 0; bx < blocksX; bx++) {
    for (let by = 0; by < blocksY; by++) {
      const block = new Float64Array(size * size)
      for (let y = 0; y < size; y++) {
        const start = (by * size + y) * plane.width + bx * size
        block.set(plane.data.subarray(start, start + size), y * size)
      }
      rows.push(blockFeatures(block, size))
    }
  }
  return rows
}

/** NIQE of a luma plane in [0, 255] (already rounded, as MATLAB's integer images are). */
export function niqe(luma: Plane, model: NiqeModel): number {
  const blocksX = Math.floor(luma.width / BLOCK)
  const blocksY = Math.floor(luma.height / BLOCK)
  if (blocksX === 0 || blocksY === 0)
    throw new EnhanceError('INVALID_ARGUMENT', 'NIQE needs an image of at least 96×96 pixels.')
  const width = blocksX * BLOCK
  const height = blocksY * BLOCK
  const cropped = new Float64Array(width * height)
  for (let y = 0; y < height; y++)
    cropped.set(luma.data.subarray(y * luma.width, y * luma.width + width), y * width)
  const full: Plane = { width, height, data: cropped }
  const fine = features(normalized(full, model.window), blocksX, blocksY, BLOCK)
  const half = imresize({ ...full, data: cropped.map((v) => v / 255) }, 0.5)
  const coarse = features(
    normalized({ ...half, data: half.data.map((v) => v * 255) }, model.window),
    blocksX,
    blocksY,
    BLOCK / 2,
  )
  const rows = fine.map((row, i) => [...row, ...coarse[i]!])
  const complete = rows.filter((row) => row.every(Number.isFinite))
  const mean = model.mu.map((_, j) => {
    const finite = rows.map((r) => r[j]!).filter(Number.isFinite)
    return finite.reduce((a, b) => a + b, 0) / finite.length
  })
  const cov = covariance(complete)
  const pooled = model.cov.map((row, i) => row.map((v, j) => (v + cov[i]![j]!) / 2))
  const inverse = symmetricPinv(pooled)
  const diff = model.mu.map((m, i) => m - mean[i]!)
  let quality = 0
  for (let i = 0; i < diff.length; i++)
    for (let j = 0; j < diff.length; j++) quality += diff[i]! * inverse[i]![j]! * diff[j]!
  return Math.sqrt(quality)
}
