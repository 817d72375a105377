import type { Plane } from './imresize.js'

/** Y of YCbCr (BT.601, as MATLAB's rgb2ycbcr) from interleaved 8-bit RGB(A), in [16, 235]. */
export function lumaOf(pixels: Uint8Array, width: number, height: number, channels: number): Plane {
  const data = new Float64Array(width * height)
  for (let i = 0; i < data.length; i++) {
    const r = pixels[i * channels]!
    const g = pixels[i * channels + 1]!
    const b = pixels[i * channels + 2]!
    data[i] = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
  }
  return { width, height, data }
}

export function shave(plane: Plane, border: number): Plane {
  const width = plane.width - 2 * border
  const height = plane.height - 2 * border
  const data = new Float64Array(width * height)
  for (let y = 0; y < height; y++) {
    data.set(
      plane.data.subarray((y + border) * plane.width + border, (y + border) * plane.width + border + width),
      y * width,
    )
  }
  return { width, height, data }
}

export function psnr(a: Plane, b: Plane): number {
  let sum = 0
  for (let i = 0; i < a.data.length; i++) sum += (a.data[i]! - b.data[i]!) ** 2
  const mse = sum / a.data.length
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse)
}

function gaussianWindow(size: number, sigma: number): Float64Array {
  const w = new Float64Array(size * size)
  const c = (size - 1) / 2
  let sum = 0
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * sigma * sigma))
      w[y * size + x] = v
      sum += v
    }
  }
  return w.map((v) => v / sum)
}

/** SSIM as the SR papers compute it: 11×11 Gaussian (σ 1.5), 'valid' filtering, on [0, 255] data. */
export function ssim(a: Plane, b: Plane): number {
  const window = gaussianWindow(11, 1.5)
  const c1 = (0.01 * 255) ** 2
  const c2 = (0.03 * 255) ** 2
  const outW = a.width - 10
  const outH = a.height - 10
  let total = 0
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let ma = 0
      let mb = 0
      let saa = 0
      let sbb = 0
      let sab = 0
      for (let wy = 0; wy < 11; wy++) {
        for (let wx = 0; wx < 11; wx++) {
          const w = window[wy * 11 + wx]!
          const i = (y + wy) * a.width + x + wx
          const va = a.data[i]!
          const vb = b.data[i]!
          ma += w * va
          mb += w * vb
          saa += w * va * va
          sbb += w * vb * vb
          sab += w * va * vb
        }
      }
      const va = saa - ma * ma
      const vb = sbb - mb * mb
      const cov = sab - ma * mb
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    }
  }
  return total / (outW * outH)
}
