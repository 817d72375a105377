import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { closest, distance } from 'fastest-levenshtein'
import { defaultQueueDir, shardQueueDir } from '../queue/paths.js'
import { EnhanceError, toErrorData } from '../shared/errors.js'
import {
  parseFormat,
  parseMaxPixels,
  parseRealism,
  parseDevice,
  parsePrecision,
  requireValue,
  usableFolder,
} from './args.js'
import { batchCommand, engineFor, engineSettings, jobSpecFromFlags, queueCommand } from './jobs.js'
import type { Hooks, Io } from './jobs.js'
import type { LibraryFlags } from './library.js'
import { DEFAULT_NIQE_PARAMS, MODELS_DIR, packageRoot, resolveModelSpec } from './models.js'
import type { InstalledLookup } from './models.js'
import { withFlagRemedy } from './remedies.js'
import { printableLines } from './printable.js'
import { duration } from './report.js'
import type { BatchEvent } from './report.js'
import { firstLooks } from '../node/drive-watch.js'
import { refuseMissing } from '../node/file-access.js'
import { driveWaitText } from '../shared/drive-wait.js'
import { printable } from '../shared/printable.js'
import { expandWildcards, refuseStrayQuotes } from './wildcards.js'

export type { Hooks, Io } from './jobs.js'

