import sharp from 'sharp'
import { decodeImage } from '../image/decode.js'
import type { DecodeOptions } from '../image/decode.js'
import { areaOf, readArea } from '../image/read-area.js'
import { eightBitOf } from '../image/types.js'
import type { ImageMetadata, RasterImage } from '../image/types.js'
import { cutTurned } from './cut-turned.js'
import { findPrints } from './find-prints.js'
import type { SmallRgb } from './find-prints.js'
import type { TurnedRect } from './turned-rect.js'

/** The longer side the scan is looked at: a print's edge found to within a pixel of it (4 of a 600 dpi A4). */
const LOOK_SIDE = 1600
/** A turn smaller than this is the finding's own error (a pixel over the look's longer side): the print is cut straight. */
const LEAST_TURN = Math.atan(1 / LOOK_SIDE)

/**
 * The share of a print's shorter side left out along each edge: the shadow its edge casts on the glass, and the
 * finding's last pixel of doubt (4 px of a 6×4" print scanned at 300 dpi).
 */
const EDGE_INSET = 0.004

/** A print found on a scan: where it lies (in the scan's pixels), and its pixels straightened. */
export interface FoundPrint {
  rect: TurnedRect
  image: RasterImage
}

/** What writing a scan's prints needs of it; not its own pixels, which can go once the prints are cut. */
export interface SplitScan {
  meta: ImageMetadata
  /** Whether the scan's border shows a scanner's glass: if not, no print is looked for. */
  glassSeen: boolean
  prints: FoundPrint[]
}

/**
 * The prints laid on a scanner's glass, each cut out and straightened, with what the scan's file says (colour
 * profile, EXIF, density) for writing them.
 */
export async function splitScan(path: string, options: DecodeOptions = {}): Promise<SplitScan> {
  const decoded = await decodeImage(path, options)
  const { meta } = decoded
  // The decoder's fill for a damaged scan's missing part is neither glass nor print: it is not looked at.
  const area = decoded.damage ? readArea(decoded.image) : undefined
  if (area && (area.width === 0 || area.height === 0)) return { meta, glassSeen: false, prints: [] }
  const image = area ? areaOf(decoded.image, area) : decoded.image
  const look = await shrunk(image)
  const layout = findPrints(look)
  const prints = layout.prints.map((small) => {
    const rect = inScan(small, look, image)
    const print = cutTurned(image, rect)
    return { rect: area ? { ...rect, cx: rect.cx + area.x, cy: rect.cy + area.y } : rect, image: print }
  })
  return { meta, glassSeen: layout.glassSeen, prints }
}

async function shrunk(image: RasterImage): Promise<SmallRgb> {
  const flat = eightBitOf(image)
  const { data, info } = await sharp(flat.pixels, {
    raw: { width: flat.width, height: flat.height, channels: flat.channels },
  })
    .removeAlpha()
    .resize(LOOK_SIDE, LOOK_SIDE, { fit: 'inside', withoutEnlargement: true, kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true })
  return {
    width: info.width,
    height: info.height,
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.length),
  }
}

/** A rectangle found on the look, in the scan's pixels, inside it, and straight where its turn is below what the look can tell. */
function inScan(rect: TurnedRect, look: SmallRgb, scan: RasterImage): TurnedRect {
  const sx = scan.width / look.width
  const sy = scan.height / look.height
  const angle = Math.abs(rect.angle) < LEAST_TURN ? 0 : rect.angle
  const size = (sx + sy) / 2
  const inset = Math.max(2, EDGE_INSET * Math.min(rect.width, rect.height) * size)
  let width = rect.width * size - 2 * inset
  let height = rect.height * size - 2 * inset
  let cx = rect.cx * sx
  let cy = rect.cy * sy
  if (angle === 0) {
    // Whole pixels: the print is copied, not resampled.
    const left = Math.max(0, Math.ceil(cx - width / 2))
    const top = Math.max(0, Math.ceil(cy - height / 2))
    const right = Math.min(scan.width, Math.floor(cx + width / 2))
    const bottom = Math.min(scan.height, Math.floor(cy + height / 2))
    width = right - left
    height = bottom - top
    cx = left + width / 2
    cy = top + height / 2
  }
  return { cx, cy, width, height, angle }
}
