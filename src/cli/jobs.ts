import { resolve } from 'node:path'
import { EngineClient, forkEngine } from '../engine/client.js'
import type { PrecisionChoice } from '../shared/model.js'
import type { DeviceRequest } from '../engine/runtime/providers.js'
import { exportItems, jobReport } from '../queue/report.js'
import type { JobSpec, OverwritePolicy } from '../queue/types.js'
import { EnhanceError } from '../shared/errors.js'
import { DEFAULT_SETTINGS } from '../shared/settings.js'
import {
  parseAlpha,
  parseAlphaChannel,
  parseDevice,
  parsePrecision,
  parseFormat,
  parseMetadata,
  parseQuality,
  parseSize,
  parseTile,
  requireValue,
} from './args.js'
import { runQueued } from './batch.js'
import { openQueue } from '../queue/session.js'
import { readQueueState } from '../queue/store.js'
import { removeStalePartials } from '../node/files.js'
import { MODELS_DIR, resolveModelSpec } from './models.js'
import type { InstalledLookup } from './models.js'
import { humanReporter, ndjsonReporter } from './report.js'
import type { Reporter } from './report.js'

/** The flags a batch run reads (a subset of the CLI's options). */
export interface BatchFlags {
  out?: string | undefined
  model?: string | undefined
  blend?: string | undefined
  alpha?: string | undefined
  scale?: string | undefined
  size?: string | undefined
  fit?: string | undefined
  format?: string | undefined
  quality?: string | undefined
  tile?: string | undefined
  precision?: string | undefined
  device?: string | undefined
  background?: string | undefined
  naming?: string | undefined
  'alpha-channel'?: string | undefined
  metadata?: string | undefined
  recursive: boolean
  'skip-existing': boolean
  overwrite: boolean
  suffix: boolean
  json: boolean
}

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
  /** Raw stderr writes for the live progress bar. */
  errRaw?: (text: string) => void
  tty?: boolean
}

export interface Hooks {
  /** Tests start the engine from the built worker; the CLI uses the default next to itself. */
  engine?: (device: DeviceRequest, precision: PrecisionChoice) => EngineClient
}

function policyOf(flags: BatchFlags): OverwritePolicy {
  const chosen = [flags['skip-existing'], flags.overwrite, flags.suffix].filter(Boolean).length
  if (chosen > 1)
    throw new EnhanceError('INVALID_ARGUMENT', 'Use only one of --skip-existing, --overwrite and --suffix.')
  return flags.overwrite ? 'overwrite' : flags.suffix ? 'suffix' : 'skip'
}

export function jobSpecFromFlags(
  inputs: string[],
  flags: BatchFlags,
  installed: InstalledLookup = () => null,
): JobSpec {
  const alpha = parseAlpha(flags.alpha)
  return {
    inputs: inputs.map((i) => resolve(i)),
    recursive: flags.recursive,
    outDir: resolve(requireValue(flags.out, '--out <folder> for the enhanced photos')),
    model: resolveModelSpec(
      {
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.blend ? { blend: flags.blend } : {}),
        ...(alpha !== undefined ? { alpha } : {}),
      },
      MODELS_DIR,
      installed,
    ),
    settings: {
      ...DEFAULT_SETTINGS,
      size: parseSize(flags),
      format: parseFormat(flags.format),
      quality: parseQuality(flags.quality),
      tile: parseTile(flags.tile),
      alpha: parseAlphaChannel(flags['alpha-channel']),
      background: flags.background ?? DEFAULT_SETTINGS.background,
      metadata: parseMetadata(flags.metadata),
    },
    naming: flags.naming ?? '{name}',
    policy: policyOf(flags),
  }
}

function reporterFor(json: boolean, io: Io): Reporter {
  return json
    ? ndjsonReporter(io.out)
    : humanReporter(io.errRaw ?? ((t) => io.err(t.replace(/\n$/, ''))), io.tty ?? false)
}

/** `enhance <inputs> --out …` (spec) or `enhance --resume` (null): runs through the durable queue. */
export async function batchCommand(
  spec: JobSpec | null,
  flags: BatchFlags,
  queueDir: string,
  io: Io,
  hooks: Hooks,
): Promise<number> {
  const device = parseDevice(flags.device)
  const precision = parsePrecision(flags.precision)
  const engine =
    hooks.engine?.(device, precision) ??
    new EngineClient(() => forkEngine({ env: { ENHANCE_DEVICE: device, ENHANCE_PRECISION: precision } }))
  const session = await openQueue(queueDir, engine, { removeStalePartials }).catch((error: unknown) => {
    engine.close()
    throw error
  })
  const reporter = reporterFor(flags.json, io)
  // Ctrl-C pauses: the item in flight stops at the next tile and `enhance --resume` picks it up.
  const interrupt = (): void => {
    for (const job of session.runner.jobs) session.runner.pause(job.id)
  }
  process.once('SIGINT', interrupt)
  try {
    const summary = await runQueued(session, spec, reporter)
    return summary.failed > 0 || summary.pending > 0 ? 1 : 0
  } finally {
    process.off('SIGINT', interrupt)
    reporter.close()
    session.close()
    engine.close()
  }
}

/** `enhance queue` lists jobs; `enhance queue report <job>` exports every item of one. */
export function queueCommand(
  args: string[],
  flags: { json: boolean; csv: boolean },
  queueDir: string,
  io: Io,
): number {
  // Read-only and unlocked: it shows the queue even while the app or another command runs it.
  const state = readQueueState(queueDir)
  const jobs = state.orderedJobs()
  const [sub, id] = args
  if (sub === 'report') {
    const job = jobs.find((j) => j.id.startsWith(requireValue(id, 'the job id (or its first characters)')))
    if (!job) throw new EnhanceError('INVALID_ARGUMENT', `No job ${id} in ${queueDir}.`)
    io.out(exportItems(state.itemsOf(job.id), flags.csv ? 'csv' : 'json'))
    return 0
  }
  const reports = jobs.map((job) => ({
    ...jobReport(job, state.itemsOf(job.id)),
    outDir: job.spec.outDir,
    inputs: job.spec.inputs,
  }))
  if (flags.json) io.out(JSON.stringify(reports))
  else if (reports.length === 0) io.out(`The queue in ${queueDir} is empty.`)
  else {
    for (const r of reports) {
      const c = r.counts
      const why = r.pauseReason ? ` (${r.pauseReason.code})` : ''
      io.out(
        `${r.id.slice(0, 8)}  ${r.state}${why}  ${c.done} done, ${c.failed} failed, ${c.skipped} skipped, ${c.queued} queued  → ${r.outDir}`,
      )
    }
  }
  return 0
}
