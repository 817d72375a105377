import type { MenuItemConstructorOptions } from 'electron'
import type { MenuAddKind } from '../shared/api.js'

export interface MenuOptions {
  platform: NodeJS.Platform
  /** A packaged app has no Reload or developer tools: neither is anything a user needs. */
  packaged: boolean
}

/**
 * The app's menu: File's Add Photos… (Ctrl/⌘ O), Add Folder… (Ctrl/⌘ Shift O) and Split Scans… do what the Queue's
 * buttons do; Edit keeps copy and paste working in text fields on macOS; View zooms; Help shows the log file. Electron's default menu would
 * offer Reload and the developer tools in the packaged app.
 */
export interface MenuActions {
  add: (kind: MenuAddKind) => void
  /** Shows the diagnostic log in the file manager, to send with a report. */
  showLog: () => void
}

export function menuTemplate(
  { platform, packaged }: MenuOptions,
  { add, showLog }: MenuActions,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin'
  const developer: MenuItemConstructorOptions[] = packaged
    ? []
    : [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }]
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Add Photos…', accelerator: 'CmdOrCtrl+O', click: () => add('files') },
        { label: 'Add Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: () => add('folder') },
        { label: 'Split Scans…', click: () => add('scans') },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...developer,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Show Log File', click: showLog }] },
  ]
}
