import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { glob } from 'tinyglobby'
import { EnhanceError } from '../shared/errors.js'
import { byName } from '../queue/scan.js'

/**
 * The characters that make a name a pattern: `*` and `?`, as Windows' own commands take them. Every other
 * character is itself (`Photos [2019]`, `IMG (1).jpg`), so it is escaped from tinyglobby's richer syntax.
 */
const WILDCARD = /[*?]/
const LITERAL = /[[\](){}!+@\\]/g

/**
 * The inputs with each wildcard pattern replaced by the files and folders it matches, in the order file managers
 * show them. POSIX shells expand patterns before the command runs; Windows' cmd and PowerShell pass `*.jpg` as it
 * is, so the command expands it (tinyglobby: the matcher Vite and ESLint use, case-insensitive there as Windows is).
 * A name that exists is never a pattern, and a pattern that matches nothing is refused as such (where a POSIX shell
 * passes one on, it matched nothing there either).
 */
export async function expandWildcards(inputs: string[], platform = process.platform): Promise<string[]> {
  const expanded: string[][] = []
  for (const input of inputs) {
    const pattern = existsSync(input) ? null : splitPattern(input, platform)
    expanded.push(pattern ? await matches(input, pattern, platform) : [input])
  }
  return expanded.flat()
}

/**
 * Refuses, on Windows, an input holding a quotation mark, which no Windows name can: there a backslash just
 * before a closing quote (`"C:\Photos\"`, as tab completion and copied paths end) escapes it, so the quote, and
 * every argument after it up to the next quote, become part of the name, and `--out` is lost.
 */
export function refuseStrayQuotes(inputs: string[], platform = process.platform): string[] {
  const quoted = platform === 'win32' ? inputs.find((input) => input.includes('"')) : undefined
  if (quoted === undefined) return inputs
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    `${quoted} holds a quotation mark, which no Windows name can: a backslash just before a closing quote ("C:\\Photos\\") keeps the quote, and what follows it, in the name. Leave out that last backslash ("C:\\Photos").`,
  )
}

/** A pattern's folder (the part before its first wildcard) and the rest, in the pattern syntax; null for none. */
export function splitPattern(
  input: string,
  platform: NodeJS.Platform,
): { folder: string; rest: string } | null {
  const parts = input.split(platform === 'win32' ? /[\\/]/ : /\//)
  const first = parts.findIndex((part) => WILDCARD.test(part))
  if (first < 0) return null
  // The folder as typed, up to and with the separator before the first wildcard: `C:\Photos\`, `/`, or here.
  const length = parts.slice(0, first).reduce((sum, part) => sum + part.length + 1, 0)
  const folder = length === 0 ? '.' : input.slice(0, length)
  return {
    folder,
    rest: parts
      .slice(first)
      .map((part) => part.replace(LITERAL, '\\$&'))
      .join('/'),
  }
}

async function matches(
  input: string,
  { folder, rest }: { folder: string; rest: string },
  platform: NodeJS.Platform,
): Promise<string[]> {
  const found = await glob(rest, {
    cwd: folder,
    absolute: true,
    onlyFiles: false,
    expandDirectories: false,
    caseSensitiveMatch: platform !== 'win32',
  })
  if (found.length === 0)
    throw new EnhanceError(
      'FILE_NOT_FOUND',
      `No file or folder matches ${input}. Check the folder and the pattern (for example *.jpg, or IMG_*.JPG).`,
    )
  return found.map((path) => resolve(path)).sort(byName)
}
