/**
 * Pipeline benchmarks, each a ratio measured side by side in one run (figures printed, nothing asserted):
 *   1. raw model throughput, ONNX Runtime against PyTorch, same weights, tile shape and threads;
 *   2. a whole photo end to end (decode → tiles → inference → encode) against pure inference on its pixels;
 *   2b. the same photo with the app's live previews against without;
 *   3. peak RSS enhancing a 2000×1500 photo ×4 against the raw size of its output buffer.
 *
 *   npm run bench:pipeline
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { syntheticPhoto } from './photos.js'
import { MODELS_DIR } from '../src/cli/models.js'
import { enhanceFile } from '../src/engine/enhance-file.js'
import { ModelRegistry } from '../src/engine/registry.js'
import { TILE_PAD } from '../src/engine/tiling/plan.js'
import { loadModel, modelToOnnx } from '../src/engine/model.js'
import { createSession } from '../src/engine/runtime/session.js'
import type { ModelSession } from '../src/engine/runtime/session.js'
import { planTiles } from '../src/engine/tiling/plan.js'
import { engineEnv } from '../src/node/engine-env.js'
import { DEFAULT_SETTINGS } from '../src/shared/settings.js'
import { median } from './stats.js'

const MODEL = `${MODELS_DIR}enhance-psnr-x4.safetensors`
const THREADS = cpus().length
const TILE = 128

async function timeRuns(session: ModelSession, side: number, runs: number): Promise<number> {
  const input = new Float32Array(3 * side * side).map(() => Math.random())
  await session.run(input, [1, 3, side, side])
  const start = performance.now()
  for (let i = 0; i < runs; i++) await session.run(input, [1, 3, side, side])
  return (performance.now() - start) / runs
}

async function throughput(session: ModelSession): Promise<void> {
  const side = TILE + 2 * TILE_PAD
  const ortMs = await timeRuns(session, side, 5)
  const torch = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      ['bench/torch_throughput.py', MODEL, String(side), '5', String(THREADS)],
      { encoding: 'utf8', env: engineEnv(process.env) },
    ),
  ) as { lrPixelsPerSecond: number; msPerTile: number; torch: string }
  const ort = (side * side) / (ortMs / 1000)
  console.log(`1. throughput, ${side}×${side} tile, ${THREADS} threads:`)
  console.log(`   ONNX Runtime ${(ort / 1e3).toFixed(1)} k LR px/s (${ortMs.toFixed(0)} ms/tile)`)
  console.log(
    `   PyTorch ${torch.torch} ${(torch.lrPixelsPerSecond / 1e3).toFixed(1)} k LR px/s (${torch.msPerTile.toFixed(0)} ms/tile)`,
  )
  console.log(`   ratio ONNX Runtime / PyTorch: ${(ort / torch.lrPixelsPerSecond).toFixed(2)}×`)
}

async function endToEnd(session: ModelSession, work: string): Promise<void> {
  const input = join(work, 'photo-640.jpg')
  await syntheticPhoto(input, 640, 480)
  const registry = new ModelRegistry({ device: 'cpu' })
  const model = { path: MODEL }
  await registry.prepare(model)
  const settings = { ...DEFAULT_SETTINGS, format: 'jpeg' as const, tile: TILE }
  const start = performance.now()
  await enhanceFile(registry, { input, output: join(work, 'out-640.jpg'), model, settings })
  const wall = performance.now() - start
  await registry.close()
  const tiles = planTiles(640, 480, TILE)
  const side = TILE + 2 * TILE_PAD
  const perTile = await timeRuns(session, side, 3)
  const pure = perTile * tiles.length
  console.log(
    `2. 640×480 JPEG ×4 end to end: ${(wall / 1000).toFixed(2)} s; pure inference on the same ${tiles.length} tiles ${(pure / 1000).toFixed(2)} s`,
  )
  console.log(`   ratio end-to-end / inference: ${(wall / pure).toFixed(3)}× (target ≤ 1.15)`)
}

/** What the app's live previews (one PNG per finished tile, as the engine sends them) add to a photo. */
async function previewCost(work: string): Promise<void> {
  const input = join(work, 'photo-640.jpg')
  const registry = new ModelRegistry({ device: 'cpu' })
  const model = { path: MODEL }
  await registry.prepare(model)
  const settings = { ...DEFAULT_SETTINGS, format: 'jpeg' as const, tile: TILE }
  const walls: Record<'without' | 'with', number[]> = { without: [], with: [] }
  let previews = 0
  for (let rep = 0; rep < 3; rep++) {
    for (const kind of ['without', 'with'] as const) {
      const onPreview = kind === 'with' ? () => void previews++ : undefined
      const start = performance.now()
      await enhanceFile(
        registry,
        { input, output: join(work, 'out-640.jpg'), model, settings },
        { onPreview },
      )
      walls[kind].push(performance.now() - start)
    }
  }
  await registry.close()
  const show = (v: number[]): string =>
    `${(median(v) / 1000).toFixed(2)} s (${v.map((x) => (x / 1000).toFixed(2)).join(', ')})`
  console.log(
    `2b. the same photo with live previews (${previews / 3} per photo) against without, interleaved ×3:`,
  )
  console.log(`   with ${show(walls.with)}, without ${show(walls.without)}`)
}

function peakRss(work: string, format: 'png' | 'jpg'): void {
  const input = join(work, 'photo-2000.jpg')
  const script = `
    import { enhanceFile } from './dist/src/engine/enhance-file.js'
    import { ModelRegistry } from './dist/src/engine/registry.js'
    import { DEFAULT_SETTINGS } from './dist/src/shared/settings.js'
    const registry = new ModelRegistry({ device: 'cpu' })
    await enhanceFile(registry, {
      input: ${JSON.stringify(input)},
      output: ${JSON.stringify(join(work, `out-2000.${format}`))},
      model: { path: ${JSON.stringify(MODEL)} },
      settings: { ...DEFAULT_SETTINGS, format: ${JSON.stringify(format === 'jpg' ? 'jpeg' : 'png')}, tile: 'auto' },
    })
    await registry.close()
    console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }))`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: engineEnv(process.env), // as the engine process runs
  })
  const { maxRssKb } = JSON.parse(out.trim().split('\n').pop()!) as { maxRssKb: number }
  const outputBytes = 8000 * 6000 * 3
  console.log(
    `3. 2000×1500 → 8000×6000 ${format.toUpperCase()}: peak RSS ${(maxRssKb / 1024).toFixed(0)} MiB; raw output buffer ${(outputBytes / 2 ** 20).toFixed(0)} MiB`,
  )
  console.log(`   ratio peak RSS / output buffer: ${((maxRssKb * 1024) / outputBytes).toFixed(2)}×`)
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'enhance-bench-'))
  console.log(
    `machine: ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; model ${MODEL}`,
  )
  const session = await createSession(modelToOnnx(await loadModel(MODEL)), {
    device: 'cpu',
    threads: THREADS,
  })
  await throughput(session)
  await endToEnd(session, work)
  await previewCost(work)
  await syntheticPhoto(join(work, 'photo-2000.jpg'), 2000, 1500)
  if (!process.argv.includes('--skip-rss'))
    for (const format of ['png', 'jpg'] as const) peakRss(work, format)
  await session.release()
}

await main()