const USAGE = `enhance — ESRGAN photo enhancer

Usage:
  enhance <files|folders...> [--out <dir>] [--model <name|id|file>]
          [--blend <name|id|file>] [--alpha <0..1>]
          [--scale <n> | --size <WxH> | --fit <WxH>
           | --print <size> [--dpi <n>] [--fill | --border]]
          [--format png|jpg|webp|avif|tiff|same] [--quality <1..100>]
          [--tile <px|auto>] [--device auto|cpu|cuda|dml|coreml|webgpu]
          [--precision auto|fp32|fp16|int8] [--recursive]
          [--skip-existing | --overwrite] [--suffix] [--naming <template>]
          [--alpha-channel lanczos|model] [--background <colour>]
          [--metadata all|profile|none] [--read-damaged] [--restore-colours]
          [--restore-strength <0.1..1>] [--remove-dust] [--remove-scratches]
          [--turn 90|180|270|right|left] [--mirror] [--taken <date>]
          [--caption <text>] [--max-pixels <n>] [--queue-dir <dir>]
          [--shard <k>/<n>|auto] [--watch] [--dry-run] [--json]
      Enhance photos into --out (by default an "Enhanced" folder beside them,
      inside a folder named, as the app does), mirroring folders, through the
      durable queue; only this new job runs (other unfinished jobs wait for
      --resume or the app). Existing outputs are skipped unless --overwrite
      (replace) or --suffix (add _2). --naming takes {name}, {scale}, {size},
      {alpha}, {model}.
      --dry-run lists each photo and the file it would be enhanced into (or why
      it is skipped) and how long it would take here, and enhances and writes
      nothing: a check before a long album.
      --print 8x10 (inches; 10x15cm, letter, a4, a3 too) fits the photo within
      that print, turned to its orientation and never cropped (--fill: the whole
      print, the photo's edges cut to its shape; --border: the whole print, the
      whole photo on white), at --dpi pixels per inch (300 unless said), and the
      file says that dpi.
      --metadata profile drops EXIF/XMP (camera, GPS) but keeps the colour
      profile; none writes plain sRGB.
      --read-damaged enhances a cut-short or damaged photo as far as it can be
      read (the rest grey or black, as photo viewers show it) instead of
      refusing it (PARTIAL_IMAGE).
      --restore-colours restores a faded print's colours first: its darkest and
      lightest taken toward neutral black and white, its nearly grey midtones
      toward grey, halfway unless --restore-strength says (0.1 a touch, 1 all
      the way; for old prints: a photo whose colours are right changes too).
      --remove-dust fills specks of dust first: small light or dark blobs on a
      smooth surround (up to 0.5 mm at the scan's dpi, else 1/300 of the shorter
      side); texture and lines are left (a catchlight goes too).
      --remove-scratches fills scratches and hairs first: thin light or dark
      lines (up to 0.25 mm wide, from 1 mm long, straight, bent or curled) where
      their surround is smooth (a power line across a sky goes too).
      --turn 90 turns every photo a quarter clockwise (right; 270 or left:
      anticlockwise; 180: upside down) once its own orientation stands it
      upright: prints laid sideways on a scanner (the app: ⟲ ⟳ in the queue).
      --mirror mirrors every photo left to right (before --turn): slides or
      negatives scanned from the wrong side, a selfie the phone mirrored (the
      app: ⇆ in the queue).
      --taken 1962 says every photo was taken then (1962-07, 1962-07-14 or
      1962-07-14 15:30 too): its EXIF and XMP say it, and so does the file's
      date, so photo libraries sort an album's scans by it, not by the scan day.
      --taken names dates each photo as its file's name or its folders say
      (1962/, Wedding 1958-06-14/).
      --caption "Grandma at the lake" writes that under every photo: its XMP and
      EXIF describe it so, where photo libraries show a caption (the app:
      Caption… on a photo, each its own).
      --caption names writes under each photo what its file's name or its
      folders say, without dates and the words cameras and scanners name files
      with (1962 Grandma at the lake.jpg, Lake Como 1962/IMG_0001.jpg).
      With no --model the bundled pair is used and --alpha moves from faithful
      (0) to realistic (1).
      --shard k/n runs the k-th (from 0) of n shares of the photos, chosen by a
      hash of their paths, so n processes (a Kubernetes Indexed Job, a Slurm
      array: --shard auto) share an album; each keeps its queue in
      <out>/.enhance-shards/<k>, and running the same command again continues
      it.
      --watch keeps going after the folders' photos: each new photo saved into
      them (a scanner's, a phone's synced) is enhanced once it has stopped
      changing for 2 s, until Ctrl-C.
  enhance --version
      Print the version.
  enhance --resume
      Continue every unfinished job in the queue (after Ctrl-C, a crash, a full
      disk, or queued by the app).
  enhance queue [report <job-id> [--csv]
                | date <job-id> [<photo|folder/>] <date|names|none>
                | caption <job-id> <photo|folder/|all> <text|names|none>
                | realism <job-id> [<photo|folder/>] <0..1>
                | model <job-id> <name|id|file> [--blend <name|id|file>]
                | turn <job-id> [<photo|folder/>] <right|left|180|upright>
                  [--mirror]
                | repairs <job-id> [<photo|folder/>]
                  <colours,dust,scratches|none> [--restore-strength <0.1..1>]
                | skip <job-id> <photo|folder/|all>
                | unskip <job-id> <photo|folder/|all>
                | remove <job-id> | cancel <job-id> | clear]
      List the queue's jobs and their states, or export one job's items as JSON
      or CSV; say when a job's photos were taken (one photo's, by its file name
      or the end of its path; one folder's, by the end of its path and a /; as
      --taken: enhanced ones are dated in place, not enhanced again); write what
      is under one photo, a folder's, or all (as --caption, in place too);
      choose the realism one photo, a folder's or all are enhanced at (0.8 or
      80%), the models all are enhanced with (as --model and --blend name them:
      enhance-psnr-x4 for the pair for clean, sharp originals), how they lie
      (as --turn and --mirror; upright undoes both), or what is mended first
      (as --restore-colours, --remove-dust, --remove-scratches): done ones wait
      to be enhanced again so at the next --resume; skip photos waiting to be
      enhanced (unskip puts them back); remove a job, cancel one, or clear
      every finished job (outputs stay on disk). Job ids may be shortened.
  enhance queue report --merge <queue-dir>... [--csv]
      One report over several queues (the shards of an album): counts and
      failures with their codes as JSON, or every photo as CSV.
  enhance models [list | download <id> | remove <id>] [--catalog <file>...]
          [--models-dir <dir>] [--json]
      The bundled models, and the catalogue's models with their state (installed
      or available), size and licence. download fetches over HTTPS, checks size
      and SHA-256 and the file itself, then installs it into the app's models
      folder (or --models-dir, or $ENHANCE_MODELS_DIR); an installed model is
      used by its id: --model <id>, --blend <id>. --catalog adds catalogue files
      in OpenModelDB's entry format.
  enhance split <scans|folders...> [--out <dir>]
          [--format png|jpg|webp|avif|tiff|same] [--recursive] [--overwrite]
          [--read-damaged] [--max-pixels <n>] [--json]
      Cut each print out of a scan of several laid on a scanner's glass,
      straightened, one file per print in reading order (scan-1.png,
      scan-2.png…) into --out (by default a "Prints" folder beside them), PNG
      unless --format says; then enhance that folder. The scans are only read.
  enhance inspect <checkpoint>
      Print the detected architecture of a .pth, .safetensors or .onnx model as
      one JSON object.
  enhance convert <checkpoint> --out <file.onnx>
          [--blend <checkpoint> --alpha <0..1>] [--fp16] [--overwrite]
      Write an ONNX model (opset 17, dynamic size); with --blend the weights are
      interpolated. An existing --out is replaced only with --overwrite, and
      never one of the models being converted.
  enhance eval <dataset-dir> [--model <name|file>]
          [--blend <name|file> --alpha <0..1>] [--alpha-sweep]
          [--precision fp32|int8] [--niqe-params <file>] [--json]
      PSNR and SSIM (Y channel, 4-px border shaved) and NIQE on <dir>/HR and
      <dir>/LR_bicubic_x4, next to bicubic. --alpha-sweep prints the
      perception–distortion table for α = 0, 0.2, … 1.

Errors print "error <CODE>: <what to do>". The exit status is 1 when anything
failed.`

