import type { Catalog } from '../../engine/catalog.js'
import type { EngineClient, RequestOptions, ViewOptions } from '../../engine/client.js'
import type { QueueRunner } from '../../queue/runner.js'
import { CLIPBOARD_MAX_SIDE } from '../../shared/api.js'
import type {
  AppEvent,
  EnhanceApi,
  InputKind,
  MenuAddKind,
  HandedPhotos,
  JobView,
  PhotoRef,
  Result,
  Selection,
} from '../../shared/api.js'
import { EnhanceError } from '../../shared/errors.js'
import type { LibraryEntry } from '../../shared/library.js'
import type { ModelSpecData, WarmUpReply } from '../../shared/protocol.js'
import type { ModelChoice } from '../../shared/preferences.js'
import { itemFacing, jobModel, jobRealism, modelAt } from '../../queue/types.js'
import type { Job } from '../../queue/types.js'
import { UPRIGHT } from '../../shared/turn.js'
import type { DecisionStore } from '../../node/device-decisions.js'
import { noGpuReason } from '../../node/gpu-devices.js'
import { onHangingDrive } from '../../node/drive-watch.js'
import { deviceOffers } from '../../engine/runtime/providers.js'
import { createModelStore, libraryServices } from './library.js'
import { attempt } from './result.js'
import { ModelLibrary } from './models.js'
import type { PreferencesFile } from './preferences.js'
import { withValidatedArguments } from './validate.js'
import { Selections } from './selections.js'
import { NOTHING_TAKEN, PastedPhotos, TOO_LARGE_TO_TAKE } from './pasted.js'
import { isWatchable, itemView, jobView } from './views.js'
import { WatchedJobs } from '../../queue/watched-jobs.js'
import type { WatchTiming } from '../../queue/watched-jobs.js'
import { jobViewBatcher } from './job-batch.js'
import { JobEstimates } from '../../queue/job-estimates.js'
import { exists, missingFileError } from '../../node/file-access.js'
import { splitScans } from './split.js'
import { defaultOutDir } from './out-dir.js'
import type { TemporaryFolders } from './out-dir.js'

export interface Dialogs {
  chooseInputs(kind: InputKind): Promise<string[] | null>
  chooseOutputFolder(): Promise<string | null>
  /** Electron's shell: select a file in the file manager, or open a folder. */
  showItemInFolder(path: string): void
  openFolder(path: string): Promise<void>
  /** Electron's clipboard: an image (PNG bytes) in place of what it held. */
  copyImage(png: Uint8Array): Promise<void>
}

export interface ServiceDeps {
  /** The settings store; the engine spawner reads its device and precision each time it starts an engine. */
  preferences: PreferencesFile
  version: string
  runner: QueueRunner
  engine: EngineClient
  dialogs: Dialogs
  modelsDir: string
  catalog: Catalog | null
  /** Where imported and downloaded models are kept. */
  installedModelsDir: string
  /** Where the engine remembers `auto`'s device choices (the data folder). */
  decisions: DecisionStore
  /** The catalogue of downloadable models (resources/models/library.json). */
  library: Record<string, LibraryEntry>
  /** The diagnostic log (`LogFile.path`). */
  logFile: string
  /** Where images pasted or dragged into the window with no file are saved (in the app: Pictures › Pasted into Enhance). */
  pastedDir: string
  /**
   * The system's temporary folder, and where results go of photos in it (in the app: Pictures › Enhanced): a
   * photo opened from inside a ZIP or a mail is a copy there, and an "Enhanced" folder beside it may be cleared.
   * Photos on a read-only drive have theirs there too, in a folder named after theirs.
   */
  temporary: TemporaryFolders
  /** How watched folders are looked at (shorter in tests). */
  watchTiming?: WatchTiming
}

export type Services = Omit<EnhanceApi, 'onEvent' | 'selectDropped' | 'takePhotos'> & {
  /** The paths the preload read off a drop's File objects. */
  selectDropped: (paths: string[]) => Promise<Selection | null>
  /** A paste or a drop as the preload hands it over: files' paths, and the bytes of images with no file. */
  takePhotos: (handed: HandedPhotos) => Promise<Result<Selection>>
  subscribe(listener: (event: AppEvent) => void): () => void
  /**
   * Makes the model of new jobs ready while the window opens (main's own call, not the window's): the
   * first photo then need not wait for `auto`'s one-time measurements. A new device, precision or pair
   * is made ready the same way when the settings change.
   */
  warmUp(): Promise<WarmUpReply>
  /** The menu's Add Photos…, Add Folder… or Split Scans… (main's call): the window does what its own button does. */
  menuAdd(kind: MenuAddKind): void
  /**
   * Photos or folders the system opened with Enhance (main's call): chosen as a drop's are, and handed to the
   * window, which starts a job on them with its settings and shows any refusal as it does for its own.
   */
  openPaths(paths: readonly string[]): void
  /**
   * Stops what runs beside the queue, as the app quits (main's call): watching folders (the marks stay for the next
   * start) and estimating photos, so that the engine is left only the photo in flight to finish.
   */
  stopBeside(): void
}

