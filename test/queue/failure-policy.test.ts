import { describe, expect, it } from 'vitest'
import { failureOutcome } from '../../src/queue/failure-policy.js'
import type { ErrorCode } from '../../src/shared/errors.js'

const error = (code: ErrorCode) => ({ code, message: `m ${code}` })

describe('the failure policy, as a table', () => {
  it.each([
    // why stopped, code, crashes so far → the item's change, and whether the job pauses
    [true, 'CANCELLED', 0, { state: 'queued' }, false],
    [true, 'ENGINE_CRASHED', 1, { state: 'queued' }, false],
    [false, 'CANCELLED', 0, { state: 'cancelled' }, false],
    [false, 'DISK_FULL', 0, { state: 'queued' }, true],
    [false, 'OUTPUT_NOT_WRITABLE', 0, { state: 'queued' }, true],
    [false, 'ENGINE_NOT_STARTED', 0, { state: 'queued' }, true],
    [false, 'DEVICE_UNAVAILABLE', 0, { state: 'queued' }, true],
    [false, 'INPUT_UNAVAILABLE', 0, { state: 'queued' }, true],
    [false, 'FILE_NOT_FOUND', 0, { state: 'failed', error: error('FILE_NOT_FOUND') }, false],
    [false, 'ENGINE_CRASHED', 0, { state: 'queued', crashes: 1, error: error('ENGINE_CRASHED') }, false],
    [
      false,
      'ENGINE_CRASHED',
      1,
      { state: 'skipped', skipReason: 'crashed', crashes: 2, error: error('ENGINE_CRASHED') },
      false,
    ],
    [false, 'CORRUPT_IMAGE', 0, { state: 'failed', error: error('CORRUPT_IMAGE') }, false],
    [false, 'OUT_OF_MEMORY', 1, { state: 'failed', error: error('OUT_OF_MEMORY') }, false],
  ] as const)('stopped to requeue %s, %s after %i crashes', (requeue, code, crashes, item, pauses) => {
    const outcome = failureOutcome(error(code), { crashes }, requeue)
    expect(outcome.item).toEqual(item)
    expect(outcome.pauseJob).toEqual(pauses ? error(code) : undefined)
  })
})
