/**
 * Makes the bundled pairs' int8 calibration (issue #14): `resources/models/<faithful>.int8.json`. At realisms
 * 0, 0.1, …, 1: the dense blocks' channels equalised from their activations, then each int8 activation's
 * range clipped where it quantises with the least error, both measured on 16 crops of training photos (8 at
 * full resolution, 8 of photos shrunk ×1/4 like the small photos people enlarge). Then the bound is
 * measured on Set14 through the file as written (its rounding included) and recorded in it, for int8 weights
 * and for the 7-bit ones that CPUs without VNNI run; `--precision auto` uses either only where its recorded
 * figures keep the bound. Each is measured only where this CPU's kernels compute it exactly: on one without
 * VNNI a new calibration records 7-bit figures only (the engine then runs 7-bit weights on every CPU), and
 * `--keep-grid` keeps a pair's stored grid, and its int8 figures, where they are of the same weights.
 *
 *   npm run calibrate:int8 [-- --keep-grid]        (needs ../shared/datasets)
 */
import ort from 'onnxruntime-node'
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { MODELS_DIR } from '../src/cli/models.js'
import { blendModels, loadModel } from '../src/engine/model.js'
import type { LoadedModel } from '../src/engine/model.js'
import { equaliseWeights } from '../src/engine/onnx/equalise.js'
import { buildOnnx } from '../src/engine/onnx/graph.js'
import { calibratedScales, calibratedTrunkRanges } from '../src/engine/onnx/int8-calibration.js'
import { readInt8Calibration } from '../src/engine/int8.js'
import type { WeightBits } from '../src/engine/onnx/int8.js'
import {
  int8CalibrationSchema,
  int8Onnx,
  measuredWith,
  planAt,
  withinBound,
} from '../src/engine/onnx/int8-plan.js'
import type { Int8Calibration, Int8Measured } from '../src/engine/onnx/int8-plan.js'
import { kernelsExact } from '../src/engine/runtime/int8-exact.js'
import {
  PAIRS,
  SET14,
  SHARED,
  meanAbsLevels,
  probeRuns,
  psnrY,
  readPlanar,
  run,
  sessionOptions,
  weightsOf,
} from './int8-common.js'
import type { Planar } from './int8-common.js'

const GRID = Array.from({ length: 11 }, (_, i) => i / 10)
const CALIBRATION =
  '8 top-left 64² crops of Kodak photos at full size and 8 of Wikipedia photos shrunk ×1/4 (training photos)'

async function calibrationCrops(): Promise<Planar[]> {
  const first8 = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.png'))
      .sort()
      .slice(0, 8)
      .map((f) => join(dir, f))
  const kodak = first8(join(SHARED, 'train', 'kodak')).map((f) => readPlanar(f, 64))
  const wiki = first8(join(SHARED, 'train', 'wikipedia')).map((f) => readPlanar(f, 64, 4))
  return Promise.all([...kodak, ...wiki])
}

const round = (v: number, digits: number): number => Number(v.toPrecision(digits))

async function gridPoint(blend: LoadedModel, crops: Planar[]) {
  const { info, weights } = weightsOf(blend)
  const scales = calibratedScales(await probeRuns(blend, crops), info)
  const equalised = { ...blend, weights: equaliseWeights(weights, info, scales) }
  const ranges = calibratedTrunkRanges(await probeRuns(equalised, crops))
  return {
    scales: Object.fromEntries([...scales].map(([k, v]) => [k, Array.from(v, (s) => round(s, 5))])),
    ranges: Object.fromEntries(
      [...ranges].map(([k, [lo, hi]]): [string, [number, number]] => [k, [round(lo, 6), round(hi, 6)]]),
    ),
  }
}

