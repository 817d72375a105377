import { existsSync, readdirSync, statSync } from 'node:fs'
import { constants } from 'node:os'
import { join, resolve } from 'node:path'
import { EngineClient, forkEngine } from '../engine/client.js'
import type { PrecisionChoice } from '../shared/model.js'
import type { DeviceRequest } from '../engine/runtime/providers.js'
import { exportItems, jobReport, mergeReports, queueItems } from '../queue/report.js'
import type { JobSpec, OverwritePolicy } from '../queue/types.js'
import { isFinished, jobChosen, jobModel } from '../queue/types.js'
import { madeWords } from '../shared/chosen-words.js'
import { EnhanceError } from '../shared/errors.js'
import { DEFAULT_MAX_INPUT_PIXELS } from '../shared/formats.js'
import { DEFAULT_SETTINGS } from '../shared/settings.js'
import {
  parseRealism,
  parseTransparency,
  parseDevice,
  parseMaxPixels,
  parsePrecision,
  parseFormat,
  parseMetadata,
  parseBackground,
  parseNaming,
  parseQuality,
  parseRestoreStrength,
  parseSize,
  parseTile,
  parseTurnFlag,
  parseTakenFlag,
  parseCaptionFlag,
  requireValue,
  usableFolder,
} from './args.js'
import type { SizeFlags } from './args.js'
import { runQueued, watchQueued } from './batch.js'
import { dateJob } from './queue-date.js'
import { captionPhotos } from './queue-caption.js'
import { chooseRealism } from './queue-realism.js'
import { chooseModels } from './queue-model.js'
import type { ModelNaming } from './queue-model.js'
import type { LibraryFlags } from './library.js'
import { turnPhotos } from './queue-turn.js'
import { mendPhotos } from './queue-repairs.js'
import { skipPhotos } from './queue-skip.js'
import { parseShard } from '../queue/shard.js'
import { hasFolder } from '../queue/watch.js'
import { openQueue } from '../queue/session.js'
import type { QueueSession } from '../queue/session.js'
import { readQueueState } from '../queue/store.js'
import { RESULTS_FOLDER, besideThePhotos, entryKind, isSystemEntry } from '../queue/scan.js'
import { removeStalePartials } from '../node/files.js'
import { isDiskFull } from '../node/errno.js'
import { MODELS_DIR, resolveModelSpec } from './models.js'
import { modelWords, readCatalog } from '../engine/catalog.js'
import { printable } from '../shared/printable.js'
import type { InstalledLookup } from './models.js'
import { humanReporter, ndjsonReporter } from './report.js'
import type { Reporter } from './report.js'

/** The flags a batch run reads (a subset of the CLI's options). */
export interface BatchFlags extends SizeFlags {
  out?: string | undefined
  model?: string | undefined
  blend?: string | undefined
  alpha?: string | undefined
  format?: string | undefined
  quality?: string | undefined
  tile?: string | undefined
  precision?: string | undefined
  'max-pixels'?: string | undefined
  shard?: string | undefined
  device?: string | undefined
  background?: string | undefined
  naming?: string | undefined
  'alpha-channel'?: string | undefined
  metadata?: string | undefined
  'restore-strength'?: string | undefined
  turn?: string | undefined
  taken?: string | undefined
  caption?: string | undefined
  recursive: boolean
  watch: boolean
  'read-damaged': boolean
  'restore-colours': boolean
  'remove-dust': boolean
  'remove-scratches': boolean
  mirror: boolean
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
  /** The terminal's width in columns, read when the live line is drawn; undefined when unknown. */
  columns?: () => number | undefined
  /**
   * Calls `listener` when what the command writes cannot be written: its reader went away (EPIPE: `enhance --json |
   * head`, `enhance 2>&1 | head`), or the file it is redirected to cannot take it (a full disk); returns an unsubscribe.
   */
  onOutputFailed?: (listener: (error: NodeJS.ErrnoException) => void) => () => void
  /** Ends the process by `signal`, once what was written has gone out: the command's way out when one stopped it. */
  endBy?: (signal: NodeJS.Signals) => Promise<void>
}

