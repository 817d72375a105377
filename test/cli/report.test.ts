import { describe, expect, it } from 'vitest'
import { humanReporter } from '../../src/cli/report.js'

function printed(events: Parameters<ReturnType<typeof humanReporter>['emit']>[0][]): string {
  let text = ''
  const reporter = humanReporter((t) => (text += t), false)
  for (const event of events) reporter.emit(event)
  reporter.close()
  return text
}

describe('the terminal report', () => {
  it('says why a job paused and what to do next', () => {
    const text = printed([
      { event: 'paused', job: 'j1', code: 'DISK_FULL', message: 'No space left on /mnt/out.' },
      { event: 'summary', done: 2, failed: 0, skipped: 0, pending: 3, waiting: 0, ms: 1500 },
    ])
    expect(text).toBe(
      '‖ Paused: DISK_FULL: No space left on /mnt/out. Fix it, then run enhance --resume.\n' +
        '2 enhanced, 0 failed, 0 skipped in 1.5 s\n',
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
