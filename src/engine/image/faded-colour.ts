import type { Region } from '../../shared/protocol.js'
import { areaOf } from './read-area.js'
import { copyOfPixels, isClearAt, type RasterImage, type Rgb } from './types.js'

/**
 * Faded colour, as an old print's is: its dyes fade at different rates, so its black is lifted and tinted, its white
 * dulled (yellowed by the paper's stain) and its midtones cast (red or magenta, when the cyan dye went first). The
 * restoration undoes that per channel, as a scanner's "colour restoration" or an editor's "auto colour" does:
 * - the mean colours of the photo's darkest 0.3% (dark in every channel) and of its lightest 0.3% (light in every
 *   channel) are taken as its black and its white, and each channel stretched so they are neutral black and white;
 * - then the midtones that are nearly grey (the least coloured tenth of those between 20% and 80% luma, chosen
 *   again after each of three bends) are made grey, each channel bent by a gamma, which keeps black and white.
 * Both are limited, so a photo that is dark, flat or of one colour on purpose is changed by at most so much.
 * The restoration goes as far as asked (`strength`): each value that part of the way to its restored value, since
 * a photo's own colours and its fade are told apart only by what most photos are like (the default is in settings).
 * A black-and-white print, toned or yellowed with age, comes out nearly grey from that: it is made grey outright
 * (and enhanced as a grey photo is, kept grey), rather than left with a trace of its tint and the scanner's noise.
 */

/** The share of the photo's darkest and of its lightest pixels taken as its black and its white. */
const END_SHARE = 0.003
/** A channel is stretched by at most this much, so a flat or dark photo is not blown up into its noise. */
const MAX_GAIN = 4
/** The midtones, by luma, whose least coloured pixels are taken to be grey. */
const MIDTONES = [0.2, 0.8] as const
const GREY_SHARE = 0.1
const GREY_ROUNDS = 3
/** Gamma within these bounds: the casts of fading need no more, and a photo of one colour is bent at most so far. */
const GAMMA_RANGE = [0.6, 1.6] as const
/** A photo is a black-and-white print when, restored, 95% of it is within this far (of 0–1) of grey. */
const MONOCHROME_CHROMA = 8 / 255
const MONOCHROME_SHARE = 0.95
/** At most this many pixels are looked at (evenly spread): enough for shares of 0.3%. */
const SAMPLES = 1 << 20
const LEVEL_BINS = 4096

/** What the restoration does to each channel (red, green, blue), on values from 0 to 1: (v − black) × gain, ^ gamma. */
export interface ColourLevels {
  black: [number, number, number]
  gain: [number, number, number]
  gamma: [number, number, number]
}

/** The visible pixels looked at, as 0–1 colours, evenly spread over the photo. */
function sampled(image: RasterImage): Float32Array {
  const { width, height, channels, depth, pixels } = image
  const count = width * height
  const step = Math.max(1, Math.ceil(count / SAMPLES))
  const scale = 1 / (depth === 16 ? 65535 : 255)
  const out = new Float32Array(Math.ceil(count / step) * 3)
  let n = 0
  for (let i = 0; i < count; i += step) {
    const at = i * channels
    if (isClearAt(image, at)) continue
    for (let c = 0; c < 3; c++) out[n * 3 + c] = pixels[at + c]! * scale
    n++
  }
  return out.subarray(0, n * 3)
}

const lumaOf = (rgb: ArrayLike<number>, at: number): number =>
  0.2126 * rgb[at]! + 0.7152 * rgb[at + 1]! + 0.0722 * rgb[at + 2]!

/** Each colour's channels taken together by `pick` (Math.max or Math.min). */
function channelWise(colours: Float32Array, pick: (...values: number[]) => number): Float32Array {
  const out = new Float32Array(colours.length / 3)
  for (let i = 0; i < out.length; i++)
    out[i] = pick(colours[i * 3]!, colours[i * 3 + 1]!, colours[i * 3 + 2]!)
  return out
}

/** The value (0–1) below which `share` of `values` lie. */
function levelAt(values: Float32Array, share: number): number {
  const bins = new Uint32Array(LEVEL_BINS)
  for (const value of values) bins[Math.min(LEVEL_BINS - 1, Math.floor(value * LEVEL_BINS))]!++
  const wanted = share * values.length
  let seen = 0
  for (let bin = 0; bin < LEVEL_BINS; bin++) {
    seen += bins[bin]!
    if (seen >= wanted) return (bin + 1) / LEVEL_BINS
  }
  return 1
}

