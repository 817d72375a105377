import { resolve } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { archOf, describeArch } from '../shared/model.js'
import type { ModelInfo, PrecisionChoice } from '../shared/model.js'
import type { ModelSpecData } from '../shared/protocol.js'
import type { DecisionStore, Int8Store, TileStore } from '../node/device-decisions.js'
import { inferenceThreads } from '../node/cpu-threads.js'
import { noGpuReason } from '../node/gpu-devices.js'
import { machineKey, recentRuns } from '../node/device-decisions.js'
import { freeMemory } from '../node/memory.js'
import { Int8Choice } from './int8-choice.js'
import type { WeightBits } from './onnx/int8.js'
import { blendModels, blendSha, loadModel, modelToOnnx } from './model.js'
import { BlendTemplate } from './onnx/blend-template.js'
import { once } from './once.js'
import type { LoadedModel } from './model.js'
import { assertUsableOutput } from './probe.js'
import { SessionCache } from './runtime/cache.js'
import {
  HALF_AGREEMENT,
  assertAgreesWithCpu,
  compareHalf,
  measureProviders,
  measureTiles,
  providerName,
  sidesToMeasure,
} from './runtime/choose.js'
import type { Opener } from './runtime/choose.js'
import { providersFor } from './runtime/providers.js'
import type { DeviceRequest, Provider } from './runtime/providers.js'
import { LazySession, RUNTIME_VERSION, createSession, openSession } from './runtime/session.js'
import type { ModelSession } from './runtime/session.js'
import {
  EVERY_SIDE,
  TILE_PAD,
  activationChannels,
  autoTileSize,
  fastestTile,
  planSeconds,
} from './tiling/plan.js'
import { MeasuringSignal } from './measuring.js'

export interface RegistryOptions {
  device?: DeviceRequest
  /** CPU threads per session; 0 or absent: one per physical core (`inferenceThreads`). */
  threads?: number
  /** Where `auto` remembers its measured choice per machine and architecture; in memory only without. */
  decisions?: DecisionStore
  /** `auto`: float16 only on an accelerator where it measured faster and agrees with float32. */
  precision?: PrecisionChoice
  /** Where `--tile auto` remembers the side it measured fastest; in memory only without. */
  tiles?: TileStore
  /** Where `auto` remembers whether int8 ran faster than float32 here; in memory only without. */
  int8?: Int8Store
  /** The widest weights this CPU's int8 kernels sum exactly (null: none); measured when absent (`exactInt8Weights`). */
  int8Weights?: WeightBits | null
  /** Whether int8 slider moves open ONNX Runtime's fused graph with new weights (default), not fuse anew. */
  int8Templates?: boolean
  /** Why `auto` need not probe accelerators here (null: probe them); absent: this machine's device nodes (`noGpuReason`). */
  noGpu?: string | null
}

/** A model ready to run: its session (provider and precision chosen) and what it is. */
export interface PreparedModel {
  session: ModelSession
  info: ModelInfo
}

/** Accelerators get tiles sized for a GPU with 2 GiB to spare, not for the CPU's free memory. */
const ACCELERATOR_TILE_BUDGET = 2 * 2 ** 30

/** A photo no tile side is measured for: the rates known already, and nothing timed. */
const NO_SIDE = { width: 0, height: 0 }

/**
 * The models and sessions of one engine process: loads each model file once, blends a pair at a realism,
 * opens the session on the provider and precision `auto` measured (or the one asked for), and picks
 * `--tile auto`'s side. The file pipeline and the slider's crops both run what it prepares.
 */
export class ModelRegistry {
  private readonly models = new Map<string, Promise<LoadedModel>>()
  /** Per pair of weight files: the encoded model each new realism rewrites in place. */
  private readonly templates = new Map<string, Promise<BlendTemplate | null>>()
  private readonly sessions = new SessionCache(3)
  /** `auto`'s choice per architecture in this process (the store keeps it across processes). */
  private readonly chosen = new Map<string, Promise<Provider>>()
  /** This machine's identity for remembered measurements: computed once, not per photo. */
  private readonly machine = machineKey(RUNTIME_VERSION)
  /** `--tile auto`'s measured rates per architecture, provider and precision in this process. */
  private readonly tiles = new Map<string, Promise<Record<string, number>>>()
  /** int8's stored calibrations and `auto`'s measured choice of it. */
  private readonly int8: Int8Choice
  /** CPU threads per session, resolved once: the rates `--tile auto` remembers depend on it. */
  private readonly threads: number
  /** Tells a waiting photo that `auto` is timing this computer (once per machine and model). */
  readonly measuring = new MeasuringSignal()

