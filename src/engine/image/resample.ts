/** Small pieces the colour and edge holds share: Gaussian weights, edge-held indices, bilinear taps. */

/** Gaussian weights from −`radius` to `radius`, summing to 1. */
export function gaussianKernel(sigma: number, radius: number): Float32Array {
  const k = Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma ** 2)),
  )
  const sum = k.reduce((a, b) => a + b, 0)
  return Float32Array.from(k, (v) => v / sum)
}

/** `i` held inside 0 … n − 1: past either end, the end pixel repeats. */
export const clampIndex = (i: number, n: number): number => (i < 0 ? 0 : i >= n ? n - 1 : i)

/**
 * The two pixels of a `length`-pixel line that position `at` of its ×`scale` upsample lies between (pixel
 * centres at half-pixels, the ends held), and how far along from the first.
 */
export function bilinearTap(at: number, scale: number, length: number): [number, number, number] {
  const u = Math.min(Math.max((at + 0.5) / scale - 0.5, 0), length - 1)
  const low = Math.floor(u)
  return [low, Math.min(low + 1, length - 1), u - low]
}
