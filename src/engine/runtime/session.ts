import ort from 'onnxruntime-node'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EnhanceError, firstLineOf, messageOf } from '../../shared/errors.js'
import type { Precision } from '../../shared/model.js'
import { INPUT_NAME, OUTPUT_NAME } from '../onnx/graph.js'
import { providersFor } from './providers.js'
import type { DeviceRequest, Provider } from './providers.js'

/**
 * The one module that owns onnxruntime-node: sessions are created here, run here and released here.
 */
export interface ModelSession {
  readonly provider: Provider
  /** The graph's weights and arithmetic; inputs and outputs are float32 either way. */
  readonly precision: Precision
  /** Runs one NCHW float32 batch and returns the NCHW float32 output. */
  run(input: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: number[] }>
  release(): Promise<void>
}

/** A session opened on first use, and released only if it was. */
export class LazySession {
  private opened: Promise<ModelSession> | undefined

  constructor(private readonly open: () => Promise<ModelSession>) {}

  get(): Promise<ModelSession> {
    return (this.opened ??= this.open())
  }

  async release(): Promise<void> {
    if (this.opened) await (await this.opened).release()
  }
}

export interface CreateOptions {
  device?: DeviceRequest
  /** CPU threads for the CPU provider; 0 lets ONNX Runtime choose. */
  threads?: number
}

function sessionOptions(provider: Provider, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    // Fixed tile shapes mean one arena size; let it grow once and stay.
    enableCpuMemArena: true,
    // The memory pattern is planned on the first run and allocated as one new block on the second, so
    // the second tile paid the first's cost again (561 vs 221 ms for a 160² tile) and the peak held both
    // (415 vs 276 MiB); the arena alone reuses the first run's blocks. Steady-state speed is the same.
    enableMemPattern: false,
    logSeverityLevel: 3,
  }
}

// A provider whose libraries are missing (CUDA without its install step) logs an error from inside
// ONNX Runtime before create throws; the fallback below reports it, so keep the console quiet.
ort.env.logLevel = 'fatal'

class OrtModelSession implements ModelSession {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: Provider,
    readonly precision: Precision,
  ) {}

  async run(input: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: number[] }> {
    const feed = new ort.Tensor('float32', input, dims)
    try {
      const result = await this.session.run({ [this.session.inputNames[0] ?? INPUT_NAME]: feed })
      const output = result[this.session.outputNames[0] ?? OUTPUT_NAME]
      if (!output || output.type !== 'float32')
        throw new EnhanceError('INTERNAL', 'The model produced no float output.')
      return { data: output.data as Float32Array, dims: [...output.dims] }
    } catch (error) {
      throw runFailure(error)
    } finally {
      feed.dispose()
    }
  }

  async release(): Promise<void> {
    await this.session.release()
  }
}

function runFailure(error: unknown): EnhanceError {
  if (error instanceof EnhanceError) return error
  const message = messageOf(error)
  if (/out of memory|bad_alloc|Failed to allocate|cudaErrorMemoryAllocation/i.test(message)) {
    return new EnhanceError('OUT_OF_MEMORY', 'The device ran out of memory. Use a smaller tile size.', {
      cause: error,
    })
  }
  if (/device (is |was )?lost|DEVICE_REMOVED|DEVICE_HUNG/i.test(message)) {
    return new EnhanceError('DEVICE_UNAVAILABLE', `The GPU stopped responding (${firstLineOf(error)}).`, {
      cause: error,
    })
  }
  return new EnhanceError('INTERNAL', `Inference failed: ${message}`, { cause: error })
}

/** A session on exactly `provider`; throws what ONNX Runtime says when that provider cannot load it. */
export async function openSession(
  model: Uint8Array,
  provider: Provider,
  threads = 0,
  precision: Precision = 'fp32',
): Promise<ModelSession> {
  const session = await ort.InferenceSession.create(model, sessionOptions(provider, threads))
  return new OrtModelSession(session, provider, precision)
}

/**
 * ONNX Runtime's fused form of a QDQ graph on the CPU: the graph its hardware-independent ('extended')
 * optimisations make, which it can only write to a file. Opened at the usual level it computes exactly what
 * the QDQ graph does (the layout passes left to 'all' run then).
 */
export async function fuseInt8Graph(qdq: Uint8Array, threads = 0): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'enhance-fused-'))
  try {
    const file = join(dir, 'fused.onnx')
    const session = await ort.InferenceSession.create(qdq, {
      ...sessionOptions('cpu', threads),
      graphOptimizationLevel: 'extended',
      optimizedModelFilePath: file,
      // It would merge initializers that happen to be equal at this realism, and not at the next.
      extra: { optimization: { disable_specified_optimizers: 'ConstantSharing' } },
    })
    await session.release()
    return new Uint8Array(await readFile(file))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The ONNX Runtime version, part of the machine's identity for remembered device choices. */
export const RUNTIME_VERSION = ort.env.versions.common

/**
 * Creates a session on the first provider that works. ONNX Runtime throws at create when a provider's
 * libraries are missing (CUDA without its install step, DirectML off Windows), so each is tried in turn.
 */
export async function createSession(model: Uint8Array, options: CreateOptions = {}): Promise<ModelSession> {
  const providers = providersFor(options.device ?? 'auto', process.platform, process.arch)
  const failures: string[] = []
  for (const provider of providers) {
    try {
      return await openSession(model, provider, options.threads ?? 0)
    } catch (error) {
      failures.push(`${provider}: ${firstLineOf(error)}`)
    }
  }
  // The CPU provider always loads a valid model, so its failure is the model's, not the device's.
  if (providers.includes('cpu')) {
    throw new EnhanceError(
      'CORRUPT_CHECKPOINT',
      `ONNX Runtime could not load this model (${failures.join('; ')}). The file is damaged or not a model Enhance can run; try another model file.`,
    )
  }
  const cuda = failures.some((f) => f.startsWith('cuda:') && /shared library/i.test(f)) ? CUDA_INSTALL : ''
  throw new EnhanceError(
    'DEVICE_UNAVAILABLE',
    `No device could run this model (${failures.join('; ')}).${cuda}`,
  )
}

/**
 * onnxruntime-node ships the CUDA provider's own library but not the CUDA runtime it loads: the one step that
 * enables it (docs/speed-and-gpu.md, "GPU").
 */
const CUDA_INSTALL =
  ' CUDA needs its libraries installed once, on Linux x64 with CUDA 12 and cuDNN 9: ' +
  'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js.'
