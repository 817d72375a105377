import { describe, expect, it } from 'vitest'
import { dropIndex, moved } from '../../src/renderer/src/lib/reorder.js'
import { itemStateText, jobProgress, photoProgress } from '../../src/renderer/src/lib/format.js'
import { exampleName, sizeKey } from '../../src/renderer/src/lib/settings.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'

describe('drag to reorder', () => {
  // Four cards, 100 px tall, centres at 50, 150, 250, 350.
  const middles = [50, 150, 250, 350]
  it('lands where the pointer is, counting the other cards above it', () => {
    expect(dropIndex(10, middles, 3)).toBe(0)
    expect(dropIndex(160, middles, 3)).toBe(2)
    expect(dropIndex(400, middles, 0)).toBe(3)
    expect(dropIndex(140, middles, 1)).toBe(1)
  })
  it('moves one element and keeps the rest in order', () => {
    expect(moved(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c'])
    expect(moved(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd'])
    expect(moved(['a', 'b'], 0, 9)).toEqual(['b', 'a'])
  })
})

describe('settings helpers', () => {
  it('shows the file name the queue will write', () => {
    expect(exampleName('{name}_x{scale}_a{alpha}', { ...DEFAULT_SETTINGS, format: 'webp' }, 0.5)).toBe(
      'IMG_0042_x4_a0.50.webp',
    )
    expect(exampleName('{name}', { ...DEFAULT_SETTINGS, size: { mode: 'scale', scale: 2 } }, 0)).toBe(
      'IMG_0042.jpg',
    )
  })
  it('maps sizes to the choices in the menu', () => {
    expect(sizeKey({ mode: 'scale', scale: 2 })).toBe('x2')
    expect(sizeKey({ mode: 'native' })).toBe('native')
  })
})

describe('progress in words', () => {
  const item = { id: 'i', jobId: 'j', input: '/a.jpg', output: '/o/a.jpg', alpha: null } as const
  it('moves the job bar with the tiles of the photo in progress', () => {
    expect(jobProgress(2, { tile: 3, tiles: 4 })).toBe(2.75)
    expect(jobProgress(2, undefined)).toBe(2)
  })
  it('says how far the photo is, and that it is paused while its job is', () => {
    expect(photoProgress({ tile: 3, tiles: 4, etaMs: 2000 }, false)).toBe('75% · 2 s left')
    expect(photoProgress({ tile: 3, tiles: 4, etaMs: null }, false)).toBe('75%')
    expect(photoProgress({ tile: 3, tiles: 4, etaMs: 2000 }, true)).toBe('paused at 75%')
    expect(itemStateText({ ...item, state: 'running' }, 'paused')).toBe('paused')
    expect(itemStateText({ ...item, state: 'running' }, 'running')).toBe('running')
    expect(itemStateText({ ...item, state: 'done', provider: 'cpu' }, 'paused')).toBe('done on CPU')
  })
})