export interface Hooks {
  /** Tests start the engine from the built worker; the CLI uses the default next to itself. */
  engine?: (device: DeviceRequest, precision: PrecisionChoice, maxPixels: number) => EngineClient
  /** The system whose command line passed the arguments: tests take Windows' (no wildcards expanded, quotes). */
  platform?: NodeJS.Platform
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
  const realism = parseRealism(flags.alpha)
  const turn = parseTurnFlag(flags.turn)
  const taken = parseTakenFlag(flags.taken)
  const caption = parseCaptionFlag(flags.caption)
  const shard = parseShard(flags.shard)
  const policy = policyOf(flags)
  if (shard && policy === 'suffix')
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      '--suffix names photos by what already exists, which differs from shard to shard; use --skip-existing (the default) or --overwrite with --shard.',
    )
  const resolved = inputs.map((i) => resolve(i))
  return {
    inputs: resolved,
    recursive: flags.recursive,
    outDir: outputFolder(flags.out, resolved),
    model: resolveModelSpec(
      {
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.blend ? { blend: flags.blend } : {}),
        ...(realism !== undefined ? { realism } : {}),
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
      transparency: parseTransparency(flags['alpha-channel']),
      background: parseBackground(flags.background),
      metadata: parseMetadata(flags.metadata),
      ...(flags['read-damaged'] ? { readDamaged: true } : {}),
      // A strength says to restore: it is asked for nothing else. Said only then, so a command that does not
      // restore makes the same job as before there was a strength, and running it again continues that job.
      ...(flags['restore-colours'] || flags['restore-strength'] !== undefined
        ? { restoreColours: true, restoreStrength: parseRestoreStrength(flags['restore-strength']) }
        : {}),
      ...(flags['remove-dust'] ? { removeDust: true } : {}),
      ...(flags['remove-scratches'] ? { removeScratches: true } : {}),
      ...(turn ? { turn } : {}),
      ...(flags.mirror ? { mirrored: true } : {}),
      ...taken,
      ...caption,
    },
    naming: parseNaming(flags.naming),
    policy,
    ...(shard ? { shard } : {}),
  }
}

/** --out, or where the app would write: an "Enhanced" folder beside the photos (inside a folder named). */
function outputFolder(out: string | undefined, inputs: string[]): string {
  if (out !== undefined) {
    const dir = resolve(out)
    return usableFolder(dir, `--out ${dir}`, 'the enhanced photos')
  }
  const first = inputs[0]! // with no inputs, the command shows its usage instead
  const dir = besideThePhotos(first, statSync(first, { throwIfNoEntry: false })?.isDirectory() ?? false)
  return usableFolder(dir, `The folder for the enhanced photos, ${dir},`, 'the enhanced photos with --out')
}

export function reporterFor(json: boolean, io: Io): Reporter {
  return json
    ? ndjsonReporter(io.out)
    : humanReporter(io.errRaw ?? ((t) => io.err(t.replace(/\n$/, ''))), io.tty ?? false, io.columns)
}

const PAUSING_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']

/** The engine's device, precision and pixel limit the flags ask for, each refused as the flags' other mistakes are. */
export function engineSettings(flags: BatchFlags): {
  device: DeviceRequest
  precision: PrecisionChoice
  maxPixels: number
} {
  return {
    device: parseDevice(flags.device),
    precision: parsePrecision(flags.precision),
    maxPixels: parseMaxPixels(flags['max-pixels']),
  }
}

/** The engine a run with these flags has: their device, precision and pixel limit (a test's own where it gives one). */
export function engineFor(flags: BatchFlags, hooks: Hooks): EngineClient {
  const { device, precision, maxPixels } = engineSettings(flags)
  const env = { ENHANCE_DEVICE: device, ENHANCE_PRECISION: precision, ENHANCE_MAX_PIXELS: String(maxPixels) }
  return hooks.engine?.(device, precision, maxPixels) ?? new EngineClient(() => forkEngine({ env }))
}

