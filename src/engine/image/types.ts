/** Interleaved sRGB pixels (RGB or RGBA), 8- or 16-bit, upright (EXIF orientation applied). */
export interface RasterImage {
  width: number
  height: number
  channels: 3 | 4
  depth: 8 | 16
  pixels: Uint8Array | Uint16Array
}

/** One colour's red, green and blue. */
export type Rgb = [number, number, number]

/** Whether the pixel whose first sample is at `at` is fully transparent: it has no colour of the photo's. */
export function isClearAt({ channels, pixels }: RasterImage, at: number): boolean {
  return channels === 4 && pixels[at + 3] === 0
}

/** What the output must carry over from the input. */
export interface ImageMetadata {
  format: string
  /** Raw EXIF block as sharp returns it ("Exif\0\0" + TIFF). */
  exif?: Uint8Array
  /** The embedded ICC profile, when the input had one. */
  icc?: Uint8Array
  xmp?: string
  /** Pixels per inch, when the file says (a scan's 600): a print's size, which a viewer or editor reads from it. */
  density?: number
  /** The input was grayscale; the model saw it as RGB and the output goes back to one channel. */
  gray: boolean
  /**
   * Every pixel is a grey: a grayscale photo, or a black-and-white one kept as colour (a scan made in colour
   * mode, a grey JPEG saved as RGB). The model's output is then made grey too: it would add tints.
   */
  colourless?: boolean
  hasAlpha: boolean
  /** Frames of an animation or pages of a document, when more than one: only the first is read. */
  pages?: number
}

export interface DecodedImage {
  image: RasterImage
  meta: ImageMetadata
}

/**
 * A decoded photo; `damage` says what was wrong with a damaged file read as far as it goes, `warning`
 * what the decoder reported about a file it read, `profileDamage` why its colour profile was left out.
 */
export type DecodedPhoto = DecodedImage & {
  damage?: string
  warning?: string
  profileDamage?: string
  /** The bits per channel the photo has, where its decoder read it at 8. */
  readShallowerThan?: number
}

/** The pixel limit, and whether a damaged file is read as far as it goes. */
export interface ReadLimits {
  maxPixels: number
  readDamaged: boolean
}

/** A photo's width and height as it stands upright: swapped where its EXIF orientation (5 to 8) turns it. */
export function uprightSize<N>(size: { width: N; height: N; orientation?: number | undefined }): {
  width: N
  height: N
} {
  const turned = (size.orientation ?? 1) >= 5
  return turned ? { width: size.height, height: size.width } : { width: size.width, height: size.height }
}

/**
 * A copy of a raster's pixels. Not `pixels.slice()`: a Node Buffer (what sharp gives) is a Uint8Array whose slice
 * shares its memory, so a raster made straight from one would be changed in place.
 */
export function copyOfPixels(pixels: RasterImage['pixels']): RasterImage['pixels'] {
  return pixels instanceof Uint16Array ? new Uint16Array(pixels) : new Uint8Array(pixels)
}

/** A black raster of `width`×`height` with `like`'s channels and depth. */
export function blankLike(like: RasterImage, width: number, height: number): RasterImage {
  const length = width * height * like.channels
  const pixels = like.depth === 16 ? new Uint16Array(length) : new Uint8Array(length)
  return { width, height, channels: like.channels, depth: like.depth, pixels }
}

/** A raster as 8-bit: a 16-bit one's levels rounded to the nearest (v / 257); an 8-bit one as it is. */
export function eightBitOf(image: RasterImage): RasterImage {
  if (image.depth === 8) return image
  const pixels = new Uint8Array(image.pixels.length)
  for (let i = 0; i < pixels.length; i++) pixels[i] = ((image.pixels[i]! + 128) / 257) | 0
  return { ...image, depth: 8, pixels }
}

export function maxValue(depth: 8 | 16): number {
  return depth === 16 ? 65535 : 255
}

/**
 * Whether every pixel is a grey, within `tolerance` levels of 255 between its channels; pixels that are fully
 * transparent have no colour to see and do not count.
 */
export function isColourless(image: RasterImage, tolerance = 2): boolean {
  const { pixels, channels, depth } = image
  const limit = (tolerance * maxValue(depth)) / 255
  for (let at = 0; at < pixels.length; at += channels) {
    if (isClearAt(image, at)) continue
    const r = pixels[at]!
    const g = pixels[at + 1]!
    const b = pixels[at + 2]!
    if (Math.max(r, g, b) - Math.min(r, g, b) > limit) return false
  }
  return true
}
