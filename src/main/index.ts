import { join } from 'node:path'
import { BrowserWindow, app, ipcMain, nativeTheme, session } from 'electron'
import type { IpcMainInvokeEvent } from 'electron'
import { API_CHANNELS } from '../shared/api.js'
import { inspectModel } from './services/models.js'

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'"

let window: BrowserWindow | null = null

/** Only our own window's main frame may call the API. */
function fromOurWindow(event: IpcMainInvokeEvent): boolean {
  return (
    window !== null &&
    event.sender === window.webContents &&
    event.senderFrame === window.webContents.mainFrame
  )
}

function bind<A extends unknown[], R>(channel: string, handler: (...args: A) => Promise<R>): void {
  ipcMain.handle(channel, async (event, ...args: unknown[]) => {
    if (!fromOurWindow(event)) throw new Error('Refused: IPC from an unknown sender.')
    return handler(...(args as A))
  })
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1200,
    height: 800,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16171a' : '#f6f6f4',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  window.on('ready-to-show', () => window?.show())
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  const devUrl = process.env['ELECTRON_RENDERER_URL']
  if (devUrl) void window.loadURL(devUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => window?.focus())
  void app.whenReady().then(() => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) =>
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }),
    )
    bind(API_CHANNELS.appVersion, () => Promise.resolve(app.getVersion()))
    bind(API_CHANNELS.inspectModel, inspectModel)
    createWindow()
  })
  app.on('window-all-closed', () => app.quit())
}
