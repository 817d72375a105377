import { existsSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { basename, extname, join } from 'node:path'
import { bundledModels, defaultSpec, modelWords } from '../../engine/catalog.js'
import type { Catalog } from '../../engine/catalog.js'
import { fileVersion, writeFileAtomic } from '../../node/files.js'
import type { ModelEntry } from '../../shared/api.js'
import { EnhanceError } from '../../shared/errors.js'
import { checkPair } from '../../shared/model.js'
import type { ModelInfo } from '../../shared/model.js'
import type { ModelChoice } from '../../shared/preferences.js'
import type { ModelSpecData } from '../../shared/protocol.js'
import { makeDirectory } from '../../node/make-directory.js'

export const MODEL_EXTENSIONS = new Set(['.pth', '.pt', '.safetensors', '.onnx'])

export interface LibraryDeps {
  /** resources/models: the bundled pair and its catalog. */
  bundledDir: string
  catalog: Catalog | null
  /** Where imported models are copied (the app's data folder). */
  installedDir: string
  /** Reads a model's architecture. The engine does it, so an untrusted file is parsed out of the main process. */
  inspect(path: string): Promise<ModelInfo>
  /** The installed slider partner of a downloaded catalogue model, by its id. */
  partnerOf?(name: string): string | undefined
  /** A downloaded catalogue model's description, by its id. */
  describe?(name: string): string | undefined
}

/** The bundled models, the ones the user imported, and which model (pair) new jobs use. */
export class ModelLibrary {
  /** Architectures already read, per version of a file: listing the models again reads nothing twice. */
  private readonly infos = new Map<string, ModelInfo>()

  constructor(private readonly deps: LibraryDeps) {}

  private async info(path: string): Promise<ModelInfo> {
    const key = await fileVersion(path)
    const known = key === null ? undefined : this.infos.get(key)
    if (known) return known
    const info = await this.deps.inspect(path)
    if (key !== null) this.infos.set(key, info)
    return info
  }

  async list(): Promise<ModelEntry[]> {
    const { bundledDir, catalog, installedDir } = this.deps
    const entries: ModelEntry[] = []
    for (const { id, path, isDefault, ...described } of bundledModels(bundledDir, catalog)) {
      entries.push({
        name: id,
        path,
        bundled: true,
        info: await this.info(path),
        ...described,
        ...(isDefault ? { isDefault } : {}),
      })
    }
    const files = await readdir(installedDir).catch(() => [] as string[])
    // Dot files are downloads in progress; they are never models until checked and renamed.
    const modelFiles = files.filter(
      (f) => !f.startsWith('.') && MODEL_EXTENSIONS.has(extname(f).toLowerCase()),
    )
    for (const file of modelFiles.sort()) {
      const path = join(installedDir, file)
      const info = await this.info(path).catch(() => null)
      const name = basename(file, extname(file))
      const pair = this.deps.partnerOf?.(name)
      const description = this.deps.describe?.(name)
      if (info)
        entries.push({
          name,
          path,
          bundled: false,
          info,
          ...(pair ? { pair } : {}),
          ...(description ? { description } : {}),
        })
    }
    return entries
  }

  /** Copies a checked model into the models folder; importing the same file twice keeps one copy. */
  async import(path: string): Promise<ModelEntry> {
    const info = await this.info(path)
    makeDirectory(this.deps.installedDir)
    const ext = extname(path).toLowerCase()
    const stem = basename(path, extname(path))
    for (let n = 1; ; n++) {
      const name = n === 1 ? stem : `${stem}_${n}`
      const target = join(this.deps.installedDir, `${name}${ext}`)
      if (existsSync(target)) {
        if ((await this.info(target).catch(() => null))?.sha256 === info.sha256)
          return { name, path: target, bundled: false, info }
        continue
      }
      await writeFileAtomic(target, await readFile(path))
      return { name, path: target, bundled: false, info }
    }
  }

  /** Refuses a pair the slider could not blend, before it is saved as the choice for new jobs. */
  async checkChoice(choice: ModelChoice | null): Promise<void> {
    if (!choice?.partner) {
      if (choice) await this.info(choice.path)
      return
    }
    const [a, b] = await Promise.all([this.info(choice.path), this.info(choice.partner)])
    checkPair(a, b)
  }

  /** A job's models in words where they are not the default pair (`modelWords`), as its card says them. */
  wordsOf(spec: ModelSpecData): string | undefined {
    return modelWords(this.deps.bundledDir, this.deps.catalog, spec)
  }

  /** What the engine runs for a choice at realism `realism`: the chosen model (pair), or the bundled pair. */
  spec(choice: ModelChoice | null, realism: number): ModelSpecData {
    if (choice)
      return choice.partner
        ? { path: choice.path, blend: { path: choice.partner, realism } }
        : { path: choice.path }
    const bundled = defaultSpec(this.deps.bundledDir, this.deps.catalog, realism)
    if (!bundled)
      throw new EnhanceError(
        'FILE_NOT_FOUND',
        'No bundled model is installed. Import a model in the Models view.',
      )
    return bundled
  }
}
