import type { CropReply, FilledCounts, ModelSpecData, Region } from '../shared/protocol.js'
import { repairsOf } from '../shared/settings.js'
import type { KeptPlace, PhotoRepairs, Repairs } from '../shared/settings.js'
import { fileVersion } from '../node/files.js'
import { cropRaster } from './image/crop.js'
import { decodeImage } from './image/decode.js'
import { encodeRasterPng } from './image/encode.js'
import { keptCounts, marksIn } from './image/marks.js'
import { filledAsFound, foundAsAsked, repairedAsAsked } from './image/repairs.js'
import type { FoundDamage } from './image/repairs.js'
import { withColourUnderTransparency } from './image/transparency-fill.js'
import { copyOfPixels } from './image/types.js'
import { turnedPhoto, turnedPlaces } from './image/turn.js'
import { UPRIGHT, turnedSize } from '../shared/turn.js'
import type { Facing } from '../shared/turn.js'
import type { DecodedPhoto, RasterImage } from './image/types.js'
import type { ModelRegistry } from './registry.js'
import { modelTiling, tileWindow } from './tiling/plan.js'
import { colourHoldOf, upscaleRaster } from './upscale.js'

/**
 * A decoded photo (its dust filled and faded colours restored where asked), the photo as it was, whether its
 * output is kept grey as the enhanced file's is, and where dust or scratches were asked, which pixels were filled.
 */
interface PreviewSource {
  image: RasterImage
  original: RasterImage
  colourless: boolean
  /** Where dust or scratches were asked: which pixels they filled, how many specks and lines, and what they found. */
  filled: { pixels: Uint8Array; counts: FilledCounts; found: FoundDamage } | null
  /** The places kept, in the pixels of the photo as turned. */
  kept: KeptPlace[]
}

/** A photo's file, and how it faces when it is enhanced. */
interface TurnedPhoto {
  input: string
  facing: Facing
}

/** What the crop reply shows of the dust and scratches filled, where they were asked. */
type DamageShown = Required<Pick<CropReply, 'markedBefore' | 'filled' | 'kept' | 'marks'>>

/** How the "before" marks a filled pixel: this share of the way to magenta (rare in photos, seen on any). */
const MARK = [255, 0, 255] as const
const MARK_SHARE = 0.6

/**
 * The realism slider's before/after: one region of a photo enhanced at a realism, reading real
 * neighbouring pixels as context, as PNG. The photo is decoded once per version of its file and the
 * "before" encoded once per region, so moving the slider costs one small upscale (and, for a realism
 * seen before, no blend: the registry caches sessions per realism).
 */
export class CropRenderer {
  private damage: { key: string; decoded: DecodedPhoto; found: FoundDamage } | null = null
  private source: { key: string; photo: PreviewSource } | null = null
  private before: {
    image: RasterImage
    /** What was filled (one photo's, per choice of kept places). */
    filled: PreviewSource['filled']
    region: string
    png: Uint8Array
    damage?: DamageShown
  } | null = null

  constructor(
    private readonly registry: ModelRegistry,
    private readonly maxInputPixels?: number,
  ) {}

  async render(
    input: string,
    region: Region,
    model: ModelSpecData,
    repairs: PhotoRepairs = {},
    facing: Facing = UPRIGHT,
  ): Promise<CropReply> {
    const started = performance.now()
    const { session, info } = await this.registry.prepare(model)
    const { image, original, colourless, filled, kept } = await this.decoded(
      { input, facing },
      repairsOf(repairs),
      repairs.kept ?? [],
    )
    const crop = clampRegion(region, image)
    const tiling = modelTiling(info)
    // The context a tile of the whole photo would read, on the photo's own block grid.
    const window = tileWindow(crop, image.width, image.height, tiling.pad, tiling.multiple)
    const raster = cropRaster(image, window, 0)
    const upscaled = await upscaleRaster(raster.image, session, {
      ...tiling,
      tile: 512,
      transparency: 'lanczos',
      colourless,
      colourHold: colourHoldOf(model),
    })
    const s = tiling.scale
    const core = cropRaster(
      upscaled,
      {
        x: (crop.x - window.x) * s,
        y: (crop.y - window.y) * s,
        width: crop.width * s,
        height: crop.height * s,
      },
      0,
    ).image
    // Before is the photo as it is: with its colours restored, the change shows in the after.
    const before = await this.beforeOf(original, crop, s, filled, kept)
    return {
      png: await encodeRasterPng(core),
      before: before.png,
      ...before.damage,
      width: core.width,
      height: core.height,
      ms: Math.round(performance.now() - started),
    }
  }

