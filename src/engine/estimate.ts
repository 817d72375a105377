import sharp from 'sharp'
import { cancellable, throwIfCancelled } from '../shared/errors.js'
import { DEFAULT_MAX_INPUT_PIXELS } from '../shared/formats.js'
import type { EstimateReply, ModelSpecData } from '../shared/protocol.js'
import { bmpSize } from './image/bmp-file.js'
import { checkReadableImage } from './image/decode.js'
import { jp2Size } from './image/jp2-header.js'
import { jxlSize } from './image/jxl.js'
import { psdSize } from './image/psd-header.js'
import { uprightSize } from './image/types.js'
import type { ModelRegistry } from './registry.js'

interface Size {
  width: number
  height: number
}

/** A photo's upright size from its header alone (nothing decoded); null where the run could not read it either. */
async function headerSize(path: string): Promise<Size | null> {
  try {
    const format = await checkReadableImage(path)
    if (format === 'bmp') return await bmpSize(path)
    if (format === 'jxl') return await jxlSize(path)
    if (format === 'jp2') return await jp2Size(path)
    if (format === 'psd') return await psdSize(path)
    const header = await sharp(path).metadata()
    return header.width && header.height
      ? uprightSize({ ...header, width: header.width, height: header.height })
      : null
  } catch {
    return null
  }
}

export interface EstimateOptions {
  /** The engine's pixel limit: photos with more are refused by the run. */
  maxPixels?: number
  /** False: from the tile speeds measured here before only, nothing timed now (`ModelRegistry.secondsFor`). */
  measure?: boolean
  /**
   * Stops it with CANCELLED at once while a photo's header is read (its drive may have stopped answering), and after
   * any measurement.
   */
  signal?: AbortSignal
}

/**
 * How long `inputs` would take with `model`, on the provider and precision a run would get, from the tile speeds
 * measured on this computer (every side measured first where it was not yet, unless `measure` is false) and the pace
 * photos were enhanced at here (`ModelRegistry.secondsFor`): what a plan says before an album is started. Photos whose
 * size cannot be read, and those with more pixels than `maxPixels`, are counted apart, as the run would refuse them.
 */
export async function estimateTime(
  registry: ModelRegistry,
  model: ModelSpecData,
  tile: number | 'auto',
  inputs: readonly string[],
  { maxPixels = DEFAULT_MAX_INPUT_PIXELS, measure = true, signal }: EstimateOptions = {},
): Promise<EstimateReply> {
  const prepared = await registry.prepare(model)
  const headers: (Size | null)[] = []
  for (const input of inputs) {
    throwIfCancelled(signal)
    headers.push(await cancellable(headerSize(input), signal))
  }
  const read = headers.map((size) => (size && size.width * size.height <= maxPixels ? size : null))
  const sizes = read.filter((size) => size !== null)
  const tooLarge = headers.filter((size) => size !== null).length - sizes.length
  throwIfCancelled(signal)
  const time = await registry.secondsFor(tile, prepared, sizes, measure)
  throwIfCancelled(signal)
  const perPhotoMs = time?.seconds.map((seconds) => seconds * 1000)
  const { provider, precision } = prepared.session
  let next = 0
  return {
    ms: perPhotoMs ? Math.round(perPhotoMs.reduce((sum, ms) => sum + ms, 0)) : null,
    perPhotoMs: perPhotoMs ? read.map((size) => (size ? perPhotoMs[next++]! : null)) : null,
    fromRuns: time?.fromRuns ?? false,
    photos: sizes.length,
    unread: inputs.length - sizes.length - tooLarge,
    tooLarge,
    megapixels: sizes.reduce((sum, { width, height }) => sum + width * height, 0) / 1e6,
    provider,
    precision,
  }
}
