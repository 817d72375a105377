/** Interleaved sRGB pixels (RGB or RGBA), 8- or 16-bit, upright (EXIF orientation applied). */
export interface RasterImage {
  width: number
  height: number
  channels: 3 | 4
  depth: 8 | 16
  pixels: Uint8Array | Uint16Array
}

/** What the output must carry over from the input. */
export interface ImageMetadata {
  format: string
  /** Raw EXIF block as sharp returns it ("Exif\0\0" + TIFF). */
  exif?: Uint8Array
  /** The embedded ICC profile, when the input had one. */
  icc?: Uint8Array
  xmp?: string
  /** The input was grayscale; the model saw it as RGB and the output goes back to one channel. */
  gray: boolean
  hasAlpha: boolean
  /** Frames of an animation or pages of a document, when more than one: only the first is read. */
  pages?: number
}

export interface DecodedImage {
  image: RasterImage
  meta: ImageMetadata
}

export function maxValue(depth: 8 | 16): number {
  return depth === 16 ? 65535 : 255
}
