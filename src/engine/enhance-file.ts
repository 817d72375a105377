import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { EnhanceError, cancellable, throwIfCancelled } from '../shared/errors.js'
import type { EnhanceJob, EnhanceReply, PreviewData, TileProgressData } from '../shared/protocol.js'
import { borderedCanvas, filledPart, outputDensity, outputSize } from '../shared/settings.js'
import { beyondModelNote } from '../shared/print-size.js'
import type { MetadataPolicy } from '../shared/settings.js'
import { takenMoment } from '../shared/taken.js'
import type { DateStamp } from '../shared/taken.js'
import { AwakeClock } from '../node/awake-time.js'
import { writeFileAtomic } from '../node/files.js'
import { cropRaster } from './image/crop.js'
import { decodeImage } from './image/decode.js'
import { checkOutputSize, checkRasterSize, encodeImage } from './image/encode.js'
import { previewOf } from './image/preview.js'
import { readArea, unreadWords } from './image/read-area.js'
import { repairNotes, repairedAsAsked } from './image/repairs.js'
import { withColourUnderTransparency } from './image/transparency-fill.js'
import { turnedAsAsked } from './image/turn.js'
import type { ImageMetadata, RasterImage } from './image/types.js'
import type { ModelRegistry, PreparedModel } from './registry.js'
import type { ModelSession } from './runtime/session.js'
import { freshTiles, photoRun } from './resume.js'
import type { ResumeStore, TilesSoFar } from './resume.js'
import { modelTiling } from './tiling/plan.js'
import { colourHoldOf, upscaleRaster } from './upscale.js'
import { MEASURING_PROGRESS } from './measuring.js'

export interface EnhanceOptions {
  signal?: AbortSignal
  onProgress?: (progress: TileProgressData) => void
  onPreview?: (preview: PreviewData) => void
  /** Photos with more input pixels are refused before they are decoded (IMAGE_TOO_LARGE). */
  maxInputPixels?: number
  /** Where a photo stopped part-way keeps its tiles so far (`KEEP_PROGRESS`), and picks up from. */
  resume?: ResumeStore
}

/** What was wrong with a damaged file read as far as it goes, and how much of the photo its decoder had to fill. */
export function damageNote(damage: string, image: RasterImage): string {
  const unread = unreadWords(image, readArea(image))
  const filled = unread
    ? ` The ${unread} of the photo was not in the file and is filled as its decoder fills it.`
    : ''
  return `The file is cut short or damaged (${damage}): what could be read was enhanced.${filled}`
}

/** What the output leaves out of a file of several frames or pages: the decoder reads only the first (HEIF: the primary). */
export function pagesNote({ format, pages }: ImageMetadata): string | null {
  if (!pages) return null
  if (format === 'gif' || format === 'webp')
    return `It is an animation of ${pages} frames: only the first frame was enhanced, as a still photo.`
  // HEIF marks one image the photo (its primary); the others are a burst's or an edit's.
  if (format === 'heif') return `It holds ${pages} images: only the one it shows as the photo was enhanced.`
  return `It holds ${pages} pages: only the first was enhanced. To enhance the others, save each page as its own file.`
}

/**
 * When the output says it was last modified: when the photo was taken where its person said it; else when the
 * original was, where everything the photo says of itself is kept (file managers and photo libraries date a photo
 * without EXIF by it); otherwise when it is written.
 */
async function originalDate(
  input: string,
  stamp: DateStamp | undefined,
  metadata: MetadataPolicy,
): Promise<Date | undefined> {
  if (stamp) return takenMoment(stamp.taken, stamp.place)
  if (metadata !== 'all') return undefined
  return (await stat(input).catch(() => null))?.mtime
}

function acceleratorGaveUp(session: ModelSession, error: unknown): boolean {
  const code = error instanceof EnhanceError ? error.code : null
  return session.provider !== 'cpu' && (code === 'OUT_OF_MEMORY' || code === 'DEVICE_UNAVAILABLE')
}

