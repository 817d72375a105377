import wrapAnsi from 'wrap-ansi'

/** The width the CLI lays its text out in: a terminal's classic 80 columns (`--help` keeps to it too). */
export const TEXT_COLUMNS = 80

/**
 * `text` broken at spaces into lines of at most `TEXT_COLUMNS` terminal cells, each one beginning with `indent`; a word
 * longer than a line stays whole. wrap-ansi counts cells as a terminal does (wide characters, colours), with the
 * string-width the live line already uses.
 */
export function wrapIndented(text: string, indent: string): string {
  return wrapAnsi(text, TEXT_COLUMNS - indent.length, { hard: false, trim: true })
    .split('\n')
    .map((line) => indent + line)
    .join('\n')
}
