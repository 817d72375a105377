import { OUTPUT_FORMATS } from './formats.js'
import { PRECISION_CHOICES } from './model.js'
import type { PrecisionChoice } from './model.js'
import { EnhanceError } from './errors.js'
import { namingProblem } from './naming.js'
import {
  DEFAULT_RESTORE_STRENGTH,
  DEFAULT_SETTINGS,
  METADATA_POLICIES,
  OVERWRITE_POLICIES,
  isQuality,
  isTileSize,
} from './settings.js'
import type { EnhanceSettings, OverwritePolicy } from './settings.js'
import {
  DEFAULT_REALISM,
  isRealism,
  renameLegacyAlpha,
  renamedFrom,
  settingsSchema,
} from './settings-schema.js'

export const DEVICE_CHOICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const
export type DeviceChoice = (typeof DEVICE_CHOICES)[number]

/** A model the user chose instead of the bundled pair, with an optional GAN partner for the slider. */
export interface ModelChoice {
  path: string
  partner: string | null
}

/** What the app remembers between launches: the choices a user makes once and expects to stay made. */
export interface Preferences {
  device: DeviceChoice
  /** auto: int8 on a CPU where it measured faster within the quality bound, float16 on a GPU likewise. */
  precision: PrecisionChoice
  /** Where new jobs write; null until the user picks a folder. */
  outDir: string | null
  output: EnhanceSettings
  /** Output name template: {name}, {scale}, {size}, {alpha}, {model}. */
  naming: string
  policy: OverwritePolicy
  /** Realism for new jobs: 0 faithful … 1 realistic. */
  realism: number
  /** null: the bundled pair. */
  model: ModelChoice | null
}

/** A change: top-level fields replace, output fields merge (so two quick changes cannot undo each other). */
export type PreferencesPatch = Partial<Omit<Preferences, 'output'>> & { output?: Partial<EnhanceSettings> }

/** What the window may change: everything but the output folder, which only the folder dialog sets. */
export type WindowPreferencesPatch = Omit<PreferencesPatch, 'outDir'>

/** New jobs' output settings in the app: the shared defaults, and how far faded colours go once asked. */
const DEFAULT_OUTPUT: EnhanceSettings = { ...DEFAULT_SETTINGS, restoreStrength: DEFAULT_RESTORE_STRENGTH }

export const DEFAULT_PREFERENCES: Preferences = {
  device: 'auto',
  precision: 'auto',
  outDir: null,
  output: DEFAULT_OUTPUT,
  naming: '{name}',
  policy: 'suffix',
  realism: DEFAULT_REALISM,
  model: null,
}

const invalid = (message: string): EnhanceError => new EnhanceError('INVALID_ARGUMENT', message)

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T
  throw invalid(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`)
}

function checkOutput(output: EnhanceSettings): EnhanceSettings {
  if (output.format !== 'same') oneOf(output.format, OUTPUT_FORMATS, 'The output format')
  if (!isQuality(output.quality))
    throw invalid(`Quality must be a whole number from 1 to 100; got ${output.quality}.`)
  if (output.tile !== 'auto' && !isTileSize(output.tile))
    throw invalid(`The tile size must be automatic or 16 to 4096 pixels; got ${output.tile}.`)
  oneOf(output.metadata ?? 'all', METADATA_POLICIES, 'The metadata option')
  // Size, background and transparency: the same schema the queue and the IPC boundary use.
  const parsed = settingsSchema.safeParse(output)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw invalid(`The output setting ${issue.path.join('.')} is not valid (${issue.message}).`)
  }
  return parsed.data
}

function checkNaming(naming: unknown): string {
  if (typeof naming !== 'string') throw invalid('The file name pattern must be text.')
  const problem = namingProblem(naming)
  if (problem) throw invalid(`The file name pattern ${problem}.`)
  return naming
}

function checkModel(model: unknown): ModelChoice | null {
  if (model === null) return null
  const m = model as Partial<ModelChoice>
  if (typeof m.path !== 'string' || !(m.partner === null || typeof m.partner === 'string'))
    throw invalid('A model choice needs a model file, and a partner file or none.')
  return { path: m.path, partner: m.partner }
}

const renameLegacyRealism = renamedFrom('alpha', 'realism')

/**
 * A preferences file as an older Enhance saved it, in today's names: its realism and its output's
 * transparency were both `alpha`. Read once, before the file is merged with the defaults.
 */
export function upgradeStoredPreferences(stored: unknown): unknown {
  const upgraded = renameLegacyRealism(stored)
  if (typeof upgraded !== 'object' || upgraded === null || !('output' in upgraded)) return upgraded
  return { ...upgraded, output: renameLegacyAlpha(upgraded.output) }
}

/** Checks every field; an unknown or malformed value is refused with a sentence that says which. */
export function validatePreferences(value: Preferences): Preferences {
  if (typeof value.realism !== 'number' || !isRealism(value.realism))
    throw invalid(`Realism must be between 0 and 1; got ${value.realism}.`)
  if (value.outDir !== null && typeof value.outDir !== 'string')
    throw invalid('The output folder must be a path.')
  return {
    device: oneOf(value.device, DEVICE_CHOICES, 'The device'),
    // Preferences saved before the setting existed have none: the default.
    precision: oneOf(value.precision ?? 'auto', PRECISION_CHOICES, 'The precision'),
    outDir: value.outDir,
    output: checkOutput({ ...DEFAULT_OUTPUT, ...value.output }),
    naming: checkNaming(value.naming),
    policy: oneOf(value.policy, OVERWRITE_POLICIES, 'The overwrite option'),
    realism: value.realism,
    model: checkModel(value.model ?? null),
  }
}
