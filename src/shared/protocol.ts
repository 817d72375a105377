import type { ErrorData } from './errors.js'
import type { ModelInfo } from './model.js'
import type { EnhanceSettings, OutputFormat } from './settings.js'

/** The engine process protocol: typed requests in, typed events and one reply per request out. */
export interface ModelSpecData {
  path: string
  blend?: { path: string; alpha: number }
}

export type EngineRequest =
  | {
      type: 'enhance'
      id: number
      item: string
      input: string
      output: string
      model: ModelSpecData
      settings: EnhanceSettings
    }
  | { type: 'inspect'; id: number; path: string }
  | {
      type: 'crop'
      id: number
      input: string
      region: { x: number; y: number; width: number; height: number }
      model: ModelSpecData
    }
  | { type: 'cancel'; id: number }

export interface EnhanceReply {
  output: string
  width: number
  height: number
  format: OutputFormat
  provider: string
  tile: number
  ms: number
}

export interface CropReply {
  png: Uint8Array
  width: number
  height: number
  ms: number
}

export type EngineEvent =
  | { type: 'ready'; pid: number }
  | { type: 'progress'; id: number; item: string; tile: number; tiles: number; etaMs: number | null }
  | {
      type: 'preview'
      id: number
      item: string
      previewWidth: number
      previewHeight: number
      x: number
      y: number
      width: number
      height: number
      rgb: Uint8Array
    }
  | { type: 'result'; id: number; value: EnhanceReply | ModelInfo | CropReply }
  | { type: 'error'; id: number; error: ErrorData }

export type ProgressEvent = Extract<EngineEvent, { type: 'progress' }>
export type PreviewEvent = Extract<EngineEvent, { type: 'preview' }>
