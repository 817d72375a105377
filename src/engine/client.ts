import { fork } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { awakeTimeout } from '../node/awake-time.js'
import type { AwakeTimeout, Clocks } from '../node/awake-time.js'
import { engineEnv } from '../node/engine-env.js'
import { memoryLimit, memoryWords } from '../node/memory.js'
import { EnhanceError, KEEP_PROGRESS, cancelledError, throwIfCancelled } from '../shared/errors.js'
import type { ModelInfo } from '../shared/model.js'
import type {
  EstimateReply,
  CropReply,
  EngineEvent,
  EngineRequest,
  EnhanceJob,
  EnhanceReply,
  ModelSpecData,
  PhotoTileReply,
  PreviewEvent,
  Region,
  ProgressEvent,
  Replies,
  ReplyKind,
  ResultEvent,
  ThumbnailReply,
  ViewedFile,
  WarmUpReply,
  PrintFiles,
  WrittenPrint,
} from '../shared/protocol.js'
import type { PhotoRepairs } from '../shared/settings.js'
import { UPRIGHT } from '../shared/turn.js'
import type { Facing } from '../shared/turn.js'
import type { Told } from '../shared/caption.js'

/** The transport to one engine process: child_process.fork here, Electron's utilityProcess in the app. */
export interface EngineChannel {
  send(request: EngineRequest): void
  onMessage(listener: (event: EngineEvent) => void): void
  /** `signal`: what ended it, where a signal did (SIGKILL from the system's out-of-memory killer). */
  onExit(listener: (code: number | null, signal?: NodeJS.Signals | null) => void): void
  kill(): void
}

export interface ForkOptions {
  workerPath?: string
  env?: Record<string, string>
  /** Where the engine's stderr and stdout go, less Dawn's limit notices: this process's stderr by default. */
  stderr?: Writable
}

/** Dawn (the WebGPU inside onnxruntime-node) tells stderr, on every device probe, that it lowered two
 * limits nothing here uses; to someone enhancing a photo that reads as a fault. */
const DAWN_LIMIT_NOTICE = /^Warning: maxDynamic\w+PerPipelineLayout artificially reduced\b/

/** Copies the engine's output (its stderr, or its stdout) to `sink` line by line, leaving out Dawn's limit notices. */
export function forwardEngineOutput(source: NodeJS.ReadableStream, sink: Writable): void {
  createInterface({ input: source, crlfDelay: Infinity }).on('line', (line) => {
    if (!DAWN_LIMIT_NOTICE.test(line)) sink.write(`${line}\n`)
  })
}

export function defaultWorkerPath(): string {
  return fileURLToPath(new URL('./worker.js', import.meta.url))
}

export function forkEngine(options: ForkOptions = {}): EngineChannel {
  const child = fork(options.workerPath ?? defaultWorkerPath(), [], {
    serialization: 'advanced',
    // Its stdout is piped, not the command's: a report read by a program (--json) is the command's alone,
    // and an engine that cannot end yet (SIGKILL waits on a thread whose call a frozen drive's server had
    // already taken) does not hold the command's output open, so a pipeline reading it ends with the command.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: engineEnv(process.env, options.env),
  })
  for (const output of [child.stderr, child.stdout])
    if (output) forwardEngineOutput(output, options.stderr ?? process.stderr)
  return {
    send: (request) => child.send(request),
    onMessage: (listener) => child.on('message', (event) => listener(event as EngineEvent)),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
    kill: () => child.kill('SIGKILL'),
  }
}

/**
 * Why the engine stopped, as far as can be told: nothing kills it with SIGKILL but this client (which says why itself)
 * and the system, whose out-of-memory killer ends the largest process past the memory it or its container allows.
 */
function crashMessage(exit: string, signal: NodeJS.Signals | null): string {
  if (signal !== 'SIGKILL')
    return `The inference engine stopped unexpectedly (${exit}). It has been restarted; retry the item.`
  return (
    `The inference engine was stopped by the system (${exit}), most often for needing more memory than ` +
    `${memoryWords(memoryLimit())}. It has been restarted. If this photo stops it again, choose a smaller output ` +
    'size or tile size, or give Enhance more memory.'
  )
}

/** A reply of the kind asked for, or undefined: each request's promise gets exactly its own type. */
const REPLY_OF: { [K in ReplyKind]: (event: ResultEvent) => Replies[K] | undefined } = {
  enhance: (event) => (event.kind === 'enhance' ? event.value : undefined),
  inspect: (event) => (event.kind === 'inspect' ? event.value : undefined),
  crop: (event) => (event.kind === 'crop' ? event.value : undefined),
  thumbnail: (event) => (event.kind === 'thumbnail' ? event.value : undefined),
  photoTile: (event) => (event.kind === 'photoTile' ? event.value : undefined),
  warmUp: (event) => (event.kind === 'warmUp' ? event.value : undefined),
  estimate: (event) => (event.kind === 'estimate' ? event.value : undefined),
  split: (event) => (event.kind === 'split' ? event.value : undefined),
  restamp: (event) => (event.kind === 'restamp' ? event.value : undefined),
}