/**
 * One photo, file to file: decode (upright, colour-managed), upscale tile by tile with progress and
 * previews, resize and encode as asked, and write the output atomically; the original is never written.
 * A GPU that runs out of memory or is lost hands this photo to the CPU.
 */
export async function enhanceFile(
  registry: ModelRegistry,
  { input, output, model, settings }: EnhanceJob,
  options: EnhanceOptions = {},
): Promise<EnhanceReply> {
  // Time awake: a photo running while the laptop slept is not timed, or given a time left, with the night in it.
  const clock = new AwakeClock()
  if (resolve(input) === resolve(output)) {
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `The output ${output} would overwrite the original. Choose another folder or name.`,
    )
  }
  throwIfCancelled(options.signal)
  const timing = { measured: false }
  const stopWatching = registry.measuring.watch(() => {
    timing.measured = true
    options.onProgress?.(MEASURING_PROGRESS)
  })
  try {
    return await enhanceWithModel(registry, { input, output, model, settings }, options, { clock, timing })
  } finally {
    clock.stop()
    stopWatching()
  }
}

async function enhanceWithModel(
  registry: ModelRegistry,
  { input, output, model, settings }: EnhanceJob,
  options: EnhanceOptions,
  { clock, timing }: { clock: AwakeClock; timing: { measured: boolean } },
): Promise<EnhanceReply> {
  let prepared = await registry.prepare(model)
  // From its reading to its writing, the model ready: what each photo of a batch takes.
  const readFrom = clock.elapsed()
  const { info } = prepared
  // Turned first: the repairs, the size and the print are the turned photo's, as the window shows it.
  // A pause or cancel does not wait on the reading of a photo whose drive stopped answering.
  const reading = decodeImage(input, {
    maxPixels: options.maxInputPixels,
    readDamaged: settings.readDamaged,
    signal: options.signal,
  })
  const { decoded, kept } = turnedAsAsked(await cancellable(reading, options.signal), settings)
  const { meta, damage, warning, profileDamage, readShallowerThan } = decoded
  // Restored, a black-and-white print is grey, and enhanced as a grey photo is.
  const repaired = await repairedAsAsked(decoded, { ...settings, kept })
  const { colourless } = repaired
  const image = withColourUnderTransparency(repaired.image)
  const size = outputSize(settings.size, image.width, image.height, info.scale)
  // A print with a border: the file is the print, the photo centred on white in it.
  const canvas = borderedCanvas(settings.size, size.width, size.height)
  const file = canvas ?? size
  checkOutputSize(settings.format, { width: file.width, height: file.height, deep: image.depth === 16 })
  const modelSize = { width: image.width * info.scale, height: image.height * info.scale }
  const resized = size.width !== modelSize.width || size.height !== modelSize.height
  checkRasterSize(
    [modelSize, ...(resized ? [size] : []), ...(canvas ? [canvas] : [])],
    image.channels,
    image.depth / 8,
  )
  // The side that actually ran: out-of-memory retries halve it part-way through the photo.
  let usedTile = 0
  // Previews are encoded while the next tile runs; all are sent before the reply, none after it.
  const previews: Promise<void>[] = []
  const { onPreview } = options
  const upscaleOn = async (
    on: PreparedModel,
    soFar: TilesSoFar,
    progressed?: () => void,
  ): Promise<RasterImage> => {
    const tile = await registry.tileFor(settings.tile, on, image)
    const tileStart = clock.elapsed()
    const startDone = soFar.done
    usedTile = tile
    return upscaleRaster(image, on.session, {
      ...modelTiling(info),
      tile,
      transparency: settings.transparency,
      colourless,
      colourHold: colourHoldOf(model),
      onRetile: (side) => (usedTile = side),
      soFar,
      ...(options.signal ? { signal: options.signal } : {}),
      onTile: ({ tilesDone, tiles, region, target }) => {
        const rate = (tilesDone - startDone) / (clock.elapsed() - tileStart)
        options.onProgress?.({
          tilesDone,
          tiles,
          etaMs: tilesDone < tiles ? Math.round((tiles - tilesDone) / rate) : 0,
        })
        progressed?.()
        if (onPreview)
          previews.push(
            previewOf(target, region)
              .then((preview) => {
                if (preview) onPreview(preview)
              })
              .catch(() => undefined), // a preview is a courtesy: one that fails to encode is skipped
          )
      },
    })
  }
  const run = await photoRun(options.resume, input, image, {
    model,
    parts: [settings, prepared.session.provider, prepared.session.precision],
    output: { ...modelSize, channels: image.channels, depth: image.depth },
  })
  // A photo picking up where it stopped, or moved to the CPU part-way, says nothing of how long photos take here.
  let timedWhole = run.soFar.done === 0
  const notes: string[] = []
  if (damage) notes.push(damageNote(damage, decoded.image))
  if (warning) notes.push(`The decoder reported a problem with the file (${warning}); check the result.`)
  if (profileDamage)
    notes.push(
      `Its colour profile is damaged (${profileDamage}), so its colours were read as sRGB and the result carries sRGB's; check its colours.`,
    )
  if (readShallowerThan)
    notes.push(
      `It has ${readShallowerThan} bits per channel, which its decoder reads as 8, so the result has 8; to keep all ${readShallowerThan}, save it as a 16-bit TIFF or PNG in another program first.`,
    )
  const pages = pagesNote(meta)
  if (pages) notes.push(pages)
  notes.push(...repairNotes(repaired))
  // A filled print is made of the centre of what the model makes, cut to the print's shape.
  const part = filledPart(settings.size, modelSize.width, modelSize.height)
  const beyond =
    settings.size.mode === 'print' ? beyondModelNote(settings.size, part ?? modelSize, size) : null
  if (beyond) notes.push(beyond)
  let upscaled: RasterImage
  try {
    upscaled = await upscaleOn(prepared, run.soFar, run.progressed)
  } catch (error) {
    await run.stopped(options.signal)
    if (!acceleratorGaveUp(prepared.session, error)) throw error
    // A GPU out of memory at the smallest tile, or lost: this photo runs on the CPU, the batch goes on.
    notes.push(
      `${prepared.session.provider} failed (${(error as EnhanceError).message}); this photo ran on the CPU.`,
    )
    prepared = await registry.prepare(model, 'cpu')
    timedWhole = false
    upscaled = await upscaleOn(prepared, freshTiles())
  }
  await Promise.all(previews)
  if (part) upscaled = cropRaster(upscaled, part, 0).image
  // Every tile is done from here: a pause picks up at the encoding, and so does a photo whose folder went away.
  const stopIfCancelled = async (): Promise<void> => {
    if (!options.signal?.aborted) return
    await run.stopped(options.signal)
    throwIfCancelled(options.signal)
  }
  await stopIfCancelled()
  const stamp = settings.taken ? { taken: settings.taken, place: settings.takenPlace ?? 0 } : undefined
  const encoded = await encodeImage(upscaled, meta, {
    format: settings.format,
    quality: settings.quality,
    background: settings.background,
    metadata: settings.metadata ?? 'all',
    density: outputDensity(settings.size),
    ...size,
    canvas,
    stamp,
    caption: settings.caption,
  })
  await stopIfCancelled()
  await writeFileAtomic(output, encoded, await originalDate(input, stamp, settings.metadata ?? 'all')).catch(
    async (error: unknown) => {
      await run.stopped(options.signal)
      throw error
    },
  )
  await run.finished()
  const ranMs = timedWhole && !timing.measured ? clock.elapsed() - readFrom : null
  // The pace estimates go by (`ModelRegistry.secondsFor`).
  if (ranMs !== null && settings.tile === 'auto')
    await registry.noteRun(prepared, image, usedTile, ranMs).catch(() => undefined)
  return {
    output,
    ...file,
    format: settings.format,
    provider: prepared.session.provider,
    precision: prepared.session.precision,
    tile: usedTile,
    ...(notes.length ? { note: notes.join(' ') } : {}),
    ms: Math.round(clock.elapsed()),
    ...(ranMs !== null ? { ranMs: Math.round(ranMs) } : {}),
  }
}
