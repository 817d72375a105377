/**
 * MATLAB's imresize with the bicubic kernel (a = −0.5): antialiased when shrinking, symmetric
 * padding at the borders, rows first then columns. Operates on float64 planes.
 */
export interface Plane {
  width: number
  height: number
  data: Float64Array
}

function cubic(x: number): number {
  const ax = Math.abs(x)
  if (ax <= 1) return 1.5 * ax ** 3 - 2.5 * ax ** 2 + 1
  if (ax <= 2) return -0.5 * ax ** 3 + 2.5 * ax ** 2 - 4 * ax + 2
  return 0
}

interface Contributions {
  indices: Int32Array
  weights: Float64Array
  taps: number
}

function mirror(index: number, length: number): number {
  const period = 2 * length
  const m = ((index % period) + period) % period
  return m < length ? m : period - 1 - m
}

export function contributions(inLength: number, outLength: number, scale: number): Contributions {
  const antialias = scale < 1
  const kernelWidth = antialias ? 4 / scale : 4
  const taps = Math.ceil(kernelWidth) + 2
  const indices = new Int32Array(outLength * taps)
  const weights = new Float64Array(outLength * taps)
  for (let o = 0; o < outLength; o++) {
    const u = (o + 1) / scale + 0.5 * (1 - 1 / scale)
    const left = Math.floor(u - kernelWidth / 2)
    let sum = 0
    for (let t = 0; t < taps; t++) {
      const index = left + t
      const distance = u - index
      const w = antialias ? scale * cubic(distance * scale) : cubic(distance)
      indices[o * taps + t] = mirror(index - 1, inLength)
      weights[o * taps + t] = w
      sum += w
    }
    for (let t = 0; t < taps; t++) weights[o * taps + t]! /= sum
  }
  return { indices, weights, taps }
}

function resizeRows(plane: Plane, outHeight: number, scale: number): Plane {
  const { width, height, data } = plane
  const { indices, weights, taps } = contributions(height, outHeight, scale)
  const out = new Float64Array(width * outHeight)
  for (let o = 0; o < outHeight; o++) {
    for (let t = 0; t < taps; t++) {
      const w = weights[o * taps + t]!
      if (w === 0) continue
      const src = indices[o * taps + t]! * width
      for (let x = 0; x < width; x++) out[o * width + x]! += w * data[src + x]!
    }
  }
  return { width, height: outHeight, data: out }
}

function transpose(plane: Plane): Plane {
  const out = new Float64Array(plane.data.length)
  for (let y = 0; y < plane.height; y++) {
    for (let x = 0; x < plane.width; x++) out[x * plane.height + y] = plane.data[y * plane.width + x]!
  }
  return { width: plane.height, height: plane.width, data: out }
}

/** Resizes by `scale` to ceil(size × scale), as MATLAB's imresize(img, scale, 'bicubic'). */
export function imresize(plane: Plane, scale: number): Plane {
  const outHeight = Math.ceil(plane.height * scale)
  const outWidth = Math.ceil(plane.width * scale)
  const rows = resizeRows(plane, outHeight, scale)
  return transpose(resizeRows(transpose(rows), outWidth, scale))
}
