import { resolveFormat } from '../shared/formats.js'
import { freemem } from 'node:os'
import { resolve } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { archOf, describeArch } from '../shared/model.js'
import type { ModelInfo, PrecisionChoice } from '../shared/model.js'
import type {
  CropReply,
  EnhanceReply,
  ModelSpecData,
  PreviewData,
  Region,
  TileProgressData,
} from '../shared/protocol.js'
import type { EnhanceSettings } from '../shared/settings.js'
import { outputSize } from '../shared/settings.js'
import type { DecisionStore, TileStore } from '../node/device-decisions.js'
import { inferenceThreads } from '../node/cpu-threads.js'
import { machineKey } from '../node/device-decisions.js'
import { fileVersion, writeFileAtomic } from '../node/files.js'
import { decodeImage } from './image/decode.js'
import { checkOutputSize, checkRasterSize, encodeImage, encodeRasterPng } from './image/encode.js'
import { cropRaster } from './image/crop.js'
import { previewOf } from './image/preview.js'
import type { RasterImage } from './image/types.js'
import { blendModels, blendSha, loadModel, modelToOnnx } from './model.js'
import type { LoadedModel } from './model.js'
import { assertUsableOutput } from './probe.js'
import { SessionCache } from './runtime/cache.js'
import {
  HALF_AGREEMENT,
  assertAgreesWithCpu,
  compareHalf,
  measureProviders,
  measureTiles,
} from './runtime/choose.js'
import type { Opener } from './runtime/choose.js'
import { providersFor } from './runtime/providers.js'
import type { DeviceRequest, Provider } from './runtime/providers.js'
import { RUNTIME_VERSION, createSession, openSession } from './runtime/session.js'
import type { ModelSession } from './runtime/session.js'
import { activationChannels, autoTileSize, fastestTile } from './tiling/plan.js'
import { throwIfCancelled, upscaleRaster } from './upscale.js'

export interface EnhanceCallbacks {
  signal?: AbortSignal
  onProgress?: (progress: TileProgressData) => void
  onPreview?: (preview: PreviewData) => void
}

/** Context around each tile; enough that tiled output matches whole-image output within 1/255. */
export const TILE_PAD = 16
export interface EnhancerOptions {
  device?: DeviceRequest
  /** CPU threads per session; 0 or absent: one per physical core (`inferenceThreads`). */
  threads?: number
  maxInputPixels?: number
  /** Where `auto` remembers its measured choice per machine and architecture; in memory only without. */
  decisions?: DecisionStore
  /** `auto`: float16 only on an accelerator where it measured faster and agrees with float32. */
  precision?: PrecisionChoice
  /** Where `--tile auto` remembers the side it measured fastest; in memory only without. */
  tiles?: TileStore
}

/** Accelerators get tiles sized for a GPU with 2 GiB to spare, not for the CPU's free memory. */
const ACCELERATOR_TILE_BUDGET = 2 * 2 ** 30

/** The promise for `key`, made once; a failed one is forgotten, so the next call tries again. */
function once<T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let pending = cache.get(key)
  if (!pending) {
    pending = make()
    pending.catch(() => cache.delete(key))
    cache.set(key, pending)
  }
  return pending
}

function acceleratorGaveUp(session: ModelSession, error: unknown): boolean {
  const code = error instanceof EnhanceError ? error.code : null
  return session.provider !== 'cpu' && (code === 'OUT_OF_MEMORY' || code === 'DEVICE_UNAVAILABLE')
}

/** Owns loaded models and sessions for one engine process, and enhances files with them. */
export class Enhancer {
  private readonly models = new Map<string, Promise<LoadedModel>>()
  private readonly sessions = new SessionCache(3)
  /** `auto`'s choice per architecture in this process (the store keeps it across processes). */
  private readonly chosen = new Map<string, Promise<Provider>>()
  /** This machine's identity for remembered measurements: computed once, not per photo. */
  private readonly machine = machineKey(RUNTIME_VERSION)
  /** `--tile auto`'s measured side per architecture, provider and precision in this process. */
  private readonly tiles = new Map<string, Promise<Record<string, number>>>()
  /** The photo the slider last cropped, decoded: each move of the slider crops the same photo again. */
  private cropSource: { key: string; image: RasterImage } | null = null
  private cropBefore: { image: RasterImage; region: string; png: Uint8Array } | null = null

  /** CPU threads per session, resolved once: the rates `--tile auto` remembers depend on it. */
  private readonly threads: number

  constructor(private readonly options: EnhancerOptions = {}) {
    this.threads = options.threads || inferenceThreads()
  }

  private model(path: string): Promise<LoadedModel> {
    const key = resolve(path)
    return once(this.models, key, () => loadModel(key))
  }

