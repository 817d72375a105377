import { describe, expect, it } from 'vitest'
import { failureOutcome } from '../../src/queue/failure-policy.js'
import type { ErrorCode } from '../../src/shared/errors.js'

const error = (code: ErrorCode) => ({ code, message: `m ${code}` })

describe('the failure policy, as a table', () => {
  it.each([
    // why stopped, code, crashes so far → the item's change, and whether the job pauses
    ['requeue', 'CANCELLED', 0, { state: 'queued' }, false],
    ['requeue', 'ENGINE_CRASHED', 1, { state: 'queued' }, false],
    ['skip', 'CANCELLED', 0, { state: 'skipped', skipReason: 'asked' }, false],
    ['skip', 'ENGINE_CRASHED', 1, { state: 'skipped', skipReason: 'asked' }, false],
    ['cancel', 'CANCELLED', 0, { state: 'cancelled' }, false],
    [undefined, 'CANCELLED', 0, { state: 'cancelled' }, false],
    [undefined, 'DISK_FULL', 0, { state: 'queued' }, true],
    [undefined, 'OUTPUT_NOT_WRITABLE', 0, { state: 'queued' }, true],
    [undefined, 'ENGINE_NOT_STARTED', 0, { state: 'queued' }, true],
    [undefined, 'DEVICE_UNAVAILABLE', 0, { state: 'queued' }, true],
    [undefined, 'INPUT_UNAVAILABLE', 0, { state: 'queued' }, true],
    [undefined, 'FILE_NOT_FOUND', 0, { state: 'failed', error: error('FILE_NOT_FOUND') }, false],
    [undefined, 'ENGINE_CRASHED', 0, { state: 'queued', crashes: 1, error: error('ENGINE_CRASHED') }, false],
    [
      undefined,
      'ENGINE_CRASHED',
      1,
      { state: 'skipped', skipReason: 'crashed', crashes: 2, error: error('ENGINE_CRASHED') },
      false,
    ],
    [undefined, 'CORRUPT_IMAGE', 0, { state: 'failed', error: error('CORRUPT_IMAGE') }, false],
    [undefined, 'OUT_OF_MEMORY', 1, { state: 'failed', error: error('OUT_OF_MEMORY') }, false],
  ] as const)('stopped to %s, %s after %i crashes', (stopped, code, crashes, item, pauses) => {
    const outcome = failureOutcome(error(code), { crashes }, stopped)
    expect(outcome.item).toEqual(item)
    expect(outcome.pauseJob).toEqual(pauses ? error(code) : undefined)
  })
})
