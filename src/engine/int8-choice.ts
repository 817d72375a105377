import { resolve } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { archOf } from '../shared/model.js'
import type { ModelInfo, PrecisionChoice } from '../shared/model.js'
import type { ModelSpecData } from '../shared/protocol.js'
import type { Int8Store } from '../node/device-decisions.js'
import { planFor, readInt8Calibration } from './int8.js'
import type { LoadedModel } from './model.js'
import { once } from './once.js'
import { FusedInt8Graphs } from './onnx/int8-fused.js'
import { boundedWeights, int8Onnx } from './onnx/int8-plan.js'
import type { Int8Calibration, Int8Plan } from './onnx/int8-plan.js'
import type { WeightBits } from './onnx/int8.js'
import { compareInt8 } from './runtime/choose.js'
import { exactInt8Weights } from './runtime/int8-exact.js'
import { fuseInt8Graph, openSession } from './runtime/session.js'
import type { LazySession, ModelSession } from './runtime/session.js'
import type { Provider } from './runtime/providers.js'
import { MeasuringSignal } from './measuring.js'

/** A stored int8 plan for one blend, and its calibration (whose measured figures say whether it keeps the bound). */
interface FoundPlan {
  plan: Int8Plan
  calibration: Int8Calibration
}

/** int8 on the CPU for one engine: the calibrations stored beside models, and `auto`'s measured choice. */
export class Int8Choice {
  /** Calibrations by model file, read once. */
  private readonly calibrations = new Map<string, Promise<Int8Calibration | null>>()
  /** Whether int8 measured faster, per architecture, in this process (the store keeps it across). */
  private readonly faster = new Map<string, boolean>()
  /** Slider moves open ONNX Runtime's fused graph with new weights rather than fusing again; null: fuse anew. */
  readonly graphs: FusedInt8Graphs | null

  constructor(
    private readonly machine: string,
    private readonly threads: number,
    private readonly store?: Int8Store,
    /** The widest weights this CPU's int8 kernels sum exactly (`exactInt8Weights`, measured); none: never int8. */
    private readonly exactWeights: () => Promise<WeightBits | null> = exactInt8Weights,
    fusedTemplates = true,
    private readonly measuring = new MeasuringSignal(),
  ) {
    this.graphs = fusedTemplates ? new FusedInt8Graphs((qdq) => fuseInt8Graph(qdq, threads)) : null
  }

  /** The int8 plan stored beside either model of the spec for exactly these weights, if any. */
  async plan(
    spec: ModelSpecData,
    base: LoadedModel,
    partner: LoadedModel | null,
    realism: number,
  ): Promise<FoundPlan | null> {
    // planFor checks the architecture; ready .onnx graphs have no weights to quantise
    if (base.kind !== 'weights' || partner?.kind === 'onnx') return null
    for (const path of [spec.path, spec.blend?.path]) {
      if (!path) continue
      const calibration = await once(this.calibrations, resolve(path), () => readInt8Calibration(path))
      const plan = calibration && planFor(calibration, base.info, partner?.info ?? null, realism)
      if (plan) return { plan, calibration }
    }
    return null
  }

  /**
   * int8 where it is asked for, or (`auto`, on the CPU) where the model's stored calibration keeps the
   * quality bound and int8 measured faster than float32 on this machine (measured once, remembered). The
   * float32 session is opened only when it is the answer or int8 must be measured against it, so a slider
   * move in int8 costs one session, not two.
   */
  async session(
    full: LazySession,
    provider: Provider,
    model: () => LoadedModel,
    precision: PrecisionChoice,
    findPlan: () => Promise<FoundPlan | null>,
  ): Promise<ModelSession> {
    const asked = precision === 'int8'
    const refuse = async (message: string): Promise<never> => {
      await full.release()
      throw new EnhanceError('INVALID_ARGUMENT', message)
    }
    if (provider !== 'cpu') return refuse('int8 runs on the CPU only. Use --device cpu, or --precision auto.')
    const widest = await this.exactWeights()
    if (!widest) {
      if (!asked) return full.get()
      return refuse(
        "int8 needs a CPU whose int8 arithmetic is exact; this one's saturates (measured), so int8 would not compute what the model does. Use --precision fp32 or auto.",
      )
    }
    const found = await findPlan()
    if (!found) {
      if (!asked) return full.get()
      return refuse(
        'This model has no int8 calibration (the bundled pairs have one, a .int8.json file beside the model). Use --precision fp32 or auto.',
      )
    }
    const bounded = boundedWeights(found.calibration, widest)
    const bits = bounded ?? widest
    const loaded = model()
    if (loaded.kind !== 'weights' || loaded.info.arch !== 'RRDBNet') return full.get()
    const key = [this.machine, JSON.stringify(archOf(loaded.info)), `${this.threads} threads`, bits].join('|')
    const remembered = this.faster.get(key) ?? (await this.store?.get(key))?.int8
    if (!asked && (!bounded || remembered === false)) return full.get()
    const qdq = int8Onnx(loaded.info, loaded.weights, found.plan, bits)
    const quantised = await openSession(this.graphs?.model(qdq) ?? qdq, 'cpu', this.threads, 'int8')
    const faster =
      asked || (remembered ?? (await this.measure(key, await full.get(), quantised, loaded.info)))
    if (!faster) {
      await quantised.release()
      return full.get()
    }
    await full.release()
    return quantised
  }

  private async measure(
    key: string,
    full: ModelSession,
    quantised: ModelSession,
    info: ModelInfo,
  ): Promise<boolean> {
    const times = await this.measuring.during(() => compareInt8(full, quantised, info.inChannels))
    const faster = times.int8Ms < times.fp32Ms
    this.faster.set(key, faster)
    const decision = { int8: faster, ...times, measuredAt: new Date().toISOString() }
    await this.store?.set(key, decision).catch(() => undefined) // an unwritable store only costs a re-measure
    return faster
  }
}
