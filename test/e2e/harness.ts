import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { DecisionStore } from '../../src/node/device-decisions.js'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import { removeStalePartials } from '../../src/node/files.js'
import { createServices } from '../../src/main/services/app.js'
import type { Services } from '../../src/main/services/app.js'
import type { WatchTiming } from '../../src/queue/watched-jobs.js'
import { readCatalog } from '../../src/engine/catalog.js'
import { openQueue } from '../../src/queue/session.js'
import type { QueueSession } from '../../src/queue/session.js'
import { API_CHANNELS } from '../../src/shared/api.js'
import type { AppEvent, HandedVia } from '../../src/shared/api.js'
import { handedPhotos } from '../../src/shared/handed.js'
import type { LibraryEntry } from '../../src/shared/library.js'
import { PreferencesFile } from '../../src/main/services/preferences.js'
import { WORKER } from '../helpers/models.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const RENDERER = join(ROOT, 'out', 'renderer')
export const MODELS_DIR = join(ROOT, 'resources', 'models')
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots')
/** `auto`'s measured device choice, shared by every backend of a test run so it is measured once. */
export const DEVICE_CHOICES = join(tmpdir(), `enhance-e2e-device-choices-${process.ppid}`)

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
}

/** Serves the built renderer (out/renderer) on loopback, as Electron would load it from disk. */
export function serveRenderer(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = normalize(
      join(RENDERER, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)),
    )
    const file = path.endsWith('/') || path === RENDERER ? join(RENDERER, 'index.html') : path
    try {
      const body = readFileSync(file)
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      response.end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolve({
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`,
        server,
      })
    }),
  )
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** What the native dialogs answer next: the tests play the user's choices. */
export class ScriptedDialogs {
  inputs: string[] | null = null
  outputFolder: string | null = null
  chooseInputs = (): Promise<string[] | null> => Promise.resolve(this.inputs)
  chooseOutputFolder = (): Promise<string | null> => Promise.resolve(this.outputFolder)
  /** What the window asked the file manager to show, in order. */
  readonly shown: string[] = []
  showItemInFolder = (path: string): void => void this.shown.push(path)
  /** What the window last put on the clipboard (PNG bytes). */
  copied: Uint8Array | null = null
  copyImage = (png: Uint8Array): Promise<void> => {
    this.copied = png
    return Promise.resolve()
  }
  openFolder = (path: string): Promise<void> => {
    this.shown.push(path)
    return Promise.resolve()
  }
}

export interface AppBackend {
  services: Services
  queue: QueueSession
  engine: EngineClient
  close(): Promise<void>
}

/** The main-process side, exactly as the app builds it, minus Electron: real queue, real engine process. */
export async function startBackend(
  dataDir: string,
  dialogs: ScriptedDialogs,
  library: Record<string, LibraryEntry> = {},
  watchTiming?: WatchTiming,
): Promise<AppBackend> {
  const preferences = new PreferencesFile(join(dataDir, 'preferences.json'))
  const engine = new EngineClient(() =>
    forkEngine({
      workerPath: WORKER,
      env: {
        ENHANCE_DEVICE: preferences.get().device,
        ENHANCE_DATA_DIR: DEVICE_CHOICES,
        ENHANCE_TILES_DIR: join(dataDir, 'tiles'),
      },
    }),
  )
  const queueDir = join(dataDir, 'queue')
  const queue = await openQueue(queueDir, engine, { removeStalePartials })
  const catalog = readCatalog(MODELS_DIR)
  const services = createServices({
    version: '0.1.0-test',
    runner: queue.runner,
    engine,
    dialogs,
    modelsDir: MODELS_DIR,
    catalog,
    installedModelsDir: join(dataDir, 'models'),
    library,
    decisions: DecisionStore.in(DEVICE_CHOICES),
    preferences,
    logFile: join(dataDir, 'logs', 'enhance.log'),
    pastedDir: join(dataDir, 'Pasted into Enhance'),
    // Stands for the system's temporary folder (the tests' own photos are in the real one).
    temporary: { dir: join(dataDir, 'system-temp'), resultsDir: join(dataDir, 'Pictures', 'Enhanced') },
    ...(watchTiming ? { watchTiming } : {}),
  })
  return {
    services,
    queue,
    engine,
    close: async () => {
      services.stopBeside()
      await preferences.flush()
      queue.close()
      engine.close()
    },
  }
}

/** A File of a paste or drop, as the page hands it over: its name, the path the test gave it, its bytes. */
interface PageFile {
  name: string
  path: string
  bytes: Uint8Array
}

/** What the preload does with a paste's or a drop's files, with the paths the test gave them. */
async function takePhotos(backend: AppBackend, files: PageFile[], via: HandedVia) {
  const made = files.map((file) => ({
    file: new File([new Uint8Array(file.bytes)], file.name),
    path: file.path,
  }))
  const pathOf = (file: File) => made.find((m) => m.file === file)?.path ?? ''
  return backend.services.takePhotos(
    await handedPhotos(
      made.map((m) => m.file),
      via,
      pathOf,
    ),
  )
}

/**
 * Binds the services to the page as `window.api`, the way the preload does over IPC: one function per
 * API method, and events pushed to the page's listeners.
 */
export async function bindPage(page: Page, backend: AppBackend): Promise<() => void> {
  await page.exposeBinding('__enhanceCall', (_source, method: string, args: unknown[]) => {
    if (method === '__takePhotos') return takePhotos(backend, ...(args as [PageFile[], HandedVia]))
    const handler = backend.services[method as keyof typeof API_CHANNELS] as (
      ...a: unknown[]
    ) => Promise<unknown>
    return handler(...args)
  })
  await page.addInitScript((methods: string[]) => {
    const listeners = new Set<(event: unknown) => void>()
    const call = (globalThis as unknown as { __enhanceCall: (m: string, a: unknown[]) => Promise<unknown> })
      .__enhanceCall
    const api: Record<string, unknown> = Object.fromEntries(
      methods.map((m) => [m, (...args: unknown[]) => call(m, args)]),
    )
    // As the preload does with Electron's webUtils: a dropped File's path (here the test says which path
    // each name stands for), never a path from the page.
    const pathOf = (file: File): string =>
      ((globalThis as unknown as { __droppedPaths?: Record<string, string> }).__droppedPaths ?? {})[
        file.name
      ] ?? ''
    api['selectDropped'] = (files: File[]) => call('selectDropped', [files.map(pathOf).filter(Boolean)])
    // The files as they are, each with the path the test gave its name: sorted as the preload sorts them.
    api['takePhotos'] = async (files: File[], via: string) => {
      const handed = files.map(async (file) => ({
        name: file.name,
        path: pathOf(file),
        bytes: new Uint8Array(await file.arrayBuffer()),
      }))
      return call('__takePhotos', [await Promise.all(handed), via])
    }
    api['onEvent'] = (listener: (event: unknown) => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
    Object.assign(globalThis, { api, __enhanceEmit: (event: unknown) => listeners.forEach((l) => l(event)) })
  }, Object.keys(API_CHANNELS))
  return backend.services.subscribe((event: AppEvent) => {
    void page
      .evaluate(
        (e) => (globalThis as unknown as { __enhanceEmit: (x: unknown) => void }).__enhanceEmit(e),
        event,
      )
      .catch(() => undefined)
  })
}
