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

/** The code and words of the coded error `work` ends in; fails the test when it ends otherwise. */
export async function refusal(work: Promise<unknown>): Promise<[string, string]> {
  const error = await work.then(
    () => new Error('expected a refusal, but the work succeeded'),
    (e: unknown) => e,
  )
  if (!(error instanceof EnhanceError)) throw error
  return [error.code, error.message]
}