const defaultIo: Io = {
  // On a terminal, names are shown, not acted on; piped or redirected (JSON, CSV), the bytes are kept.
  out: (text) => process.stdout.write(`${process.stdout.isTTY ? printableLines(text) : text}\n`),
  err: (text) => process.stderr.write(`${process.stderr.isTTY ? printableLines(text) : text}\n`),
  errRaw: (text) => process.stderr.write(text),
  // A terminal that does not redraw (Emacs' shell, TERM=dumb) shows "\r\x1b[2K" as it is: plain lines there.
  tty: process.stderr.isTTY && process.env['TERM'] !== 'dumb',
  columns: () => process.stderr.columns,
  onOutputFailed: (listener) => {
    for (const stream of [process.stdout, process.stderr]) stream.on('error', listener)
    return () => {
      for (const stream of [process.stdout, process.stderr]) stream.off('error', listener)
    }
  },
  endBy,
}

/**
 * Ends this process by the signal that stopped it, as a program that cleans up on a signal should: its shell
 * sees it ended so, and stops a script's loop at Ctrl-C. It skips Node's exit-time terminal reset, which
 * aborts when the terminal has been closed (nodejs/node#51519). Windows has no such signals: the status says it.
 */
async function endBy(signal: NodeJS.Signals): Promise<void> {
  if (process.platform === 'win32') return
  // A closed terminal fails the write (EIO): that is its end too.
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise((done) => {
      stream.once('error', done)
      stream.write('', done)
    })
  await Promise.all([flushed(process.stdout), flushed(process.stderr)])
  process.kill(process.pid, signal)
}

export const OPTIONS = {
  out: { type: 'string', short: 'o' },
  model: { type: 'string', short: 'm' },
  blend: { type: 'string' },
  alpha: { type: 'string' },
  scale: { type: 'string' },
  size: { type: 'string' },
  fit: { type: 'string' },
  print: { type: 'string' },
  dpi: { type: 'string' },
  fill: { type: 'boolean' },
  border: { type: 'boolean' },
  format: { type: 'string' },
  quality: { type: 'string' },
  tile: { type: 'string' },
  precision: { type: 'string' },
  device: { type: 'string' },
  background: { type: 'string' },
  metadata: { type: 'string' },
  'alpha-channel': { type: 'string' },
  recursive: { type: 'boolean', short: 'r', default: false },
  'read-damaged': { type: 'boolean', default: false },
  'restore-colours': { type: 'boolean', default: false },
  'restore-strength': { type: 'string' },
  turn: { type: 'string' },
  mirror: { type: 'boolean', default: false },
  taken: { type: 'string' },
  caption: { type: 'string' },
  'remove-dust': { type: 'boolean', default: false },
  'remove-scratches': { type: 'boolean', default: false },
  'skip-existing': { type: 'boolean', default: false },
  overwrite: { type: 'boolean', default: false },
  suffix: { type: 'boolean', default: false },
  naming: { type: 'string' },
  resume: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  'queue-dir': { type: 'string' },
  shard: { type: 'string' },
  merge: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  'alpha-sweep': { type: 'boolean', default: false },
  'niqe-params': { type: 'string' },
  fp16: { type: 'boolean', default: false },
  catalog: { type: 'string', multiple: true },
  'models-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
  'max-pixels': { type: 'string' },
} as const

