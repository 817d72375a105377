import { statSync } from 'node:fs'
import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { EnhanceError } from '../shared/errors.js'
import {
  RUNNABLE_ARCHITECTURES,
  allowsCommercialUse,
  parseLibrary,
  preferredResource,
} from '../shared/library.js'
import type { LibraryEntry, LibraryItem } from '../shared/library.js'
import type { ModelInfo } from '../shared/model.js'
import { download } from './download.js'
import type { DownloadProgress } from './download.js'

/** A bundled model, as resources/models/catalog.json lists it. */
export interface BundledModel {
  id: string
  path: string
  description: string
  /** The catalog's default: what new jobs use until the user chooses. */
  isDefault: boolean
  pair?: string
  useFor?: string
}

export interface ModelStoreOptions {
  /** Where downloaded (and imported) models live: the app's data folder, shared with the CLI. */
  modelsDir: string
  entries: Record<string, LibraryEntry>
  bundled: BundledModel[]
  /** The safe loader: reads a file's architecture, throwing a coded error for anything it refuses. */
  inspect(path: string): Promise<ModelInfo>
}

/** Reads a catalogue file (ours or OpenModelDB's format), or says in a coded error why it can't. */
export async function readLibraryFile(path: string): Promise<Record<string, LibraryEntry>> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new EnhanceError('FILE_NOT_FOUND', `The catalogue ${path} cannot be read. Check the path.`)
  })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new EnhanceError('INVALID_ARGUMENT', `The catalogue ${path} is not valid JSON.`)
  }
  const entries = parseLibrary(json)
  if (typeof entries === 'string') {
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `The catalogue ${path} does not follow OpenModelDB's entry format (${entries}).`,
    )
  }
  return entries
}

function unsupportedReason(entry: LibraryEntry): string | undefined {
  const arch = RUNNABLE_ARCHITECTURES[entry.architecture.toLowerCase()]
  if (!arch) return `its architecture "${entry.architecture}" is not one Enhance runs (RRDBNet, Compact)`
  if (!preferredResource(entry)) return 'it has no .safetensors, .pth or .onnx file'
  return undefined
}

/** The bundled pair, the catalogue's models, and which of them are installed; downloads and removals. */
export class ModelStore {
  constructor(private readonly options: ModelStoreOptions) {}

  /** Where an entry's file goes once installed: `<models folder>/<id>.<type>`. */
  pathOf(id: string): string {
    const resource = preferredResource(this.entry(id))
    return join(this.options.modelsDir, `${id}.${resource?.type ?? 'pth'}`)
  }

  entry(id: string): LibraryEntry {
    const entry = this.options.entries[id]
    if (!entry) {
      throw new EnhanceError(
        'FILE_NOT_FOUND',
        `No model "${id}" in the catalogue. Run "enhance models list" to see the ids.`,
      )
    }
    return entry
  }

  isInstalled(id: string): boolean {
    return statSync(this.pathOf(id), { throwIfNoEntry: false })?.isFile() ?? false
  }

  async list(): Promise<LibraryItem[]> {
    const items = await Promise.all(this.options.bundled.map((b) => this.bundledItem(b)))
    for (const [id, entry] of Object.entries(this.options.entries)) items.push(this.item(id, entry))
    return items
  }

  private async bundledItem(model: BundledModel): Promise<LibraryItem> {
    const [info, file] = await Promise.all([this.options.inspect(model.path), stat(model.path)])
    return {
      id: model.id,
      name: model.id,
      state: 'bundled',
      architecture: info.arch,
      scale: info.scale,
      // Trained here on research-use photos among others (MODEL_CARD.md), so not cleared for commercial use.
      license: 'see MODEL_CARD.md',
      commercialUse: false,
      description: model.description,
      tags: [],
      size: file.size,
      path: model.path,
      ...(model.isDefault ? { isDefault: true } : {}),
      ...(model.useFor ? { useFor: model.useFor } : {}),
      ...(model.pair ? { partner: { id: model.pair, slider: 'Realism' } } : {}),
    }
  }

  private item(id: string, entry: LibraryEntry): LibraryItem {
    const installed = this.isInstalled(id)
    const unsupported = unsupportedReason(entry)
    return {
      id,
      name: entry.name,
      state: installed ? 'installed' : 'available',
      architecture: entry.architecture,
      scale: entry.scale,
      license: entry.license ?? null,
      commercialUse: allowsCommercialUse(entry.license),
      description: entry.description ?? '',
      tags: entry.tags ?? [],
      size: preferredResource(entry)?.size ?? 0,
      ...(installed ? { path: this.pathOf(id) } : {}),
      ...(entry.partner ? { partner: entry.partner } : {}),
      ...(unsupported ? { unsupported } : {}),
    }
  }

  /** Downloads, checks (SHA-256, then the safe loader against the entry) and installs one model. */
  async download(
    id: string,
    options: { signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void } = {},
  ): Promise<LibraryItem> {
    const entry = this.entry(id)
    const unsupported = unsupportedReason(entry)
    if (unsupported)
      throw new EnhanceError('UNKNOWN_ARCHITECTURE', `${entry.name} cannot be used: ${unsupported}.`)
    const resource = preferredResource(entry)!
    const verify = async (path: string): Promise<void> =>
      this.checkAgainstEntry(await this.options.inspect(path), entry)
    await download(resource, this.pathOf(id), { ...options, verify })
    return this.item(id, entry)
  }

  private checkAgainstEntry(info: ModelInfo, entry: LibraryEntry): void {
    const expected = RUNNABLE_ARCHITECTURES[entry.architecture.toLowerCase()]
    if (info.arch === expected && info.scale === entry.scale) return
    throw new EnhanceError(
      'CATALOGUE_MISMATCH',
      `The downloaded file is a ${info.arch} ×${info.scale} network, but the catalogue says ${entry.architecture} ×${entry.scale}. It was not installed; report the entry.`,
    )
  }

  async remove(id: string): Promise<void> {
    if (this.options.bundled.some((b) => b.id === id)) {
      throw new EnhanceError('INVALID_ARGUMENT', `${id} comes with Enhance and cannot be removed.`)
    }
    if (!this.isInstalled(id)) {
      throw new EnhanceError('FILE_NOT_FOUND', `${id} is not installed, so there is nothing to remove.`)
    }
    await rm(this.pathOf(id))
  }

  /** An installed model and its installed slider partner, for `--model <id>`; null when `id` is not installed. */
  installed(id: string): { path: string; partner?: string } | null {
    if (!this.options.entries[id] || !this.isInstalled(id)) return null
    const partner = this.options.entries[id].partner?.id
    const withPartner = partner && this.isInstalled(partner) ? { partner: this.pathOf(partner) } : {}
    return { path: this.pathOf(id), ...withPartner }
  }
}
