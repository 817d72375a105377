/**
 * The API contract under hostile calls: every method of `window.api`, called with wrong-typed,
 * missing, extra and hostile arguments generated from the contract's schema, answers with a coded
 * error (never INTERNAL, never a raw exception), and the queue still opens afterwards.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QueueStore } from '../../src/queue/store.js'
import { API_ARGUMENTS, argumentProblem } from '../../src/shared/api-schema.js'
import type { ApiMethod } from '../../src/shared/api.js'
import { EnhanceError, isErrorCode } from '../../src/shared/errors.js'
import { repairsOf } from '../../src/shared/settings.js'
import { ScriptedDialogs, startBackend } from '../e2e/harness.js'

const dataDir = mkdtempSync(join(tmpdir(), 'enhance-contract-'))
const missing = join(dataDir, 'no-such-photo.jpg')

/** One valid call per method, the base that each hostile variant changes one thing of. */
const VALID: { [K in ApiMethod]: unknown[] } = {
  appVersion: [],
  listModels: [],
  inspectModel: [{ selection: 'no-such-selection', index: 0 }],
  importModel: [{ selection: 'no-such-selection', index: 0 }],
  listLibrary: [],
  downloadModel: ['no-such-model'],
  cancelDownload: ['no-such-model'],
  removeModel: ['../no-such-model'],
  chooseInputs: ['files'],
  chooseOutputFolder: [],
  selectDropped: [[missing]],
  takePhotos: [
    { via: 'paste', paths: [missing], images: [new Uint8Array([0x89, 0x50, 0x4e, 0x47])], oversized: 0 },
  ],
  splitScans: ['no-such-selection'],
  addJob: ['no-such-selection'],
  listJobs: [],
  listItems: ['no-such-job'],
  pauseJob: ['no-such-job'],
  resumeJob: ['no-such-job'],
  watchJob: ['no-such-job', true],
  cancelJob: ['no-such-job'],
  retryJob: ['no-such-job'],
  readDamaged: [{ jobId: 'no-such-job' }],
  skipPhotos: [{ jobId: 'no-such-job', itemId: 'no-such-photo' }, true],
  reorderJobs: [['no-such-job']],
  adjust: [
    { jobId: 'no-such-job', itemId: 'no-such-photo' },
    { realism: 0.5, repairs: repairsOf({}), kept: [] },
  ],
  chooseJobModels: ['no-such-job', { path: '/nowhere/a-model.pth', partner: null }],
  removeJob: ['no-such-job'],
  clearFinishedJobs: [],
  showLogFile: [],
  showInFolder: [{ jobId: 'no-such-job' }],
  changeJobFolder: ['no-such-job'],
  copyResult: [{ jobId: 'no-such-job', itemId: 'no-such-item' }],
  imageUrl: [{ jobId: 'no-such-job', itemId: 'no-such-item', side: 'input' }, 256],
  imageTile: [{ jobId: 'no-such-job', itemId: 'no-such-item', side: 'output' }, 0, 0],
  previewCrop: [
    { selection: 'no-such-selection', index: 0 },
    { x: 0, y: 0, width: 64, height: 64 },
    0.5,
    repairsOf({}),
    [{ x: 1, y: 2 }],
    { path: '/nowhere/a-model.pth', partner: null },
  ],
  deviceChoice: [],
  devices: [],
  getPreferences: [],
  updatePreferences: [{ realism: 0.25 }],
}

const polluted = JSON.parse(
  '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
) as unknown
const HOSTILE: unknown[] = [
  null,
  undefined,
  42,
  -1,
  NaN,
  Infinity,
  '',
  'x'.repeat(5000),
  true,
  {},
  [],
  [[[[]]]],
  polluted,
]

function variants(method: ApiMethod): unknown[][] {
  const base = VALID[method]
  const out: unknown[][] = [base, [...base, 'extra'], ...(base.length ? [[]] : [])]
  base.forEach((_, i) => HOSTILE.forEach((value) => out.push(base.map((arg, j) => (i === j ? value : arg)))))
  // One level deeper for object arguments: each field replaced in turn.
  base.forEach((arg, i) => {
    if (typeof arg !== 'object' || arg === null || Array.isArray(arg)) return
    for (const key of Object.keys(arg))
      for (const value of HOSTILE)
        out.push(base.map((a, j) => (i === j ? { ...(a as object), [key]: value } : a)))
  })
  // An object argument with a field the contract does not have.
  const last: unknown = base.at(-1)
  const lastObject = typeof last === 'object' && last !== null && !Array.isArray(last) ? last : {}
  out.push([...base.slice(0, -1), { ...lastObject, outDir: '/', unknown: 1 }])
  return out
}

type Outcome = { kind: 'value' } | { kind: 'error'; code: string }

async function outcomeOf(call: () => Promise<unknown>): Promise<Outcome> {
  try {
    const value = await call()
    if (value && typeof value === 'object' && 'ok' in value && value.ok === false) {
      const error = (value as unknown as { error: { code: unknown } }).error
      return { kind: 'error', code: String(error.code) }
    }
    return { kind: 'value' }
  } catch (error) {
    return { kind: 'error', code: error instanceof EnhanceError ? error.code : `UNCODED ${String(error)}` }
  }
}

describe('the API contract, called with hostile arguments', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>
  beforeAll(async () => {
    backend = await startBackend(dataDir, new ScriptedDialogs())
  })
  afterAll(() => backend.close())

  it('every method refuses what the contract does not allow, with a code; valid calls answer coded too', async () => {
    let calls = 0
    const failures: string[] = []
    for (const method of Object.keys(API_ARGUMENTS) as ApiMethod[]) {
      const handler = backend.services[method] as (...args: unknown[]) => Promise<unknown>
      for (const args of variants(method)) {
        calls++
        const outcome = await outcomeOf(() => handler(...args))
        const refused = argumentProblem(method, args) !== null
        const label = `${method}(${JSON.stringify(args)?.slice(0, 80)})`
        if (refused && !(outcome.kind === 'error' && outcome.code === 'INVALID_ARGUMENT'))
          failures.push(`${label}: expected INVALID_ARGUMENT, got ${JSON.stringify(outcome)}`)
        if (outcome.kind === 'error' && (!isErrorCode(outcome.code) || outcome.code === 'INTERNAL'))
          failures.push(`${label}: uncoded ${outcome.code}`)
      }
    }
    expect(failures).toEqual([])
    expect(calls).toBeGreaterThan(300)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  }, 120_000)

  it('the queue and the preferences still open afterwards', async () => {
    await backend.close()
    const store = new QueueStore(join(dataDir, 'queue'))
    expect(store.loadProblems.skippedEntries).toBe(0)
    store.close()
    const again = await startBackend(dataDir, new ScriptedDialogs())
    expect(await again.services.listJobs()).toEqual([])
    expect((await again.services.getPreferences()).realism).toBe(0.25)
    await again.close()
  })
})
