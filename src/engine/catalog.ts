import { existsSync, readFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import type { BundledModel } from '../node/model-store.js'
import { pairWords } from '../shared/chosen-words.js'
import type { ModelSpecData } from '../shared/protocol.js'
import { sameModels } from '../shared/model.js'

/** resources/models/catalog.json: the bundled models, and which GAN model pairs with which PSNR model. */
export interface CatalogEntry {
  name: string
  file: string
  description: string
  /** The GAN partner that makes the realism slider, for a PSNR-oriented model. */
  pair?: string
  /** What a pair is for, in the words of the people who choose it ("Clean, sharp originals"). */
  useFor?: string
}

export interface Catalog {
  default: string
  models: CatalogEntry[]
}

export function readCatalog(dir: string): Catalog | null {
  const path = join(dir, 'catalog.json')
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Catalog) : null
}

/** The bundled models as the model store lists them: id, file path, description, slider partner, use. */
export function bundledModels(dir: string, catalog: Catalog | null): BundledModel[] {
  return (catalog?.models ?? []).map((m) => ({
    id: m.name,
    path: join(dir, m.file),
    description: m.description,
    isDefault: m.name === catalog?.default,
    ...(m.pair ? { pair: m.pair } : {}),
    ...(m.useFor ? { useFor: m.useFor } : {}),
  }))
}

/** A bundled model by name as the engine runs it: its file, blended at `realism` with its slider partner's. */
export function bundledSpec(
  dir: string,
  catalog: Catalog | null,
  name: string,
  realism: number,
): ModelSpecData | null {
  const entry = catalog?.models.find((m) => m.name === name)
  if (!entry) return null
  const partner = catalog?.models.find((m) => m.name === entry.pair)
  const path = join(dir, entry.file)
  return partner ? { path, blend: { path: join(dir, partner.file), realism } } : { path }
}

/** What new jobs run until the user chooses: the catalog's default pair. */
export function defaultSpec(dir: string, catalog: Catalog | null, realism: number): ModelSpecData | null {
  return catalog ? bundledSpec(dir, catalog, catalog.default, realism) : null
}

/**
 * A job's models in words where they are not the default pair, as its card and `enhance queue` say them: a bundled
 * pair by what it is for ("the pair for clean, sharp originals"), any other by the models' names ("with 4x-UltraSharp").
 */
export function modelWords(dir: string, catalog: Catalog | null, spec: ModelSpecData): string | undefined {
  const defaultPair = defaultSpec(dir, catalog, 0)
  if (defaultPair && sameModels(defaultPair, spec)) return undefined
  const use = pairUse(dir, catalog, spec)
  return use ? pairWords(use) : `with ${fileNames(spec)}`
}

/** Models in words, the default pair too: a bundled pair by what it is for, any other by the models' names. */
export function modelsNamed(dir: string, catalog: Catalog | null, spec: ModelSpecData): string {
  const use = pairUse(dir, catalog, spec)
  return use ? pairWords(use) : fileNames(spec)
}

/** What the bundled pair `spec` runs is for ("Clean, sharp originals"); none where it is not a bundled pair. */
function pairUse(dir: string, catalog: Catalog | null, spec: ModelSpecData): string | undefined {
  const pairs = catalog?.models.filter((m) => m.useFor) ?? []
  return pairs.find((m) => sameModels(bundledSpec(dir, catalog, m.name, 0)!, spec))?.useFor
}

/** "4x-UltraSharp", or "a and b" for a pair: the models' file names. */
function fileNames(spec: ModelSpecData): string {
  return [spec.path, ...(spec.blend ? [spec.blend.path] : [])]
    .map((p) => basename(p, extname(p)))
    .join(' and ')
}
