import { extname } from 'node:path'
// Display width in terminal cells: East Asian wide characters and emoji take two, combining marks none.
import stringWidth from 'string-width'

/** What the live line says, each part droppable from the end when the terminal is narrow. */
export interface LiveLine {
  /** What comes first, never cut: "[2/8]", "Watching". */
  position: string
  name: string
  /** This photo's tiles, drawn as a bar when there is room. */
  tiles?: { done: number; of: number }
  /** " 12/48 tiles", " · 4s left", " · all 1m10s": the later ones are left out first. */
  tail: string[]
}

const BAR_CELLS = 24
const MIN_BAR_CELLS = 8
/** A name kept at least this wide while anything else can still give way. */
const NAME_CELLS = 16

const graphemes = (text: string): string[] =>
  [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment)

/** As many of `parts` as fill at most `cells`, from the start (or from the end), in their order. */
function take(parts: string[], cells: number, fromEnd = false): string {
  const kept: string[] = []
  let width = 0
  for (const part of fromEnd ? [...parts].reverse() : parts) {
    width += stringWidth(part)
    if (width > cells) break
    kept.push(part)
  }
  return (fromEnd ? kept.reverse() : kept).join('')
}

/** A name cut in its middle to at most `cells` (its extension and end kept: "IMG_2019…(edited).jpg"). */
export function shortenName(name: string, cells: number): string {
  if (stringWidth(name) <= cells) return name
  if (cells <= 1) return cells === 1 ? '…' : ''
  const extension = extname(name)
  const room = cells - 1 - stringWidth(extension)
  if (room < 2) return `${take(graphemes(name), cells - 1)}…`
  const stem = graphemes(name.slice(0, name.length - extension.length))
  const head = take(stem, Math.ceil(room * 0.6))
  return `${head}…${take(stem, room - stringWidth(head), true)}${extension}`
}

function bar(tiles: LiveLine['tiles'], cells: number): string {
  if (!tiles || cells === 0) return ''
  const filled = Math.round((tiles.done / tiles.of) * cells)
  return ` ${'█'.repeat(filled)}${'░'.repeat(cells - filled)}`
}

/**
 * The live line in at most `columns − 1` cells: a line longer than the terminal wraps, and redrawing it then
 * clears only its last row, leaving the rest on screen at every tile. The bar narrows first, then the name is
 * cut in its middle, then the times left go, then the bar; unknown width (`undefined`) keeps everything.
 */
export function fitLiveLine(line: LiveLine, columns: number | undefined): string {
  const render = (barCells: number, tail: string[], nameCells = Infinity) =>
    `${line.position} ${shortenName(line.name, nameCells)}${bar(line.tiles, barCells)}${tail.join('')}`
  if (columns === undefined || columns <= 0) return render(BAR_CELLS, line.tail)
  const cells = columns - 1
  const minBar = line.tiles ? MIN_BAR_CELLS : 0
  for (let kept = line.tail.length; kept > 0; kept--) {
    const tail = line.tail.slice(0, kept)
    // The whole name, with as wide a bar as the rest leaves (a bar takes a space before it).
    const spare = cells - stringWidth(render(0, tail))
    if (spare >= (minBar && minBar + 1)) return render(Math.min(BAR_CELLS, Math.max(0, spare - 1)), tail)
    const room = cells - stringWidth(render(minBar, tail, 0))
    if (room >= NAME_CELLS) return render(minBar, tail, room)
  }
  for (const tail of [line.tail.slice(0, 1), []]) {
    const room = cells - stringWidth(render(0, tail, 0))
    if (room >= Math.min(stringWidth(line.name), 4)) return render(0, tail, room)
  }
  return take(graphemes(render(0, [])), cells)
}
