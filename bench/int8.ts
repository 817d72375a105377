/**
 * int8 on the CPU (issue #14): the bundled pairs' graphs with QDQ int8 activations and weights against
 * float32, on this machine. Prints, asserts nothing:
 *   1. one 160² tile, the two graphs interleaved: medians and spread;
 *   2. where each graph's time goes, per operator (ONNX Runtime's profiler);
 *   3. quality on Set14 at α 0, 0.5 and 1 for both pairs: PSNR-Y of each against HR, and the mean
 *      absolute difference between the two 8-bit outputs (the issue's bound: 0.1 dB at α 0, 1 level at α 1).
 * Calibration: min/max of every quantised activation over eight 64² crops of the Kodak training photos.
 *
 *   npm run bench:int8        (needs ../shared/datasets)
 */
import ort from 'onnxruntime-node'
import sharp from 'sharp'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MODELS_DIR } from '../src/cli/models.js'
import { blendModels, loadModel } from '../src/engine/model.js'
import type { LoadedModel } from '../src/engine/model.js'
import { buildOnnx, OUTPUT_NAME } from '../src/engine/onnx/graph.js'
import { calibratedRanges } from '../src/engine/onnx/int8.js'
import { inferenceThreads } from '../src/node/cpu-threads.js'
import { median } from './stats.js'

const SHARED = join(process.cwd(), '..', 'shared', 'datasets')
const CALIBRATION = join(SHARED, 'train', 'kodak')
const SET14 = join(SHARED, 'eval', 'Set14')
const PAIRS = [
  ['real-photo pair (default)', 'enhance-real-psnr-x4', 'enhance-real-gan-x4'],
  ['clean pair', 'enhance-psnr-x4', 'enhance-gan-x4'],
] as const

interface Planar {
  data: Float32Array
  dims: number[]
  rgb: Buffer
}

async function readPlanar(path: string, crop?: number): Promise<Planar> {
  const image = crop ? sharp(path).extract({ left: 0, top: 0, width: crop, height: crop }) : sharp(path)
  const { data, info } = await image.removeAlpha().raw().toBuffer({ resolveWithObject: true })
  const n = info.width * info.height
  const planar = new Float32Array(3 * n)
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) planar[c * n + i] = data[i * 3 + c]! / 255
  return { data: planar, dims: [1, 3, info.height, info.width], rgb: data }
}

function options(profile?: string): ort.InferenceSession.SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: inferenceThreads(),
    enableMemPattern: false,
    logSeverityLevel: 3,
    ...(profile ? { enableProfiling: true, profileFilePrefix: profile } : {}),
  }
}

async function run(session: ort.InferenceSession, input: Planar): Promise<Float32Array> {
  const out = await session.run({ input: new ort.Tensor('float32', input.data, input.dims) })
  return out[OUTPUT_NAME]!.data as Float32Array
}

async function calibrate(model: LoadedModel, crops: Planar[]): Promise<ReturnType<typeof calibratedRanges>> {
  if (model.kind !== 'weights') throw new Error('int8 is built from weights')
  const probe = await ort.InferenceSession.create(
    buildOnnx(model.info, model.weights, { probe: true }),
    options(),
  )
  const runs: Array<Map<string, Float32Array>> = []
  for (const crop of crops) {
    const out = await probe.run({ input: new ort.Tensor('float32', crop.data, crop.dims) })
    runs.push(
      new Map(
        probe.outputNames.filter((n) => n !== OUTPUT_NAME).map((n) => [n, out[n]!.data as Float32Array]),
      ),
    )
  }
  await probe.release()
  return calibratedRanges(runs)
}

async function sessions(model: LoadedModel, crops: Planar[], profile?: string) {
  if (model.kind !== 'weights') throw new Error('int8 is built from weights')
  const ranges = await calibrate(model, crops)
  return {
    fp32: await ort.InferenceSession.create(
      buildOnnx(model.info, model.weights),
      options(profile && `${profile}-fp32`),
    ),
    int8: await ort.InferenceSession.create(
      buildOnnx(model.info, model.weights, { ranges }),
      options(profile && `${profile}-int8`),
    ),
  }
}

const toByte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255)
const luma = (r: number, g: number, b: number): number => 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255

/** PSNR-Y against the HR photo with a 4-px border shaved, as `enhance eval` measures. */
function psnrY(sr: Float32Array, width: number, height: number, hr: Planar): number {
  const [, , hh, hw] = hr.dims as [number, number, number, number]
  const plane = width * height
  let se = 0
  let n = 0
  for (let y = 4; y < Math.min(height, hh) - 4; y++) {
    for (let x = 4; x < Math.min(width, hw) - 4; x++) {
      const i = y * width + x
      const j = (y * hw + x) * 3
      const e =
        luma(toByte(sr[i]!), toByte(sr[plane + i]!), toByte(sr[2 * plane + i]!)) -
        luma(hr.rgb[j]!, hr.rgb[j + 1]!, hr.rgb[j + 2]!)
      se += e * e
      n++
    }
  }
  return 10 * Math.log10((255 * 255) / (se / n))
}

