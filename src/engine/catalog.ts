import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

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
