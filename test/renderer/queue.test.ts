import { describe, expect, it } from 'vitest'
import { QueueStore } from '../../src/renderer/src/lib/queue.svelte.js'
import type { AppEvent, EnhanceApi, ItemView, JobView } from '../../src/shared/api.js'
import { itemView } from '../helpers/item-view.js'

/** A seam for the store's event handling: the test plays main's events, and answers the calls in `calls`. */
function harness(calls: Record<string, unknown> = {}) {
  let emit: (event: AppEvent) => void = () => undefined
  const api = {
    onEvent: (listener: (event: AppEvent) => void) => {
      emit = listener
      return () => undefined
    },
    listJobs: () => Promise.resolve([]),
    listItems: () => Promise.resolve([]),
    ...calls,
  } as unknown as EnhanceApi
  return { store: new QueueStore(api), emit: (event: AppEvent) => emit(event) }
}

const item = (state: ItemView['state']): ItemView =>
  itemView('/a.jpg', { id: 'i1', jobId: 'j1', state, realism: 0.5 })
const region = { x: 0, y: 0, width: 8, height: 8, previewWidth: 64, previewHeight: 48 }

describe('the queue store', () => {
  it('keeps tiles and progress only while a photo runs', () => {
    const { store, emit } = harness()
    emit({ type: 'item', item: item('running') })
    emit({
      type: 'progress',
      jobId: 'j1',
      itemId: 'i1',
      tilesDone: 0,
      tiles: 0,
      etaMs: null,
      measuring: true,
    })
    expect(store.progress('i1')).toEqual({ tilesDone: 0, tiles: 0, etaMs: null, measuring: true })
    emit({ type: 'progress', jobId: 'j1', itemId: 'i1', tilesDone: 1, tiles: 4, etaMs: 3000 })
    emit({ type: 'preview', jobId: 'j1', itemId: 'i1', url: 'data:a', ...region })
    emit({ type: 'preview', jobId: 'j1', itemId: 'i1', url: 'data:b', ...region, x: 8 })
    expect(store.preview('i1')?.tiles.map((t) => t.url)).toEqual(['data:a', 'data:b'])
    expect(store.progress('i1')).toEqual({ tilesDone: 1, tiles: 4, etaMs: 3000 })
    emit({ type: 'item', item: item('done') })
    expect(store.preview('i1')).toBeUndefined()
    expect(store.progress('i1')).toBeUndefined()
    expect(store.items('j1').map((i) => i.state)).toEqual(['done'])
    // A preview that arrives after its photo finished is not kept either.
    emit({ type: 'preview', jobId: 'j1', itemId: 'i1', url: 'data:c', ...region })
    expect(store.preview('i1')).toBeUndefined()
  })
})

describe('a photo waiting on a drive that does not answer', () => {
  it('says which folder and since when until it answers, and not after its photo has left "running"', () => {
    const { store, emit } = harness()
    emit({ type: 'item', item: item('running') })
    const wait = { folder: '/nas/Album', since: 1_764_000_000_000 }
    emit({ type: 'waiting', jobId: 'j1', itemId: 'i1', ...wait, answered: false })
    expect(store.waitingFor('i1')).toEqual(wait)
    emit({ type: 'waiting', jobId: 'j1', itemId: 'i1', ...wait, answered: true })
    expect(store.waitingFor('i1')).toBeUndefined()
    emit({ type: 'waiting', jobId: 'j1', itemId: 'i1', ...wait, answered: false })
    emit({ type: 'item', item: item('queued') }) // paused: put back in the queue
    expect(store.waitingFor('i1')).toBeUndefined()
  })
})

describe('a job whose scan waits on a drive that does not answer', () => {
  it('says so on the job (no photo is known yet) until the scan answers, and not once the job has left "scanning"', () => {
    const { store, emit } = harness()
    const job = (state: JobView['state']) => ({ id: 'j1', state }) as JobView
    emit({ type: 'job', job: job('scanning') })
    const wait = { folder: '/nas/Album', since: 1_764_000_000_000 }
    emit({ type: 'waiting', jobId: 'j1', ...wait, answered: false })
    expect(store.waitingFor('j1')).toEqual(wait)
    emit({ type: 'job', job: job('paused') })
    expect(store.waitingFor('j1')).toBeUndefined()
  })
})

describe('Split scans in the store', () => {
  it('counts the scans split as main tells, then says what came of it and starts a job on the prints', async () => {
    let finish: (value: unknown) => void = () => undefined
    const added: string[] = []
    const { store, emit } = harness({
      chooseInputs: () => Promise.resolve({ id: 's', names: ['a.jpg', 'b.jpg', 'c.jpg'] }),
      splitScans: () => new Promise((resolve) => (finish = resolve)),
      addJob: (selection: string) => {
        added.push(selection)
        return Promise.resolve({ ok: true, value: {} })
      },
    })
    const splitting = store.splitScans()
    await expect.poll(() => store.split).toEqual({ scans: 3, done: 0 })
    emit({ type: 'splitting', done: 2 })
    expect(store.split).toEqual({ scans: 3, done: 2 })
    const failed = [{ name: 'c.jpg', error: { code: 'NO_PRINTS', message: 'c.jpg shows no scanner glass.' } }]
    const prints = { id: 'p', names: ['a-1.png', 'b-1.png', 'b-2.png'] }
    finish({ ok: true, value: { prints, scans: 3, folder: '/Album/Prints', failed } })
    await splitting
    expect(added).toEqual(['p'])
    expect(store.split).toEqual({ text: '3 prints cut from 2 scans into /Album/Prints, and enhanced below.' })
    expect(store.error).toEqual(failed[0]!.error)
    // A late count from main changes nothing said.
    emit({ type: 'splitting', done: 3 })
    expect(store.split).toEqual({ text: '3 prints cut from 2 scans into /Album/Prints, and enhanced below.' })
  })
})