function meanAbsLevels(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs(toByte(a[i]!) - toByte(b[i]!))
  return sum / a.length
}

async function tileSpeed(model: LoadedModel, crops: Planar[], tile: Planar): Promise<void> {
  const { fp32, int8 } = await sessions(model, crops)
  const times: Record<'fp32' | 'int8', number[]> = { fp32: [], int8: [] }
  for (const s of [fp32, int8]) for (let warm = 0; warm < 2; warm++) await run(s, tile)
  for (let rep = 0; rep < 7; rep++) {
    for (const [name, s] of [
      ['fp32', fp32],
      ['int8', int8],
    ] as const) {
      const started = performance.now()
      await run(s, tile)
      times[name].push(performance.now() - started)
    }
  }
  const show = (v: number[]): string =>
    `${median(v).toFixed(0)} ms (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`
  console.log(
    `  float32 ${show(times.fp32)}, int8 ${show(times.int8)}: ${(median(times.fp32) / median(times.int8)).toFixed(2)}×`,
  )
}

async function profile(model: LoadedModel, crops: Planar[], tile: Planar): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-int8-'))
  const pair = await sessions(model, crops, join(dir, 'p'))
  for (const [name, s] of Object.entries(pair)) {
    for (let rep = 0; rep < 3; rep++) await run(s, tile)
    s.endProfiling()
    const file = readdirSync(dir).find((f) => f.startsWith(`p-${name}`))!
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Array<{
      cat: string
      name: string
      dur: number
      args: { op_name?: string }
    }>
    const byOp = new Map<string, number>()
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue
      byOp.set(e.args.op_name!, (byOp.get(e.args.op_name!) ?? 0) + e.dur / 3000)
    }
    const total = [...byOp.values()].reduce((a, b) => a + b, 0)
    const ops = [...byOp].sort((a, b) => b[1] - a[1]).map(([op, ms]) => `${op} ${ms.toFixed(1)}`)
    console.log(`  ${name} (ms per tile, total ${total.toFixed(0)}): ${ops.join(', ')}`)
  }
  rmSync(dir, { recursive: true, force: true })
}

async function quality(psnr: LoadedModel, gan: LoadedModel, crops: Planar[]): Promise<void> {
  const names = readdirSync(join(SET14, 'HR')).sort()
  for (const realism of [0, 0.5, 1]) {
    const { fp32, int8 } = await sessions(blendModels(psnr, gan, realism), crops)
    let p32 = 0
    let p8 = 0
    let mad = 0
    for (const name of names) {
      const lr = await readPlanar(join(SET14, 'LR_bicubic_x4', name))
      const hr = await readPlanar(join(SET14, 'HR', name))
      const [a, b] = [await run(fp32, lr), await run(int8, lr)]
      const [w, h] = [lr.dims[3]! * 4, lr.dims[2]! * 4]
      p32 += psnrY(a, w, h, hr)
      p8 += psnrY(b, w, h, hr)
      mad += meanAbsLevels(a, b)
    }
    const n = names.length
    console.log(
      `  α ${realism}: PSNR-Y float32 ${(p32 / n).toFixed(3)} dB, int8 ${(p8 / n).toFixed(3)} dB ` +
        `(${((p8 - p32) / n).toFixed(3)}); mean |Δ| ${(mad / n).toFixed(2)} levels`,
    )
  }
}

async function main(): Promise<void> {
  const crops = await Promise.all(
    readdirSync(CALIBRATION)
      .sort()
      .slice(0, 8)
      .map((f) => readPlanar(join(CALIBRATION, f), 64)),
  )
  const tile = await readPlanar(join(CALIBRATION, readdirSync(CALIBRATION).sort()[10]!), 160)
  console.log(`ONNX Runtime ${ort.env.versions.common}, ${inferenceThreads()} threads`)
  for (const [label, psnrName, ganName] of PAIRS) {
    const psnr = await loadModel(join(MODELS_DIR, `${psnrName}.safetensors`))
    const gan = await loadModel(join(MODELS_DIR, `${ganName}.safetensors`))
    const middle = blendModels(psnr, gan, 0.5)
    console.log(`\n${label}, α 0.5, one 160² tile, interleaved, 7 runs:`)
    await tileSpeed(middle, crops, tile)
    console.log('per operator:')
    await profile(middle, crops, tile)
    console.log('Set14, float32 against int8:')
    await quality(psnr, gan, crops)
  }
}

await main()
