import { cpus, totalmem } from 'node:os'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DeviceDecision } from '../shared/device.js'
import { writeFileAtomic } from './files.js'

/**
 * This machine as far as speed goes: CPU, cores, memory, platform and the ONNX Runtime version. When any of
 * them changes, every remembered choice is measured again.
 */
export function machineKey(runtimeVersion: string): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu'
  const facts = [process.platform, process.arch, cpu, cpus().length, totalmem(), runtimeVersion].join('|')
  return createHash('sha256').update(facts).digest('hex').slice(0, 16)
}

type Decisions = Record<string, DeviceDecision>

/** `auto`'s remembered choices, one per machine and architecture, in the data folder the app and CLI share. */
export class DecisionStore {
  constructor(readonly path: string) {}

  static in(dataDir: string): DecisionStore {
    return new DecisionStore(join(dataDir, 'device-choices.json'))
  }

  async all(): Promise<Decisions> {
    const text = await readFile(this.path, 'utf8').catch(() => '{}')
    try {
      const parsed = JSON.parse(text) as unknown
      return typeof parsed === 'object' && parsed !== null ? (parsed as Decisions) : {}
    } catch {
      return {} // a damaged file only costs one new measurement
    }
  }

  async get(key: string): Promise<DeviceDecision | undefined> {
    return (await this.all())[key]
  }

  async set(key: string, decision: DeviceDecision): Promise<void> {
    const all = await this.all()
    all[key] = decision
    await writeFileAtomic(this.path, new TextEncoder().encode(JSON.stringify(all, null, 2)))
  }

  /** The most recent choice, for the device setting's explanation. */
  async latest(): Promise<DeviceDecision | null> {
    const all = Object.values(await this.all())
    return all.sort((a, b) => b.measuredAt.localeCompare(a.measuredAt))[0] ?? null
  }
}