  constructor(private readonly options: RegistryOptions = {}) {
    this.threads = options.threads || inferenceThreads()
    const bits = options.int8Weights
    this.int8 = new Int8Choice(
      this.machine,
      this.threads,
      options.int8,
      bits === undefined ? undefined : () => Promise.resolve(bits),
      options.int8Templates ?? true,
      this.measuring,
    )
  }

  private model(path: string): Promise<LoadedModel> {
    const key = resolve(path)
    return once(this.models, key, () => loadModel(key))
  }

  async prepare(spec: ModelSpecData, device = this.options.device ?? 'auto'): Promise<PreparedModel> {
    const base = await this.model(spec.path)
    const partner = spec.blend ? await this.model(spec.blend.path) : null
    const realism = spec.blend?.realism ?? 0
    // The cache is asked first: a slider position seen before costs no blend at all.
    const info = partner ? { ...base.info, sha256: blendSha(base, partner, realism) } : base.info
    if (info.inChannels !== 3 || info.outChannels !== 3) {
      throw new EnhanceError(
        'UNKNOWN_ARCHITECTURE',
        'Photos need a model with 3 input and 3 output channels (RGB).',
      )
    }
    const precision = this.options.precision ?? 'auto'
    const key = { model: info.sha256, realism, device, precision }
    const session = await this.sessions.get(key, async () => {
      // The blended weights themselves are needed only without a template, or for a float16 graph.
      let model: LoadedModel | undefined
      const blended = (): LoadedModel => (model ??= partner ? blendModels(base, partner, realism) : base)
      const open = (onnx: Uint8Array) => this.openFor(onnx, info, device)
      // float32's session (and the pair's template for it) is made only if it is needed: int8 may not
      const full = new LazySession(async () => {
        const template = partner ? await this.template(base, partner) : null
        return template ? template.with(realism, open) : open(modelToOnnx(blended()))
      })
      const provider = (await this.knownProvider(device, info)) ?? (await full.get()).provider
      const created =
        precision === 'int8' || (precision === 'auto' && provider === 'cpu')
          ? await this.int8.session(full, provider, blended, precision, () =>
              this.int8.plan(spec, base, partner, realism),
            )
          : await this.withPrecision(await full.get(), base.kind, blended, precision)
      try {
        await assertUsableOutput(
          created,
          { channels: 3, scale: info.scale },
          spec.blend ? 'INCOMPATIBLE_MODELS' : 'DEGENERATE_MODEL',
        )
      } catch (error) {
        await created.release()
        throw error
      }
      return created
    })
    return { session, info }
  }

  /** A pair of weight files' blend template, made once; ready .onnx files keep their own blending. */
  private template(base: LoadedModel, partner: LoadedModel): Promise<BlendTemplate | null> {
    if (base.kind !== 'weights' || partner.kind !== 'weights') return Promise.resolve(null)
    const key = `${base.info.sha256}+${partner.info.sha256}`
    return once(this.templates, key, () =>
      Promise.resolve().then(() => BlendTemplate.of(modelToOnnx(base), modelToOnnx(partner))),
    )
  }

  /** `auto`: the measured choice; a named device: that one alone, if it computes what the CPU does. */
  private async openFor(onnx: Uint8Array, info: ModelInfo, device: DeviceRequest): Promise<ModelSession> {
    const { threads } = this
    const open: Opener = (provider) => openSession(onnx, provider, threads)
    if (device === 'auto') {
      const provider = await this.choose(open, info)
      if (provider === 'cpu') return open('cpu')
      return open(provider).catch(() => {
        // A remembered accelerator that no longer loads (its driver is gone) leaves the CPU, and this
        // process says so from now on, so that the next realism takes the CPU's int8 path too.
        this.chosen.set(this.chooseKey(info), Promise.resolve('cpu'))
        return open('cpu')
      })
    }
    this.refuseWithoutGpu(device)
    const session = await createSession(onnx, { device, threads })
    try {
      await assertAgreesWithCpu(session, open, info.inChannels)
    } catch (error) {
      await session.release()
      throw error
    }
    return session
  }

  /**
   * Float16 where it is asked for, or (`auto`) on an accelerator where it measured faster; either way only
   * when it computes float32's image within half precision. The CPU stays float32 on `auto`: ONNX Runtime's
   * CPU kernels are float32 and a float16 graph only adds casts there.
   */
  private async withPrecision(
    full: ModelSession,
    kind: LoadedModel['kind'],
    model: () => LoadedModel,
    precision: PrecisionChoice,
  ): Promise<ModelSession> {
    const cpuOrReady = full.provider === 'cpu' || kind === 'onnx'
    if (precision === 'fp32' || (precision === 'auto' && cpuOrReady)) return full
    const half = await Promise.resolve()
      .then(() => openSession(modelToOnnx(model(), 'fp16'), full.provider, this.threads, 'fp16'))
      .catch(async (error: unknown) => {
        if (precision !== 'fp16') return null // an adapter without shader-f16: stay at float32
        await full.release()
        throw error
      })
    if (!half) return full
    const verdict = await compareHalf(full, half, model().info.inChannels).catch(() => null)
    const useHalf = verdict !== null && verdict.agrees && (precision === 'fp16' || verdict.faster)
    await (useHalf ? full : half).release()
    if (useHalf) return half
    if (precision !== 'fp16') return full
    await full.release()
    throw new EnhanceError(
      'DEVICE_UNAVAILABLE',
      `float16 on ${full.provider} differs from float32 by up to ${verdict?.diff.toPrecision(2) ?? '?'} (more than ${HALF_AGREEMENT}). Choose full (float32) or automatic precision.`,
    )
  }

