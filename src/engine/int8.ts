import { readFile } from 'node:fs/promises'
import type { ModelInfo, RrdbArch } from '../shared/model.js'
import { rrdbConvs } from './arch/rrdbnet.js'
import { equalisableConvs } from './onnx/equalise.js'
import { int8CalibrationSchema, planAt } from './onnx/int8-plan.js'
import type { Int8Calibration, Int8Plan } from './onnx/int8-plan.js'

/** Where a model's int8 calibration is kept: beside it, `<name>.int8.json`. */
export function int8CalibrationPath(modelPath: string): string {
  return `${modelPath.replace(/\.[^./\\]+$/, '')}.int8.json`
}

/** The calibration stored beside a model file; null when there is none or it is not valid. */
export async function readInt8Calibration(modelPath: string): Promise<Int8Calibration | null> {
  const text = await readFile(int8CalibrationPath(modelPath), 'utf8').catch(() => null)
  if (text === null) return null
  try {
    const parsed = int8CalibrationSchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/**
 * Whether every factor and range names a part of this architecture, at its width: a file that does not
 * would rescale the wrong channels (or none), so it counts as no calibration.
 */
export function fitsArch({ grid }: Int8Calibration, arch: RrdbArch): boolean {
  const widths = new Map(equalisableConvs(arch).map(({ conv }) => [conv, arch.gc]))
  const keys = new Set(rrdbConvs(arch).flatMap(({ name }) => [`${name}:in`, `${name}:out`, `${name}:act`]))
  return grid.every(
    (point) =>
      Object.entries(point.scales).every(([conv, factors]) => widths.get(conv) === factors.length) &&
      Object.keys(point.ranges).every((key) => keys.has(key)),
  )
}

/**
 * The calibration's plan for a model at `realism`: only for the very weights it was made from (their
 * SHA-256), the pair blended, or either end alone, and only when it fits their architecture.
 */
export function planFor(
  calibration: Int8Calibration,
  base: ModelInfo,
  partner: ModelInfo | null,
  realism: number,
): Int8Plan | null {
  if (base.arch !== 'RRDBNet' || !fitsArch(calibration, base)) return null
  const { faithful, realistic } = calibration
  if (partner)
    return faithful === base.sha256 && realistic === partner.sha256 ? planAt(calibration, realism) : null
  if (base.sha256 === faithful) return planAt(calibration, 0)
  if (base.sha256 === realistic) return planAt(calibration, 1)
  return null
}
