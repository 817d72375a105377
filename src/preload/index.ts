import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { API_CHANNELS, EVENT_CHANNEL } from '../shared/api.js'
import { handedPhotos } from '../shared/handed.js'
import type { AppEvent, EnhanceApi, Result, Selection } from '../shared/api.js'

// Exactly the methods of EnhanceApi, each bound to its own channel: nothing generic is exposed.
const calls = Object.fromEntries(
  Object.entries(API_CHANNELS).map(([method, channel]) => [
    method,
    (...args: unknown[]) => ipcRenderer.invoke(channel, ...args),
  ]),
) as Omit<EnhanceApi, 'onEvent'>

const api: EnhanceApi = {
  ...calls,
  // The page hands over File objects, never paths: only a real drop's files have one (webUtils answers ''
  // for a File the page made), so the window cannot name a path of its own.
  selectDropped: (files) =>
    ipcRenderer.invoke(
      API_CHANNELS.selectDropped,
      [...files].map((file) => webUtils.getPathForFile(file)).filter(Boolean),
    ),
  // A File with a path is a file copied or dragged in the file manager; one without is an image copied or
  // dragged from a page or program, whose bytes main saves. Either way the window names no path.
  takePhotos: async (files, via) => {
    const handed = await handedPhotos(files, via, (file) => webUtils.getPathForFile(file))
    return (await ipcRenderer.invoke(API_CHANNELS.takePhotos, handed)) as Result<Selection>
  },
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: AppEvent): void => listener(payload)
    ipcRenderer.on(EVENT_CHANNEL, handler)
    return () => ipcRenderer.off(EVENT_CHANNEL, handler)
  },
}

contextBridge.exposeInMainWorld('api', api)