/** The mean colour of the colours whose value `inside` accepts. */
function meanColour(colours: Float32Array, values: Float32Array, inside: (value: number) => boolean): Rgb {
  const sum = [0, 0, 0]
  let n = 0
  values.forEach((value, i) => {
    if (!inside(value)) return
    for (let c = 0; c < 3; c++) sum[c] = sum[c]! + colours[i * 3 + c]!
    n++
  })
  return sum.map((s) => (n ? s / n : 0)) as Rgb
}

/** Black and gain per channel: the photo's black and white made neutral, each channel stretched at most MAX_GAIN. */
function stretchOf(colours: Float32Array, colourless: boolean): Pick<ColourLevels, 'black' | 'gain'> {
  // Dark is dark in every channel (its highest is low), light is light in every channel (its lowest is high):
  // by luma, a saturated blue or magenta would count as dark.
  const highest = channelWise(colours, Math.max)
  const lowest = channelWise(colours, Math.min)
  const darkest = levelAt(highest, END_SHARE)
  const lightest = levelAt(lowest, 1 - END_SHARE) - 1 / LEVEL_BINS
  const neutral = (rgb: Rgb): Rgb => (colourless ? [lumaOf(rgb, 0), lumaOf(rgb, 0), lumaOf(rgb, 0)] : rgb)
  // A grey photo stays grey: one stretch, from its luma, for all three channels.
  const black = neutral(meanColour(colours, highest, (value) => value <= darkest))
  const white = neutral(meanColour(colours, lowest, (value) => value >= lightest))
  const gain = black.map((b, c) => Math.min(MAX_GAIN, 1 / Math.max(1e-6, white[c]! - b))) as Rgb
  return { black, gain }
}

/** A channel's value (0–1) with its black and white made the photo's: 0 and 1 there, beyond them outside 0–1. */
const stretched = (v: number, black: number, gain: number): number => (v - black) * gain
/** A stretched value bent by gamma, into 0–1. */
const bentInto01 = (n: number, gamma: number): number => Math.min(1, Math.max(0, n) ** gamma)

/** Gamma per channel that makes the photo's nearly grey midtones grey, once stretched. */
function gammaOf(colours: Float32Array, { black, gain }: Pick<ColourLevels, 'black' | 'gain'>): Rgb {
  const out = new Float32Array(colours.length)
  for (let at = 0; at < colours.length; at++)
    out[at] = Math.max(0, stretched(colours[at]!, black[at % 3]!, gain[at % 3]!))
  const gamma: Rgb = [1, 1, 1]
  // Which pixels are nearly grey depends on the cast: chosen again once the last bend took some of it away.
  for (let round = 0; round < GREY_ROUNDS; round++) {
    const mean = greyMidtones(out, gamma)
    if (!mean) break
    const target = lumaOf(mean, 0)
    for (let c = 0; c < 3; c++)
      gamma[c] = Math.min(
        GAMMA_RANGE[1],
        Math.max(GAMMA_RANGE[0], gamma[c]! * (Math.log(target) / Math.log(mean[c]!))),
      )
  }
  return gamma
}

/** The mean colour, bent by `gamma`, of the least coloured tenth of the midtones; null where there are none. */
function greyMidtones(stretchedColours: Float32Array, gamma: Rgb): Rgb | null {
  const greyish: { chroma: number; at: number }[] = []
  const bent = stretchedColours.map((v, at) => v ** gamma[at % 3]!)
  for (let at = 0; at < bent.length; at += 3) {
    const luma = lumaOf(bent, at)
    if (luma < MIDTONES[0] || luma > MIDTONES[1]) continue
    const [r, g, b] = [bent[at]!, bent[at + 1]!, bent[at + 2]!]
    greyish.push({ chroma: Math.max(r, g, b) - Math.min(r, g, b), at })
  }
  if (greyish.length === 0) return null
  greyish.sort((a, b) => a.chroma - b.chroma)
  const grey = greyish.slice(0, Math.max(1, Math.round(greyish.length * GREY_SHARE)))
  const mean = [0, 0, 0]
  for (const { at } of grey) for (let c = 0; c < 3; c++) mean[c] = mean[c]! + bent[at + c]! / grey.length
  return mean as Rgb
}