/** `enhance <inputs> --out …` (spec) or `enhance --resume` (null): runs through the durable queue. */
export async function batchCommand(
  spec: JobSpec | null,
  flags: BatchFlags,
  queueDir: string,
  io: Io,
  hooks: Hooks,
): Promise<number> {
  if (flags.watch) checkWatch(spec)
  const engine = engineFor(flags, hooks)
  const session = await openQueue(queueDir, engine, { removeStalePartials }).catch((error: unknown) => {
    engine.close()
    throw error
  })
  if (spec && !spec.recursive) warnAboutSubfolders(spec, io)
  let readerGone = false
  const reporter = reporterFor(flags.json, { ...io, out: (text) => readerGone || io.out(text) })
  // Ctrl-C, a closed terminal and a polite kill (`kill`, Slurm, `docker stop`) pause: the item in flight
  // stops at the next tile, keeping its tiles, and `enhance --resume` picks it up. A second one ends it at once.
  const existing = new Set(session.runner.jobs.map((j) => j.id))
  const stopped: { by?: NodeJS.Signals } = {} // set by a signal's listener
  const watching = new AbortController()
  const interrupt = (signal: NodeJS.Signals): void => {
    stopped.by = signal
    if (session.runner.scanWaitsOnDrive) return endDuringScan(session, reporter, signal, io)
    watching.abort()
    for (const job of session.runner.jobs) session.runner.pause(job.id)
  }
  const unwritable: { error?: EnhanceError } = {}
  const outputFailed = (error: NodeJS.ErrnoException): void => {
    readerGone = true
    // Nobody reads the results any more: this command's new job is cancelled, not left behind half done.
    if (error.code === 'EPIPE')
      for (const job of session.runner.jobs) {
        if (existing.has(job.id)) session.runner.pause(job.id)
        else session.runner.cancel(job.id)
      }
    // A terminal closed: its hang-up (SIGHUP) pauses. Any other failure is the report's file's (a full disk): the
    // report would be cut short, so the work waits, paused, for --resume.
    if (error.code === 'EPIPE' || error.code === 'EIO') return
    unwritable.error ??= reportNotWritten(error)
    watching.abort()
    for (const job of session.runner.jobs) session.runner.pause(job.id)
  }
  for (const signal of PAUSING_SIGNALS) process.once(signal, interrupt)
  const unsubscribe = io.onOutputFailed?.(outputFailed)
  let status: number
  try {
    const summary =
      flags.watch && spec
        ? await watchQueued(session, spec, reporter, {
            signal: watching.signal,
            release: () => engine.close(),
            engine,
          })
        : await runQueued(session, spec, reporter, engine)
    status = summary.failed > 0 || summary.pending > 0 ? 1 : 0
  } finally {
    for (const signal of PAUSING_SIGNALS) process.off(signal, interrupt)
    unsubscribe?.()
    reporter.close()
    // A photo paused part-way is saving its tiles so far, for --resume to pick up.
    await engine.drain()
    closeBoth(session, engine)
  }
  if (unwritable.error) io.err(`error ${unwritable.error.code}: ${unwritable.error.message}`)
  // Stopped by a signal, the command ends by it, its tiles saved: a shell script's loop stops at Ctrl-C too.
  if (!stopped.by) return status
  await io.endBy?.(stopped.by)
  return 128 + constants.signals[stopped.by] // the status a shell gives a command that signal ended
}

/**
 * Stopped while a scan waits on a drive that does not answer, the command ends at once: a scan cannot be stopped
 * part-way, and its job, still "scanning" in the queue, is scanned again by `enhance --resume`.
 */
function endDuringScan(session: QueueSession, reporter: Reporter, signal: NodeJS.Signals, io: Io): void {
  for (const job of session.runner.jobs.filter((j) => j.state === 'scanning'))
    reporter.emit({ event: 'paused', job: job.id, code: 'CANCELLED', message: 'Paused.' })
  reporter.close()
  for (const other of PAUSING_SIGNALS) process.removeAllListeners(other)
  const status = 128 + constants.signals[signal]
  void (io.endBy?.(signal) ?? Promise.resolve()).then(() => process.exit(status))
}

/** The command's report could not be written where it was sent (a file on a full disk). */
function reportNotWritten(error: NodeJS.ErrnoException): EnhanceError {
  return isDiskFull(error)
    ? new EnhanceError(
        'DISK_FULL',
        'The report could not be written: the disk it is sent to is full. The job was paused; free some space there, then run enhance --resume.',
      )
    : new EnhanceError(
        'OUTPUT_NOT_WRITABLE',
        `The report could not be written where it is sent (${error.code ?? error.message}). The job was paused; send it somewhere it can be written, then run enhance --resume.`,
      )
}

/** --watch watches folders for the command's own new job: not a continued queue, nor one shard of an album. */
function checkWatch(spec: JobSpec | null): void {
  const refuse = (why: string) => new EnhanceError('INVALID_ARGUMENT', `--watch ${why}`)
  if (!spec) throw refuse('watches the folders named, so it goes with them, not with --resume.')
  if (spec.shard) throw refuse('and --shard do not go together: run one watch for the folders.')
  if (!hasFolder(spec.inputs))
    throw refuse('watches folders for new photos: name the folder they are saved into.')
}

