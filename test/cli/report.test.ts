import { describe, expect, it } from 'vitest'
import { duration, humanReporter } from '../../src/cli/report.js'
import { roughly } from '../../src/shared/durations.js'

function printed(events: Parameters<ReturnType<typeof humanReporter>['emit']>[0][]): string {
  let text = ''
  const reporter = humanReporter((t) => (text += t), false)
  for (const event of events) reporter.emit(event)
  reporter.close()
  return text
}

describe('the terminal report', () => {
  it('says what a watch waits for, and that it goes on by itself', () => {
    expect(
      printed([
        {
          event: 'held-up',
          code: 'INPUT_UNAVAILABLE',
          message: 'Cannot read /mnt/nas/Scans: its drive stopped answering (ENOTCONN). Reconnect it.',
        },
      ]),
    ).toBe(
      '‖ Waiting: Cannot read /mnt/nas/Scans: its drive stopped answering (ENOTCONN). Reconnect it. The watch looks again and goes on by itself (INPUT_UNAVAILABLE).\n',
    )
  })

  it('says why a job paused and what to do next', () => {
    const text = printed([
      { event: 'paused', job: 'j1', code: 'DISK_FULL', message: 'No space left on /mnt/out.' },
      { event: 'summary', done: 2, failed: 0, skipped: 0, pending: 3, waiting: 0, ms: 1500 },
    ])
    expect(text).toBe(
      '‖ Paused: No space left on /mnt/out. Then run enhance --resume (DISK_FULL).\n' +
        '2 enhanced, 0 failed, 0 skipped in 1.5 s\n',
    )
    // A device that cannot run the job is fixed with a flag: the line says which.
    const device = printed([
      { event: 'paused', job: 'j1', code: 'DEVICE_UNAVAILABLE', message: 'WebGPU needs a GPU.' },
    ])
    expect(device).toBe(
      '‖ Paused: WebGPU needs a GPU. Run enhance --resume --device auto (or --device cpu) to go on (DEVICE_UNAVAILABLE).\n',
    )
  })

  it('mentions jobs of other runs left waiting in the shared queue', () => {
    const one = printed([
      { event: 'summary', done: 1, failed: 0, skipped: 0, pending: 0, waiting: 1, ms: 900 },
    ])
    expect(one).toContain(
      '1 other unfinished job waits in the queue: enhance --resume (or the app) continues them.',
    )
    const two = printed([
      { event: 'summary', done: 1, failed: 0, skipped: 0, pending: 0, waiting: 2, ms: 900 },
    ])
    expect(two).toContain('2 other unfinished jobs wait in the queue')
  })
})

describe('the terminal report: counts and plain pauses', () => {
  function lines(events: Parameters<ReturnType<typeof humanReporter>['emit']>[0][]): string {
    let text = ''
    const reporter = humanReporter((t) => (text += t), true)
    for (const event of events) reporter.emit(event)
    return text
  }

  it('shows the photo count, and the time left for the batch once it is known', () => {
    const text = lines([
      { event: 'item', item: '/a/one.jpg', index: 1, total: 3, output: '/o/one.jpg' },
      { event: 'progress', item: '/a/one.jpg', tile: 1, tiles: 4, etaMs: 3000, batchEtaMs: null },
      { event: 'done', item: '/a/one.jpg', output: '/o/one.jpg', ms: 10_000, provider: 'cpu' },
      { event: 'item', item: '/a/two.jpg', index: 2, total: 3, output: '/o/two.jpg' },
      { event: 'progress', item: '/a/two.jpg', tile: 2, tiles: 4, etaMs: 5000, batchEtaMs: 15_000 },
    ])
    expect(text).toContain('[1/3] one.jpg ██████░░░░░░░░░░░░░░░░░░ 1/4 tiles · 3s left')
    expect(text).not.toContain('1/4 tiles · 3s left · all')
    expect(text).toContain('[2/3] two.jpg ████████████░░░░░░░░░░░░ 2/4 tiles · 5s left · all 15s')
  })

  it('shows each photo at once, before its first tile, and replaces that line', () => {
    const item = { event: 'item', item: '/a/one.jpg', index: 1, total: 2, output: '/o/one.jpg' } as const
    expect(lines([item])).toBe('\r\x1b[2K[1/2] one.jpg · preparing…')
    const failed = {
      event: 'failed',
      item: '/a/one.jpg',
      code: 'CORRUPT_IMAGE',
      message: 'Damaged.',
    } as const
    expect(lines([item, failed])).toBe(
      '\r\x1b[2K[1/2] one.jpg · preparing…\r\x1b[2K✗ /a/one.jpg: CORRUPT_IMAGE: Damaged.\n',
    )
    expect(printed([item])).toBe('')
  })

  it('says when a first run is measuring this computer before the first tile', () => {
    const item = { event: 'item', item: '/a/one.jpg', index: 1, total: 2, output: '/o/one.jpg' } as const
    const measuring = {
      event: 'progress',
      item: '/a/one.jpg',
      tile: 0,
      tiles: 0,
      etaMs: null,
      batchEtaMs: null,
      measuring: true,
    } as const
    const tile = {
      event: 'progress',
      item: '/a/one.jpg',
      tile: 1,
      tiles: 4,
      etaMs: 3000,
      batchEtaMs: null,
    } as const
    expect(lines([item, measuring, tile])).toBe(
      '\r\x1b[2K[1/2] one.jpg · preparing…' +
        '\r\x1b[2K[1/2] one.jpg · measuring this computer’s speed (only the first time)…' +
        '\r\x1b[2K[1/2] one.jpg ██████░░░░░░░░░░░░░░░░░░ 1/4 tiles · 3s left',
    )
    expect(printed([item, measuring, tile])).toBe('')
  })

  it('says where each finished photo went, how long it took and with which tiles', () => {
    const done = {
      event: 'done',
      item: '/a/one.jpg',
      output: '/o/one.jpg',
      ms: 5300,
      provider: 'cpu',
    } as const
    expect(lines([{ ...done, tile: 192 }])).toContain('✓ /a/one.jpg → /o/one.jpg (5.3 s, cpu, tiles of 192)')
    expect(lines([done])).toContain('✓ /a/one.jpg → /o/one.jpg (5.3 s, cpu)')
  })

  it('says plainly that Ctrl-C paused, with no error code', () => {
    expect(lines([{ event: 'paused', job: 'j', code: 'CANCELLED', message: 'Paused.' }])).toBe(
      '‖ Paused. Run enhance --resume to continue.\n',
    )
  })
})