/**
 * The requests that write files: a photo's result (or its tiles so far), prints cut out, a date or caption, and the
 * tile speeds an estimate or a warm-up measures (remembered for every photo to come).
 */
const WRITES_FILES: ReadonlySet<ReplyKind> = new Set(['enhance', 'split', 'restamp', 'estimate', 'warmUp'])

interface Pending {
  resolve: (event: ResultEvent) => void
  reject: (error: EnhanceError) => void
  onProgress?: (event: ProgressEvent) => void
  onPreview?: (event: PreviewEvent) => void
}

export interface RequestOptions {
  signal?: AbortSignal
  /** While true, the engine's silence does not count: it waits on a drive that does not answer, not hung. */
  held?: () => boolean
  onProgress?: (event: ProgressEvent) => void
  onPreview?: (event: PreviewEvent) => void
}

/** A view of a photo: as it is to be enhanced, facing so (a queued photo's input), or as its file stands. */
export type ViewOptions = RequestOptions & { facing?: Facing }

/**
 * How long the engine may stay silent on a request before it is presumed hung, killed and restarted
 * (DESIGN.md §4: every engine call has a deadline). A photo's clock restarts at each tile's progress.
 */
export interface EngineDeadlines {
  inspectMs: number
  cropMs: number
  /** A scan split into its prints: decoded whole, each print cut out and written. */
  splitMs: number
  /** A thumbnail, or a 1:1 tile (the first cuts the whole photo into tiles), or a file dated anew. */
  imageMs: number
  /** Silence between two progress events of a photo. */
  enhanceIdleMs: number
  /** Making a model ready: `auto`'s measurements, once per machine and model, on the slowest CPU. */
  warmUpMs: number
  /** After a cancel, how long the engine may take to stop before it is killed. */
  cancelGraceMs: number
  /** After a pause, how long it may take to stop and save the photo's tiles so far (a large photo on a slow disk). */
  keepGraceMs: number
}

export const DEFAULT_DEADLINES: EngineDeadlines = {
  inspectMs: 60_000,
  cropMs: 120_000,
  splitMs: 120_000,
  imageMs: 60_000,
  enhanceIdleMs: 10 * 60_000,
  warmUpMs: 10 * 60_000,
  cancelGraceMs: 3_000,
  keepGraceMs: 60_000,
}

interface Call extends RequestOptions {
  deadlineMs: number
  /** The deadline counts from the last progress event instead of from the start. */
  restartOnProgress?: boolean
  /** After a cancel, how long it may take to stop (`cancelGraceMs` unless said). */
  stopGraceMs?: number
}

interface Process {
  channel: EngineChannel
  ready: Promise<void>
  started: boolean
}

/**
 * Talks to a supervised engine process. If it dies, every request in flight fails with
 * ENGINE_CRASHED and the next request starts a fresh process.
 */
export class EngineClient {
  private current: Process | null = null
  private readonly pending = new Map<number, Pending>()
  /** Requests the worker has not finished, by id, with their kind: a cancelled one left after its grace is stuck. */
  private readonly unfinished = new Map<number, ReplyKind>()
  private nextId = 1
  private started = 0

