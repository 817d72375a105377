/**
 * An 8- or 16-bit picture as an uncompressed TIFF (Adobe's TIFF 6.0): one strip, its samples interleaved, its ICC
 * profile in it, so that sharp reads it, and converts its colours, as any photo's. Written here because sharp writes
 * a TIFF only from pixels it reads as RGB or grey (a CMYK picture's inks would be taken for colours), and through the
 * profile it converts to, not one it keeps.
 */

export type TiffColour = 'grey' | 'rgb' | 'cmyk'

export interface TiffLayout {
  width: number
  height: number
  bitsPerSample: 8 | 16
  colour: TiffColour
  /** A last sample of (unassociated) transparency. */
  alpha: boolean
  icc?: Uint8Array | undefined
}

/** TIFF's photometric interpretation of each colour: black is zero, RGB, separated (CMYK inks). */
const PHOTOMETRIC: Record<TiffColour, number> = { grey: 1, rgb: 2, cmyk: 5 }
const COLOURS: Record<TiffColour, number> = { grey: 1, rgb: 3, cmyk: 4 }

/** A field: its tag, its type and its values, in ascending order of tags. */
type TiffEntry = [tag: number, type: number, values: number[] | Uint8Array]

/** Field types: SHORT, LONG, UNDEFINED (bytes). */
const SHORT = 3
const LONG = 4
const UNDEFINED = 7

/** The samples a pixel of `layout` has. */
export function samplesPerPixel({ colour, alpha }: Pick<TiffLayout, 'colour' | 'alpha'>): number {
  return COLOURS[colour] + (alpha ? 1 : 0)
}

/**
 * The TIFF of a picture laid out so, and its samples, in the machine's byte order (which the TIFF says it is in), for
 * the caller to fill: they are the TIFF's own bytes, not a copy.
 */
export function uncompressedTiff(layout: TiffLayout): {
  tiff: Uint8Array
  samples: Uint8Array | Uint16Array
} {
  const { width, height, bitsPerSample, colour, alpha, icc } = layout
  const perPixel = samplesPerPixel(layout)
  const count = width * height * perPixel
  const dataBytes = (count * bitsPerSample) / 8
  if (dataBytes > 0xffffffff) throw new Error('a picture past 4 GB, more than a TIFF holds')
  const entries: TiffEntry[] = [
    [256, LONG, [width]],
    [257, LONG, [height]],
    [258, SHORT, Array<number>(perPixel).fill(bitsPerSample)],
    [259, SHORT, [1]], // no compression
    [262, SHORT, [PHOTOMETRIC[colour]]],
    [273, LONG, [0]], // the strip's offset, set below
    [277, SHORT, [perPixel]],
    [278, LONG, [height]],
    [279, LONG, [dataBytes]],
    [284, SHORT, [1]], // samples interleaved
  ]
  if (colour === 'cmyk') entries.push([332, SHORT, [1]]) // its inks are cyan, magenta, yellow and black
  if (alpha) entries.push([338, SHORT, [2]]) // unassociated alpha
  if (icc) entries.push([34675, UNDEFINED, icc])
  const ifdBytes = 2 + entries.length * 12 + 4
  const sizeOf = (type: number, values: number[] | Uint8Array) =>
    values.length * (type === LONG ? 4 : type === SHORT ? 2 : 1)
  const outside = entries.reduce((sum, [, type, values]) => {
    const size = sizeOf(type, values)
    return size > 4 ? sum + size + (size % 2) : sum
  }, 0)
  const dataAt = 8 + ifdBytes + outside
  const tiff = new Uint8Array(dataAt + dataBytes)
  const view = new DataView(tiff.buffer)
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
  tiff.set(little ? [0x49, 0x49] : [0x4d, 0x4d])
  view.setUint16(2, 42, little)
  view.setUint32(4, 8, little)
  view.setUint16(8, entries.length, little)
  let extra = 8 + ifdBytes
  entries.forEach(([tag, type, values], i) => {
    const at = 10 + i * 12
    view.setUint16(at, tag, little)
    view.setUint16(at + 2, type, little)
    view.setUint32(at + 4, values.length, little)
    const size = sizeOf(type, values)
    const into = size > 4 ? extra : at + 8
    if (size > 4) {
      view.setUint32(at + 8, extra, little)
      extra += size + (size % 2)
    }
    const written = tag === 273 ? [dataAt] : values
    if (type === UNDEFINED) tiff.set(written, into)
    else
      written.forEach((value, j) => {
        if (type === LONG) view.setUint32(into + j * 4, value, little)
        else view.setUint16(into + j * 2, value, little)
      })
  })
  const samples = bitsPerSample === 16 ? new Uint16Array(tiff.buffer, dataAt, count) : tiff.subarray(dataAt)
  return { tiff, samples }
}