describe('the terminal report while watching folders', () => {
  it('shows the wait as the live line on a terminal, and says it once in a log', () => {
    let terminal = ''
    const live = humanReporter(
      (t) => (terminal += t),
      true,
      () => 40,
    )
    live.emit({ event: 'watching', folders: ['/home/ann/Scans from the attic'] })
    live.emit({
      event: 'item',
      item: '/home/ann/Scans from the attic/001.png',
      index: 1,
      total: 1,
      output: '/o',
    })
    live.emit({ event: 'watching', folders: ['/home/ann/Scans from the attic'] })
    // At 40 columns the folder's name is cut in its middle and the Ctrl-C hint left out.
    expect(terminal.split('\r\x1b[2K').filter(Boolean)).toEqual([
      'Watching Scans fro…attic for new photos',
      '[1/1] 001.png · preparing…',
      'Watching Scans fro…attic for new photos',
    ])
    let log = ''
    const logged = humanReporter((t) => (log += t), false)
    for (let i = 0; i < 3; i++) logged.emit({ event: 'watching', folders: ['/a', '/b'] })
    expect(log).toBe('Watching 2 folders for new photos · Ctrl-C stops\n')
  })
})

describe('a dry run’s estimate in words', () => {
  const plan = { event: 'plan' as const, photos: 400, replacing: 0, skipped: 0, model: 'm', made: [] }
  const estimate = {
    photos: 399,
    unread: 1,
    tooLarge: 0,
    megapixels: 61.55,
    provider: 'cpu',
    precision: 'int8' as const,
    fromRuns: true,
  }

  it('says the time no more precisely than an estimate is, and hours in a live line', () => {
    expect([0, 400, 44_600, 89_000, 3_570_000, 3_600_000, 7_790_000].map(roughly)).toEqual([
      'about 1 s',
      'about 1 s',
      'about 45 s',
      'about 1 min',
      'about 1 h',
      'about 1 h',
      'about 2 h 10 min',
    ])
    expect([59_400, 3_599_000, 7_790_000].map(duration)).toEqual(['59s', '59m59s', '2h09m'])
  })

  it('says what it is for, on what, and which photos it leaves out; or that none could be timed', () => {
    expect(
      printed([{ ...plan, estimate: { ...estimate, ms: 700_000 } }])
        .split('\n')
        .at(-2),
    ).toBe(
      '  It would take about 12 min on cpu int8 (399 photos, 62 MP; 1 whose size could not be read is left out, as the run would refuse it), at the pace photos were enhanced on this computer.',
    )
    expect(
      printed([{ ...plan, estimate: { ...estimate, ms: 2000, photos: 1, unread: 0, megapixels: 0.3072 } }]),
    ).toContain('about 2 s on cpu int8 (1 photo, 0.31 MP), at the pace')
    // Photos over --max-pixels are refused by the run too: left out, and why.
    expect(printed([{ ...plan, estimate: { ...estimate, ms: 2000, tooLarge: 2 } }])).toContain(
      '(399 photos, 62 MP; 1 whose size could not be read and 2 with more pixels than --max-pixels allows are left out, as the run would refuse them)',
    )
    expect(printed([{ ...plan, estimate: { ...estimate, ms: 2000, unread: 0, tooLarge: 1 } }])).toContain(
      '(399 photos, 62 MP; 1 with more pixels than --max-pixels allows is left out, as the run would refuse it)',
    )
    // Before any photo was enhanced with these tiles: the network's time alone, and said so.
    expect(printed([{ ...plan, estimate: { ...estimate, ms: 2000, unread: 0, fromRuns: false } }])).toContain(
      '\n  The network would take about 2 s on cpu int8 (399 photos, 62 MP), as timed on this computer; reading and writing each photo adds to it (once a photo is enhanced here, estimates count that too).\n',
    )
    expect(printed([{ ...plan, estimate: { ...estimate, ms: null } }])).toContain(
      '\n  No time could be estimated: no tile could be timed on cpu.\n',
    )
  })
})
