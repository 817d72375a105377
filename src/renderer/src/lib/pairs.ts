import type { ModelEntry } from '../../../shared/api.js'
import type { ModelChoice } from '../../../shared/preferences.js'

/** A bundled pair offered by what it is for: its faithful model and its realistic partner. */
export interface BundledPair {
  model: ModelEntry
  partner: ModelEntry | undefined
}

/** The bundled pairs among the models listed, each by what it is for ("Clean, sharp originals"). */
export function bundledPairs(models: readonly ModelEntry[]): BundledPair[] {
  return models
    .filter((m) => m.bundled && m.useFor)
    .map((m) => ({ model: m, partner: models.find((p) => p.name === m.pair) }))
}

/** What choosing a bundled pair stores: null for the default pair, which follows the app's own default. */
export function choiceOf({ model, partner }: BundledPair): ModelChoice | null {
  return model.isDefault ? null : { path: model.path, partner: partner?.path ?? null }
}

/** Whether new jobs use this bundled pair (`choice`: the one stored; null, the default). */
export function isChosen({ model, partner }: BundledPair, choice: ModelChoice | null): boolean {
  if (!choice) return model.isDefault === true
  return choice.path === model.path && (choice.partner ?? undefined) === partner?.path
}
