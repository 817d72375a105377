import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { API_CHANNELS, EVENT_CHANNEL } from '../shared/api.js'
import type { AppEvent, EnhanceApi } from '../shared/api.js'

// Exactly the methods of EnhanceApi, each bound to its own channel: nothing generic is exposed.
const calls = Object.fromEntries(
  Object.entries(API_CHANNELS).map(([method, channel]) => [
    method,
    (...args: unknown[]) => ipcRenderer.invoke(channel, ...args),
  ]),
) as Omit<EnhanceApi, 'onEvent' | 'pathForFile'>

const api: EnhanceApi = {
  ...calls,
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: AppEvent): void => listener(payload)
    ipcRenderer.on(EVENT_CHANNEL, handler)
    return () => ipcRenderer.off(EVENT_CHANNEL, handler)
  },
  // Electron 32 removed File.path; a dropped file's path comes from webUtils, in the preload only.
  pathForFile: (file) => webUtils.getPathForFile(file),
}

contextBridge.exposeInMainWorld('api', api)
