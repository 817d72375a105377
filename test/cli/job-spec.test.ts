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
  mirror: false,
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

  it('say a turn only where one is given: a command without --turn makes the same job as before', () => {
    expect(jobSpecFromFlags(['/photos'], { ...plain, turn: 'left' }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      turn: 270,
    })
    expect(jobSpecFromFlags(['/photos'], { ...plain, turn: '180' }).settings.turn).toBe(180)
    expect('turn' in jobSpecFromFlags(['/photos'], { ...plain, turn: '0' }).settings).toBe(false)
    expect(() => jobSpecFromFlags(['/photos'], { ...plain, turn: '-90' })).toThrow(
      '--turn takes 90, 180 or 270 (degrees clockwise), or right or left; got "-90".',
    )
    expect(jobSpecFromFlags(['/photos'], { ...plain, mirror: true, turn: 'right' }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      turn: 90,
      mirrored: true,
    })
  })

  it('say when the photos were taken only where it is given, as kept (ISO 8601 as precise as typed)', () => {
    expect(jobSpecFromFlags(['/photos'], { ...plain, taken: '1962-7' }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      taken: '1962-07',
    })
    expect(jobSpecFromFlags(['/photos'], { ...plain, taken: '1962-07-14 15:30' }).settings.taken).toBe(
      '1962-07-14T15:30',
    )
    expect('taken' in jobSpecFromFlags(['/photos'], plain).settings).toBe(false)
    expect(() => jobSpecFromFlags(['/photos'], { ...plain, taken: '1825' })).toThrow(
      '--taken: 1825 is before the first photograph (1826). Or say names: each photo\'s name or folder says it. Run "enhance --help" for usage.',
    )
    // Each photo as its own name or folder says (the runner reads it per photo).
    expect(jobSpecFromFlags(['/photos'], { ...plain, taken: 'Names' }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      takenFromNames: true,
    })
  })

  it('write a caption under every photo only where it is given, as kept, and refuse an empty one', () => {
    expect(jobSpecFromFlags(['/photos'], { ...plain, caption: '  Lake Como\r\n1962 ' }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      caption: 'Lake Como\n1962',
    })
    expect('caption' in jobSpecFromFlags(['/photos'], plain).settings).toBe(false)
    expect(() => jobSpecFromFlags(['/photos'], { ...plain, caption: ' ' })).toThrow(
      '--caption: The caption is empty: write what the photo shows, or leave it out. Or say names: each photo\'s name or folder says it. Run "enhance --help" for usage.',
    )
    // Each photo's as its own name or folder says (the runner reads it per photo).
    expect(jobSpecFromFlags(['/photos'], { ...plain, caption: ' Names' }).settings).toEqual({
      ...DEFAULT_SETTINGS,
      captionFromNames: true,
    })
  })
})
