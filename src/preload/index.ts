import { contextBridge, ipcRenderer } from 'electron'
import { API_CHANNELS } from '../shared/api.js'
import type { EnhanceApi } from '../shared/api.js'

const api: EnhanceApi = {
  appVersion: () => ipcRenderer.invoke(API_CHANNELS.appVersion) as Promise<string>,
  inspectModel: (path) =>
    ipcRenderer.invoke(API_CHANNELS.inspectModel, path) as ReturnType<EnhanceApi['inspectModel']>,
}

contextBridge.exposeInMainWorld('api', api)