/** Set14 through float32 and through the file's int8 plan at `realism`: PSNR-Y difference and mean |Δ|. */
async function measureAt(
  psnr: LoadedModel,
  gan: LoadedModel,
  calibration: Int8Calibration,
  realism: number,
  bits: WeightBits,
) {
  const { info, weights } = weightsOf(blendModels(psnr, gan, realism))
  const fp32 = await ort.InferenceSession.create(buildOnnx(info, weights), sessionOptions())
  const int8 = await ort.InferenceSession.create(
    int8Onnx(info, weights, planAt(calibration, realism), bits),
    sessionOptions(),
  )
  let delta = 0
  let levels = 0
  const names = readdirSync(join(SET14, 'HR')).sort()
  for (const name of names) {
    const lr = await readPlanar(join(SET14, 'LR_bicubic_x4', name))
    const hr = await readPlanar(join(SET14, 'HR', name))
    const [a, b] = [await run(fp32, lr), await run(int8, lr)]
    const [w, h] = [lr.dims[3]! * 4, lr.dims[2]! * 4]
    delta += psnrY(b, w, h, hr) - psnrY(a, w, h, hr)
    levels += meanAbsLevels(a, b)
  }
  await Promise.all([fp32.release(), int8.release()])
  return { deltaDb: round(delta / names.length, 4), meanAbsLevels: round(levels / names.length, 4) }
}

/** The bound's figures with `bits` weights: α 0 and 1, the default α 0.5 and 0.55 (between grid points). */
async function measure(
  psnr: LoadedModel,
  gan: LoadedModel,
  calibration: Int8Calibration,
  bits: WeightBits,
): Promise<Int8Measured> {
  const at = new Map<number, { deltaDb: number; meanAbsLevels: number }>()
  for (const realism of [0, 0.5, 0.55, 1]) {
    const m = await measureAt(psnr, gan, calibration, realism, bits)
    at.set(realism, m)
    console.log(
      `  ${bits} α ${realism}: − float32 PSNR-Y ${m.deltaDb.toFixed(3)} dB, mean |Δ| ${m.meanAbsLevels.toFixed(3)} levels`,
    )
  }
  return {
    set: 'Set14',
    faithfulDeltaDb: at.get(0)!.deltaDb,
    realisticMeanAbsLevels: at.get(1)!.meanAbsLevels,
    defaultMeanAbsLevels: at.get(0.5)!.meanAbsLevels,
    betweenGridMeanAbsLevels: at.get(0.55)!.meanAbsLevels,
  }
}

async function calibratedGrid(psnr: LoadedModel, gan: LoadedModel, crops: Planar[]) {
  const started = performance.now()
  const grid = []
  for (const realism of GRID)
    grid.push({ realism, ...(await gridPoint(blendModels(psnr, gan, realism), crops)) })
  console.log(
    `  calibrated at ${GRID.length} realisms in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  )
  return grid
}

async function main(): Promise<void> {
  const keepGrid = process.argv.includes('--keep-grid')
  const exact = { int8: await kernelsExact('int8'), int7: await kernelsExact('int7') }
  console.log(`exact kernels here: int8 ${exact.int8}, int7 ${exact.int7}`)
  const crops = await calibrationCrops()
  for (const [label, psnrName, ganName] of PAIRS) {
    console.log(label)
    const path = join(MODELS_DIR, `${psnrName}.safetensors`)
    const psnr = await loadModel(path)
    const gan = await loadModel(join(MODELS_DIR, `${ganName}.safetensors`))
    const stored = await readInt8Calibration(path)
    const kept = keepGrid && stored?.faithful === psnr.info.sha256 && stored.realistic === gan.info.sha256
    const draft = {
      format: 'enhance-int8/1' as const,
      faithful: psnr.info.sha256,
      realistic: gan.info.sha256,
      calibration: CALIBRATION,
      grid: kept ? stored.grid : await calibratedGrid(psnr, gan, crops),
    }
    const figures = async (bits: WeightBits, before: Int8Measured | undefined) =>
      exact[bits] ? measure(psnr, gan, draft, bits) : kept ? before : undefined
    const measured = await figures('int8', stored?.measured)
    const measuredInt7 = await figures('int7', stored?.measuredInt7)
    const calibration = int8CalibrationSchema.parse({ ...draft, measured, measuredInt7 })
    const file = join(MODELS_DIR, `${psnrName}.int8.json`)
    writeFileSync(file, `${JSON.stringify(calibration)}\n`)
    for (const bits of ['int8', 'int7'] as const) {
      const where = measuredWith(calibration, bits)
        ? withinBound(calibration, bits)
          ? 'within'
          : 'OUTSIDE'
        : 'not measured:'
      console.log(`  ${bits}: ${where} the bound`)
    }
    console.log(`  wrote ${file}`)
  }
}

await main()
