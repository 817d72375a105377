import { readdir, stat } from 'node:fs/promises'
import { basename, extname, join, relative, resolve } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import { FORMAT_EXTENSIONS } from '../shared/settings.js'
import { renderName } from '../shared/naming.js'
import type { NameVars } from '../shared/naming.js'
import type { OutputFormat } from '../shared/settings.js'

export const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.avif',
  '.heic',
  '.heif',
  '.gif',
  '.bmp',
])

export interface InputFile {
  path: string
  /** Where it sits below the folder it was found in ('' for files named directly). */
  relativeDir: string
}

/** Counts files that were seen but are not images. */
export interface ScanCounter {
  count: number
}

async function* walk(
  root: string,
  dir: string,
  recursive: boolean,
  ignored: ScanCounter,
): AsyncGenerator<InputFile> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (recursive) yield* walk(root, path, recursive, ignored)
    } else if (entry.isFile() && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      yield { path, relativeDir: relative(root, dir) }
    } else if (entry.isFile()) {
      ignored.count++
    }
  }
}

/** Expands files and folders (recursively when asked) into image files, lazily, in a stable order. */
export async function* scanInputs(
  inputs: string[],
  recursive: boolean,
  ignored: ScanCounter = { count: 0 },
): AsyncGenerator<InputFile> {
  for (const input of inputs) {
    const path = resolve(input)
    const info = await stat(path).catch(() => null)
    if (!info) throw new EnhanceError('FILE_NOT_FOUND', `${input} does not exist.`)
    if (info.isDirectory()) yield* walk(path, path, recursive, ignored)
    else yield { path, relativeDir: '' }
  }
}

/** `<out>/<subfolders>/<name>.<ext>`: the folder structure below each input folder is mirrored. */
export function outputPath(
  outDir: string,
  file: InputFile,
  format: OutputFormat,
  template = '{name}',
  vars: NameVars = {},
): string {
  const name = renderName(template, { ...vars, name: basename(file.path, extname(file.path)) })
  return join(resolve(outDir), file.relativeDir, `${name}.${FORMAT_EXTENSIONS[format]}`)
}
