/**
 * The whole batch, side by side (issue #14): `enhance` on 8 photos of 384×384 → ×4 with the default model
 * and settings, timed from process start to exit (decoding, encoding and writes included), against
 * PyTorch's pure float32 inference on the same blended weights, context and thread count, in the tile
 * plan and memory layout it runs fastest (chosen once, `bench/torch_batch.py`), in the engine's allocator
 * environment (the target's baseline) and as installed (glibc's defaults), and the ceiling: ONNX Runtime's
 * inference alone (`batch-ceiling.ts`). The runs are interleaved and repeated; the figures are medians
 * with their spread. Nothing is asserted.
 *
 *   npm run bench:batch [-- --reps 5]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { MODELS_DIR } from '../src/cli/models.js'
import { defaultSpec, readCatalog } from '../src/engine/catalog.js'
import { TILE_PAD } from '../src/engine/tiling/plan.js'
import { inferenceThreads } from '../src/node/cpu-threads.js'
import { engineEnv } from '../src/node/engine-env.js'
import { DEFAULT_REALISM } from '../src/shared/settings-schema.js'
import { syntheticPhoto } from './photos.js'
import { median } from './stats.js'
import { inferenceCeiling } from './batch-ceiling.js'

const PHOTOS = 8
const SIDE = 384
const CPU_FLAGS = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'avx512_bf16', 'amx_int8', 'amx_bf16']

function spread(values: number[]): string {
  return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)} s`
}

function cpuFlags(): string {
  const info = readFileSync('/proc/cpuinfo', 'utf8')
  const flags = new Set(/^flags\s*:\s*(.*)$/m.exec(info)?.[1]?.split(' ') ?? [])
  return CPU_FLAGS.filter((flag) => flags.has(flag)).join(' ') || 'none of ' + CPU_FLAGS.join(' ')
}

/** One `enhance` run over the folder in a fresh output and queue; its wall time and the tile it used. */
function runEnhance(
  photos: string,
  work: string,
  run: string,
  dataDir: string,
): { seconds: number; tile: number; precision: string } {
  const start = performance.now()
  const out = execFileSync(
    process.execPath,
    [
      'bin/enhance.js',
      photos,
      '--out',
      join(work, `out-${run}`),
      '--queue-dir',
      join(work, `queue-${run}`),
      '--json',
    ],
    { encoding: 'utf8', env: { ...process.env, ENHANCE_DATA_DIR: dataDir } },
  )
  const seconds = (performance.now() - start) / 1000
  const done = out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { event: string; tile?: number; precision?: string })
    .filter((event) => event.event === 'done')
  if (done.length !== PHOTOS) throw new Error(`enhance finished ${done.length} of ${PHOTOS} photos:\n${out}`)
  return { seconds, tile: done[0]!.tile ?? 0, precision: done[0]!.precision ?? '?' }
}

interface TorchPlan {
  tile: number
  layout: string
}

/**
 * `tuned`: the same environment as the engine process gets (huge pages for large allocations on Linux), the
 * baseline the target is judged against; `as installed`: glibc's defaults, as PyTorch runs for most people.
 */
type TorchEnv = 'tuned' | 'as installed'

function torch<T>(
  command: 'choose' | 'run',
  spec: { psnr: string; gan: string },
  threads: number,
  rest: string[],
  env: TorchEnv = 'tuned',
): T {
  const args = [spec.psnr, spec.gan, String(DEFAULT_REALISM), String(TILE_PAD), String(threads), ...rest]
  const plain = { ...process.env }
  delete plain.GLIBC_TUNABLES
  const out = execFileSync('/usr/bin/python3', ['bench/torch_batch.py', command, ...args], {
    encoding: 'utf8',
    env: env === 'tuned' ? engineEnv(process.env) : plain,
  })
  return JSON.parse(out) as T
}

