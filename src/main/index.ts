import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import {
  BrowserWindow,
  Menu,
  Notification,
  app,
  dialog,
  ClipboardItem,
  clipboard,
  ipcMain,
  nativeTheme,
  powerMonitor,
  powerSaveBlocker,
  screen,
  shell,
} from 'electron'
import type { IpcMainInvokeEvent } from 'electron'
import { EngineClient } from '../engine/client.js'
import { removeStalePartials } from '../node/files.js'
import { READABLE_EXTENSIONS } from '../shared/formats.js'
import { openQueue } from '../queue/session.js'
import { API_CHANNELS, EVENT_CHANNEL } from '../shared/api.js'
import type { AppEvent, JobView } from '../shared/api.js'
import { EnhanceError, messageOf } from '../shared/errors.js'
import { utilityEngine } from './engine.js'
import { QueueDiary, logFaultsOfMain } from './diagnostics.js'
import { LogFile } from '../node/log-file.js'
import { createServices } from './services/app.js'
import { MODEL_EXTENSIONS } from './services/models.js'
import { PreferencesFile } from './services/preferences.js'
import type { Dialogs, Services } from './services/app.js'
import { readCatalog } from '../engine/catalog.js'
import { readLibraryFile } from '../node/model-store.js'
import { DecisionStore } from '../node/device-decisions.js'
import { hardenSession, registerAppScheme, rendererEntry, serveRenderer } from './security.js'
import { KeepAwake, noticeFor, quitQuestion, taskbarProgress } from './desktop.js'
import { isFolderOrPhoto, photosNamedAtLaunch } from './launch-paths.js'
import { menuTemplate } from './menu.js'
import { OpenRequests } from './open-requests.js'
import { MIN_SIZE, placement, readWindowState, saveWindowState } from './window-state.js'
import type { WindowState } from './window-state.js'

const RENDERER_DIR = join(import.meta.dirname, '../renderer')

let window: BrowserWindow | null = null
const openRequests = new OpenRequests()
const keepAwake = new KeepAwake(powerSaveBlocker)
/** The queue's jobs as last reported, for what must be known at once (closing the window). */
let lastJobs: JobView[] = []
/** Where the window was as it closed, saved as the app quits and reopened there. */
let closingPlace: WindowState | null = null

/** Only our own window's main frame may call the API. */
function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  return (
    window !== null &&
    event.sender === window.webContents &&
    event.senderFrame === window.webContents.mainFrame
  )
}

function bindServices(services: Services): void {
  for (const [method, channel] of Object.entries(API_CHANNELS)) {
    const handler = services[method as keyof typeof API_CHANNELS] as (...args: unknown[]) => Promise<unknown>
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!fromOurWindow(event)) throw new Error('Refused: IPC from an unknown sender.')
      return handler(...args)
    })
  }
}

const extensions = (set: ReadonlySet<string>) => [...set].map((ext) => ext.slice(1))
const DIALOG_FILTERS = {
  files: { name: 'Photos', extensions: extensions(READABLE_EXTENSIONS) },
  model: { name: 'Models (.pth, .safetensors, .onnx)', extensions: extensions(MODEL_EXTENSIONS) },
}

