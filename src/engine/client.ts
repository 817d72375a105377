import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { EnhanceError } from '../shared/errors.js'
import type { ModelInfo } from '../shared/model.js'
import type {
  CropReply,
  EngineEvent,
  EngineRequest,
  EnhanceReply,
  ModelSpecData,
  PreviewEvent,
  Region,
  ProgressEvent,
} from '../shared/protocol.js'
import type { EnhanceSettings } from '../shared/settings.js'

/** The transport to one engine process: child_process.fork here, Electron's utilityProcess in the app. */
export interface EngineChannel {
  send(request: EngineRequest): void
  onMessage(listener: (event: EngineEvent) => void): void
  onExit(listener: (code: number | null) => void): void
  kill(): void
}

export interface ForkOptions {
  workerPath?: string
  env?: Record<string, string>
}

export function defaultWorkerPath(): string {
  return fileURLToPath(new URL('./worker.js', import.meta.url))
}

export function forkEngine(options: ForkOptions = {}): EngineChannel {
  const child = fork(options.workerPath ?? defaultWorkerPath(), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  })
  return {
    send: (request) => child.send(request),
    onMessage: (listener) => child.on('message', (event) => listener(event as EngineEvent)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill('SIGKILL'),
  }
}

interface Pending {
  resolve: (value: EnhanceReply | ModelInfo | CropReply) => void
  reject: (error: EnhanceError) => void
  onProgress?: (event: ProgressEvent) => void
  onPreview?: (event: PreviewEvent) => void
}

export interface EnhanceRequest {
  item: string
  input: string
  output: string
  model: ModelSpecData
  settings: EnhanceSettings
}

export interface RequestOptions {
  signal?: AbortSignal
  onProgress?: (event: ProgressEvent) => void
  onPreview?: (event: PreviewEvent) => void
}

interface Process {
  channel: EngineChannel
  ready: Promise<void>
}

/**
 * Talks to a supervised engine process. If it dies, every request in flight fails with
 * ENGINE_CRASHED and the next request starts a fresh process.
 */
export class EngineClient {
  private current: Process | null = null
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private started = 0

  constructor(private readonly spawn: () => EngineChannel = () => forkEngine()) {}

  /** How many engine processes have been started, the first included. */
  get starts(): number {
    return this.started
  }

  private process(): Process {
    if (this.current) return this.current
    const channel = this.spawn()
    this.started++
    let markReady = (): void => undefined
    const ready = new Promise<void>((resolve) => (markReady = resolve))
    const proc: Process = { channel, ready }
    channel.onMessage((event) => (event.type === 'ready' ? markReady() : this.dispatch(event)))
    channel.onExit((code) => this.crashed(proc, code))
    this.current = proc
    return proc
  }

  private crashed(proc: Process, code: number | null): void {
    if (this.current !== proc) return
    this.current = null
    const error = new EnhanceError(
      'ENGINE_CRASHED',
      `The inference engine stopped unexpectedly (exit ${code ?? 'signal'}). It has been restarted; retry the item.`,
    )
    for (const pending of this.pending.values()) pending.reject(error)
    this.pending.clear()
  }

  private dispatch(event: Exclude<EngineEvent, { type: 'ready' }>): void {
    const pending = this.pending.get(event.id)
    if (!pending) return
    if (event.type === 'progress') pending.onProgress?.(event)
    else if (event.type === 'preview') pending.onPreview?.(event)
    else {
      this.pending.delete(event.id)
      if (event.type === 'result') pending.resolve(event.value)
      else pending.reject(new EnhanceError(event.error.code, event.error.message))
    }
  }

  private async request<T extends EnhanceReply | ModelInfo | CropReply>(
    build: (id: number) => EngineRequest,
    options: RequestOptions = {},
  ): Promise<T> {
    const { signal } = options
    if (signal?.aborted) throw new EnhanceError('CANCELLED', 'Cancelled.')
    const proc = this.process()
    await proc.ready
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => proc.channel.send({ type: 'cancel', id })
      const settle = (): void => signal?.removeEventListener('abort', onAbort)
      this.pending.set(id, {
        resolve: (value) => (settle(), resolve(value as T)),
        reject: (error) => (settle(), reject(error)),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.onPreview ? { onPreview: options.onPreview } : {}),
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      proc.channel.send(build(id))
    })
  }

  enhance(request: EnhanceRequest, options: RequestOptions = {}): Promise<EnhanceReply> {
    return this.request<EnhanceReply>((id) => ({ type: 'enhance', id, ...request }), options)
  }

  /** The realism slider's live crop: `region` of `input` enhanced with `model`, as PNG. */
  crop(input: string, region: Region, model: ModelSpecData): Promise<CropReply> {
    return this.request<CropReply>((id) => ({ type: 'crop', id, input, region, model }))
  }

  inspect(path: string): Promise<ModelInfo> {
    return this.request<ModelInfo>((id) => ({ type: 'inspect', id, path }))
  }

  /** Kills the engine process (tests use it to simulate a crash; close() uses it to stop). */
  kill(): void {
    this.current?.channel.kill()
  }

  close(): void {
    const proc = this.current
    this.current = null
    proc?.channel.kill()
    for (const pending of this.pending.values())
      pending.reject(new EnhanceError('CANCELLED', 'The engine was closed.'))
    this.pending.clear()
  }
}
