/**
 * The engine process entry. ONNX Runtime's session.run blocks the thread that calls it and a native
 * fault kills the process, so inference lives here, apart from the app and the CLI.
 */
import './background-priority.js'
import { KEEP_PROGRESS, toErrorData } from '../shared/errors.js'
import type { EngineEvent, EngineRequest } from '../shared/protocol.js'
import { CropRenderer } from './crop.js'
import { enhanceFile } from './enhance-file.js'
import { PhotoTiles } from './image/photo-tiles.js'
import { ResumeStore } from './resume.js'
import { thumbnail } from './image/thumbnail.js'
import { restampFile } from './image/restamp.js'
import { ModelRegistry } from './registry.js'
import { loadModel } from './model.js'
import { warmUp } from './warm-up.js'
import { estimateTime } from './estimate.js'
import { MEASURING_PROGRESS } from './measuring.js'
import { writePrints } from './scan/write-prints.js'
import { isDeviceRequest } from './runtime/providers.js'
import { isPrecisionChoice } from '../shared/model.js'
import { DecisionStore, Int8Store, TileStore } from '../node/device-decisions.js'
import { defaultDataDir } from '../node/paths.js'
import { join } from 'node:path'

const device = process.env['ENHANCE_DEVICE'] ?? 'auto'
const dataDir = defaultDataDir()

function maxPixelsFrom(text: string | undefined): { maxInputPixels?: number } {
  const value = Number(text)
  return text && Number.isSafeInteger(value) && value > 0 ? { maxInputPixels: value } : {}
}
const limits = maxPixelsFrom(process.env['ENHANCE_MAX_PIXELS'])
const registry = new ModelRegistry({
  device: isDeviceRequest(device) ? device : 'auto',
  threads: Number(process.env['ENHANCE_THREADS'] ?? 0),
  precision: isPrecisionChoice(process.env['ENHANCE_PRECISION']) ? process.env['ENHANCE_PRECISION'] : 'auto',
  decisions: DecisionStore.in(dataDir),
  tiles: TileStore.in(dataDir),
  int8: Int8Store.in(dataDir),
  // A software adapter stands in for a GPU only when asked: the WebGPU tests run on lavapipe.
  ...(process.env['ENHANCE_SOFTWARE_GPU'] === '1' ? { noGpu: null } : {}),
})
const crops = new CropRenderer(registry, limits.maxInputPixels)
const photoTiles = new PhotoTiles(process.env['ENHANCE_TILES_DIR'] ?? join(dataDir, 'tiles'))
const running = new Map<number, AbortController>()
// Photos stopped part-way keep their tiles here until they run again; a running one is saved now and then.
const checkpointMs = Number(process.env['ENHANCE_CHECKPOINT_MS'] ?? NaN)
const resume = new ResumeStore(join(dataDir, 'resume'), {
  ...(checkpointMs >= 0 ? { checkpointEveryMs: checkpointMs } : {}),
})
void resume.tidy()

/** Electron's utilityProcess talks through process.parentPort; child_process.fork through process.send. */
interface ParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: EngineRequest }) => void): void
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

/**
 * A terminal's Ctrl-C and hang-up reach its whole foreground group, the engine too, and Slurm, `docker stop`
 * and `systemctl stop` send SIGTERM to every process: the engine outlives them, so that the command it serves
 * can pause and this process save the photo's tiles so far. It stops when that command closes the channel
 * (`disconnect`) or kills it. The app kills its engine with SIGTERM (utilityProcess.kill), so there it counts.
 */
function outliveSignalsToTheCommand(forkedByTheCommand: boolean): void {
  const signals: NodeJS.Signals[] = forkedByTheCommand
    ? ['SIGINT', 'SIGHUP', 'SIGTERM']
    : ['SIGINT', 'SIGHUP']
  for (const signal of signals) process.on(signal, () => undefined)
}

function send(event: EngineEvent): void {
  if (parentPort) parentPort.postMessage(event)
  else process.send?.(event)
}

async function handle(request: Exclude<EngineRequest, { type: 'cancel' }>): Promise<void> {
  try {
    if (request.type === 'inspect') {
      send({ type: 'result', id: request.id, kind: 'inspect', value: (await loadModel(request.path)).info })
      return
    }
    if (request.type === 'restamp') {
      const value = await restampFile(request.output, request.told)
      send({ type: 'result', id: request.id, kind: 'restamp', value })
      return
    }
    if (request.type === 'thumbnail') {
      const value = await thumbnail(request.input, request.maxSide, request.of, request.facing)
      send({ type: 'result', id: request.id, kind: 'thumbnail', value })
      return
    }
    if (request.type === 'photoTile') {
      const value = await photoTiles.tile(request.input, request.column, request.row, request.facing)
      send({ type: 'result', id: request.id, kind: 'photoTile', value })
      return
    }
    if (request.type === 'warmUp') {
      const value = await warmUp(registry, request.model, request.tile)
      send({ type: 'result', id: request.id, kind: 'warmUp', value })
      return
    }
    if (request.type === 'estimate') {
      const { id, model, tile, inputs, measure } = request
      const controller = new AbortController()
      running.set(id, controller)
      const stopWatching = registry.measuring.watch(() =>
        send({ type: 'progress', id, ...MEASURING_PROGRESS }),
      )
      const value = await estimateTime(registry, model, tile, inputs, {
        maxPixels: limits.maxInputPixels,
        measure,
        signal: controller.signal,
      }).finally(stopWatching)
      send({ type: 'result', id, kind: 'estimate', value })
      return
    }
    if (request.type === 'split') {
      const value = await writePrints(request.input, request.files, {
        ...(limits.maxInputPixels ? { maxPixels: limits.maxInputPixels } : {}),
        readDamaged: request.readDamaged ?? false,
      })
      send({ type: 'result', id: request.id, kind: 'split', value })
      return
    }
    if (request.type === 'crop') {
      send({
        type: 'result',
        id: request.id,
        kind: 'crop',
        value: await crops.render(
          request.input,
          request.region,
          request.model,
          request.repairs,
          request.facing,
        ),
      })
      return
    }
    const controller = new AbortController()
    running.set(request.id, controller)
    const { id } = request
    const value = await enhanceFile(registry, request, {
      ...limits,
      resume,
      signal: controller.signal,
      onProgress: (p) => send({ type: 'progress', id, ...p }),
      onPreview: (p) => send({ type: 'preview', id, ...p }),
    })
    send({ type: 'result', id, kind: 'enhance', value })
  } catch (error) {
    send({ type: 'error', id: request.id, error: toErrorData(error) })
  } finally {
    running.delete(request.id)
  }
}

function receive(request: EngineRequest): void {
  if (request.type === 'cancel') running.get(request.id)?.abort(request.keep ? KEEP_PROGRESS : undefined)
  else void handle(request)
}

if (parentPort) parentPort.on('message', (event) => receive(event.data))
else process.on('message', receive)
outliveSignalsToTheCommand(parentPort === undefined)
process.on('disconnect', () => {
  crops.close()
  void registry.close().finally(() => process.exit(0))
})
send({ type: 'ready', pid: process.pid })
