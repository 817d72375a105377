import { describe, expect, it } from 'vitest'
import { jobSpecFromFlags } from '../../src/cli/jobs.js'
import type { BatchFlags } from '../../src/cli/jobs.js'
import { DEFAULT_RESTORE_STRENGTH, DEFAULT_SETTINGS } from '../../src/shared/settings.js'

const plain: BatchFlags = {
  recursive: false,
  watch: false,
  'read-damaged': false,
  'restore-colours': false,
  'remove-dust': false,
  'remove-scratches': false,
  'skip-existing': false,
  overwrite: false,
  suffix: false,
  json: false,
}

describe("a command's job settings", () => {
  it('say a restore strength only where colours are restored, so a command made before it makes the same job', () => {
    // The same settings as before there was a strength: running the command again continues its job.
    expect(jobSpecFromFlags(['/photos'], plain).settings).toEqual(DEFAULT_SETTINGS)
    expect(jobSpecFromFlags(['/photos'], { ...plain, 'restore-colours': true }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      restoreColours: true,
      restoreStrength: DEFAULT_RESTORE_STRENGTH,
    })
    expect(jobSpecFromFlags(['/photos'], { ...plain, 'restore-strength': '0.8' }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      restoreColours: true,
      restoreStrength: 0.8,
    })
  })
})