async function main(): Promise<void> {
  const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 3
  const work = mkdtempSync(join(tmpdir(), 'enhance-batch-'))
  const photosDir = join(work, 'photos')
  mkdirSync(photosDir)
  const photos = Array.from({ length: PHOTOS }, (_, i) => join(photosDir, `photo-${i}.jpg`))
  for (const [i, path] of photos.entries()) await syntheticPhoto(path, SIDE, SIDE, i)
  const spec = defaultSpec(MODELS_DIR, readCatalog(MODELS_DIR), DEFAULT_REALISM)
  if (!spec?.blend) throw new Error('The bundled default pair is missing.')
  const pair = { psnr: spec.path, gan: spec.blend.path }
  const threads = inferenceThreads() || cpus().length
  const dataDir = join(work, 'data')
  console.log(
    `machine: ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}; flags: ${cpuFlags()}; node ${process.version}`,
  )
  console.log(
    `model: the default pair at α ${DEFAULT_REALISM} (${pair.psnr} + ${pair.gan}), ${threads} threads; PyTorch in float32`,
  )
  const first = runEnhance(photosDir, work, 'first', dataDir)
  console.log(
    `first enhance run (measures the device, precision and tile sides once, then remembers): ${first.seconds.toFixed(2)} s, ${first.precision}, tiles of ${first.tile}`,
  )
  const sides = [...new Set([48, 64, 96, 128, 192, SIDE, first.tile])].sort((x, y) => x - y)
  const plan = torch<TorchPlan>('choose', pair, threads, [photos[0]!, ...sides.map(String)])
  console.log(
    `PyTorch's fastest plan on this CPU (tile sides ${sides.join(', ')}, NCHW or channels-last, timed on one photo): tiles of ${plan.tile}, ${plan.layout}`,
  )
  const ceiling = await inferenceCeiling(pair, DEFAULT_REALISM, photos)
  const ceilingTimes = new Map<string, number[]>()
  const enhance: number[] = []
  const baseline: number[] = []
  const installed: number[] = []
  const torchRun = (env: TorchEnv): number =>
    torch<{ seconds: number }>('run', pair, threads, [String(plan.tile), plan.layout, ...photos], env).seconds
  for (let rep = 0; rep < reps; rep++) {
    const run = runEnhance(photosDir, work, String(rep), dataDir)
    enhance.push(run.seconds)
    baseline.push(torchRun('tuned'))
    installed.push(torchRun('as installed'))
    for (const [name, seconds] of Object.entries(await ceiling()))
      ceilingTimes.set(name, [...(ceilingTimes.get(name) ?? []), seconds])
    console.log(
      `rep ${rep + 1}: enhance ${run.seconds.toFixed(2)} s (${run.precision}, tiles of ${run.tile}); PyTorch inference ${baseline.at(-1)!.toFixed(2)} s, as installed ${installed.at(-1)!.toFixed(2)} s`,
    )
  }
  console.log(`${PHOTOS} photos ${SIDE}×${SIDE} → ×4, ${reps} interleaved repetitions:`)
  console.log(
    `  enhance, whole batch from process start: median ${median(enhance).toFixed(2)} s (${spread(enhance)})`,
  )
  console.log(
    `  PyTorch, pure tiled inference:          median ${median(baseline).toFixed(2)} s (${spread(baseline)})`,
  )
  console.log(`  ratio PyTorch / enhance: ${(median(baseline) / median(enhance)).toFixed(2)}× (target ≥ 3)`)
  console.log(
    '  the ceiling: ONNX Runtime inference alone, each photo as one window, against the PyTorch figure above:',
  )
  for (const [name, times] of ceilingTimes)
    console.log(
      `    ${name}: median ${median(times).toFixed(2)} s (${spread(times)}), ${(median(baseline) / median(times)).toFixed(2)}×`,
    )
  console.log(
    `  PyTorch as installed (glibc's default allocator, no huge pages): median ${median(installed).toFixed(2)} s (${spread(installed)}), ${(median(installed) / median(enhance)).toFixed(2)}× enhance's time`,
  )
}

await main()
