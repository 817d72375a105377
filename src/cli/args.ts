import { DEFAULT_MAX_INPUT_PIXELS, OUTPUT_FORMATS } from '../shared/formats.js'
import type { OutputFormat } from '../shared/formats.js'
import { EnhanceError } from '../shared/errors.js'
import { namingProblem } from '../shared/naming.js'
import { DEFAULT_PRINT_DPI, PRINT_DPI_RANGE, PRINT_SIZES, parsePrintSize } from '../shared/print-size.js'
import { folderProblem, writeProblem } from '../node/make-directory.js'
import { isColour, isRealism } from '../shared/settings-schema.js'
import { PRECISION_CHOICES } from '../shared/model.js'
import type { PrecisionChoice } from '../shared/model.js'
import {
  DEFAULT_RESTORE_STRENGTH,
  METADATA_POLICIES,
  RESTORE_STRENGTHS,
  isQuality,
  isRestoreStrength,
  isTileSize,
} from '../shared/settings.js'
import type { EnhanceSettings, MetadataPolicy, SizeSpec } from '../shared/settings.js'
import { DEFAULT_SETTINGS } from '../shared/settings.js'
import { isDeviceRequest } from '../engine/runtime/providers.js'
import type { DeviceRequest } from '../engine/runtime/providers.js'
import { parseTurn } from '../shared/turn.js'
import type { QuarterTurn } from '../shared/turn.js'
import { readTaken } from '../shared/taken.js'
import { readCaption } from '../shared/caption.js'

export function invalid(message: string): EnhanceError {
  return new EnhanceError('INVALID_ARGUMENT', `${message} Run "enhance --help" for usage.`)
}

export function parseRealism(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const realism = Number(text)
  if (text.trim() === '' || !isRealism(realism)) {
    throw invalid(`--alpha must be a number from 0 to 1; got "${text}".`)
  }
  return realism
}

export function requireValue(value: string | undefined, what: string): string {
  if (!value) throw invalid(`Missing ${what}.`)
  return value
}

function parseBox(text: string, flag: string): { width: number; height: number } {
  const match = /^(\d+)[x×](\d+)$/i.exec(text.trim())
  const width = Number(match?.[1])
  const height = Number(match?.[2])
  if (!match || width < 1 || height < 1)
    throw invalid(`${flag} takes WIDTHxHEIGHT, like 3840x2160; got "${text}".`)
  return { width, height }
}

export interface SizeFlags {
  scale?: string | undefined
  size?: string | undefined
  fit?: string | undefined
  print?: string | undefined
  dpi?: string | undefined
  fill?: boolean | undefined
  border?: boolean | undefined
}

export function parseSize(flags: SizeFlags): SizeSpec {
  const given = [flags.scale, flags.size, flags.fit, flags.print].filter((v) => v !== undefined)
  if (given.length > 1) throw invalid('Use only one of --scale, --size, --fit and --print.')
  const printOnly = (
    [
      ['--fill', flags.fill],
      ['--border', flags.border],
      ['--dpi', flags.dpi !== undefined],
    ] as const
  ).find(([, said]) => said)?.[0]
  if (printOnly && flags.print === undefined)
    throw invalid(`${printOnly} goes with --print (a print's size): add --print, like --print 8x10.`)
  if (flags.fill && flags.border)
    throw invalid(
      'Use --fill (the print filled, the photo cut to its shape) or --border (the whole photo on white), not both.',
    )
  if (flags.print !== undefined)
    return parsePrint(flags.print, flags.dpi, { fill: flags.fill ?? false, border: flags.border ?? false })
  if (flags.scale !== undefined) {
    const scale = Number(flags.scale)
    if (!Number.isFinite(scale) || scale <= 0 || scale > 16)
      throw invalid(`--scale must be a number above 0 and at most 16; got "${flags.scale}".`)
    return { mode: 'scale', scale }
  }
  if (flags.size !== undefined) return { mode: 'exact', ...parseBox(flags.size, '--size') }
  if (flags.fit !== undefined) return { mode: 'fit', ...parseBox(flags.fit, '--fit') }
  return { mode: 'native' }
}

function parsePrint(
  text: string,
  dpiText: string | undefined,
  { fill, border }: { fill: boolean; border: boolean },
): SizeSpec {
  const size = parsePrintSize(text)
  if (!size)
    throw invalid(
      `--print takes a print size in inches (8x10), centimetres (10x15cm) or by name (${PRINT_SIZES.map((s) => s.key).join(', ')}); got "${text}".`,
    )
  const dpi = dpiText === undefined ? DEFAULT_PRINT_DPI : Number(dpiText)
  const [least, most] = PRINT_DPI_RANGE
  if (!Number.isInteger(dpi) || dpi < least || dpi > most)
    throw invalid(
      `--dpi must be a whole number from ${least} to ${most} (photo prints: 300); got "${dpiText}".`,
    )
  return { mode: 'print', ...size, dpi, ...(fill ? { fill } : {}), ...(border ? { border } : {}) }
}

export function parseFormat(text: string | undefined): EnhanceSettings['format'] {
  if (text === undefined) return DEFAULT_SETTINGS.format
  const name =
    text.toLowerCase() === 'jpg' ? 'jpeg' : text.toLowerCase() === 'tif' ? 'tiff' : text.toLowerCase()
  if (name === 'same' || (OUTPUT_FORMATS as readonly string[]).includes(name))
    return name as OutputFormat | 'same'
  throw invalid(`--format must be one of png, jpg, webp, avif, tiff or same; got "${text}".`)
}

