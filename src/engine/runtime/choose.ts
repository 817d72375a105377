import type { DeviceDecision, ProviderProbe } from '../../shared/device.js'
import { EnhanceError, firstLineOf } from '../../shared/errors.js'
import { probeImage } from '../probe.js'
import type { Provider } from './providers.js'
import type { ModelSession } from './session.js'

/** The probe tile: large enough that a GPU's fixed costs show, small enough to measure in well under a second on a CPU. */
export const PROBE_SIDE = 64
/** An accelerator must reproduce the CPU's image this closely (fp32) to be used at all. */
export const AGREEMENT = 1e-3

export type Opener = (provider: Provider) => Promise<ModelSession>

const NAMES: Record<Provider, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
}

/** A provider as people call it: "WebGPU", "CUDA". */
export function providerName(provider: Provider): string {
  return NAMES[provider]
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

interface Timed {
  ms: number
  output: Float32Array
}

/** Runs the probe twice and times the second run: the first compiles shaders and sizes arenas. */
async function timeProbe(session: ModelSession, channels: number): Promise<Timed> {
  const input = probeImage(channels, PROBE_SIDE)
  const dims = [1, channels, PROBE_SIDE, PROBE_SIDE]
  await session.run(input, dims)
  const started = performance.now()
  const { data } = await session.run(input, dims)
  return { ms: performance.now() - started, output: data }
}

/** Whether an accelerator computes the CPU's image; a sentence when it does not. */
export function disagreement(
  provider: Provider,
  output: Float32Array,
  reference: Float32Array,
): string | null {
  const diff = maxAbsDiff(output, reference)
  if (diff <= AGREEMENT) return null
  return `its image differs from the CPU's by up to ${diff.toPrecision(2)} (more than ${AGREEMENT}), so ${NAMES[provider]} computes this model wrongly here`
}

async function probeAccelerator(
  open: Opener,
  provider: Provider,
  channels: number,
  cpu: Timed,
): Promise<ProviderProbe> {
  let session: ModelSession | null = null
  try {
    session = await open(provider)
    const timed = await timeProbe(session, channels)
    const problem = disagreement(provider, timed.output, cpu.output)
    return problem ? { provider, ms: timed.ms, problem } : { provider, ms: timed.ms }
  } catch (error) {
    return { provider, problem: firstLineOf(error).slice(0, 160) }
  } finally {
    await session?.release().catch(() => undefined)
  }
}

function describeProbe(probe: ProviderProbe): string {
  const time = probe.ms === undefined ? '' : `${probe.ms.toFixed(probe.ms < 10 ? 1 : 0)} ms`
  return `${NAMES[probe.provider as Provider] ?? probe.provider}: ${[time, probe.problem].filter(Boolean).join(', ')}`
}

function reasonFor(chosen: ProviderProbe, cpu: ProviderProbe, probes: ProviderProbe[]): string {
  const side = `${PROBE_SIDE}×${PROBE_SIDE}`
  const measured = probes.map(describeProbe).join('; ')
  if (chosen.provider !== 'cpu') {
    const speedup = (cpu.ms! / chosen.ms!).toFixed(1)
    return `${NAMES[chosen.provider as Provider]}, ${speedup}× the CPU on a ${side} probe tile (${measured}).`
  }
  const others = probes.filter((p) => p.provider !== 'cpu')
  if (!others.length) return `CPU: no other device is offered on this platform.`
  return `CPU: no other device beat it on a ${side} probe tile (${measured}).`
}

/**
 * `auto`'s choice for one model: the CPU's probe tile as the reference, then each accelerator in platform
 * order. An accelerator is kept only when it reproduces the CPU's image and is faster; a software adapter
 * (lavapipe, SwiftShader) is far slower and so never chosen. With `noGpu` (a machine without a GPU) no
 * accelerator is opened: each is recorded with that reason, saving a software adapter's seconds of probing.
 */
export async function measureProviders(
  open: Opener,
  candidates: Provider[],
  channels: number,
  model: string,
  noGpu: string | null = null,
): Promise<DeviceDecision> {
  const cpuSession = await open('cpu')
  let cpuTimed: Timed
  try {
    cpuTimed = await timeProbe(cpuSession, channels)
  } finally {
    await cpuSession.release()
  }
  const cpu: ProviderProbe = { provider: 'cpu', ms: cpuTimed.ms }
  const probes: ProviderProbe[] = [cpu]
  for (const provider of candidates.filter((p) => p !== 'cpu')) {
    probes.push(
      noGpu
        ? { provider, problem: `not measured: ${noGpu}` }
        : await probeAccelerator(open, provider, channels, cpuTimed),
    )
  }
  const usable = probes.filter((p) => !p.problem && p.ms !== undefined)
  const chosen = usable.reduce((best, p) => (p.ms! < best.ms! ? p : best), cpu)
  return {
    provider: chosen.provider,
    reason: noGpu ? `CPU: ${noGpu}, so no accelerator was measured.` : reasonFor(chosen, cpu, probes),
    probes,
    model,
    measuredAt: new Date().toISOString(),
  }
}

/**
 * An explicitly chosen accelerator is used alone (no silent fallback), but only if it computes the CPU's
 * image on the probe: otherwise DEVICE_UNAVAILABLE, with the measured difference.
 */
export async function assertAgreesWithCpu(
  session: ModelSession,
  open: Opener,
  channels: number,
): Promise<void> {
  if (session.provider === 'cpu') return
  const cpuSession = await open('cpu')
  try {
    const [own, reference] = [await timeProbe(session, channels), await timeProbe(cpuSession, channels)]
    const problem = disagreement(session.provider, own.output, reference.output)
    if (problem) {
      throw new EnhanceError(
        'DEVICE_UNAVAILABLE',
        `${NAMES[session.provider]} cannot run this model: ${problem}.`,
      )
    }
  } finally {
    await cpuSession.release()
  }
}

/** Float16 must stay this close to float32 on the probe: the golden tests' half-precision tolerance. */
export const HALF_AGREEMENT = 2e-2

/**
 * Float16 against float32 on the same device: whether it computes the same image within half precision,
 * whether it is faster, and the difference, so a refusal can say how far off it was.
 */
export async function compareHalf(
  full: ModelSession,
  half: ModelSession,
  channels: number,
): Promise<{ agrees: boolean; faster: boolean; diff: number }> {
  const reference = await timeProbe(full, channels)
  const own = await timeProbe(half, channels)
  const diff = maxAbsDiff(own.output, reference.output)
  return { agrees: diff <= HALF_AGREEMENT, faster: own.ms < reference.ms, diff }
}

/** Tile sides worth measuring; larger ones rarely win on a CPU (activations leave the cache). */
export const TILE_CANDIDATES = [64, 96, 128, 192, 256] as const

/**
 * The candidate sides a photo's plan can use and `known` lacks: none above `ceiling` (the memory budget),
 * and none as large as the photo, which runs as one tile at its own size (timed by the nearest side
 * measured). A small photo measures little or nothing; a large one, every side once.
 */
export function sidesToMeasure(
  photo: { width: number; height: number },
  ceiling: number,
  known: Record<string, number>,
): number[] {
  const longest = Math.max(photo.width, photo.height)
  return TILE_CANDIDATES.filter((side) => side <= ceiling && side < longest && !(side in known))
}

/**
 * LR pixels per second of a tile's core at each side, from one run each (the context pad is paid again by
 * every tile, so small tiles pay more of it). The largest side runs twice, first to grow ONNX Runtime's
 * arena, which then holds every smaller shape: measured here, a 288² input's first run took 2.4 s and its
 * second 1.0 s, while a 224² run after it took as long as its own second run.
 */
export async function measureTiles(
  session: ModelSession,
  channels: number,
  pad: number,
  sides: readonly number[],
): Promise<Record<string, number>> {
  const rates: Record<string, number> = {}
  const largestFirst = [...sides].sort((a, b) => b - a)
  for (const [index, side] of largestFirst.entries()) {
    const size = side + 2 * pad
    const input = probeImage(channels, size)
    const dims = [1, channels, size, size]
    if (index === 0) await session.run(input, dims)
    const started = performance.now()
    await session.run(input, dims)
    rates[side] = Math.round((side * side) / ((performance.now() - started) / 1000))
  }
  return rates
}

/** int8 is timed on a tile of this side: large enough that per-run overheads do not decide. */
export const INT8_TIMING_SIDE = 128

/**
 * float32 against int8 on the same CPU, interleaved, three runs each after a warm-up: the medians. One
 * warm probe (as for float16) swung by 30 % between identical runs here, which decided nothing.
 */
export async function compareInt8(
  full: ModelSession,
  quantised: ModelSession,
  channels: number,
): Promise<{ fp32Ms: number; int8Ms: number }> {
  const input = probeImage(channels, INT8_TIMING_SIDE)
  const dims = [1, channels, INT8_TIMING_SIDE, INT8_TIMING_SIDE]
  const times: [number[], number[]] = [[], []]
  const sessions = [full, quantised] as const
  for (const session of sessions) await session.run(input, dims)
  for (let rep = 0; rep < 3; rep++) {
    for (const [i, session] of sessions.entries()) {
      const started = performance.now()
      await session.run(input, dims)
      times[i]!.push(performance.now() - started)
    }
  }
  const middle = (v: number[]) => v.sort((a, b) => a - b)[1]!
  return { fp32Ms: middle(times[0]), int8Ms: middle(times[1]) }
}
