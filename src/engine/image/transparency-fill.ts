import { copyOfPixels } from './types.js'
import type { RasterImage } from './types.js'

/** One level of the pyramid: the mean colour of the visible pixels below each cell, and how many there are. */
interface Level {
  width: number
  height: number
  rgb: Float32Array
  /** Visible pixels (or coloured cells of the level below) averaged into each cell; 0: no colour yet. */
  count: Uint8Array
}

function emptyLevel(width: number, height: number): Level {
  const cells = width * height
  return { width, height, rgb: new Float32Array(cells * 3), count: new Uint8Array(cells) }
}

/** Averages 2×2 cells of a grid whose colours `colourAt` writes (returning false where there is none). */
function averaged(width: number, height: number, colourAt: (cell: number, rgb: number[]) => boolean): Level {
  const level = emptyLevel(Math.ceil(width / 2), Math.ceil(height / 2))
  const rgb = [0, 0, 0]
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!colourAt(y * width + x, rgb)) continue
      const cell = (y >> 1) * level.width + (x >> 1)
      for (let c = 0; c < 3; c++) level.rgb[cell * 3 + c] = level.rgb[cell * 3 + c]! + rgb[c]!
      level.count[cell] = level.count[cell]! + 1
    }
  }
  for (let cell = 0; cell < level.count.length; cell++) {
    const n = level.count[cell]!
    for (let c = 0; c < 3; c++) if (n) level.rgb[cell * 3 + c] = level.rgb[cell * 3 + c]! / n
  }
  return level
}

/** The first level: 2×2 cells of the photo, averaging only the pixels that can be seen (alpha above 0). */
function firstLevel({ width, height, pixels }: RasterImage): Level {
  return averaged(width, height, (i, rgb) => {
    if (pixels[i * 4 + 3] === 0) return false
    for (let c = 0; c < 3; c++) rgb[c] = pixels[i * 4 + c]!
    return true
  })
}

/** The next level up: 2×2 cells of the one below, averaging the cells that have a colour. */
function nextLevel(below: Level): Level {
  return averaged(below.width, below.height, (cell, rgb) => {
    if (!below.count[cell]) return false
    for (let c = 0; c < 3; c++) rgb[c] = below.rgb[cell * 3 + c]!
    return true
  })
}

/** Cells with no colour take their parent's, from the top of the pyramid down. */
function pullDown(levels: Level[]): void {
  for (let l = levels.length - 2; l >= 0; l--) {
    const [level, parent] = [levels[l]!, levels[l + 1]!]
    for (let y = 0; y < level.height; y++) {
      for (let x = 0; x < level.width; x++) {
        const cell = y * level.width + x
        if (level.count[cell]) continue
        const from = ((y >> 1) * parent.width + (x >> 1)) * 3
        for (let c = 0; c < 3; c++) level.rgb[cell * 3 + c] = parent.rgb[from + c]!
        level.count[cell] = 1
      }
    }
  }
}

function hasHiddenAndVisible(image: RasterImage): boolean {
  let hidden = false
  let visible = false
  for (let i = 3; i < image.pixels.length && !(hidden && visible); i += 4) {
    if (image.pixels[i] === 0) hidden = true
    else visible = true
  }
  return hidden && visible
}

/**
 * The photo with colour put under its fully transparent pixels, which no one sees but the model reads
 * around every edge: each takes the mean colour of the nearest visible pixels (push-pull: averaged up a
 * pyramid, pulled back down). Left as saved (usually black), they darkened the edge of a cut-out or a logo
 * by up to 200 levels. Visible pixels are untouched; the photo itself is returned when nothing is hidden.
 * Done once on the whole decoded photo, for the file and for the slider's crop alike: a crop's window alone
 * would fill from other pixels, and show other colours than the file at a cut-out's edge.
 */
export function withColourUnderTransparency(image: RasterImage): RasterImage {
  if (image.channels !== 4 || !hasHiddenAndVisible(image)) return image
  const levels = [firstLevel(image)]
  while (levels.at(-1)!.width > 1 || levels.at(-1)!.height > 1) levels.push(nextLevel(levels.at(-1)!))
  pullDown(levels)
  const pixels = copyOfPixels(image.pixels)
  const { width, height } = image
  const first = levels[0]!
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4
      if (pixels[at + 3] !== 0) continue
      const from = ((y >> 1) * first.width + (x >> 1)) * 3
      for (let c = 0; c < 3; c++) pixels[at + c] = Math.round(first.rgb[from + c]!)
    }
  }
  return { ...image, pixels }
}
