import { cpus, totalmem } from 'node:os'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { DeviceDecision } from '../shared/device.js'
import { writeFileAtomic } from './files.js'
import { linuxGpuDeviceNodes } from './gpu-devices.js'
import { makeDirectory } from './make-directory.js'

/**
 * This machine as far as speed goes: CPU, cores, memory, platform, its GPU device nodes on Linux (a GPU or
 * driver added later) and the ONNX Runtime version. When any of them changes, every remembered choice is
 * measured again.
 */
export function machineKey(runtimeVersion: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu'
  const gpus = process.platform === 'linux' ? linuxGpuDeviceNodes().join(',') : ''
  const facts = [process.platform, process.arch, cpu, cpus().length, totalmem(), gpus, runtimeVersion].join(
    '|',
  )
  return createHash('sha256').update(facts).digest('hex').slice(0, 16)
}

/** A remembered measurement: a device choice, or a tile size. */
interface Measured {
  measuredAt: string
}

/**
 * Remembered measurements, one per machine and architecture (and provider, for tiles), in a JSON file in
 * the data folder the app and CLI share. A damaged file only costs one new measurement.
 */
export class ChoiceFile<T extends Measured> {
  /** Changes to the file, one after another: two read before either wrote would lose one. */
  private changes: Promise<unknown> = Promise.resolve()

  constructor(readonly path: string) {}

  async all(): Promise<Record<string, T>> {
    const text = await readFile(this.path, 'utf8').catch(() => '{}')
    try {
      const parsed = JSON.parse(text) as unknown
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, T>) : {}
    } catch {
      return {}
    }
  }

  async get(key: string): Promise<T | undefined> {
    return (await this.all())[key]
  }

  async set(key: string, value: T): Promise<void> {
    const all = await this.all()
    all[key] = value
    // A data folder that does not exist yet (a first run, ENHANCE_DATA_DIR somewhere new) is made, so the
    // measurement is kept instead of being repeated on every run.
    makeDirectory(dirname(this.path))
    await writeFileAtomic(this.path, new TextEncoder().encode(JSON.stringify(all, null, 2)))
  }

  /** Changes what `key` remembers (`change` of undefined: nothing yet), after the changes asked before it. */
  update(key: string, change: (old: T | undefined) => T | undefined): Promise<void> {
    const next = this.changes.then(async () => {
      const value = change(await this.get(key))
      if (value) await this.set(key, value)
    })
    this.changes = next.catch(() => undefined)
    return next
  }

  /** The most recent measurement, for the settings' explanation. */
  async latest(): Promise<T | null> {
    const all = Object.values(await this.all())
    return all.sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))[0] ?? null
  }
}

/** `auto`'s device choices. */
export class DecisionStore extends ChoiceFile<DeviceDecision> {
  static in(dataDir: string): DecisionStore {
    return new DecisionStore(join(dataDir, 'device-choices.json'))
  }
}

/** Tile speeds per machine, architecture, provider and precision: the sides photos have needed so far. */
export interface TileDecision {
  /** LR pixels per second for each side tried. */
  rates: Record<string, number>
  /** How photos enhanced with these tiles went, for estimates (`recentRuns`). */
  runs?: RecentRuns
  measuredAt: string
}

/**
 * Photos' times from their reading to their writing, and the times their tiles' rates give the network alone: each sum
 * the older photos' weighted down by a fifth per photo since, so that what this computer does now counts most.
 */
export interface RecentRuns {
  ranMs: number
  networkMs: number
}

/** `runs` with one photo more: it took `ranMs`, of which the rates say the network took `networkMs`. */
export function recentRuns(runs: RecentRuns | undefined, ranMs: number, networkMs: number): RecentRuns {
  const older = 0.8
  return { ranMs: (runs?.ranMs ?? 0) * older + ranMs, networkMs: (runs?.networkMs ?? 0) * older + networkMs }
}

export class TileStore extends ChoiceFile<TileDecision> {
  static in(dataDir: string): TileStore {
    return new TileStore(join(dataDir, 'tile-choices.json'))
  }
}

/** Whether int8 ran faster than float32 per machine, architecture and thread count, and the two times. */
export interface Int8Decision {
  int8: boolean
  fp32Ms: number
  int8Ms: number
  measuredAt: string
}

export class Int8Store extends ChoiceFile<Int8Decision> {
  static in(dataDir: string): Int8Store {
    return new Int8Store(join(dataDir, 'int8-choices.json'))
  }
}
