import { describe, expect, it } from 'vitest'
import { QueueDiary } from '../../src/main/diagnostics.js'
import type { ItemView, JobView } from '../../src/shared/api.js'
import { repairsOf } from '../../src/shared/settings.js'
import { UPRIGHT } from '../../src/shared/turn.js'

const counts = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, skipped: 0 }
const job = (state: JobView['state'], change: Partial<JobView> = {}): JobView => ({
  id: 'j1',
  state,
  inputs: ['/photos/Summer 2019'],
  outDir: '/photos/Summer 2019/Enhanced',
  realism: 0.5,
  repairs: { restoreColours: false, restoreStrength: 1, removeDust: false, removeScratches: false },
  total: 3,
  counts,
  size: { mode: 'native' },
  pair: { path: '/models/psnr.safetensors', partner: '/models/gan.safetensors' },
  etaMs: null,
  inFlightMs: null,
  watchable: true,
  watching: false,
  facing: UPRIGHT,
  taken: null,
  takenFromNames: false,
  ownRealism: 0,
  ownRepairs: 0,
  caption: null,
  captionFromNames: false,
  ...change,
})
const item = (id: string, state: ItemView['state'], change: Partial<ItemView> = {}): ItemView => ({
  id,
  jobId: 'j1',
  input: `/photos/Summer 2019/${id}.jpg`,
  output: `/photos/Summer 2019/Enhanced/${id}.jpg`,
  state,
  realism: 0.5,
  repairs: repairsOf({}),
  kept: [],
  facing: UPRIGHT,
  taken: null,
  caption: null,
  ...change,
})

describe('what the log says of the queue', () => {
  it('a failed photo, a note on how one ran, a pause with its reason and a finished job, each once', () => {
    const diary = new QueueDiary()
    const empty = { code: 'CORRUPT_IMAGE' as const, message: 'empty.jpg is empty (0 bytes).' }
    const full = { code: 'DISK_FULL' as const, message: 'The disk is full.' }
    const said = [
      { type: 'job', job: job('running') },
      { type: 'item', item: item('a', 'running') },
      {
        type: 'item',
        item: item('a', 'done', { note: 'cuda failed (out of memory); this photo ran on the CPU.' }),
      },
      { type: 'item', item: item('empty', 'failed', { error: empty }) },
      { type: 'item', item: item('empty', 'failed', { error: empty }) },
      { type: 'item', item: item('b', 'done') },
      { type: 'job', job: job('paused', { pauseReason: full }) },
      { type: 'job', job: job('paused', { pauseReason: full }) },
      { type: 'progress', jobId: 'j1', itemId: 'b', tilesDone: 1, tiles: 2, etaMs: 5 },
      { type: 'job', job: job('done', { counts: { ...counts, done: 2, failed: 1 } }) },
      { type: 'job', job: job('done', { counts: { ...counts, done: 2, failed: 1 } }) },
    ] as const
    expect(said.map((event) => diary.lineFor(event)).filter(Boolean)).toEqual([
      'Photo enhanced with a note: /photos/Summer 2019/a.jpg: cuda failed (out of memory); this photo ran on the CPU.',
      'Photo failed: /photos/Summer 2019/empty.jpg: CORRUPT_IMAGE: empty.jpg is empty (0 bytes).',
      'Job paused: Summer 2019 (3 photos): DISK_FULL: The disk is full.',
      'Job finished: Summer 2019 (3 photos): 2 photos enhanced, 1 failed.',
    ])
  })

  it('says nothing of jobs as they stood when the app started', () => {
    const diary = new QueueDiary()
    const finished = job('done', { counts: { ...counts, done: 3 } })
    diary.remember([finished])
    expect(diary.lineFor({ type: 'job', job: finished })).toBeNull()
  })

  it('a photo waiting on a drive that does not answer, and its answer', () => {
    const diary = new QueueDiary()
    const since = Date.UTC(2026, 11, 4, 11, 34)
    const wait = { type: 'waiting', jobId: 'j1', itemId: 'a', folder: '/mnt/nas/Album', since } as const
    expect(diary.lineFor({ ...wait, answered: false })).toBe(
      'Waiting on a drive: /mnt/nas/Album has not answered since 2026-12-04T11:34:00.000Z: a network drive whose server froze or whose connection hangs, or a failing disk. Enhance goes on when it answers',
    )
    expect(diary.lineFor({ ...wait, answered: true })).toMatch(
      /^Drive answered again: \/mnt\/nas\/Album, after \d+ s$/,
    )
  })
})
