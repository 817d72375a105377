import type { Result } from '../../shared/api.js'
import { toErrorData } from '../../shared/errors.js'

/** Runs `fn` and answers its value or its coded error as data, for the API calls that return a Result. */
export async function attempt<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() }
  } catch (error) {
    return { ok: false, error: toErrorData(error) }
  }
}