  async prepare(
    spec: ModelSpecData,
    device = this.options.device ?? 'auto',
  ): Promise<{ session: ModelSession; info: ModelInfo }> {
    const base = await this.model(spec.path)
    const partner = spec.blend ? await this.model(spec.blend.path) : null
    const alpha = spec.blend?.alpha ?? 0
    // The cache is asked first: a slider position seen before costs no blend at all.
    const info = partner ? { ...base.info, sha256: blendSha(base, partner, alpha) } : base.info
    if (info.inChannels !== 3 || info.outChannels !== 3) {
      throw new EnhanceError(
        'UNKNOWN_ARCHITECTURE',
        'Photos need a model with 3 input and 3 output channels (RGB).',
      )
    }
    const precision = this.options.precision ?? 'auto'
    const key = { model: info.sha256, alpha, device, precision }
    const session = await this.sessions.get(key, async () => {
      const model = partner ? blendModels(base, partner, alpha) : base
      const created = await this.withPrecision(
        await this.openFor(modelToOnnx(model), model.info, device),
        model,
        precision,
      )
      try {
        await assertUsableOutput(
          created,
          { channels: 3, scale: model.info.scale },
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

  /** `auto`: the measured choice; a named device: that one alone, if it computes what the CPU does. */
  private async openFor(onnx: Uint8Array, info: ModelInfo, device: DeviceRequest): Promise<ModelSession> {
    const { threads } = this
    const open: Opener = (provider) => openSession(onnx, provider, threads)
    if (device === 'auto') {
      const provider = await this.choose(open, info)
      // A remembered accelerator that no longer loads (its driver is gone) leaves the CPU.
      return provider === 'cpu' ? open('cpu') : open(provider).catch(() => open('cpu'))
    }
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
    model: LoadedModel,
    precision: PrecisionChoice,
  ): Promise<ModelSession> {
    const cpuOrReady = full.provider === 'cpu' || model.kind === 'onnx'
    if (precision === 'fp32' || (precision === 'auto' && cpuOrReady)) return full
    const half = await Promise.resolve()
      .then(() => openSession(modelToOnnx(model, 'fp16'), full.provider, this.threads, 'fp16'))
      .catch(async (error: unknown) => {
        if (precision !== 'fp16') return null // an adapter without shader-f16: stay at float32
        await full.release()
        throw error
      })
    if (!half) return full
    const verdict = await compareHalf(full, half, model.info.inChannels).catch(() => null)
    const useHalf = verdict !== null && verdict.agrees && (precision === 'fp16' || verdict.faster)
    await (useHalf ? full : half).release()
    if (useHalf) return half
    if (precision !== 'fp16') return full
    await full.release()
    throw new EnhanceError(
      'DEVICE_UNAVAILABLE',
      `float16 on ${full.provider} differs from float32 by up to ${verdict?.diff.toPrecision(2) ?? '?'} (more than ${HALF_AGREEMENT}). Use --precision fp32 or auto.`,
    )
  }

  private choose(open: Opener, info: ModelInfo): Promise<Provider> {
    const candidates = providersFor('auto', process.platform, process.arch)
    const key = [this.machine, JSON.stringify(archOf(info)), candidates.join(',')].join('|')
    return once(this.chosen, key, () => this.decide(key, open, info, candidates))
  }

  private async decide(
    key: string,
    open: Opener,
    info: ModelInfo,
    candidates: Provider[],
  ): Promise<Provider> {
    if (candidates.length === 1) return 'cpu'
    const store = this.options.decisions
    const remembered = await store?.get(key)
    if (remembered && candidates.includes(remembered.provider as Provider))
      return remembered.provider as Provider
    const decision = await measureProviders(open, candidates, info.inChannels, describeArch(info))
    await store?.set(key, decision).catch(() => undefined) // an unwritable store only costs a re-measure
    return decision.provider as Provider
  }

  async enhanceFile(
    input: string,
    output: string,
    spec: ModelSpecData,
    settings: EnhanceSettings,
    callbacks: EnhanceCallbacks = {},
  ): Promise<EnhanceReply> {
    const started = performance.now()
    if (resolve(input) === resolve(output)) {
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        `The output ${output} would overwrite the original. Choose another folder or name.`,
      )
    }
    throwIfCancelled(callbacks.signal)
    const prepared = await this.prepare(spec)
    const info = prepared.info
    let session = prepared.session
    const { image, meta } = await decodeImage(input, this.options.maxInputPixels)
    const format = resolveFormat(settings.format, meta.format)
    const size = outputSize(settings.size, image.width, image.height, info.scale)
    checkOutputSize(format, size.width, size.height)
    const modelSize = { width: image.width * info.scale, height: image.height * info.scale }
    const resized = size.width !== modelSize.width || size.height !== modelSize.height
    checkRasterSize(resized ? [modelSize, size] : [modelSize], image.channels, image.depth / 8)
    // The side that actually ran: out-of-memory retries halve it part-way through the photo.
    let usedTile = 0
    const upscaleOn = async (on: ModelSession): Promise<RasterImage> => {
      const tile = settings.tile === 'auto' ? await this.autoTile(info, on, image) : settings.tile
      const tileStart = performance.now()
      usedTile = tile
      return upscaleRaster(image, on, {
        scale: info.scale,
        tile,
        pad: TILE_PAD,
        alpha: settings.alpha,
        onRetile: (side) => (usedTile = side),
        ...(callbacks.signal ? { signal: callbacks.signal } : {}),
        onTile: ({ tile: done, tiles, region, target }) => {
          const rate = done / (performance.now() - tileStart)
          callbacks.onProgress?.({
            tile: done,
            tiles,
            etaMs: done < tiles ? Math.round((tiles - done) / rate) : 0,
          })
          callbacks.onPreview?.(previewOf(target, region))
        },
      })
    }
    let note: string | undefined
    let upscaled: RasterImage
    try {
      upscaled = await upscaleOn(session)
    } catch (error) {
      if (!acceleratorGaveUp(session, error)) throw error
      // A GPU out of memory at the smallest tile, or lost: this photo runs on the CPU, the batch goes on.
      note = `${session.provider} failed (${(error as EnhanceError).message}); this photo ran on the CPU.`
      session = (await this.prepare(spec, 'cpu')).session
      upscaled = await upscaleOn(session)
    }
    throwIfCancelled(callbacks.signal)
    const encoded = await encodeImage(upscaled, meta, {
      format,
      quality: settings.quality,
      background: settings.background,
      metadata: settings.metadata ?? 'all',
      ...size,
    })
    throwIfCancelled(callbacks.signal)
    await writeFileAtomic(output, encoded)
    return {
      output,
      ...size,
      format,
      provider: session.provider,
      tile: usedTile,
      ...(note ? { note } : {}),
      ms: Math.round(performance.now() - started),
    }
  }

  /**
   * Enhances one region of a photo, reading real neighbouring pixels as context, and returns it as PNG.
   * The sessions stay cached per α, so moving the slider back and forth is fast.
   */
  async previewCrop(input: string, region: Region, spec: ModelSpecData): Promise<CropReply> {
    const started = performance.now()
    const { session, info } = await this.prepare(spec)
    const image = await this.decodedForCrop(input)
    const x = Math.max(0, Math.min(image.width - 1, Math.round(region.x)))
    const y = Math.max(0, Math.min(image.height - 1, Math.round(region.y)))
    const crop = {
      x,
      y,
      width: Math.max(1, Math.min(image.width - x, Math.round(region.width))),
      height: Math.max(1, Math.min(image.height - y, Math.round(region.height))),
    }
    const raster = cropRaster(image, crop, TILE_PAD)
    const upscaled = await upscaleRaster(raster.image, session, {
      scale: info.scale,
      tile: 512,
      pad: TILE_PAD,
      alpha: 'lanczos',
    })
    const s = info.scale
    const core = cropRaster(
      upscaled,
      { x: raster.offsetX * s, y: raster.offsetY * s, width: crop.width * s, height: crop.height * s },
      0,
    ).image
    const png = await encodeRasterPng(core)
    const before = await this.beforeForCrop(image, crop, s)
    return {
      png,
      before,
      width: core.width,
      height: core.height,
      ms: Math.round(performance.now() - started),
    }
  }

  /** The slider's "before" depends on the region, not on α: encoded once per region, not per slider move. */
  private async beforeForCrop(image: RasterImage, crop: Region, scale: number): Promise<Uint8Array> {
    const region = `${crop.x},${crop.y},${crop.width},${crop.height}@${scale}`
    if (this.cropBefore?.image === image && this.cropBefore.region === region) return this.cropBefore.png
    const png = await encodeRasterPng(cropRaster(image, crop, 0).image, scale)
    this.cropBefore = { image, region, png }
    return png
  }

  /** Decodes once per version of the file (path, size and modification time), not once per slider move. */
  private async decodedForCrop(input: string): Promise<RasterImage> {
    const key = await fileVersion(input)
    if (key !== null && this.cropSource?.key === key) return this.cropSource.image
    const { image } = await decodeImage(input, this.options.maxInputPixels)
    this.cropSource = key === null ? null : { key, image }
    return image
  }

  /**
   * `--tile auto`: the fastest side measured on this session's provider and precision, no larger than
   * the memory budget allows; remembered per machine, so it is measured once.
   */
  private async autoTile(
    info: ModelInfo,
    session: ModelSession,
    photo: { width: number; height: number },
  ): Promise<number> {
    const cpuBudget = Math.min(freemem(), 8 * 2 ** 30) / 4
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
    const rates = await once(this.tiles, key, () => this.measureTileRates(key, info, session, ceiling))
    return fastestTile(photo.width, photo.height, TILE_PAD, rates, ceiling)
  }

  private async measureTileRates(
    key: string,
    info: ModelInfo,
    session: ModelSession,
    ceiling: number,
  ): Promise<Record<string, number>> {
    const store = this.options.tiles
    const remembered = await store?.get(key)
    if (remembered) return remembered.rates
    const { tile, rates } = await measureTiles(session, info.inChannels, TILE_PAD, ceiling)
    await store?.set(key, { tile, rates, measuredAt: new Date().toISOString() }).catch(() => undefined)
    return rates
  }

  async close(): Promise<void> {
    this.cropSource = null
    this.cropBefore = null
    await this.sessions.clear()
  }
}
