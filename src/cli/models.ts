import { existsSync } from 'node:fs'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { EnhanceError } from '../shared/errors.js'
import { DEFAULT_REALISM } from '../shared/settings-schema.js'
import type { ModelSpecData } from '../shared/protocol.js'
import { bundledSpec, readCatalog } from '../engine/catalog.js'

/** The folder with package.json: the CLI runs from dist/src/cli, tests from src/cli. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

export const MODELS_DIR = join(packageRoot(), 'resources', 'models') + sep

/** The NIQE pristine model lives beside the project, in ../shared/metrics; it is not ours to commit. */
export const DEFAULT_NIQE_PARAMS = join(packageRoot(), '..', 'shared', 'metrics', 'niqe_pris_params.json')

/** An installed catalogue model by id, with its installed slider partner; null when not installed. */
export type InstalledLookup = (id: string) => { path: string; partner?: string } | null

/**
 * `--model` is a bundled model's name, an installed catalogue id or a file. With no --model the bundled
 * default is used; when it has a partner, `--alpha` (default 0.5) blends toward it. `--blend` names any
 * partner explicitly.
 */
export function resolveModelSpec(
  options: { model?: string; blend?: string; realism?: number },
  dir = MODELS_DIR,
  installed: InstalledLookup = () => null,
): ModelSpecData {
  const catalog = readCatalog(dir)
  const library = options.model ? installed(options.model) : null
  if (library) {
    const partner = options.blend ? (installed(options.blend)?.path ?? options.blend) : library.partner
    return partner
      ? { path: library.path, blend: { path: partner, realism: options.realism ?? DEFAULT_REALISM } }
      : { path: library.path }
  }
  const name = options.model ?? catalog?.default
  if (!name) {
    throw new EnhanceError(
      'FILE_NOT_FOUND',
      'No bundled model is installed. Pass --model <checkpoint.pth|.safetensors|.onnx>.',
    )
  }
  const realism = options.realism ?? DEFAULT_REALISM
  const bundled = bundledSpec(dir, catalog, name, realism)
  if (!options.blend) return bundled ?? { path: name }
  const partner = bundledSpec(dir, catalog, options.blend, realism)?.path ?? installed(options.blend)?.path
  return { path: bundled?.path ?? name, blend: { path: partner ?? options.blend, realism } }
}
