/**
 * int8 on the CPU (issue #14), on this machine. Prints, asserts nothing:
 *   1. one 160² tile at α 0.5, interleaved, 7 runs: float32, the shipped int8 graph (dense blocks in int8
 *      through the stored calibration, tail in float32) and everything in int8 (min/max ranges), for
 *      comparison;
 *   2. where each graph's time goes, per operator (ONNX Runtime's profiler);
 *   3. the slider: time until a new realism's session is ready, float32 against int8, through the engine;
 *   4. the quality bound as `npm run calibrate:int8` measured it on Set14 (stored in the calibration).
 *
 *   npm run bench:int8        (needs ../shared/datasets)
 */
import ort from 'onnxruntime-node'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MODELS_DIR } from '../src/cli/models.js'
import { readInt8Calibration } from '../src/engine/int8.js'
import { measuredWith } from '../src/engine/onnx/int8-plan.js'
import { blendModels, loadModel } from '../src/engine/model.js'
import { ModelRegistry } from '../src/engine/registry.js'
import { inferenceThreads } from '../src/node/cpu-threads.js'
import {
  PAIRS,
  SHARED,
  benchWeights,
  comparisonGraphs,
  readPlanar,
  run,
  sessionOptions,
} from './int8-common.js'
import type { Planar } from './int8-common.js'
import { median } from './stats.js'

const KODAK = join(SHARED, 'train', 'kodak')
const show = (v: number[]): string =>
  `${median(v).toFixed(0)} ms (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`

async function tileSpeed(onnx: Record<string, Uint8Array>, tile: Planar): Promise<void> {
  const sessions = await Promise.all(
    Object.entries(onnx).map(
      async ([name, bytes]) => [name, await ort.InferenceSession.create(bytes, sessionOptions())] as const,
    ),
  )
  const times = new Map(sessions.map(([name]) => [name, [] as number[]]))
  for (const [, s] of sessions) for (let warm = 0; warm < 2; warm++) await run(s, tile)
  for (let rep = 0; rep < 7; rep++) {
    for (const [name, s] of sessions) {
      const started = performance.now()
      await run(s, tile)
      times.get(name)!.push(performance.now() - started)
    }
  }
  const base = median(times.get('float32')!)
  for (const [name, t] of times)
    console.log(`  ${name}: ${show(t)}, ${(base / median(t)).toFixed(2)}× float32`)
  await Promise.all(sessions.map(([, s]) => s.release()))
}

async function profile(onnx: Record<string, Uint8Array>, tile: Planar): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-int8-'))
  for (const [i, [name, bytes]] of Object.entries(onnx).entries()) {
    const s = await ort.InferenceSession.create(bytes, sessionOptions(join(dir, `p${i}`)))
    for (let rep = 0; rep < 3; rep++) await run(s, tile)
    s.endProfiling()
    await s.release()
    const file = readdirSync(dir).find((f) => f.startsWith(`p${i}`))!
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
    const ops = [...byOp]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 7)
      .map(([op, ms]) => `${op} ${ms.toFixed(1)}`)
    console.log(`  ${name} (ms per tile, total ${total.toFixed(0)}): ${ops.join(', ')}`)
  }
  rmSync(dir, { recursive: true, force: true })
}

/** A new realism's session ready through the engine (blend, build, open), in each precision, interleaved, once both templates are made. */
async function sliderTimes(psnrName: string, ganName: string): Promise<void> {
  const registries: Array<[string, ModelRegistry]> = [
    ['fp32', new ModelRegistry({ device: 'cpu', precision: 'fp32' })],
    ['int8, fused anew', new ModelRegistry({ device: 'cpu', precision: 'int8', int8Templates: false })],
    ['int8', new ModelRegistry({ device: 'cpu', precision: 'int8' })],
  ]
  const spec = (realism: number) => ({
    path: join(MODELS_DIR, `${psnrName}.safetensors`),
    blend: { path: join(MODELS_DIR, `${ganName}.safetensors`), realism },
  })
  const times = new Map(registries.map(([p]) => [p, [] as number[]]))
  // loads the files and makes the float32 template; the second realism starts the int8 one (fused graph)
  for (const [, r] of registries) {
    await r.prepare(spec(0.5))
    await r.prepare(spec(0.55))
    await r.idle()
  }
  for (const realism of [0.13, 0.27, 0.41, 0.58, 0.66, 0.79, 0.93]) {
    for (const [precision, r] of registries) {
      const started = performance.now()
      await r.prepare(spec(realism))
      times.get(precision)!.push(performance.now() - started)
    }
  }
  for (const [precision, t] of times) console.log(`  new α in ${precision}: ${show(t)} (target ≤ 300 ms)`)
  await Promise.all(registries.map(([, r]) => r.close()))
}

async function main(): Promise<void> {
  const photos = readdirSync(KODAK).sort()
  const crops = await Promise.all(photos.slice(0, 8).map((f) => readPlanar(join(KODAK, f), 64)))
  const tile = await readPlanar(join(KODAK, photos[10]!), 160)
  const bits = await benchWeights()
  console.log(
    `ONNX Runtime ${ort.env.versions.common}, ${inferenceThreads()} threads, ${bits} weights (exact here)`,
  )
  for (const [label, psnrName, ganName] of PAIRS) {
    const calibration = await readInt8Calibration(join(MODELS_DIR, `${psnrName}.safetensors`))
    if (!calibration) throw new Error(`${psnrName} has no int8 calibration: run npm run calibrate:int8`)
    const psnr = await loadModel(join(MODELS_DIR, `${psnrName}.safetensors`))
    const gan = await loadModel(join(MODELS_DIR, `${ganName}.safetensors`))
    const onnx = await comparisonGraphs(blendModels(psnr, gan, 0.5), calibration, crops, 0.5, bits)
    console.log(`\n${label}, α 0.5, one 160² tile, interleaved, 7 runs:`)
    await tileSpeed(onnx, tile)
    console.log('per operator (the 7 largest):')
    await profile(onnx, tile)
    console.log('the slider, 7 new realisms each:')
    await sliderTimes(psnrName, ganName)
    const m = measuredWith(calibration, bits)
    if (!m) throw new Error(`${psnrName}'s calibration has no ${bits} figures: npm run calibrate:int8`)
    console.log(
      `quality, ${m.set}, ${bits} against float32 (npm run calibrate:int8): α 0 ${m.faithfulDeltaDb.toFixed(3)} dB; ` +
        `mean |Δ| α 0.5 ${m.defaultMeanAbsLevels.toFixed(2)}, α 0.55 ${m.betweenGridMeanAbsLevels.toFixed(2)}, ` +
        `α 1 ${m.realisticMeanAbsLevels.toFixed(2)} levels (bound: −0.1 dB, 1 level)`,
    )
  }
}

await main()