/** A view of a file on a drive that hangs waits for it, as the photo in flight does, rather than restart the engine. */
function readingOn(path: string): RequestOptions {
  return { held: () => onHangingDrive(path) }
}

function pngUrl(data: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(data).toString('base64')}`
}

/**
 * The handlers behind `window.api`: plain functions with no Electron imports. Electron's ipcMain binds
 * them in the app; the end-to-end tests bind the same functions to a Chromium page.
 */
export function createServices(deps: ServiceDeps): Services {
  return withValidatedArguments(unvalidatedServices(deps))
}

function unvalidatedServices(deps: ServiceDeps): Services {
  const { runner, engine, preferences } = deps
  const listeners = new Set<(event: AppEvent) => void>()
  const emit = (event: AppEvent): void => listeners.forEach((listener) => listener(event))
  const store = createModelStore({ ...deps, emit })
  const models = new ModelLibrary({
    bundledDir: deps.modelsDir,
    catalog: deps.catalog,
    installedDir: deps.installedModelsDir,
    inspect: (path) => engine.inspect(path),
    describe: (name) => deps.library[name]?.description,
    partnerOf: (name) => {
      const partner = deps.library[name]?.partner?.id
      return partner && store.isInstalled(partner) ? partner : undefined
    },
  })

  // Watches follow the jobs' marks: set by the window, and kept in the queue from the last run.
  const watches = new WatchedJobs(runner, deps.watchTiming)
  const views = (jobId: string) => runner.items(jobId)
  const jobOf = (jobId: string) => runner.job(jobId)
  // A job's time left goes by the engine's estimate of each of its photos, asked as the queue finds them.
  const estimates = new JobEstimates(runner, engine, (jobId) => {
    const job = jobOf(jobId)
    if (job) emit({ type: 'job', job: viewOf(job) })
  })
  const viewOf = (job: Job): JobView =>
    jobView(job, views(job.id), estimates.of(job.id), models.wordsOf(jobModel(job)))
  runner.subscribe((event) => {
    if (event.type !== 'job' && event.type !== 'removed') return
    watches.sync()
    estimates.sync()
  })
  watches.sync()
  estimates.sync()
  const queued = (jobId: string) => {
    const job = jobOf(jobId)
    if (!job) throw new EnhanceError('INVALID_ARGUMENT', 'That job is no longer in the queue.')
    return job
  }
  /** A photo of a job still in the queue (which is said first when it is not). */
  const itemOf = (jobId: string, itemId: string) => {
    queued(jobId)
    const item = views(jobId).find((i) => i.id === itemId)
    if (!item) throw new EnhanceError('INVALID_ARGUMENT', 'That photo is no longer in the job.')
    return item
  }
  const selections = new Selections()
  const pasted = new PastedPhotos(deps.pastedDir)
  /**
   * The window names photos by id: a chosen file, or a queued photo's input or output. A queued photo's input is read
   * as it is to be enhanced, facing as it or its job says (mirrored, turned); anything else as its file stands.
   */
  const viewing = (ref: PhotoRef): { path: string; options: ViewOptions } => {
    if ('selection' in ref) {
      const path = selections.file(ref)
      return { path, options: readingOn(path) }
    }
    const item = itemOf(ref.jobId, ref.itemId)
    const path = ref.side === 'input' ? item.input : item.output
    const facing = ref.side === 'input' ? itemFacing(queued(ref.jobId), item) : UPRIGHT
    return { path, options: { ...readingOn(path), facing } }
  }
  /** The models a photo's preview runs: its job's, or (a chosen file) those of new jobs, at `realism`. */
  const previewModel = (ref: PhotoRef, realism: number): ModelSpecData =>
    'selection' in ref
      ? models.spec(preferences.get().model, realism)
      : modelAt(jobModel(queued(ref.jobId)), realism)
  /** The model of new jobs made ready in the engine before a photo asks for it. */
  const warmUpNewJobs = (): Promise<WarmUpReply> => {
    const prefs = preferences.get()
    return engine.warmUp(models.spec(prefs.model, prefs.realism), prefs.output.tile)
  }
  /**
   * A pair the window names, checked as a choice for new jobs is: its models listed (bundled, or imported into the
   * models folder), the models folder read once for both, and of one architecture.
   */
  const checkedChoice = async (choice: ModelChoice | null): Promise<void> => {
    if (choice) {
      const listed = new Set((await models.list()).map((m) => m.path))
      const unlisted = [choice.path, choice.partner].find((path) => path !== null && !listed.has(path))
      if (unlisted)
        throw new EnhanceError(
          'INVALID_ARGUMENT',
          `${unlisted} is not one of the app's models. Import it in the Models view first.`,
        )
    }
    await models.checkChoice(choice)
  }

  return {
    appVersion: () => Promise.resolve(deps.version),

    listModels: () => attempt(() => models.list()),
    inspectModel: (file) => attempt(() => engine.inspect(selections.file(file))),
    importModel: (file) => attempt(() => models.import(selections.file(file))),
    ...libraryServices({ ...deps, emit }, store),

    chooseInputs: async (kind) => {
      const chosen = await deps.dialogs.chooseInputs(kind)
      return chosen ? selections.add(chosen) : null
    },
    selectDropped: (paths) => Promise.resolve(selections.add(paths)),
    takePhotos: ({ via, paths, images, oversized }) =>
      attempt(async () => {
        // Files copied in macOS's Finder come with a picture of their icon (Electron #2244): files come first.
        if (paths.length) return selections.add(paths)!
        if (oversized) throw new EnhanceError('IMAGE_TOO_LARGE', TOO_LARGE_TO_TAKE)
        const selection = selections.add(await pasted.save(images, via))
        if (!selection) throw new EnhanceError('NO_PHOTOS', NOTHING_TAKEN[via])
        return selection
      }),
    // The folder goes straight from the dialog into the settings: the window never names where to write.
    chooseOutputFolder: async () => {
      const folder = await deps.dialogs.chooseOutputFolder()
      if (folder) await preferences.update({ outDir: folder })
      return folder
    },

    splitScans: (selection) =>
      attempt(async () => {
        const { written, ...split } = await splitScans(
          selections.paths(selection),
          engine,
          deps.temporary,
          readingOn,
          (done) => emit({ type: 'splitting', done }),
        )
        return { ...split, prints: selections.add(written) }
      }),

    addJob: (selection) =>
      attempt(async () => {
        const inputs = selections.paths(selection)
        const prefs = preferences.get()
        // The same photos with the same settings again (a folder with newly scanned photos, or dropped twice)
        // continue their job, which takes only the new ones, instead of enhancing every photo again beside
        // the first results.
        const created = await runner.jobFor({
          inputs,
          recursive: true,
          outDir: prefs.outDir ?? (await defaultOutDir(inputs[0]!, deps.temporary)),
          model: models.spec(prefs.model, prefs.realism),
          settings: prefs.output,
          naming: prefs.naming,
          policy: prefs.policy,
        })
        void runner.run()
        return viewOf(created)
      }),

    listJobs: () => Promise.resolve(runner.jobs.map(viewOf)),
    listItems: (jobId) => Promise.resolve(views(jobId).map((i) => itemView(i, jobOf(jobId)))),
    pauseJob: (jobId) => Promise.resolve(runner.pause(jobId)),
    resumeJob: (jobId) => Promise.resolve(runner.resume(jobId)),
    watchJob: (jobId, watching) =>
      Promise.resolve().then(() => {
        if (watching && !isWatchable(queued(jobId)))
          throw new EnhanceError(
            'INVALID_ARGUMENT',
            'Only a job made of a folder can watch it for new photos.',
          )
        runner.setWatching(jobId, watching)
      }),
    stopBeside: () => {
      watches.close()
      estimates.close()
    },
    cancelJob: (jobId) => Promise.resolve(runner.cancel(jobId)),
    retryJob: (jobId) => Promise.resolve(runner.retry({ jobId })),
    readDamaged: (target) => Promise.resolve(runner.readDamaged(target)),
    skipPhotos: (target, skip) => attempt(() => Promise.resolve(runner.skipPhotos(target, skip))),
    reorderJobs: (jobIds) => Promise.resolve(runner.reorder(jobIds)),
    removeJob: (jobId) => Promise.resolve(void runner.remove(jobId)),
    clearFinishedJobs: () => Promise.resolve(runner.clearFinished().length),
    showLogFile: () => Promise.resolve(deps.dialogs.showItemInFolder(deps.logFile)),
    showInFolder: (target) =>
      attempt(async () => {
        const job = queued(target.jobId)
        const item = target.itemId === undefined ? undefined : itemOf(job.id, target.itemId)
        // Only paths the queue itself planned, and only once they exist.
        const path = item?.state === 'done' ? item.output : job.spec.outDir
        if (!(await exists(path))) throw missingFileError(path)
        if (item?.state === 'done') deps.dialogs.showItemInFolder(path)
        else await deps.dialogs.openFolder(path)
        return null
      }),
    copyResult: (target) =>
      attempt(async () => {
        const item = itemOf(target.jobId, target.itemId)
        if (item.state !== 'done')
          throw new EnhanceError('INVALID_ARGUMENT', 'That photo has not been enhanced yet.')
        if (!(await exists(item.output))) throw missingFileError(item.output)
        const { png, ...size } = await engine.thumbnail(
          item.output,
          CLIPBOARD_MAX_SIDE,
          'result',
          readingOn(item.output),
        )
        await deps.dialogs.copyImage(png)
        return size
      }),
    changeJobFolder: (jobId) =>
      attempt(async () => {
        queued(jobId)
        const folder = await deps.dialogs.chooseOutputFolder()
        if (!folder) return null
        const job = await runner.changeOutDir(jobId, folder)
        return viewOf(job)
      }),
    adjust: (target, choice) => attempt(() => runner.adjust(target, choice)),
    chooseJobModels: (jobId, pair) =>
      attempt(async () => {
        await checkedChoice(pair)
        const job = queued(jobId)
        // The pair's slider stays where the job's was (a job of one model: where new jobs' is).
        const realism = jobRealism(job) ?? preferences.get().realism
        return runner.chooseModels(jobId, models.spec(pair, realism))
      }),

    imageUrl: (ref, maxSide) =>
      attempt(async () => {
        const of = 'side' in ref && ref.side === 'output' ? 'result' : 'photo'
        const { path, options } = viewing(ref)
        const { png, ...size } = await engine.thumbnail(path, maxSide, of, options)
        return { url: pngUrl(png), ...size }
      }),

    imageTile: (ref, column, row) =>
      attempt(async () => {
        const { path, options } = viewing(ref)
        const { png, ...place } = await engine.photoTile(path, column, row, options)
        return { url: pngUrl(png), ...place }
      }),

    previewCrop: (ref, region, realism, repairs, kept, pair) =>
      attempt(async () => {
        if (pair !== undefined) await checkedChoice(pair)
        const spec = pair === undefined ? previewModel(ref, realism) : models.spec(pair, realism)
        const { path, options } = viewing(ref)
        const crop = await engine.crop(path, region, spec, { ...options, repairs: { ...repairs, kept } })
        const { width, height, ms, markedBefore, filled, kept: held, marks } = crop
        const marked =
          markedBefore && filled
            ? { markedBeforeUrl: pngUrl(markedBefore), filled, kept: held ?? {}, marks: marks ?? [] }
            : {}
        return {
          realism,
          url: pngUrl(crop.png),
          beforeUrl: pngUrl(crop.before),
          ...marked,
          width,
          height,
          ms,
        }
      }),

    deviceChoice: () => deps.decisions.latest(),
    devices: () => Promise.resolve(deviceOffers(process.platform, process.arch, noGpuReason())),
    getPreferences: () => Promise.resolve(preferences.get()),
    updatePreferences: (patch) =>
      attempt(async () => {
        const { device, precision } = preferences.get()
        if (patch.model !== undefined) await checkedChoice(patch.model)
        const next = await preferences.update(patch)
        const newEngine = next.device !== device || next.precision !== precision
        if (newEngine) {
          // The photo in flight goes back to the queue (not counted as a crash) and runs in the new engine.
          runner.interruptCurrent()
          engine.replace()
        }
        // A new engine or another pair is made ready before new jobs ask for it (slider moves are not).
        if (newEngine || patch.model !== undefined) warmUpNewJobs().catch(() => undefined)
        return next
      }),

    warmUp: warmUpNewJobs,
    menuAdd: (kind) => emit({ type: 'add', kind }),
    openPaths: (paths) => {
      const selection = selections.add(paths)
      if (selection) emit({ type: 'opened', selection })
    },

    subscribe(listener) {
      listeners.add(listener)
      const jobDue = jobViewBatcher((jobId) => {
        const job = jobOf(jobId)
        if (job && listeners.has(listener)) listener({ type: 'job', job: viewOf(job) })
      })
      const unsubscribe = runner.subscribe((event) => {
        if (event.type === 'job') listener({ type: 'job', job: viewOf(event.job) })
        else if (event.type === 'item') {
          listener({ type: 'item', item: itemView(event.item, jobOf(event.item.jobId)) })
          jobDue(event.item.jobId)
        } else if (event.type === 'progress' || event.type === 'removed' || event.type === 'waiting')
          listener(event)
        else if (event.type === 'preview') {
          const { png, x, y, width, height, previewWidth, previewHeight } = event.preview
          const place = { x, y, width, height, previewWidth, previewHeight }
          listener({ type: 'preview', jobId: event.jobId, itemId: event.itemId, ...place, url: pngUrl(png) })
        }
      })
      return () => {
        listeners.delete(listener)
        unsubscribe()
      }
    },
  }
}