  /**
   * The "before", and with `filled` the same with its filled pixels marked and the marks in it: they depend on the
   * region and the places `kept`, not on realism, so they are made once per region and choice, not per slider move.
   */
  private async beforeOf(
    image: RasterImage,
    crop: Region,
    scale: number,
    filled: PreviewSource['filled'],
    kept: readonly KeptPlace[],
  ): Promise<{ png: Uint8Array; damage?: DamageShown }> {
    const region = `${crop.x},${crop.y},${crop.width},${crop.height}@${scale}`
    const { before: cached } = this
    if (cached?.image === image && cached.filled === filled && cached.region === region) return cached
    const cropped = cropRaster(image, crop, 0).image
    const png = await encodeRasterPng(cropped, scale)
    const damage = filled
      ? {
          markedBefore: await encodeRasterPng(markedIn(cropped, crop, image.width, filled.pixels), scale),
          filled: filled.counts,
          kept: keptCounts(filled.found, filled.counts),
          marks: marksIn(filled.found, image.width, kept, crop),
        }
      : undefined
    this.before = { image, filled, region, png, ...(damage ? { damage } : {}) }
    return this.before
  }

  /**
   * Decodes and finds the dust and scratches asked once per version of the file (path, size and modification time)
   * turn and choice of repairs, and fills them once per choice of kept places (in the file's upright pixels): not
   * once per slider move, nor a search of the whole photo again per place kept.
   */
  private async decoded(
    file: TurnedPhoto,
    repairs: Required<Repairs>,
    kept: KeptPlace[],
  ): Promise<PreviewSource> {
    const version = await fileVersion(file.input)
    const damageKey =
      version === null
        ? null
        : `${version}|${file.facing.turn}|${file.facing.mirrored}|${JSON.stringify(repairs)}`
    const key = damageKey === null ? null : `${damageKey}|${JSON.stringify(kept)}`
    if (key !== null && this.source?.key === key) return this.source.photo
    const damage =
      damageKey !== null && this.damage?.key === damageKey ? this.damage : await this.damageOf(file, repairs)
    this.damage = damageKey === null ? null : { ...damage, key: damageKey }
    const { decoded } = damage
    const { image } = decoded
    const keptHere = turnedPlaces(kept, file.facing, turnedSize(image, file.facing.turn))
    const filled = filledAsFound(image, damage.found, keptHere)
    const source = await repairedAsAsked(decoded, repairs, filled)
    const { image: cleaned, ...counts } = filled
    const original = withColourUnderTransparency(image)
    const photo = {
      image: source.image === image ? original : withColourUnderTransparency(source.image),
      original,
      colourless: source.colourless,
      filled:
        cleaned === image ? null : { pixels: changedPixels(image, cleaned), counts, found: damage.found },
      kept: keptHere,
    }
    this.source = key === null ? null : { key, photo }
    return photo
  }

  /** The photo decoded and turned, and its dust and scratches found where `repairs` asks. */
  private async damageOf(
    { input, facing }: TurnedPhoto,
    repairs: Required<Repairs>,
  ): Promise<{ decoded: DecodedPhoto; found: FoundDamage }> {
    // A preview writes nothing, so a damaged photo (one enhanced with --read-damaged) shows what can be read.
    const read = await decodeImage(input, { maxPixels: this.maxInputPixels, readDamaged: true })
    const decoded = turnedPhoto(read, facing)
    return { decoded, found: await foundAsAsked(decoded.image, decoded.meta.density, repairs) }
  }

  close(): void {
    this.damage = null
    this.source = null
    this.before = null
  }
}

/** 1 for each pixel whose colour differs between `a` and `b` (one size), else 0. */
function changedPixels(a: RasterImage, b: RasterImage): Uint8Array {
  const changed = new Uint8Array(a.width * a.height)
  for (let i = 0; i < changed.length; i++)
    for (let c = 0, at = i * a.channels; c < 3; c++) if (a.pixels[at + c] !== b.pixels[at + c]) changed[i] = 1
  return changed
}

/** `cropped` (the photo's `crop`) with each pixel `filled` marks (over the whole photo) tinted toward `MARK`. */
function markedIn(cropped: RasterImage, crop: Region, photoWidth: number, filled: Uint8Array): RasterImage {
  const { width, height, channels, depth } = cropped
  const pixels = copyOfPixels(cropped.pixels)
  const full = depth === 16 ? 257 : 1
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!filled[(crop.y + y) * photoWidth + crop.x + x]) continue
      const at = (y * width + x) * channels
      for (let c = 0; c < 3; c++)
        pixels[at + c] = Math.round(pixels[at + c]! + MARK_SHARE * (MARK[c]! * full - pixels[at + c]!))
    }
  return { ...cropped, pixels }
}

/** The region in whole pixels, inside the photo and at least one pixel wide and tall. */
function clampRegion(region: Region, image: { width: number; height: number }): Region {
  const x = Math.max(0, Math.min(image.width - 1, Math.round(region.x)))
  const y = Math.max(0, Math.min(image.height - 1, Math.round(region.y)))
  return {
    x,
    y,
    width: Math.max(1, Math.min(image.width - x, Math.round(region.width))),
    height: Math.max(1, Math.min(image.height - y, Math.round(region.height))),
  }
}