/** What restoring the faded colour of the photo these `colours` were sampled from does to each channel. */
function levelsOf(colours: Float32Array, colourless: boolean): ColourLevels {
  if (colours.length === 0) return { black: [0, 0, 0], gain: [1, 1, 1], gamma: [1, 1, 1] }
  const stretch = stretchOf(colours, colourless)
  const gamma: Rgb = colourless ? [1, 1, 1] : gammaOf(colours, stretch)
  return { ...stretch, gamma }
}

/** What restoring `image`'s faded colour does to each channel, measured on its visible pixels. */
export function fadedColourLevels(image: RasterImage, colourless: boolean): ColourLevels {
  return levelsOf(sampled(image), colourless)
}

/** A photo with its faded colour restored: grey (`colourless`) where it is a black-and-white print. */
export interface RestoredColour {
  image: RasterImage
  colourless: boolean
}

export interface RestoreOptions {
  /** Where only that part is the photo's (the rest of a damaged file is its decoder's grey or black). */
  area?: Region
  /**
   * How far each colour goes from where it is toward its restored colour, from 0 to 1 (all the way). A photo
   * found to be a black-and-white print is made grey whatever the strength: its tint is age, not the photo's.
   */
  strength?: number
}

/** `image` with its faded colour restored (alpha as it was), in a new raster of the same depth. */
export function restoreFadedColour(
  image: RasterImage,
  colourless: boolean,
  { area, strength = 1 }: RestoreOptions = {},
): RestoredColour {
  const colours = sampled(area ? areaOf(image, area) : image)
  const levels = levelsOf(colours, colourless)
  if (!colourless && isMonochromePrint(colours, levels))
    return { image: greyed(withLevels(image, levels, 1)), colourless: true }
  return { image: withLevels(image, levels, strength), colourless }
}

/** Whether, restored by `levels`, all but a few of the sampled `colours` are within MONOCHROME_CHROMA of grey. */
function isMonochromePrint(colours: Float32Array, levels: ColourLevels): boolean {
  const count = colours.length / 3
  let coloured = 0
  for (let at = 0; at < colours.length; at += 3) {
    const r = levelled(colours[at]!, levels, 0)
    const g = levelled(colours[at + 1]!, levels, 1)
    const b = levelled(colours[at + 2]!, levels, 2)
    if (Math.max(r, g, b) - Math.min(r, g, b) > MONOCHROME_CHROMA) coloured++
  }
  return count > 0 && coloured <= count * (1 - MONOCHROME_SHARE)
}

/** Channel `c`'s value `v` (0–1) restored by `levels`. */
const levelled = (v: number, levels: ColourLevels, c: number): number =>
  bentInto01(stretched(v, levels.black[c]!, levels.gain[c]!), levels.gamma[c]!)

/** `image` made grey in place: each pixel its luma in all three channels (alpha as it was). */
function greyed(image: RasterImage): RasterImage {
  const { pixels, channels } = image
  for (let at = 0; at < pixels.length; at += channels) {
    const luma = Math.round(lumaOf(pixels, at))
    pixels[at] = pixels[at + 1] = pixels[at + 2] = luma
  }
  return image
}

/** A copy of `image` with `levels` applied to each channel, `strength` of the way, through a lookup table. */
function withLevels(image: RasterImage, levels: ColourLevels, strength: number): RasterImage {
  const max = image.depth === 16 ? 65535 : 255
  const tables = [0, 1, 2].map((c) => {
    const table = image.depth === 16 ? new Uint16Array(max + 1) : new Uint8Array(max + 1)
    for (let v = 0; v <= max; v++)
      table[v] = Math.round(v + strength * (levelled(v / max, levels, c) * max - v))
    return table
  })
  const pixels = copyOfPixels(image.pixels)
  for (let at = 0; at < pixels.length; at += image.channels)
    for (let c = 0; c < 3; c++) pixels[at + c] = tables[c]![pixels[at + c]!]!
  return { ...image, pixels }
}
