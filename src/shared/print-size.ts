/**
 * Print sizes, in inches, as people name them: a photo enhanced for a print fits within the size (turned to the
 * photo's orientation, never cropped) at the printer's pixels per inch, and its file says that density, so it
 * prints at that size.
 */

/** Pixels per inch for a print: photo labs and home printers print photos at 300. */
export const DEFAULT_PRINT_DPI = 300
export const PRINT_DPI_RANGE = [50, 2400] as const
/** The largest print side, in inches (a 5 m banner). */
export const LARGEST_PRINT_INCHES = 200

const MM_PER_INCH = 25.4

/** The sizes offered by name: the common photo prints and paper. */
export const PRINT_SIZES = [
  { key: '4x6', name: '4 × 6 in', label: '4 × 6 in (10 × 15 cm)', width: 4, height: 6 },
  { key: '5x7', name: '5 × 7 in', label: '5 × 7 in (13 × 18 cm)', width: 5, height: 7 },
  { key: '8x10', name: '8 × 10 in', label: '8 × 10 in (20 × 25 cm)', width: 8, height: 10 },
  { key: 'letter', name: 'US Letter', label: 'US Letter (8.5 × 11 in)', width: 8.5, height: 11 },
  { key: 'a4', name: 'A4', label: 'A4 (21 × 29.7 cm)', width: 210 / MM_PER_INCH, height: 297 / MM_PER_INCH },
  { key: '11x14', name: '11 × 14 in', label: '11 × 14 in (28 × 36 cm)', width: 11, height: 14 },
  { key: 'a3', name: 'A3', label: 'A3 (29.7 × 42 cm)', width: 297 / MM_PER_INCH, height: 420 / MM_PER_INCH },
] as const

/**
 * A print size from its name (`a4`, `8x10`) or sides in inches or centimetres (`8x10`, `8x10in`, `10x15cm`), in
 * inches; null where the text is none of those.
 */
export function parsePrintSize(text: string): { width: number; height: number } | null {
  const named = PRINT_SIZES.find((size) => size.key === text.trim().toLowerCase())
  if (named) return { width: named.width, height: named.height }
  const match = /^(\d+(?:\.\d+)?)\s*[x×]\s*(\d+(?:\.\d+)?)\s*(in|cm)?$/i.exec(text.trim())
  if (!match) return null
  const perInch = match[3]?.toLowerCase() === 'cm' ? MM_PER_INCH / 10 : 1
  const [width, height] = [Number(match[1]) / perInch, Number(match[2]) / perInch]
  const fits = (side: number): boolean => side > 0 && side <= LARGEST_PRINT_INCHES
  return fits(width) && fits(height) ? { width, height } : null
}

/** Which of `PRINT_SIZES` a print size given in inches is (within a hundredth of an inch). */
function namedPrint(width: number, height: number): (typeof PRINT_SIZES)[number] | undefined {
  const near = (a: number, b: number): boolean => Math.abs(a - b) < 0.01
  return PRINT_SIZES.find((size) => near(size.width, width) && near(size.height, height))
}

/** The key of a print size given in inches, where it is one of `PRINT_SIZES`. */
export const printSizeKey = (width: number, height: number): string | undefined =>
  namedPrint(width, height)?.key

/** A side in inches as it is written: to a hundredth, without trailing zeros. */
const inches = (side: number): string => String(Math.round(side * 100) / 100)

/** A print's sides in whole centimetres, where both are (a size given as `20x30cm`). */
function wholeCentimetres(width: number, height: number): [number, number] | undefined {
  const cm = [width, height].map((side) => (side * MM_PER_INCH) / 10)
  const whole = cm.every((side) => Math.abs(side - Math.round(side)) < 0.01)
  return whole ? [Math.round(cm[0]!), Math.round(cm[1]!)] : undefined
}

/** A print's sides with their unit, `between` them and `spaced` from the unit: in whole centimetres where both are. */
function sidesText(width: number, height: number, between: string, spaced: string): string {
  const cm = wholeCentimetres(width, height)
  return cm
    ? `${cm[0]}${between}${cm[1]}${spaced}cm`
    : `${inches(width)}${between}${inches(height)}${spaced}in`
}

/** A print size as it is typed (and named in files): its key ("8x10", "a4"), "20x30cm", else "8.5x11in". */
export function printSizeText(width: number, height: number): string {
  return printSizeKey(width, height) ?? sidesText(width, height, 'x', '')
}

/** A print size in words, as it is read: "a 4 × 6 in", "an 8 × 10 in", "an A4", "a 20 × 30 cm", else in inches. */
export function aPrintOf(width: number, height: number): string {
  const name = namedPrint(width, height)?.name ?? sidesText(width, height, ' × ', ' ')
  return `${/^(8|11\b|18\b|A)/.test(name) ? 'an' : 'a'} ${name}`
}

/** Enlargement past the model's own this much is said: below, it is hardly more than the model drew. */
const SAID_BEYOND_MODEL = 1.05

/**
 * What a photo made for a print of `width`×`height` inches at `dpi` is to know where the print needs more pixels
 * than the model made (`model`, turned to `made`): the rest is a smooth enlargement, softer up close, and the
 * print the model's own pixels fill at that dpi. Null where the model's pixels sufficed.
 */
export function beyondModelNote(
  { width, height, dpi }: { width: number; height: number; dpi: number },
  model: { width: number; height: number },
  made: { width: number; height: number },
): string | null {
  const further = made.width / model.width
  if (further <= SAID_BEYOND_MODEL) return null
  return (
    `Enlarged past the model's own ${model.width} × ${model.height} px to ${made.width} × ${made.height} px for ` +
    `${aPrintOf(width, height)} print at ${dpi} dpi: the rest is a smooth enlargement, softer up close. ` +
    `The model's pixels fill ${inches(model.width / dpi)} × ${inches(model.height / dpi)} in at ${dpi} dpi.`
  )
}
