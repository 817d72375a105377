import { join, resolve } from 'node:path'
import { bundledModels, readCatalog } from '../engine/catalog.js'
import { loadModel } from '../engine/model.js'
import { ModelStore, readLibraryFile } from '../node/model-store.js'
import type { DownloadProgress } from '../node/download.js'
import { defaultDataDir } from '../node/paths.js'
import { EnhanceError } from '../shared/errors.js'
import { formatSize } from '../shared/library.js'
import type { LibraryEntry, LibraryItem } from '../shared/library.js'
import { requireValue, usableFolder } from './args.js'
import type { Io } from './jobs.js'
import { MODELS_DIR } from './models.js'
import { wrapIndented } from './wrap.js'

export interface LibraryFlags {
  catalog?: string[] | undefined
  'models-dir'?: string | undefined
  json: boolean
}

/** The app's models folder (its data folder), so the CLI and the app share what is installed. */
export function defaultModelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['ENHANCE_MODELS_DIR'] ?? join(defaultDataDir(env), 'models')
}

/** The built-in catalogue plus every `--catalog` file; a later file's entry replaces an earlier one's. */
export async function openStore(flags: LibraryFlags, bundledDir = MODELS_DIR): Promise<ModelStore> {
  let entries: Record<string, LibraryEntry> = await readLibraryFile(join(bundledDir, 'library.json'))
  for (const file of flags.catalog ?? []) entries = { ...entries, ...(await readLibraryFile(file)) }
  const bundled = bundledModels(bundledDir, readCatalog(bundledDir))
  const modelsDir = resolve(flags['models-dir'] ?? defaultModelsDir())
  return new ModelStore({
    modelsDir: usableFolder(
      modelsDir,
      `The models folder ${modelsDir} (--models-dir or ENHANCE_MODELS_DIR)`,
      'installed models',
    ),
    entries,
    bundled,
    inspect: async (path) => (await loadModel(path)).info,
  })
}

function describe(item: LibraryItem): string {
  const licence = item.commercialUse
    ? (item.license ?? '')
    : `${item.license ?? 'no licence'} (not for commercial use)`
  const state = item.isDefault ? `${item.state}, default` : item.state
  const facts = [
    `${item.architecture} ×${item.scale} · ${formatSize(item.size)} · ${licence}`,
    ...(item.useFor ? [`For: ${item.useFor}`] : []),
    item.description,
    ...(item.partner ? [`Slider: ${item.partner.slider}, with ${item.partner.id}`] : []),
    ...(item.unsupported ? [`Cannot run: ${item.unsupported}`] : []),
  ]
  return [`${item.id}  [${state}]`, ...facts.map((fact) => wrapIndented(fact, '    '))].join('\n')
}

function progressLine(p: DownloadProgress): string {
  const percent = ((p.received / p.total) * 100).toFixed(0).padStart(3)
  const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)} s left`
  return `\r${percent}%  ${formatSize(p.received)} of ${formatSize(p.total)}  ${formatSize(p.bytesPerSecond)}/s${eta}   `
}

/** Ctrl-C cancels the download (the partial file is removed) instead of killing the process mid-write. */
async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController()
  const cancel = (): void => controller.abort()
  process.once('SIGINT', cancel)
  try {
    return await run(controller.signal)
  } finally {
    process.off('SIGINT', cancel)
  }
}

/** `enhance models list|download|remove`. */
export async function modelsCommand(args: string[], flags: LibraryFlags, io: Io): Promise<number> {
  const [action, id] = args
  const store = await openStore(flags)
  if (action === undefined || action === 'list') {
    const items = await store.list()
    io.out(flags.json ? JSON.stringify(items) : items.map(describe).join('\n'))
    return 0
  }
  if (action === 'download') {
    const target = requireValue(id, 'the id of the model to download (see "enhance models list")')
    const bar = io.tty && !flags.json ? io.errRaw : undefined
    const item = await withInterrupt((signal) =>
      store.download(target, {
        signal,
        ...(bar ? { onProgress: (p: DownloadProgress) => bar(progressLine(p)) } : {}),
      }),
    )
    bar?.('\n')
    io.out(flags.json ? JSON.stringify(item) : `installed ${item.id} at ${item.path}`)
    return 0
  }
  if (action === 'remove') {
    const target = requireValue(id, 'the id of the model to remove')
    await store.remove(target)
    io.out(flags.json ? JSON.stringify({ removed: target }) : `removed ${target}`)
    return 0
  }
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    `"enhance models ${action}" is not a command: use list, download <id> or remove <id>.`,
  )
}
