import { describe, expect, it } from 'vitest'
import { estimatedTimeLeft, meanTimeLeft, runTimeLeft } from '../../src/queue/report.js'
import type { Item, ItemState } from '../../src/queue/types.js'

function item(input: string, state: ItemState, ms?: number): Item {
  return { id: input, jobId: 'j', input, output: `/out/${input}`, state, crashes: 0, ...(ms ? { ms } : {}) }
}

describe("a job's time left from its photos' estimates", () => {
  // A phone photo, a large scan and two small prints: estimated 2 s, 30 s, 1 s and 1 s.
  const estimates = new Map([
    ['phone.jpg', 2000],
    ['scan.tif', 30_000],
    ['print-1.jpg', 1000],
    ['print-2.jpg', 1000],
  ])

  it('sums the estimates of the photos still to enhance while none is done', () => {
    const items = [...estimates.keys()].map((input) => item(input, 'queued'))
    expect(estimatedTimeLeft(items, estimates)).toEqual({ ms: 34_000, inFlightMs: 0, paced: false })
  })

  it('goes at the pace the photos done went against their estimates, as they amount to photos to come', () => {
    // The phone photo took 3 s for its 2 estimated (1.5×), weighed against one photo to come's worth (32 s / 3) of the
    // estimates' own pace: 41/38 of the 32 s to come, not 1.5× (48 s), which a small photo's slowness would say of
    // the scan. The scan is being enhanced, its share said apart (the window puts the time its own tiles say in its place).
    const items = [
      item('phone.jpg', 'done', 3000),
      item('scan.tif', 'running'),
      item('print-1.jpg', 'queued'),
      item('print-2.jpg', 'queued'),
    ]
    expect(estimatedTimeLeft(items, estimates)).toEqual({
      ms: Math.round((32_000 * 41) / 38),
      inFlightMs: Math.round((30_000 * 41) / 38),
      paced: true,
    })
    // The scan done too, at 1.5× (45 s): photos done worth 32 of the 1 s each to come, the prints go at nearly 1.5×.
    const scanned = [item('phone.jpg', 'done', 3000), item('scan.tif', 'done', 45_000), ...items.slice(2)]
    expect(estimatedTimeLeft(scanned, estimates)).toEqual({
      ms: Math.round((2000 * 49) / 33),
      inFlightMs: 0,
      paced: true,
    })
    // Failed, skipped and cancelled photos are not to come, nor do they pace it: the scan alone to come (30 s).
    const ended = [...items.slice(0, 2), item('print-1.jpg', 'failed', 100), item('print-2.jpg', 'skipped')]
    const alone = Math.round((30_000 * 33) / 32)
    expect(estimatedTimeLeft(ended, estimates)).toEqual({ ms: alone, inFlightMs: alone, paced: true })
  })

  it("paces by a photo's time from reading to writing where the engine told it, not the model's loading", () => {
    // The phone photo took 9 s, 6 of them loading the model: it went at 1.5× from its reading, as in the test above.
    const loaded = { ...item('phone.jpg', 'done', 9000), ranMs: 3000 }
    const rest = [item('scan.tif', 'running'), item('print-1.jpg', 'queued'), item('print-2.jpg', 'queued')]
    expect(estimatedTimeLeft([loaded, ...rest], estimates)).toEqual({
      ms: Math.round((32_000 * 41) / 38),
      inFlightMs: Math.round((30_000 * 41) / 38),
      paced: true,
    })
    // Without estimates, each photo to come at the mean of those times.
    const second = { ...item('scan.tif', 'done', 4000), ranMs: 4000 }
    expect(meanTimeLeft([loaded, second, ...rest.slice(1)])).toEqual({ ms: 7000, inFlightMs: 0 })
  })

  it('says none where a photo still to enhance has no estimate', () => {
    const items = [item('phone.jpg', 'done', 3000), item('new.jpg', 'queued')]
    expect(estimatedTimeLeft(items, estimates)).toBeNull()
    expect(estimatedTimeLeft([item('phone.jpg', 'done', 3000)], estimates)).toEqual({
      ms: 0,
      inFlightMs: 0,
      paced: true,
    })
  })
})

describe("a job's time left at the mean of its photos done, without estimates", () => {
  it('counts each photo to come at the mean, the one being enhanced said apart', () => {
    const items = [
      item('a.jpg', 'done', 3000),
      item('b.jpg', 'done', 5000),
      item('c.jpg', 'failed', 100),
      item('d.jpg', 'running'),
      item('e.jpg', 'queued'),
      item('f.jpg', 'skipped'),
    ]
    expect(meanTimeLeft(items)).toEqual({ ms: 8000, inFlightMs: 4000 })
    expect(meanTimeLeft(items.filter((i) => i.state !== 'done'))).toBeNull()
  })
})

describe("a run's time left over its jobs, the photo in flight counted by its tiles (the CLI's live line)", () => {
  const scanned = new Map([
    ['scan.tif', 30_000],
    ['print.jpg', 1000],
  ])
  // A job by its estimates, the scan in flight (31 s left, 30 s of it the scan), and one by the mean of its photos done.
  const byEstimates = {
    items: [item('scan.tif', 'running'), item('print.jpg', 'queued')],
    estimates: scanned,
  }
  const byMean = { items: [item('a.jpg', 'done', 4000), item('b.jpg', 'queued')] }

  it('sums the jobs, with the time the scan’s own tiles say in place of its estimate', () => {
    expect(runTimeLeft([byEstimates, byMean], 12_000)).toBe(1000 + 4000 + 12_000)
    // Before the scan's first tile, it counts whole.
    expect(runTimeLeft([byEstimates, byMean], null)).toBe(30_000 + 1000 + 4000)
  })

  it('goes by the mean where a photo to come has no estimate, and says none while a job has neither', () => {
    const unestimated = { items: [...byEstimates.items, item('new.jpg', 'queued')], estimates: scanned }
    expect(runTimeLeft([unestimated], 5000)).toBeNull()
    const withOneDone = { ...unestimated, items: [...unestimated.items, item('c.jpg', 'done', 2000)] }
    // The mean of the photo done (2 s) for each of the three to come, the scan's share replaced by its 5 s left.
    expect(runTimeLeft([withOneDone], 5000)).toBe(2 * 2000 + 5000)
    expect(runTimeLeft([byEstimates, { items: [item('b.jpg', 'queued')] }], 5000)).toBeNull()
  })
})