async function dispatch(argv: string[], io: Io, hooks: Hooks): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS })
  const [command, target] = positionals
  if (values.version) {
    io.out(version())
    return 0
  }
  if (values.help || (!command && !values.resume)) {
    io.out(USAGE)
    return 0
  }
  refuseDryRunWith(command, values)
  // Each command loads what it needs: a batch's process only queues and talks to the engine's.
  if (command === 'inspect') {
    const { inspectCommand } = await import('./inspect.js')
    io.out(JSON.stringify(await inspectCommand(requireValue(target, 'the checkpoint to inspect'))))
    return 0
  }
  if (command === 'convert') {
    const { convertCommand } = await import('./convert.js')
    const result = await convertCommand({
      checkpoint: requireValue(target, 'the checkpoint to convert'),
      out: requireValue(values.out, '--out <file.onnx>'),
      ...(values.blend ? { blend: values.blend } : {}),
      realism: parseRealism(values.alpha) ?? 1,
      precision: values.fp16 ? 'fp16' : 'fp32',
      overwrite: values.overwrite,
    })
    io.out(JSON.stringify(result))
    return 0
  }
  if (command === 'split') {
    const { splitCommand } = await import('./split.js')
    const split = {
      inputs: positionals.slice(1),
      out: values.out,
      format: values.format === undefined ? ('png' as const) : parseFormat(values.format),
      recursive: values.recursive,
      overwrite: values.overwrite,
      json: values.json,
      limits: { maxPixels: parseMaxPixels(values['max-pixels']), readDamaged: values['read-damaged'] },
    }
    return splitCommand(split, io, hooks)
  }
  if (command === 'models') {
    const { modelsCommand } = await import('./library.js')
    return modelsCommand(positionals.slice(1), values, io)
  }
  const installed = await installedModels(values)
  if (command === 'eval') {
    const realism = parseRealism(values.alpha)
    const spec = resolveModelSpec(
      {
        ...(values.model ? { model: values.model } : {}),
        ...(values.blend ? { blend: values.blend } : {}),
        ...(realism !== undefined ? { realism } : {}),
      },
      MODELS_DIR,
      installed,
    )
    const [{ evalCommand }, { loadNiqeModel }] = await Promise.all([
      import('./eval.js'),
      import('../engine/metrics/niqe.js'),
    ])
    const niqeModel = await loadNiqeModel(values['niqe-params'] ?? DEFAULT_NIQE_PARAMS).catch(
      (error: unknown) => {
        if (values['niqe-params']) throw error
        io.err(`note: NIQE skipped, no pristine model at ${DEFAULT_NIQE_PARAMS} (use --niqe-params)`)
        return undefined
      },
    )
    const options = {
      json: values.json,
      device: parseDevice(values.device),
      precision: values.precision === undefined ? ('fp32' as const) : parsePrecision(values.precision),
      alphaSweep: values['alpha-sweep'],
      ...(niqeModel ? { niqe: niqeModel } : {}),
    }
    await evalCommand(requireValue(target, 'the dataset folder'), spec, options, io.out)
    return 0
  }
  if (command === 'queue')
    return queueCommand(
      positionals.slice(1),
      values,
      queueFolderOf(values['queue-dir'], defaultQueueDir()),
      io,
      hooks,
    )
  if (values.resume)
    return batchCommand(null, values, queueFolderOf(values['queue-dir'], defaultQueueDir()), io, hooks)
  await waitForDrives([...positionals, ...(values.out ? [values.out] : [])], values.json, io)
  if (command) refuseMistypedCommand(command)
  const inputs = await expandWildcards(refuseStrayQuotes(positionals, hooks.platform), hooks.platform)
  const spec = jobSpecFromFlags(inputs, values, installed)
  engineSettings(values) // a flag's mistake is said first, then a missing photo, before the queue is waited on
  refuseMissing(inputs)
  const fallback = spec.shard ? shardQueueDir(spec.outDir, spec.shard) : defaultQueueDir()
  const queueDir = queueFolderOf(values['queue-dir'], fallback)
  if (values['dry-run']) {
    const { dryRun } = await import('./dry-run.js')
    return dryRun(spec, queueDir, { json: values.json, engine: engineFor(values, hooks) }, io)
  }
  return batchCommand(spec, values, queueDir, io, hooks)
}

/** The queue's folder; one that cannot be a folder is refused before anything is queued. */
function queueFolderOf(asked: string | undefined, fallback: string): string {
  const dir = asked ?? fallback
  return usableFolder(dir, `The queue folder ${dir} (--queue-dir)`, 'the queue')
}

/** Installed catalogue models by id, read only when --model or --blend could name one. */
async function installedModels(
  values: LibraryFlags & { model?: string; blend?: string },
): Promise<InstalledLookup> {
  if (!values.model && !values.blend) return () => null
  const { openStore } = await import('./library.js')
  const store = await openStore(values)
  return (id) => store.installed(id)
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  return `enhance ${pkg.version}`
}