/**
 * A folder the command will make or use, refused before any work when it cannot be one: `named` is how the
 * user gave it ("--out /x"), `holds` what it is for ("the enhanced photos").
 */
export function usableFolder(dir: string, named: string, holds: string): string {
  const shape = folderProblem(dir)
  const write = shape ? null : writeProblem(dir)
  const problem = shape ?? write
  if (problem)
    throw new EnhanceError(
      write ? 'OUTPUT_NOT_WRITABLE' : 'INVALID_ARGUMENT',
      `${named} ${problem}. Name a folder for ${holds} (it is made if missing).`,
    )
  return dir
}

export function parseBackground(text: string | undefined): string {
  if (text === undefined) return DEFAULT_SETTINGS.background
  if (!isColour(text)) throw invalid(`--background must be a colour, like #ffffff or white; got "${text}".`)
  return text
}

export function parseNaming(text: string | undefined): string {
  if (text === undefined) return '{name}'
  const problem = namingProblem(text)
  if (problem) throw invalid(`--naming "${text}" ${problem}.`)
  return text
}

export function parseQuality(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SETTINGS.quality
  const quality = Number(text)
  if (!isQuality(quality)) throw invalid(`--quality must be a whole number from 1 to 100; got "${text}".`)
  return quality
}

/** `--restore-strength`: how far faded colours are restored (the default when not given). */
export function parseRestoreStrength(text: string | undefined): number {
  if (text === undefined) return DEFAULT_RESTORE_STRENGTH
  const strength = Number(text)
  if (text.trim() === '' || !isRestoreStrength(strength))
    throw invalid(
      `--restore-strength must be a number from ${RESTORE_STRENGTHS[0]} (a touch) to ${RESTORE_STRENGTHS[1]} (all the way); got "${text}".`,
    )
  return strength
}

/** `--turn`: a quarter turn clockwise for every photo (none when not given). */
export function parseTurnFlag(text: string | undefined): QuarterTurn {
  if (text === undefined) return 0
  const turn = parseTurn(text)
  if (turn === null)
    throw invalid(`--turn takes 90, 180 or 270 (degrees clockwise), or right or left; got "${text}".`)
  return turn
}

/**
 * `--taken`: when every photo was taken, as kept, or `names` for each the date its name or folders say; said in the
 * job's settings only when given.
 */
export function parseTakenFlag(
  text: string | undefined,
  now = new Date(),
): Pick<EnhanceSettings, 'taken' | 'takenFromNames'> {
  if (text === undefined) return {}
  if (text.trim().toLowerCase() === 'names') return { takenFromNames: true }
  const read = readTaken(text, now)
  if ('problem' in read)
    throw invalid(`--taken: ${read.problem} Or say names: each photo's name or folder says it.`)
  return { taken: read.taken }
}

/**
 * `--caption`: what is written under every photo, as kept, or `names` for each what its name or folders say; said in
 * the job's settings only when given.
 */
export function parseCaptionFlag(
  text: string | undefined,
): Pick<EnhanceSettings, 'caption' | 'captionFromNames'> {
  if (text === undefined) return {}
  if (text.trim().toLowerCase() === 'names') return { captionFromNames: true }
  const read = readCaption(text)
  if ('problem' in read)
    throw invalid(`--caption: ${read.problem} Or say names: each photo's name or folder says it.`)
  return { caption: read.caption }
}

export function parseTile(text: string | undefined): number | 'auto' {
  if (text === undefined || text === 'auto') return 'auto'
  const tile = Number(text)
  if (!isTileSize(tile))
    throw invalid(`--tile must be "auto" or a size from 16 to 4096 pixels; got "${text}".`)
  return tile
}

export function parseDevice(text: string | undefined): DeviceRequest {
  if (text === undefined) return 'auto'
  if (!isDeviceRequest(text))
    throw invalid(`--device must be auto, cpu, cuda, dml, coreml or webgpu; got "${text}".`)
  return text
}

/** The decoder's pixel limit for one photo, a guard against decompression bombs: 100 MP unless raised. */
export function parseMaxPixels(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_INPUT_PIXELS
  const value = Number(text.replace(/_/g, ''))
  if (!Number.isSafeInteger(value) || value < 1)
    throw invalid(`--max-pixels must be a whole number of pixels, like 250000000; got "${text}".`)
  return value
}

export function parsePrecision(text: string | undefined): PrecisionChoice {
  if (text === undefined) return 'auto'
  if (!(PRECISION_CHOICES as readonly string[]).includes(text))
    throw invalid(`--precision must be auto, fp32, fp16 or int8; got "${text}".`)
  return text as PrecisionChoice
}

export function parseMetadata(text: string | undefined): MetadataPolicy {
  if (text === undefined) return 'all'
  if (!(METADATA_POLICIES as readonly string[]).includes(text))
    throw invalid(`--metadata must be all, profile or none; got "${text}".`)
  return text as MetadataPolicy
}

export function parseTransparency(text: string | undefined): EnhanceSettings['transparency'] {
  if (text === undefined) return DEFAULT_SETTINGS.transparency
  if (text !== 'lanczos' && text !== 'model')
    throw invalid(`--alpha-channel must be lanczos or model; got "${text}".`)
  return text
}