function nativeDialogs(): Dialogs {
  return {
    async chooseInputs(kind) {
      const result = await dialog.showOpenDialog(window!, {
        properties:
          kind === 'folder' ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
        filters: kind === 'folder' ? [] : [DIALOG_FILTERS[kind]],
      })
      return result.canceled ? null : result.filePaths
    },
    async chooseOutputFolder() {
      const result = await dialog.showOpenDialog(window!, {
        properties: ['openDirectory', 'createDirectory'],
      })
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
    showItemInFolder: (path) => shell.showItemInFolder(path),
    copyImage: (png) =>
      clipboard.write([
        new ClipboardItem({ 'image/png': new Blob([new Uint8Array(png)], { type: 'image/png' }) }),
      ]),
    async openFolder(path) {
      const failure = await shell.openPath(path)
      if (failure) throw new EnhanceError('OUTPUT_NOT_WRITABLE', `The folder could not be opened: ${failure}`)
    },
  }
}

/** The user's Pictures folder; the data folder where the system names none (Electron throws then). */
function picturesFolder(): string {
  try {
    return app.getPath('pictures')
  } catch {
    return app.getPath('userData')
  }
}

/**
 * Taskbar/dock progress over the whole queue, the computer kept awake while it works, and a notification
 * when a job finishes out of sight.
 */
async function reflectProgress(event: AppEvent, services: Services): Promise<void> {
  if (!window || (event.type !== 'job' && event.type !== 'removed')) return
  // A job's view comes again with each photo's change: each change worth a notice is told once.
  const notice =
    event.type === 'job'
      ? noticeFor(
          event.job,
          lastJobs.find((job) => job.id === event.job.id),
        )
      : null
  const jobs = await services.listJobs()
  lastJobs = jobs
  keepAwake.update(jobs)
  const { value, mode } = taskbarProgress(jobs)
  window.setProgressBar(value, { mode })
  if (notice && !window.isFocused()) {
    const notification = new Notification(notice)
    notification.on('click', showWindow)
    notification.show()
  }
}

/** Keeps the computer awake while the queue works on mains power only (`KeepAwake`). */
function followPowerSource(): void {
  keepAwake.power(powerMonitor.isOnBatteryPower())
  powerMonitor.on('on-battery', () => keepAwake.power(true))
  powerMonitor.on('on-ac', () => keepAwake.power(false))
}

/** Writes what changes in the queue to the log (`QueueDiary`), from the jobs as they stand at the start. */
function logQueue(log: LogFile, services: Services, jobs: readonly JobView[]): void {
  const diary = new QueueDiary()
  diary.remember(jobs)
  services.subscribe((event) => {
    const line = diary.lineFor(event)
    if (line) void log.write(line)
  })
}

let quitConfirmed = false
let asking = false

/** Closing the window quits: while photos are being enhanced, it asks first (once, however often it is closed). */
function askBeforeStopping(event: Electron.Event): void {
  const question = quitQuestion(lastJobs)
  if (quitConfirmed || !question || !window) return
  event.preventDefault()
  if (asking) return
  asking = true
  void dialog
    .showMessageBox(window, {
      type: 'question',
      buttons: ['Quit', 'Keep enhancing'],
      defaultId: 1,
      cancelId: 1,
      ...question,
    })
    .then(({ response }) => {
      asking = false
      if (response !== 0) return
      quitConfirmed = true
      window?.close()
    })
}

function showWindow(): void {
  if (!window) return
  if (window.isMinimized()) window.restore()
  window.show()
  window.focus()
}

function createWindow(deliver: (paths: string[]) => void, place: ReturnType<typeof placement>): void {
  window = new BrowserWindow({
    ...place.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    // The menu's shortcuts work without a menu bar across the window (Alt shows it on Windows and Linux).
    autoHideMenuBar: true,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16171a' : '#f6f6f4',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  if (place.maximized) window.maximize()
  window.on('ready-to-show', () => window?.show())
  window.on('close', () => {
    if (window) closingPlace = { bounds: window.getNormalBounds(), maximized: window.isMaximized() }
  })
  window.on('close', askBeforeStopping)
  window.webContents.once('did-finish-load', () => openRequests.ready(deliver))
  void window.loadURL(rendererEntry())
}

/**
 * The queue is another process's (an enhance command in a terminal): say so and quit. Before, the app
 * stopped starting without a word, and no window opened.
 */
function refuseBusyQueue(error: unknown): null {
  if (!(error instanceof EnhanceError) || error.code !== 'QUEUE_BUSY') throw error
  dialog.showErrorBox(
    'Enhance is already enhancing photos',
    'An enhance command (in a terminal or a script) is running the queue now. Open Enhance again when it has ' +
      'finished, or stop it with Ctrl-C: its photos wait in the queue, and the window goes on with them.',
  )
  app.quit()
  return null
}

async function start(): Promise<void> {
  hardenSession()
  serveRenderer(RENDERER_DIR)
  const log = new LogFile(join(app.getPath('logs'), 'enhance.log'))
  logFaultsOfMain(log)
  void log.write(
    `Enhance ${app.getVersion()} starting on ${process.platform} ${process.arch} (Electron ${process.versions.electron ?? '?'}, ${availableParallelism()} CPU threads)`,
  )
  const resources = app.isPackaged ? process.resourcesPath : join(import.meta.dirname, '../..')
  const modelsDir = join(resources, 'resources', 'models')
  const catalog = readCatalog(modelsDir)
  const workerPath = join(import.meta.dirname, 'worker.js')
  const preferences = new PreferencesFile(join(app.getPath('userData'), 'preferences.json'))
  const engine = new EngineClient(() =>
    utilityEngine(
      workerPath,
      {
        ENHANCE_DEVICE: preferences.get().device,
        ENHANCE_PRECISION: preferences.get().precision,
        // Where 1:1 views keep the tiles of the photos last opened (emptied when the engine starts).
        ENHANCE_TILES_DIR: join(app.getPath('userData'), 'tiles'),
      },
      (line) => void log.write(line),
    ),
  )
  const queue = await openQueue(join(app.getPath('userData'), 'queue'), engine, {
    removeStalePartials,
  }).catch(refuseBusyQueue)
  if (!queue) return
  const services = createServices({
    version: app.getVersion(),
    runner: queue.runner,
    engine,
    dialogs: nativeDialogs(),
    modelsDir,
    catalog,
    installedModelsDir: join(app.getPath('userData'), 'models'),
    library: await readLibraryFile(join(modelsDir, 'library.json')),
    decisions: DecisionStore.in(app.getPath('userData')),
    preferences,
    logFile: log.path,
    pastedDir: join(picturesFolder(), 'Pasted into Enhance'),
    temporary: { dir: app.getPath('temp'), resultsDir: join(picturesFolder(), 'Enhanced') },
  })
  bindServices(services)
  lastJobs = await services.listJobs()
  followPowerSource()
  logQueue(log, services, lastJobs)
  services.subscribe((event) => {
    window?.webContents.send(EVENT_CHANNEL, event)
    void reflectProgress(event, services)
  })
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        { platform: process.platform, packaged: app.isPackaged },
        { add: (kind) => services.menuAdd(kind), showLog: () => void services.showLogFile() },
      ),
    ),
  )
  openRequests.add(photosNamedAtLaunch(process.argv, { packaged: app.isPackaged, cwd: process.cwd() }))
  const windowFile = join(app.getPath('userData'), 'window.json')
  const workAreas = screen.getAllDisplays().map((display) => display.workArea)
  createWindow((paths) => services.openPaths(paths), placement(await readWindowState(windowFile), workAreas))
  void queue.runner.run()
  // A failure here is the first photo's to report, with its own coded error; the log says either.
  services.warmUp().then(
    (ready) =>
      void log.write(
        `The model of new jobs is ready on ${ready.provider} (${ready.precision}), in ${ready.ms} ms.`,
      ),
    (error: unknown) => void log.write(`Making the model ready failed: ${messageOf(error)}`),
  )
  let flushed = false
  app.on('will-quit', (event) => {
    if (!flushed) {
      // A setting changed just before quitting is still being written: finish it (and the window's place),
      // and let the photo in flight save its tiles so far (it picks up there at the next start), then quit.
      event.preventDefault()
      flushed = true
      const place = closingPlace && saveWindowState(windowFile, closingPlace).catch(() => undefined)
      services.stopBeside()
      queue.close()
      void Promise.all([preferences.flush(), place, engine.drain(10_000)]).finally(() => app.quit())
      return
    }
    engine.close()
  })
}

registerAppScheme()
if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  // Enhance opened again (Open with, the app's icon, a terminal): this window takes what it names.
  app.on('second-instance', (_event, argv, cwd) => {
    showWindow()
    openRequests.add(photosNamedAtLaunch(argv, { packaged: app.isPackaged, cwd }))
  })
  // macOS names files opened with the app in this event, from before the app is ready.
  app.on('open-file', (event, path) => {
    event.preventDefault()
    openRequests.add([path].filter(isFolderOrPhoto))
  })
  void app.whenReady().then(start)
  app.on('window-all-closed', () => app.quit())
}
