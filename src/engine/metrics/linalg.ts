/** Small dense linear algebra for NIQE's 36×36 covariance: symmetric eigen-decomposition and pseudo-inverse. */
export type Matrix = number[][]

/** Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(input: Matrix): { values: number[]; vectors: Matrix } {
  const n = input.length
  const a = input.map((row) => [...row])
  const v: Matrix = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  )
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2
    if (off < 1e-30) break
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!
        if (Math.abs(apq) < 1e-300) continue
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!
          const akq = a[k]![q]!
          a[k]![p] = c * akp - s * akq
          a[k]![q] = s * akp + c * akq
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!
          const aqk = a[q]![k]!
          a[p]![k] = c * apk - s * aqk
          a[q]![k] = s * apk + c * aqk
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!
          const vkq = v[k]![q]!
          v[k]![p] = c * vkp - s * vkq
          v[k]![q] = s * vkp + c * vkq
        }
      }
    }
  }
  return { values: a.map((row, i) => row[i]!), vectors: v }
}

/** Moore–Penrose pseudo-inverse of a symmetric matrix, dropping singular values below numpy's default cutoff. */
export function symmetricPinv(m: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(m)
  const cutoff = 1e-15 * Math.max(...values.map(Math.abs))
  const n = m.length
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0))
  values.forEach((lambda, k) => {
    if (Math.abs(lambda) <= cutoff) return
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) out[i]![j]! += (vectors[i]![k]! * vectors[j]![k]!) / lambda
  })
  return out
}

/** Sample covariance (N − 1), variables in columns, like numpy.cov(rowvar=False). */
export function covariance(rows: number[][]): Matrix {
  const n = rows.length
  const d = rows[0]?.length ?? 0
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n)
  const out = Array.from({ length: d }, () => new Array<number>(d).fill(0))
  for (const r of rows) {
    for (let i = 0; i < d; i++) {
      const di = r[i]! - mean[i]!
      for (let j = i; j < d; j++) out[i]![j]! += di * (r[j]! - mean[j]!)
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      out[i]![j]! /= n - 1
      out[j]![i] = out[i]![j]!
    }
  }
  return out
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
]

/** Γ(x) by the Lanczos approximation (g = 7), with reflection below ½. */
export function gamma(x: number): number {
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x))
  const z = x - 1
  let sum = LANCZOS[0]!
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (z + i)
  const t = z + 7.5
  return Math.sqrt(2 * Math.PI) * t ** (z + 0.5) * Math.exp(-t) * sum
}