  constructor(
    private readonly spawn: () => EngineChannel = () => forkEngine(),
    private readonly deadlines: EngineDeadlines = DEFAULT_DEADLINES,
    /** What deadlines are counted on (time awake: `awakeTimeout`); a test moves its own. */
    private readonly clocks?: Clocks,
  ) {}

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
    const proc: Process = { channel, ready, started: false }
    channel.onMessage((event) => {
      if (event.type !== 'ready') return this.dispatch(event)
      proc.started = true
      markReady()
    })
    channel.onExit((code, signal) => this.crashed(proc, code, signal ?? null))
    this.current = proc
    return proc
  }

  private crashed(proc: Process, code: number | null, signal: NodeJS.Signals | null): void {
    const exit = signal ? `ended by ${signal}` : `exit ${code ?? 'signal'}`
    this.retire(
      proc,
      proc.started
        ? new EnhanceError('ENGINE_CRASHED', crashMessage(exit, signal))
        : new EnhanceError(
            'ENGINE_NOT_STARTED',
            `The inference engine could not start (${exit}); if it keeps failing, reinstall Enhance.`,
          ),
    )
  }

  /**
   * Lets a process go and fails its requests with `error`. The next request starts a fresh process at
   * once: a killed one may take a while to exit, and nothing more may be sent to it meanwhile.
   */
  private retire(proc: Process, error: EnhanceError): void {
    if (this.current !== proc) return
    this.current = null
    proc.channel.kill()
    for (const pending of [...this.pending.values()]) pending.reject(error)
    this.pending.clear()
    this.unfinished.clear()
  }

  private dispatch(event: Exclude<EngineEvent, { type: 'ready' }>): void {
    if (event.type === 'result' || event.type === 'error') this.unfinished.delete(event.id)
    const pending = this.pending.get(event.id)
    if (!pending) return
    if (event.type === 'progress') pending.onProgress?.(event)
    else if (event.type === 'preview') pending.onPreview?.(event)
    else {
      this.pending.delete(event.id)
      if (event.type === 'result') pending.resolve(event)
      else pending.reject(new EnhanceError(event.error.code, event.error.message))
    }
  }

  private async request<K extends ReplyKind>(
    kind: K,
    build: (id: number) => EngineRequest,
    call: Call,
  ): Promise<Replies[K]> {
    const { signal } = call
    throwIfCancelled(signal)
    const proc = this.process()
    const id = this.nextId++
    // The deadline and a crash count from now, not from when the engine is ready: one that dies or
    // hangs while starting fails the request instead of leaving it waiting for ever.
    return new Promise<Replies[K]>((resolve, reject) => {
      let sent = false
      let timer: AwakeTimeout | undefined
      let grace: NodeJS.Timeout | undefined
      const settle = (): void => {
        timer?.clear()
        clearTimeout(grace)
        signal?.removeEventListener('abort', onAbort)
        this.pending.delete(id)
      }
      const fail = (error: EnhanceError): void => {
        settle()
        reject(error)
      }
      // A hung engine (a parser stuck, a native call that never returns) is killed; the next call starts a fresh one.
      const arm = (): void => {
        if (timer) return timer.restart()
        timer = awakeTimeout(
          () => {
            if (call.held?.()) {
              timer = undefined // this one has ended: a new one counts from now
              return arm()
            }
            fail(
              new EnhanceError(
                'TIMED_OUT',
                `The engine did not answer within ${Math.round(call.deadlineMs / 1000)} s, so it was restarted. Try again; if it happens again, the file is the cause.`,
              ),
            )
            this.restart(proc)
          },
          call.deadlineMs,
          this.clocks,
        )
      }
      // Cancel answers at once; an engine that does not stop within the grace period is restarted.
      const onAbort = (): void => {
        fail(cancelledError())
        if (!sent) return void this.unfinished.delete(id)
        const keep = signal?.reason === KEEP_PROGRESS
        proc.channel.send({ type: 'cancel', id, ...(keep ? { keep } : {}) })
        const { cancelGraceMs, keepGraceMs } = this.deadlines
        const graceMs = keep ? keepGraceMs : (call.stopGraceMs ?? cancelGraceMs)
        grace = setTimeout(() => this.restartIfBusy(proc, id), graceMs)
        grace.unref()
      }
      this.pending.set(id, {
        resolve: (event) => {
          const value = REPLY_OF[kind](event)
          if (value === undefined)
            return fail(
              new EnhanceError(
                'INTERNAL',
                `The engine answered a ${kind} request with a ${event.kind} reply.`,
              ),
            )
          settle()
          resolve(value)
        },
        reject: fail,
        onProgress: (event) => {
          if (call.restartOnProgress) arm()
          call.onProgress?.(event)
        },
        ...(call.onPreview ? { onPreview: call.onPreview } : {}),
      })
      signal?.addEventListener('abort', onAbort, { once: true })
      arm()
      this.unfinished.set(id, kind)
      void proc.ready.then(() => {
        if (!this.pending.has(id)) return
        sent = true
        proc.channel.send(build(id))
      })
    })
  }

  private restartIfBusy(proc: Process, id: number): void {
    if (this.unfinished.has(id)) this.restart(proc)
  }

  /** Kills a hung engine process; its other requests fail with ENGINE_CRASHED and the next one starts afresh. */
  private restart(proc: Process): void {
    this.retire(
      proc,
      new EnhanceError(
        'ENGINE_CRASHED',
        'The inference engine was restarted because a request hung. Retry the item.',
      ),
    )
  }

  enhance(request: EnhanceJob, options: RequestOptions = {}): Promise<EnhanceReply> {
    return this.request('enhance', (id) => ({ type: 'enhance', id, ...request }), {
      ...options,
      deadlineMs: this.deadlines.enhanceIdleMs,
      restartOnProgress: true,
    })
  }

  /** The realism slider's live crop: `region` of `input` enhanced with `model` (with `repairs` made first), as PNG. */
  crop(
    input: string,
    region: Region,
    model: ModelSpecData,
    { repairs = {}, facing = UPRIGHT, ...options }: ViewOptions & { repairs?: PhotoRepairs } = {},
  ): Promise<CropReply> {
    return this.request('crop', (id) => ({ type: 'crop', id, input, region, model, repairs, facing }), {
      ...options,
      deadlineMs: this.deadlines.cropMs,
    })
  }

  /** `input` (a photo, or a result) upright (and facing as asked), shrunk to fit `maxSide`, as PNG. */
  thumbnail(
    input: string,
    maxSide: number,
    of: ViewedFile = 'photo',
    { facing = UPRIGHT, ...options }: ViewOptions = {},
  ): Promise<ThumbnailReply> {
    return this.request('thumbnail', (id) => ({ type: 'thumbnail', id, input, maxSide, of, facing }), {
      ...options,
      deadlineMs: this.deadlines.imageMs,
    })
  }

  /** One tile of `input`'s own pixels for a 1:1 view, as PNG. */
  photoTile(
    input: string,
    column: number,
    row: number,
    { facing = UPRIGHT, ...options }: ViewOptions = {},
  ): Promise<PhotoTileReply> {
    return this.request('photoTile', (id) => ({ type: 'photoTile', id, input, column, row, facing }), {
      ...options,
      deadlineMs: this.deadlines.imageMs,
    })
  }

  /**
   * Makes `model` ready before a photo asks for it: its session, and what `auto` measures for the
   * device, the precision and every tile side, remembered per machine.
   */
  warmUp(model: ModelSpecData, tile: number | 'auto', options: RequestOptions = {}): Promise<WarmUpReply> {
    return this.request('warmUp', (id) => ({ type: 'warmUp', id, model, tile }), {
      ...options,
      deadlineMs: this.deadlines.warmUpMs,
    })
  }

  /**
   * How long enhancing `inputs` with `model` would take on this computer, from the tile speeds measured here (measured
   * first where they are not yet, as a warm-up does, unless `measure` is false) and the pace photos were enhanced at
   * (`estimateTime`): nothing is enhanced. Cancelled, it stops at once, or once a measurement under way ends.
   */
  estimate(
    model: ModelSpecData,
    tile: number | 'auto',
    inputs: string[],
    { measure = true, ...options }: RequestOptions & { measure?: boolean } = {},
  ): Promise<EstimateReply> {
    const { warmUpMs } = this.deadlines
    return this.request('estimate', (id) => ({ type: 'estimate', id, model, tile, inputs, measure }), {
      ...options,
      deadlineMs: warmUpMs,
      // A measurement is not cut short: it is remembered for every photo to come.
      stopGraceMs: warmUpMs,
    })
  }

  /** Cuts the prints out of a scan (read as far as it goes, where asked) and writes each as its own file. */
  split(
    input: string,
    files: PrintFiles,
    { readDamaged = false, ...options }: RequestOptions & { readDamaged?: boolean } = {},
  ): Promise<WrittenPrint[]> {
    return this.request('split', (id) => ({ type: 'split', id, input, files, readDamaged }), {
      ...options,
      deadlineMs: this.deadlines.splitMs,
    })
  }

  /** Dates or captions a file Enhance wrote anew, in place; false where it must be enhanced again to say it. */
  restamp(output: string, told: Told, options: RequestOptions = {}): Promise<boolean> {
    return this.request('restamp', (id) => ({ type: 'restamp', id, output, told }), {
      ...options,
      deadlineMs: this.deadlines.imageMs,
    })
  }

  inspect(path: string, options: RequestOptions = {}): Promise<ModelInfo> {
    return this.request('inspect', (id) => ({ type: 'inspect', id, path }), {
      ...options,
      deadlineMs: this.deadlines.inspectMs,
    })
  }

  /** Kills the engine process as a crash would (tests use it to simulate one). */
  kill(): void {
    this.current?.channel.kill()
  }

  /**
   * Starts a fresh engine for the next request, which reads the device and precision afresh (a settings
   * change). Requests still in flight fail with CANCELLED.
   */
  replace(): void {
    if (this.current)
      this.retire(
        this.current,
        new EnhanceError('CANCELLED', 'The engine was restarted for new settings; try again.'),
      )
  }

  /**
   * Resolves once the engine has finished every request it was sent that writes a file, a paused photo's saving
   * included (true), or after `maxMs` (false): what to wait for before closing it on purpose. A view still waiting
   * (on a drive that stopped answering) has nothing to save.
   */
  async drain(maxMs = this.deadlines.keepGraceMs): Promise<boolean> {
    const writing = () => [...this.unfinished.values()].some((kind) => WRITES_FILES.has(kind))
    for (const until = Date.now() + maxMs; writing() && Date.now() < until;)
      await new Promise((resolve) => setTimeout(resolve, 20))
    return !writing()
  }

  close(): void {
    if (this.current) this.retire(this.current, new EnhanceError('CANCELLED', 'The engine was closed.'))
  }
}
