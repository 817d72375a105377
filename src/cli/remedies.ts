import type { ErrorData } from '../shared/errors.js'

/**
 * The flag that gets a photo past a refusal, said only on the command line: the engine's message says what
 * to do anywhere, and the window offers a button or a smaller copy instead.
 */
const FLAG_REMEDY: Partial<Record<ErrorData['code'], string>> = {
  PARTIAL_IMAGE:
    'Or run again with --read-damaged to enhance what can be read, the missing part grey or black as photo viewers show it.',
  IMAGE_TOO_LARGE: 'If you trust this file, run again with a higher --max-pixels.',
  RESULT_TOO_LARGE: 'For a smaller result, run again with --scale 2 or --fit 8000x8000.',
  DEVICE_UNAVAILABLE: 'Run again with --device auto or --device cpu.',
  PATH_TOO_LONG: 'Run again with a shorter --out (or --naming).',
  OUTPUT_EXISTS: 'Run again with --overwrite to replace it, or name another --out.',
}

/**
 * How to go on with a job that paused itself, on the command line: most causes are put right outside Enhance, as each
 * pause's message says.
 */
const PAUSE_REMEDY: Partial<Record<ErrorData['code'], string>> = {
  DEVICE_UNAVAILABLE: 'Run enhance --resume --device auto (or --device cpu) to go on',
}

export function pauseRemedy(code: ErrorData['code']): string {
  return PAUSE_REMEDY[code] ?? 'Then run enhance --resume'
}

/** A photo's failure as the command line reports it: the engine's sentence and, where there is one, its flag. */
export function withFlagRemedy(error: ErrorData): ErrorData {
  const remedy = FLAG_REMEDY[error.code]
  return remedy ? { code: error.code, message: `${error.message} ${remedy}` } : error
}
