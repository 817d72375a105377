import { EnhanceError } from '../../src/shared/errors.js'
import type { ErrorCode } from '../../src/shared/errors.js'

/** The code of what `fn` throws; fails the test when it throws something uncoded or nothing. */
export async function codeOf(fn: () => unknown): Promise<ErrorCode> {
  try {
    await fn()
  } catch (error) {
    if (error instanceof EnhanceError) return error.code
    throw new Error(`expected a coded EnhanceError, got: ${String(error)}`, { cause: error })
  }
  throw new Error('expected an error, but the call succeeded')
}