/** Node's argument errors in a person's words: it speaks of "--" separators and '<value>' placeholders. */
function parseProblem(message: string, argv: string[]): string | null {
  return photoTakenForOption(argv) ?? unknownOption(message) ?? missingValue(message)
}

/** A photo whose name begins with "-" (`-1.jpg`, `--draft.png`) reads as options: said so, with how to name it. */
function photoTakenForOption(argv: string[]): string | null {
  const end = argv.indexOf('--')
  const photo = (end < 0 ? argv : argv.slice(0, end)).find(
    (arg) => /^-./.test(arg) && statSync(arg, { throwIfNoEntry: false })?.isFile(),
  )
  return photo === undefined
    ? null
    : `${photo} is a file, but its name begins with "-", so it reads as an option. Name it ./${photo}, or after -- (enhance --out dir -- ${photo}).`
}

function missingValue(message: string): string | null {
  const [, flag, ambiguous] =
    /Option '(?:-\w, )?(--[\w-]+)[^']*' argument (?:(is ambiguous)|missing)/.exec(message) ?? []
  if (!flag) return null
  return ambiguous
    ? `${flag} needs a value, and what follows it begins with "-". Write ${flag}=<value> for a value that begins with "-"; run "enhance --help" for usage.`
    : `${flag} needs a value. Run "enhance --help" for usage.`
}

/** Node's message for an unknown flag says to put it after "--"; a person meant a flag that exists. */
function unknownOption(message: string): string | null {
  const name = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1]
  if (!name) return null
  const flags = Object.keys(OPTIONS).map((o) => `--${o}`)
  const guess = closest(name.startsWith('--') ? name : `-${name}`, flags)
  return distance(name, guess) <= 2
    ? `Unknown option ${name}. Did you mean ${guess}?`
    : `Unknown option ${name}. Run "enhance --help" for the options.`
}

/**
 * The photos and folders named, and the output folder, looked at once before anything else looks at them (and holds
 * the command): one on a drive that hangs (a NAS whose server froze) is said, not waited on in silence.
 */
async function waitForDrives(paths: string[], json: boolean, io: Io): Promise<void> {
  await firstLooks(paths, ({ folder, since }) => {
    const ms = Date.now() - since
    const waiting: BatchEvent = { event: 'waiting', folder, ms }
    if (json) io.out(JSON.stringify(waiting))
    else io.err(`‖ Waiting: ${driveWaitText(printable(folder), `for ${duration(ms)}`)}; Ctrl-C stops.`)
  })
}

const COMMANDS = ['convert', 'eval', 'inspect', 'models', 'queue', 'split']

/**
 * --dry-run says what enhancing photos would do; with anything else (the queue's commands, split, --resume) it would be
 * ignored, and what was to be only looked at would be done: refused.
 */
function refuseDryRunWith(
  command: string | undefined,
  values: { 'dry-run': boolean; resume: boolean; watch: boolean },
) {
  if (!values['dry-run']) return
  const other =
    command && COMMANDS.includes(command)
      ? `"enhance ${command}"`
      : values.resume
        ? '--resume'
        : values.watch
          ? '--watch'
          : null
  if (other)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `--dry-run says what enhancing photos would do (enhance <photos|folders> --dry-run); it does not go with ${other}, which it would not stop.`,
    )
}

/**
 * A first word that is no file here but nearly a command (`enhance modles list`) was meant as the command:
 * said so, instead of enhancing a photo of that name that is not there.
 */
function refuseMistypedCommand(first: string): void {
  if (/[./\\]/.test(first) || existsSync(first)) return
  const guess = closest(first, COMMANDS)
  if (distance(first, guess) <= 2)
    throw new EnhanceError('INVALID_ARGUMENT', `Unknown command "${first}". Did you mean "enhance ${guess}"?`)
}

/** Runs the CLI and returns its exit status; every failure is printed as a coded error. */
export async function main(argv: string[], io: Io = defaultIo, hooks: Hooks = {}): Promise<number> {
  try {
    return await dispatch(argv, io, hooks)
  } catch (error) {
    const data = toErrorData(error)
    const parse = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    const message = (parse && parseProblem((error as Error).message, argv)) || withFlagRemedy(data).message
    io.err(`error ${parse ? 'INVALID_ARGUMENT' : data.code}: ${message}`)
    return 1
  }
}
