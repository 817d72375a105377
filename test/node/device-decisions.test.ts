import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TileStore, recentRuns } from '../../src/node/device-decisions.js'

describe('what the engine remembers of this computer', () => {
  it('changes a choice one change after another: two at once both kept', async () => {
    const store = new TileStore(
      join(mkdtempSync(join(tmpdir(), 'enhance-choices-')), 'data', 'tile-choices.json'),
    )
    const measuredAt = '2026-12-06T22:00:00.000Z'
    await Promise.all([
      store.update('k', (old) => ({ ...old, rates: { ...old?.rates, '64': 100 }, measuredAt })),
      store.update('k', (old) => ({ ...old, rates: { ...old?.rates, '128': 200 }, measuredAt })),
      store.update('k', (old) => old && { ...old, runs: recentRuns(old.runs, 50, 40) }),
      // Nothing to change: nothing is written.
      store.update('other', (old) => old && { ...old, measuredAt }),
    ])
    expect(await store.all()).toEqual({
      k: { rates: { '64': 100, '128': 200 }, runs: { ranMs: 50, networkMs: 40 }, measuredAt },
    })
  })

  it('weighs the photos enhanced before down by a fifth for each photo since', () => {
    const one = recentRuns(undefined, 1000, 800)
    const two = recentRuns(one, 3000, 2000)
    expect([one, two]).toEqual([
      { ranMs: 1000, networkMs: 800 },
      { ranMs: 0.8 * 1000 + 3000, networkMs: 0.8 * 800 + 2000 },
    ])
  })
})
