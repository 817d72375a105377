import { readFile } from 'node:fs/promises'
import type { ModelInfo } from '../shared/model.js'
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
 * The calibration's plan for a model at `realism`: only for the very weights it was made from (their
 * SHA-256), the pair blended, or either end alone.
 */
export function planFor(
  calibration: Int8Calibration,
  base: ModelInfo,
  partner: ModelInfo | null,
  realism: number,
): Int8Plan | null {
  const { faithful, realistic } = calibration
  if (partner)
    return faithful === base.sha256 && realistic === partner.sha256 ? planAt(calibration, realism) : null
  if (base.sha256 === faithful) return planAt(calibration, 0)
  if (base.sha256 === realistic) return planAt(calibration, 1)
  return null
}