/**
 * Without --recursive, subfolders are left out: say so once, instead of silently enhancing less. Not of folders
 * --recursive passes by too (earlier results, the output folder, a drive's system folders).
 */
export function warnAboutSubfolders({ inputs, outDir }: JobSpec, io: Io): void {
  const passedAnyway = (name: string, path: string): boolean =>
    isSystemEntry(name) || name === RESULTS_FOLDER || resolve(path) === resolve(outDir)
  for (const input of inputs) {
    const entries = (() => {
      try {
        return readdirSync(input, { withFileTypes: true })
      } catch {
        return [] // a file, or unreadable: the scan reports what matters
      }
    })()
    const folders = entries.filter((e) => {
      const path = join(input, e.name)
      return entryKind(e, path) === 'directory' && !passedAnyway(e.name, path)
    }).length
    if (folders > 0)
      io.err(
        `note: ${input} has ${folders} subfolder${folders === 1 ? '' : 's'}, left out; add --recursive to include them.`,
      )
  }
}

function findJob<T extends { id: string }>(jobs: T[], id: string | undefined, queueDir: string): T {
  const prefix = requireValue(id, 'the job id (or its first characters; see "enhance queue")')
  const matches = jobs.filter((j) => j.id.startsWith(prefix))
  if (matches.length === 1) return matches[0]!
  throw new EnhanceError(
    'INVALID_ARGUMENT',
    matches.length
      ? `${prefix} matches ${matches.length} jobs; give more of its id.`
      : `No job ${prefix} in ${queueDir}. Run "enhance queue" to list them.`,
  )
}

/** The flags `enhance queue` reads: how it reports, and what its commands that choose for photos take. */
interface QueueFlags extends LibraryFlags {
  blend?: string | undefined
  json: boolean
  csv: boolean
  merge: boolean
  mirror: boolean
  'restore-strength'?: string | undefined
}

const CHANGES = new Set([
  'remove',
  'clear',
  'cancel',
  'date',
  'caption',
  'realism',
  'model',
  'turn',
  'repairs',
  'skip',
  'unskip',
])

/**
 * `enhance queue remove <job>`, `clear` (every finished job), `cancel <job>`, `date <job> <date>`,
 * `caption <job> <photo|all> <caption>`, `realism <job> [<photo|folder/>] <realism>`, `turn <job> [<photo|folder/>]
 * <turn> [--mirror]`, `repairs <job> [<photo|folder/>] <repairs>` and `skip`/`unskip <job> <photo|folder/|all>`: they
 * take the queue's lock, so they wait for nothing and refuse (QUEUE_BUSY) while the app or another command runs it.
 */
async function changeQueue(
  sub: string,
  [id, ...rest]: string[],
  flags: QueueFlags,
  queueDir: string,
  io: Io,
  hooks: Hooks,
): Promise<number> {
  // Started only to date or caption photos in place (no model): removing, clearing and cancelling touch only the journal.
  const engine = hooks.engine?.('cpu', 'fp32', DEFAULT_MAX_INPUT_PIXELS) ?? new EngineClient()
  const session = await openQueue(queueDir, engine, { removeStalePartials })
  try {
    const { runner } = session
    if (sub === 'clear') {
      const removed = runner.clearFinished()
      // What is finished and still there after the clear is what it keeps: the jobs the app watches.
      const watched = runner.jobs.filter(isFinished).length
      const kept = watched
        ? ` ${watched} watched by the app ${watched === 1 ? 'stays' : 'stay'}: stop watching there to clear ${watched === 1 ? 'it' : 'them'}.`
        : ''
      io.out(
        `Removed ${removed.length} finished ${removed.length === 1 ? 'job' : 'jobs'}; their photos stay on disk.${kept}`,
      )
      return 0
    }
    const job = findJob(runner.jobs, id, queueDir)
    if (sub === 'date') await dateJob(runner, job, rest, io)
    else if (sub === 'caption') await captionPhotos(runner, job, rest, io)
    else if (sub === 'realism') await chooseRealism(runner, job, rest, io)
    else if (sub === 'model') await chooseModels(runner, job, rest, await modelNaming(flags, engine), io)
    else if (sub === 'turn') await turnPhotos(runner, job, rest, flags.mirror, io)
    else if (sub === 'repairs') await mendPhotos(runner, job, rest, flags['restore-strength'], io)
    else if (sub === 'skip' || sub === 'unskip') skipPhotos(runner, job, rest, sub === 'skip', io)
    else if (sub === 'cancel') {
      runner.cancel(job.id)
      io.out(`Cancelled ${job.id.slice(0, 8)}; photos already enhanced stay.`)
    } else {
      runner.remove(job.id)
      io.out(`Removed ${job.id.slice(0, 8)} from the queue; its photos stay in ${job.spec.outDir}.`)
    }
    return 0
  } finally {
    closeBoth(session, engine)
  }
}

