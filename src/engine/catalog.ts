import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BundledModel } from '../node/model-store.js'

/** resources/models/catalog.json: the bundled models, and which GAN model pairs with which PSNR model. */
export interface CatalogEntry {
  name: string
  file: string
  description: string
  /** The GAN partner that makes the realism slider, for a PSNR-oriented model. */
  pair?: string
}

export interface Catalog {
  default: string
  models: CatalogEntry[]
}

export function readCatalog(dir: string): Catalog | null {
  const path = join(dir, 'catalog.json')
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Catalog) : null
}

/** The bundled models as the model store lists them: id, file path, description and slider partner. */
export function bundledModels(dir: string, catalog: Catalog | null): BundledModel[] {
  return (catalog?.models ?? []).map((m) => ({
    id: m.name,
    path: join(dir, m.file),
    description: m.description,
    ...(m.pair ? { pair: m.pair } : {}),
  }))
}
