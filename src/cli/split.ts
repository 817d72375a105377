import { dirname, resolve } from 'node:path'
import { EngineClient, forkEngine } from '../engine/client.js'
import type { ReadLimits } from '../engine/image/types.js'
import { isFolder, pathKey } from '../node/file-access.js'
import { PRINTS_FOLDER, besideThePhotos, outputPath, scanInputs } from '../queue/scan.js'
import type { InputFile } from '../queue/scan.js'
import { EnhanceError, toErrorData } from '../shared/errors.js'
import type { ErrorData } from '../shared/errors.js'
import { formatForInput } from '../shared/formats.js'
import type { OutputFormat } from '../shared/formats.js'
import { printable } from '../shared/printable.js'
import type { WrittenPrint } from '../shared/protocol.js'
import type { Hooks, Io } from './jobs.js'
import { withFlagRemedy } from './remedies.js'

export interface SplitOptions {
  inputs: string[]
  out?: string | undefined
  format: OutputFormat | 'same'
  recursive: boolean
  overwrite: boolean
  json: boolean
  /** As for enhancing: the decoder's pixel limit, and whether a damaged scan is read as far as it goes. */
  limits: ReadLimits
}

type SplitEvent =
  { event: 'split'; scan: string; prints: WrittenPrint[] } | ({ event: 'failed'; scan: string } & ErrorData)

/**
 * `enhance split`: each scan of several prints laid on a scanner's glass becomes one file per print, cut out and
 * straightened, in reading order, into --out (a "Prints" folder beside the scans by default), its folders mirrored.
 * The scans themselves are only read. Each is split in the engine process, under its deadline: a scan that hangs the
 * decoder or brings the process down fails alone, and the next is split by a fresh engine.
 */
export async function splitCommand(options: SplitOptions, io: Io, hooks: Hooks = {}): Promise<number> {
  const first = options.inputs[0]
  if (first === undefined)
    throw new EnhanceError('INVALID_ARGUMENT', 'Name the scans to split, or a folder of them.')
  const outDir = options.out ?? besideThePhotos(first, await isFolder(first), PRINTS_FOLDER)
  const tally = { scans: 0, failed: 0, prints: 0 }
  const found: InputFile[] = []
  for await (const file of scanInputs(options.inputs, options.recursive, { count: 0 }, outDir))
    found.push(file)
  const existing = options.overwrite ? ('replace' as const) : ('refuse' as const)
  const { maxPixels, readDamaged } = options.limits
  const engine =
    hooks.engine?.('cpu', 'auto', maxPixels) ??
    new EngineClient(() => forkEngine({ env: { ENHANCE_MAX_PIXELS: String(maxPixels) } }))
  try {
    for (const file of found) {
      tally.scans++
      const format = formatForInput(options.format, file.path)
      const base = outputPath(outDir, file, format)
      const files = { base, format, existing, scans: scansIn(dirname(base), found) }
      try {
        const prints = await engine.split(file.path, files, { readDamaged })
        tally.prints += prints.length
        report(io, options.json, { event: 'split', scan: file.path, prints })
      } catch (error) {
        tally.failed++
        report(io, options.json, { event: 'failed', scan: file.path, ...withFlagRemedy(toErrorData(error)) })
      }
    }
  } finally {
    engine.close()
  }
  if (tally.scans === 0)
    throw new EnhanceError(
      'NO_PHOTOS',
      'No scans were found in what was named: name image files or folders of them.',
    )
  if (options.json) io.out(JSON.stringify({ event: 'summary', ...tally, out: outDir }))
  else
    io.out(
      `${tally.prints} prints from ${tally.scans - tally.failed} of ${tally.scans} scans, in ${printable(outDir)}`,
    )
  return tally.failed > 0 ? 1 : 0
}

/** The scans that lie in `folder`: the prints written there must never replace one. */
function scansIn(folder: string, scans: InputFile[]): string[] {
  const key = pathKey(resolve(folder))
  return scans.map((scan) => scan.path).filter((path) => pathKey(resolve(dirname(path))) === key)
}

function report(io: Io, json: boolean, event: SplitEvent): void {
  if (json) io.out(JSON.stringify(event))
  else if (event.event === 'failed')
    io.err(`✗ ${printable(event.scan)}: error ${event.code}: ${printable(event.message)}`)
  else {
    io.out(
      `${printable(event.scan)}: ${event.prints.length} ${event.prints.length === 1 ? 'print' : 'prints'}`,
    )
    for (const print of event.prints)
      io.out(`  → ${printable(print.output)} (${print.width}×${print.height}, ${turnText(print.turned)})`)
  }
}

function turnText(degrees: number): string {
  if (degrees === 0) return 'straight'
  return `straightened by ${Math.abs(degrees)}° ${degrees > 0 ? 'anticlockwise' : 'clockwise'}`
}
