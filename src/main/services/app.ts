import { join } from 'node:path'
import sharp from 'sharp'
import type { Catalog } from '../../engine/catalog.js'
import type { EngineClient } from '../../engine/client.js'
import { loadModel } from '../../engine/model.js'
import type { QueueRunner } from '../../queue/runner.js'
import type {
  AppEvent,
  DeviceChoice,
  EnhanceApi,
  ModelEntry,
  NewJob,
  Region,
  Result,
} from '../../shared/api.js'
import { toErrorData } from '../../shared/errors.js'
import { EnhanceError } from '../../shared/errors.js'
import type { ModelSpecData } from '../../shared/protocol.js'
import { itemView, jobView } from './views.js'

export interface Dialogs {
  chooseInputs(kind: 'files' | 'folder'): Promise<string[] | null>
  chooseOutputFolder(): Promise<string | null>
}

/** The device setting, read by the engine spawner each time it starts an engine process. */
export interface DeviceSetting {
  get(): DeviceChoice
  set(device: DeviceChoice): void
}

export interface ServiceDeps {
  device: DeviceSetting
  version: string
  runner: QueueRunner
  engine: EngineClient
  dialogs: Dialogs
  modelsDir: string
  catalog: Catalog | null
}

export type Services = Omit<EnhanceApi, 'onEvent'> & {
  subscribe(listener: (event: AppEvent) => void): () => void
}

async function attempt<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (error) {
    return { ok: false, error: toErrorData(error) }
  }
}

function pngUrl(data: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(data).toString('base64')}`
}

/**
 * The handlers behind `window.api`: plain functions with no Electron imports. Electron's ipcMain binds
 * them in the app; the end-to-end tests bind the same functions to a Chromium page.
 */
export function createServices(deps: ServiceDeps): Services {
  const { runner, engine, catalog, modelsDir } = deps

  const bundledPair = (alpha: number): ModelSpecData => {
    const main = catalog?.models.find((m) => m.name === catalog.default)
    if (!main) throw new EnhanceError('FILE_NOT_FOUND', 'No bundled model is installed.')
    const partner = catalog?.models.find((m) => m.name === main.pair)
    const spec: ModelSpecData = { path: join(modelsDir, main.file) }
    return partner ? { ...spec, blend: { path: join(modelsDir, partner.file), alpha } } : spec
  }

  const views = (jobId: string) => runner.items(jobId)

  return {
    appVersion: () => Promise.resolve(deps.version),

    listModels: () =>
      attempt(async () => {
        const entries: ModelEntry[] = []
        for (const m of catalog?.models ?? []) {
          const path = join(modelsDir, m.file)
          entries.push({
            name: m.name,
            path,
            bundled: true,
            info: (await loadModel(path)).info,
            ...(m.pair ? { pair: m.pair } : {}),
          })
        }
        return entries
      }),

    inspectModel: (path) => attempt(() => engine.inspect(path)),

    chooseInputs: (kind) => deps.dialogs.chooseInputs(kind),
    chooseOutputFolder: () => deps.dialogs.chooseOutputFolder(),

    addJob: (job: NewJob) =>
      attempt(async () => {
        if (job.inputs.length === 0)
          throw new EnhanceError('INVALID_ARGUMENT', 'Add at least one photo or folder.')
        const created = await runner.addJob({
          inputs: job.inputs,
          recursive: job.recursive,
          outDir: job.outDir,
          model: bundledPair(job.alpha),
          settings: job.settings,
          naming: '{name}',
          policy: 'suffix',
        })
        void runner.run()
        return jobView(created, views(created.id))
      }),

    listJobs: () => Promise.resolve(runner.jobs.map((j) => jobView(j, views(j.id)))),
    listItems: (jobId) => Promise.resolve(views(jobId).map(itemView)),
    pauseJob: (jobId) => Promise.resolve(runner.pause(jobId)),
    resumeJob: (jobId) => Promise.resolve(runner.resume(jobId)),
    cancelJob: (jobId) => Promise.resolve(runner.cancel(jobId)),
    retryJob: (jobId) => Promise.resolve(runner.retry({ jobId })),
    reorderJobs: (jobIds) => Promise.resolve(runner.reorder(jobIds)),

    imageUrl: (path, maxSide) =>
      attempt(async () => {
        const { data, info } = await sharp(path, { limitInputPixels: 100_000_000 })
          .rotate()
          .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
          .png()
          .toBuffer({ resolveWithObject: true })
        return { url: pngUrl(data), width: info.width, height: info.height }
      }),

    previewCrop: (input: string, region: Region, alpha: number) =>
      attempt(async () => {
        const crop = await engine.crop(input, region, bundledPair(alpha))
        return { alpha, url: pngUrl(crop.png), width: crop.width, height: crop.height, ms: crop.ms }
      }),

    getDevice: () => Promise.resolve(deps.device.get()),
    setDevice: (device) => {
      if (device !== deps.device.get()) {
        deps.device.set(device)
        // Between photos the engine is idle; a running photo is retried in the new engine.
        engine.kill()
      }
      return Promise.resolve()
    },

    subscribe(listener) {
      return runner.subscribe((event) => {
        if (event.type === 'job') listener({ type: 'job', job: jobView(event.job, views(event.job.id)) })
        else if (event.type === 'item') listener({ type: 'item', item: itemView(event.item) })
        else if (event.type === 'progress') listener(event)
        else if (event.type === 'preview') {
          const p = event.preview
          void sharp(p.rgb, { raw: { width: p.width, height: p.height, channels: 3 } })
            .png()
            .toBuffer()
            .then(pngUrl)
            .then((url) =>
              listener({
                type: 'preview',
                jobId: event.jobId,
                itemId: event.itemId,
                x: p.x,
                y: p.y,
                width: p.width,
                height: p.height,
                previewWidth: p.previewWidth,
                previewHeight: p.previewHeight,
                url,
              }),
            )
            .catch(() => undefined)
        }
      })
    },
  }
}
