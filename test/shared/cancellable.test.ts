import { describe, expect, it } from 'vitest'
import { cancellable, EnhanceError } from '../../src/shared/errors.js'

describe('cancellable', () => {
  it('gives way to an abort while the work never settles (a look at a drive that hangs)', async () => {
    const controller = new AbortController()
    const never = new Promise<number>(() => undefined)
    const waiting = cancellable(never, controller.signal)
    controller.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' })
    await expect(cancellable(Promise.resolve(1), controller.signal)).rejects.toMatchObject({
      code: 'CANCELLED',
    })
  })

  it('otherwise answers as the work does: its value, or its own error', async () => {
    const { signal } = new AbortController()
    await expect(cancellable(Promise.resolve(7), signal)).resolves.toBe(7)
    const failure = new EnhanceError('FILE_NOT_FOUND', 'gone')
    await expect(cancellable(Promise.reject(failure), signal)).rejects.toBe(failure)
  })
})