  private choose(open: Opener, info: ModelInfo): Promise<Provider> {
    const candidates = providersFor('auto', process.platform, process.arch)
    const key = this.chooseKey(info, candidates)
    return once(this.chosen, key, () => this.decide(key, open, info, candidates))
  }

  private chooseKey(
    info: ModelInfo,
    candidates = providersFor('auto', process.platform, process.arch),
  ): string {
    return [this.machine, JSON.stringify(archOf(info)), candidates.join(',')].join('|')
  }

  private noGpu(): string | null {
    return this.options.noGpu === undefined ? noGpuReason() : this.options.noGpu
  }

  /**
   * An accelerator asked for by name where the machine has no GPU could only open a software adapter
   * (Dawn on lavapipe or SwiftShader): it runs on the CPU, about 100 times slower than the CPU provider
   * (a 1×1 PNG took 81.7 s here), which no one asking for a GPU wants.
   */
  private refuseWithoutGpu(device: Exclude<DeviceRequest, 'auto'>): void {
    const noGpu = device === 'cpu' ? null : this.noGpu()
    if (!noGpu) return
    throw new EnhanceError(
      'DEVICE_UNAVAILABLE',
      `${providerName(device)} needs a GPU, and ${noGpu}: only a software adapter could open, which runs on the CPU about 100 times slower than the CPU itself.`,
    )
  }

  /**
   * The provider a session would open on, when known without opening one: the CPU asked for, auto's choice
   * made in this process, or a CPU it remembers (a remembered accelerator is opened: its driver may be gone).
   */
  private async knownProvider(device: DeviceRequest, info: ModelInfo): Promise<Provider | undefined> {
    if (device === 'cpu') return 'cpu'
    if (device !== 'auto') return undefined
    const candidates = providersFor('auto', process.platform, process.arch)
    const key = this.chooseKey(info, candidates)
    const chosen = this.chosen.get(key)
    if (chosen) return chosen
    if ((await this.remembered(key, candidates)) !== 'cpu') return undefined
    this.chosen.set(key, Promise.resolve('cpu'))
    return 'cpu'
  }

  /** auto's choice where it needs no measuring: the CPU as the only candidate, or the store's. */
  private async remembered(key: string, candidates: Provider[]): Promise<Provider | undefined> {
    if (candidates.length === 1) return 'cpu'
    const remembered = (await this.options.decisions?.get(key))?.provider as Provider | undefined
    return remembered && candidates.includes(remembered) ? remembered : undefined
  }

  private async decide(
    key: string,
    open: Opener,
    info: ModelInfo,
    candidates: Provider[],
  ): Promise<Provider> {
    const remembered = await this.remembered(key, candidates)
    if (remembered) return remembered
    const store = this.options.decisions
    const noGpu = this.noGpu()
    const decision = await this.measuring.during(() =>
      measureProviders(open, candidates, info.inChannels, describeArch(info), noGpu),
    )
    await store?.set(key, decision).catch(() => undefined) // an unwritable store only costs a re-measure
    return decision.provider as Provider
  }

  /**
   * The tile side for a photo: a fixed one as asked, or for `auto` the fastest side measured on this
   * session's provider and precision, no larger than the memory budget allows; each side is measured
   * when a photo first could use it, and remembered per machine.
   */
  async tileFor(
    requested: number | 'auto',
    prepared: PreparedModel,
    photo: { width: number; height: number },
  ): Promise<number> {
    if (requested !== 'auto') return requested
    const { rates, ceiling } = await this.measuredRates(prepared, photo)
    return fastestTile(photo.width, photo.height, TILE_PAD, rates, ceiling)
  }