/** How `enhance queue model` names models (as --model and --blend do), and reads them in the engine's process. */
async function modelNaming(flags: QueueFlags, engine: EngineClient): Promise<ModelNaming> {
  const { openStore } = await import('./library.js')
  const store = await openStore(flags)
  return {
    blend: flags.blend,
    installed: (id) => store.installed(id),
    inspect: (path) => engine.inspect(path),
  }
}

/** The engine ends even where the queue's close fails: a live engine process would keep the command from ending. */
function closeBoth(session: QueueSession, engine: EngineClient): void {
  try {
    session.close()
  } finally {
    engine.close()
  }
}

/** `enhance queue report --merge <dirs…>`: the shards of an album as one report, read without locks. */
function mergedReport(dirs: string[], csv: boolean, io: Io): number {
  if (dirs.length === 0)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      'Name the queue folders to merge: enhance queue report --merge <dir>...',
    )
  const states = dirs.map((dir) => {
    if (!existsSync(dir))
      throw new EnhanceError('FILE_NOT_FOUND', `${dir} is not a queue folder: it does not exist.`)
    return readQueueState(dir)
  })
  const jobOf = (jobId: string) => states.find((state) => state.jobs.has(jobId))?.jobs.get(jobId)
  if (csv) io.out(exportItems(states.flatMap(queueItems), 'csv', jobOf).trimEnd())
  else io.out(JSON.stringify(mergeReports(states), null, 2))
  return 0
}

/**
 * `enhance queue` lists jobs; `report <job>` exports every item of one; `date`, `caption`, `realism`, `turn`,
 * `repairs`, `remove`, `clear`, `cancel` change it.
 */
export async function queueCommand(
  args: string[],
  flags: QueueFlags,
  queueDir: string,
  io: Io,
  hooks: Hooks = {},
): Promise<number> {
  const [sub, id] = args
  if (sub === 'report' && flags.merge) return mergedReport(args.slice(1), flags.csv, io)
  if (sub !== undefined && CHANGES.has(sub))
    return changeQueue(sub, args.slice(1), flags, queueDir, io, hooks)
  if (sub !== undefined && sub !== 'report') {
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `"enhance queue ${sub}" is not a command: use report <job>, date <job> <date>, caption <job> <photo|all> <caption>, realism <job> <realism>, model <job> <model>, turn <job> <turn>, repairs <job> <repairs>, remove <job>, cancel <job> or clear.`,
    )
  }
  // Read-only and unlocked: it shows the queue even while the app or another command runs it.
  const state = readQueueState(queueDir)
  const jobs = state.orderedJobs()
  if (sub === 'report') {
    const job = findJob(jobs, id, queueDir)
    io.out(exportItems(state.itemsOf(job.id), flags.csv ? 'csv' : 'json', (jobId) => state.jobs.get(jobId)))
    return 0
  }
  const catalog = readCatalog(MODELS_DIR)
  const reports = jobs.map((job) => {
    const items = state.itemsOf(job.id)
    const models = modelWords(MODELS_DIR, catalog, jobModel(job))
    return {
      ...jobReport(job, items),
      outDir: job.spec.outDir,
      inputs: job.spec.inputs,
      ...(models ? { models } : {}),
      ...(job.watching ? { watching: true } : {}),
      chosen: jobChosen(job, items),
      size: job.spec.settings.size,
    }
  })
  if (flags.json) io.out(JSON.stringify(reports))
  else if (reports.length === 0) io.out(`The queue in ${queueDir} is empty.`)
  else {
    for (const r of reports) {
      const c = r.counts
      const why = r.pauseReason ? ` (${r.pauseReason.code})` : ''
      const watched = r.watching ? ', watched by the app' : ''
      const said = [...(r.models ? [printable(r.models)] : []), ...madeWords(r.chosen, r.size)]
      const chosen = said.length ? `  (${said.join(' · ')})` : ''
      io.out(
        `${r.id.slice(0, 8)}  ${r.state}${why}${watched}  ${c.done} done, ${c.failed} failed, ${c.skipped} skipped, ${c.queued} queued  → ${r.outDir}${chosen}`,
      )
    }
  }
  return 0
}
