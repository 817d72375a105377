import { API_ARGUMENTS, argumentProblem } from '../../shared/api-schema.js'
import type { ApiMethod } from '../../shared/api.js'
import { EnhanceError } from '../../shared/errors.js'
import type { Services } from './app.js'

/**
 * Every call from the window is checked against the contract's schema before its handler runs, at
 * the one boundary both Electron's ipcMain and the test harness bind. A refusal is INVALID_ARGUMENT:
 * as a Result for the methods that answer with one, as a rejection for the others.
 */
export function withValidatedArguments(services: Services): Services {
  const guarded: Record<string, unknown> = { ...services }
  for (const method of Object.keys(API_ARGUMENTS) as ApiMethod[]) {
    const handler = services[method] as (...args: unknown[]) => Promise<unknown>
    guarded[method] = (...args: unknown[]): Promise<unknown> => {
      const problem = argumentProblem(method, args)
      if (problem === null) return handler(...args)
      const error = new EnhanceError(
        'INVALID_ARGUMENT',
        `${problem} The window sent a call Enhance does not accept.`,
      )
      return API_ARGUMENTS[method].result
        ? Promise.resolve({ ok: false, error: error.toData() })
        : Promise.reject(error)
    }
  }
  return guarded as Services
}