  /**
   * How long each of `photos` would take in tiles as `requested` (as `tileFor` chooses them for `auto`), from the rates
   * measured on this session's provider and precision, every side up to the memory budget measured first where it was
   * not yet on this machine: the network's time, or with photos enhanced so here already (`noteRun`), the whole photos'
   * at their pace (`fromRuns`). Null where no side could be measured. `measure` false: nothing is timed, so that a
   * run's photos never wait on it; the sides measured here before are all it goes by (none yet: null).
   */
  async secondsFor(
    requested: number | 'auto',
    prepared: PreparedModel,
    photos: readonly { width: number; height: number }[],
    measure = true,
  ): Promise<{ seconds: number[]; fromRuns: boolean } | null> {
    const { rates, ceiling, key } = await this.measuredRates(prepared, measure ? EVERY_SIDE : NO_SIDE)
    const network: number[] = []
    for (const { width, height } of photos) {
      const side = requested === 'auto' ? fastestTile(width, height, TILE_PAD, rates, ceiling) : requested
      const seconds = planSeconds(width, height, TILE_PAD, rates, side)
      if (seconds === null) return null
      network.push(seconds)
    }
    const runs = (await this.options.tiles?.get(key).catch(() => undefined))?.runs
    const pace = runs && runs.networkMs > 0 ? runs.ranMs / runs.networkMs : null
    return { seconds: network.map((seconds) => seconds * (pace ?? 1)), fromRuns: pace !== null }
  }

  /**
   * Remembers how long a photo took from its reading to its writing (`ranMs`), in tiles of `tile` as `auto` chose them,
   * beside what the measured rates say its network alone took: reading, repairs and writing then count in estimates.
   */
  async noteRun(
    prepared: PreparedModel,
    photo: { width: number; height: number },
    tile: number,
    ranMs: number,
  ): Promise<void> {
    const store = this.options.tiles
    const { key } = this.tileKey(prepared)
    // The rates the photo's tiles were chosen by, none measured for it (none are known where memory moved the ceiling).
    const rates = store && (await this.tiles.get(key))
    const seconds = rates && planSeconds(photo.width, photo.height, TILE_PAD, rates, tile)
    if (!store || !seconds) return
    await store.update(key, (old) => old && { ...old, runs: recentRuns(old.runs, ranMs, seconds * 1000) })
  }

  /**
   * The tile rates this session's provider and precision have (those `photo` could use measured now), their memory
   * ceiling, and the key they are remembered by.
   */
  private async measuredRates(
    prepared: PreparedModel,
    photo: { width: number; height: number },
  ): Promise<{ rates: Record<string, number>; ceiling: number; key: string }> {
    const { key, ceiling } = this.tileKey(prepared)
    const { info, session } = prepared
    return { rates: await this.tileRates(key, info, session, photo, ceiling), ceiling, key }
  }

  /** The tile side no larger than the memory budget allows now, and the key rates are remembered by for it. */
  private tileKey({ session, info }: PreparedModel): { key: string; ceiling: number } {
    const cpuBudget = Math.min(freeMemory(), 8 * 2 ** 30) / 4
    const ceiling = autoTileSize({
      channels: activationChannels(info),
      scale: info.scale,
      pad: TILE_PAD,
      budgetBytes: session.provider === 'cpu' ? cpuBudget : ACCELERATOR_TILE_BUDGET,
    })
    const key = [
      this.machine,
      JSON.stringify(archOf(info)),
      session.provider,
      session.precision,
      ceiling,
      `${this.threads} threads`,
    ].join('|')
    return { key, ceiling }
  }

  /**
   * The rates remembered for `key`, with the sides this photo's plan could use and no earlier photo
   * needed measured now and remembered too. One measurement at a time per key: a photo and a warm-up
   * timing tiles together would slow each other's runs and remember both wrong.
   */
  private tileRates(
    key: string,
    info: ModelInfo,
    session: ModelSession,
    photo: { width: number; height: number },
    ceiling: number,
  ): Promise<Record<string, number>> {
    const store = this.options.tiles
    const previous =
      this.tiles.get(key) ??
      (store?.get(key) ?? Promise.resolve(undefined)).then(
        (remembered) => ({ ...remembered?.rates }),
        () => ({}),
      )
    const next = previous.then(async (rates) => {
      const sides = sidesToMeasure(photo, ceiling, rates)
      if (sides.length === 0) return rates
      const measured = await this.measuring.during(() =>
        measureTiles(session, info.inChannels, TILE_PAD, sides),
      )
      const merged = { ...rates, ...measured }
      const measuredAt = new Date().toISOString()
      await store?.update(key, (old) => ({ ...old, rates: merged, measuredAt })).catch(() => undefined)
      return merged
    })
    // A failed measurement leaves what was known; the next photo tries again.
    this.tiles.set(
      key,
      next.catch(() => previous),
    )
    return next
  }

  /** Settles when the work this registry started in the background (int8 templates) is done. */
  async idle(): Promise<void> {
    await this.int8.graphs?.idle()
  }

  async close(): Promise<void> {
    await this.sessions.clear()
  }
}
