import { EnhanceError } from '../shared/errors.js'

export function parseAlpha(text: string | undefined): number {
  if (text === undefined) return 1
  const alpha = Number(text)
  if (text.trim() === '' || !Number.isFinite(alpha) || alpha < 0 || alpha > 1) {
    throw new EnhanceError('INVALID_ARGUMENT', `--alpha must be a number from 0 to 1; got "${text}".`)
  }
  return alpha
}

export function requireValue(value: string | undefined, what: string): string {
  if (!value) throw new EnhanceError('INVALID_ARGUMENT', `Missing ${what}. Run "enhance --help" for usage.`)
  return value
}
