import { DEFAULT_PRINT_DPI, printSizeText } from './print-size.js'
import type { SizeSpec } from './settings.js'

/** The values an output name template can use. */
export interface NameVars {
  name?: string
  scale?: number
  /** The size asked for, as a name says it: "x2", "3840px", "1920x1080", "8x10", "a4-150dpi". */
  size?: string
  realism?: number
  model?: string
}

const PLACEHOLDERS = ['name', 'scale', 'size', 'alpha', 'model'] as const

/** The model's own scale where it is not known (jobs made before it was read, the bundled models'). */
const MODEL_SCALE = 4

/** A print's size in a name, as it is typed ("8x10", "a4", "20x30cm"), and its dpi where not 300. */
function printName({ width, height, dpi }: { width: number; height: number; dpi: number }): string {
  const print = printSizeText(width, height)
  return dpi === DEFAULT_PRINT_DPI ? print : `${print}-${dpi}dpi`
}

/**
 * {scale} and {size} for a job's size and its model's own scale, which a size that sets none (the model's own, a
 * print, a longest side) names as {scale}: one rule for the queue's names and the app's example.
 */
export function sizeVars(size: SizeSpec, modelScale = MODEL_SCALE): { scale: number; size: string } {
  const scale = size.mode === 'scale' ? size.scale : modelScale
  switch (size.mode) {
    case 'native':
    case 'scale':
      return { scale, size: `x${scale}` }
    case 'exact':
      return { scale, size: `${size.width}x${size.height}` }
    case 'fit':
      return {
        scale,
        size: size.width === size.height ? `${size.width}px` : `${size.width}x${size.height}px`,
      }
    case 'print':
      return { scale, size: printName(size) }
  }
}

/** Whether names made with `template` for a job of `size` say its model's own scale: only then is it read. */
export function namesModelScale(template: string, size: SizeSpec): boolean {
  if (size.mode === 'scale') return false
  return template.includes('{scale}') || (size.mode === 'native' && template.includes('{size}'))
}

/**
 * What is wrong with an output name template, as the end of a sentence ("must contain {name}, …"), or
 * null. One rule for the app's setting and the CLI's --naming.
 */
export function namingProblem(template: string): string | null {
  if (!template.includes('{name}')) return 'must contain {name}, so two photos never share one name'
  if (/[\\/]/.test(template)) return 'cannot contain / or \\'
  const unknown = [...template.matchAll(/\{([^{}]*)\}/g)]
    .map((m) => m[1]!)
    .find((key) => !(PLACEHOLDERS as readonly string[]).includes(key))
  if (unknown !== undefined)
    return `has {${unknown}}, which is not one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`
  if (template.startsWith('.')) return 'cannot start with ".": such files are hidden'
  return null
}

/**
 * Fills {name}, {scale}, {size}, {alpha} (the realism, named as ESRGAN's α and the CLI's --alpha) and {model};
 * characters no file system accepts become "_".
 */
export function renderName(template: string, vars: NameVars): string {
  const values: Record<string, string> = {
    name: vars.name ?? '',
    scale: vars.scale === undefined ? '' : String(vars.scale),
    size: vars.size ?? '',
    alpha: vars.realism === undefined ? '' : vars.realism.toFixed(2),
    model: vars.model ?? '',
  }
  const filled = template.replace(new RegExp(`\\{(${PLACEHOLDERS.join('|')})\\}`, 'g'), (_, key: string) =>
    String(values[key]),
  )
  return fileSystemSafe(filled) || values['name'] || 'image'
}

/**
 * `text` with the characters some file system refuses in a name as "_": Windows', a USB stick's or a camera card's
 * (exFAT, FAT32), whichever system writes there. A folder may be named `Trip: Rome?` on Linux or a Mac.
 */
export function fileSystemSafe(text: string): string {
  return [...text].map((c) => (c.charCodeAt(0) < 32 || '/\\:*?"<>|'.includes(c) ? '_' : c)).join('')
}

/** The longest file name most file systems take: 255 bytes of UTF-8 (ext4, APFS; NTFS counts 255 UTF-16 units). */
export const MAX_NAME_BYTES = 255
/** Room kept for the "_2" … "_99999" a name gets when it is taken. */
const SUFFIX_BYTES = 6

/** `text` cut to at most `maxBytes` bytes of UTF-8, never inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text
  let bytes = 0
  let cut = ''
  for (const char of text) {
    bytes += byteLength(char)
    if (bytes > maxBytes) break
    cut += char
  }
  return cut
}

/**
 * An output's name without its extension, from `render` of the photo's own name: where the whole file name
 * (with a suffix, should it be taken) would not fit on a file system, the photo's name is cut and what the
 * template adds is kept, so a long photo name with `_enhanced_x4` added can still be written.
 */
export function fitFileName(render: (name: string) => string, name: string, extension: string): string {
  const room = MAX_NAME_BYTES - SUFFIX_BYTES - byteLength(`.${extension}`)
  const rendered = render(name)
  if (byteLength(rendered) <= room) return rendered
  // What the template adds, and how many copies of the name it holds ({name} may come twice): each copy
  // gets an equal share of the room the rest leaves.
  const one = byteLength(render('x'))
  const copies = Math.max(1, byteLength(render('xx')) - one)
  const share = Math.floor((room - (one - copies)) / copies)
  // A template whose own text is too long (a very long model name) is cut too.
  return truncateUtf8(share > 0 ? render(truncateUtf8(name, share)) : rendered, room)
}

const utf8 = new TextEncoder()

function byteLength(text: string): number {
  return utf8.encode(text).length
}
