/** Realism's preview of a queued photo runs its job's models, whatever Models now chooses for new jobs. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScriptedDialogs, startBackend } from '../e2e/harness.js'
import { repairsOf } from '../../src/shared/settings.js'
import type { ModelChoice } from '../../src/shared/preferences.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-preview-model-'))
const photo = join(work, 'texture.png')
let backend: Awaited<ReturnType<typeof startBackend>>

beforeAll(async () => {
  // Fine texture, where the two bundled pairs enlarge differently.
  const pixels = Buffer.alloc(48 * 48 * 3)
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919) % 251
  await sharp(pixels, { raw: { width: 48, height: 48, channels: 3 } })
    .png()
    .toFile(photo)
  backend = await startBackend(join(work, 'data'), new ScriptedDialogs())
}, 60_000)
afterAll(() => backend.close())

describe('the preview of a queued photo', () => {
  it('runs its job’s models, not those Models chose for new jobs since', async () => {
    const api = backend.services
    const listed = await api.listModels()
    if (!listed.ok) throw new Error(listed.error.message)
    const pairs = listed.value.filter((m) => m.bundled && m.pair)
    const other = pairs.find((m) => !m.isDefault)!
    expect(pairs.some((m) => m.isDefault)).toBe(true)
    const selection = (await api.selectDropped([photo]))!
    const job = await api.addJob(selection.id)
    if (!job.ok) throw new Error(job.error.message)
    expect(job.value.models).toBeUndefined() // the default pair goes unsaid
    await expect.poll(async () => (await api.listJobs())[0]?.state, { timeout: 120_000 }).toBe('done')
    const [item] = await api.listItems(job.value.id)
    const region = { x: 8, y: 8, width: 32, height: 32 }
    const preview = async (ref: Parameters<typeof api.previewCrop>[0]): Promise<string> => {
      const crop = await api.previewCrop(ref, region, 0, repairsOf({}), [])
      if (!crop.ok) throw new Error(crop.error.message)
      return crop.value.url
    }
    const queued = { jobId: job.value.id, itemId: item!.id, side: 'input' as const }
    const chosen = { selection: selection.id, index: 0 }
    const withJobsModels = await preview(queued)
    expect(await preview(chosen)).toBe(withJobsModels)

    const partner = listed.value.find((m) => m.name === other.pair)!
    const changed = await api.updatePreferences({ model: { path: other.path, partner: partner.path } })
    expect(changed.ok ? null : changed.error).toBeNull()
    expect(await preview(chosen)).not.toBe(withJobsModels)
    expect(await preview(queued)).toBe(withJobsModels)
  }, 180_000)

  it('runs a pair named for it as new jobs would run with it, of the app’s models only', async () => {
    const api = backend.services
    const listed = await api.listModels()
    if (!listed.ok) throw new Error(listed.error.message)
    const byName = (name: string) => listed.value.find((m) => m.name === name)!
    const [real, clean] = [
      listed.value.find((m) => m.isDefault)!,
      listed.value.find((m) => m.bundled && m.pair && !m.isDefault)!,
    ]
    const cleanPair = { path: clean.path, partner: byName(clean.pair!).path }
    const selection = (await api.selectDropped([photo]))!
    const chosen = { selection: selection.id, index: 0 }
    const region = { x: 8, y: 8, width: 32, height: 32 }
    const preview = (pair?: ModelChoice | null) =>
      api.previewCrop(chosen, region, 0.5, repairsOf({}), [], pair)
    const url = async (pair?: ModelChoice | null): Promise<string> => {
      const crop = await preview(pair)
      if (!crop.ok) throw new Error(crop.error.message)
      return crop.value.url
    }
    await api.updatePreferences({ model: null })
    const withDefault = await url()
    expect(await url(null)).toBe(withDefault)
    const withClean = await url(cleanPair)
    expect(withClean).not.toBe(withDefault)
    // The same pixels as once it is new jobs' pair; a job made then says so.
    await api.updatePreferences({ model: cleanPair })
    expect(await url()).toBe(withClean)
    const cleanJob = await api.addJob(selection.id)
    expect(cleanJob.ok ? cleanJob.value.models : cleanJob.error).toBe('the pair for clean, sharp originals')
    expect(await url(null)).toBe(withDefault)
    await api.updatePreferences({ model: null })

    const outside = await preview({ path: photo, partner: null })
    expect(outside.ok ? null : outside.error.code).toBe('INVALID_ARGUMENT')
    const mixed = await preview({ path: clean.path, partner: byName(real.pair!).path })
    expect(mixed.ok ? null : mixed.error.code).toBe('INCOMPATIBLE_MODELS')
  }, 180_000)

  it('enhances a done job again with the other pair: the same files as a job made with it, at its realism', async () => {
    const api = backend.services
    const listed = await api.listModels()
    if (!listed.ok) throw new Error(listed.error.message)
    const clean = listed.value.find((m) => m.bundled && m.pair && !m.isDefault)!
    const real = listed.value.find((m) => m.isDefault)!
    const cleanPair = { path: clean.path, partner: listed.value.find((m) => m.name === clean.pair)!.path }
    /** The photo in a folder of its own, queued as a job with new jobs' pair; its view once done. */
    const enhanced = async (folder: string) => {
      mkdirSync(join(work, folder))
      copyFileSync(photo, join(work, folder, 'texture.png'))
      const selection = (await api.selectDropped([join(work, folder, 'texture.png')]))!
      const added = await api.addJob(selection.id)
      if (!added.ok) throw new Error(added.error.message)
      await done(added.value.id)
      return added.value
    }
    const done = (jobId: string) =>
      expect
        .poll(async () => (await api.listJobs()).find((j) => j.id === jobId)?.state, { timeout: 120_000 })
        .toBe('done')
    const outputOf = async (jobId: string) => readFileSync((await api.listItems(jobId))[0]!.output)
    await api.updatePreferences({ model: null, realism: 0.75 })
    const job = await enhanced('Made with the default')
    const before = await outputOf(job.id)
    expect(job.pair).toEqual({
      path: real.path,
      partner: listed.value.find((m) => m.name === real.pair)!.path,
    })

    const chosen = await api.chooseJobModels(job.id, cleanPair)
    expect(chosen.ok ? chosen.value : chosen.error).toBe(1)
    await done(job.id)
    const view = (await api.listJobs()).find((j) => j.id === job.id)!
    expect([view.models, view.pair, view.realism]).toEqual([
      'the pair for clean, sharp originals',
      cleanPair,
      0.75,
    ])
    const after = await outputOf(job.id)
    expect(after.equals(before)).toBe(false)
    await api.updatePreferences({ model: cleanPair })
    const madeClean = await enhanced('Made with the clean pair')
    expect(after.equals(await outputOf(madeClean.id))).toBe(true)
    // Its photo's preview follows: the clean pair's crop, as a pair named for it renders it.
    const region = { x: 8, y: 8, width: 32, height: 32 }
    const queued = { jobId: job.id, itemId: (await api.listItems(job.id))[0]!.id, side: 'input' as const }
    const [ofJob, named] = await Promise.all([
      api.previewCrop(queued, region, 0.75, repairsOf({}), []),
      api.previewCrop(queued, region, 0.75, repairsOf({}), [], cleanPair),
    ])
    expect(ofJob.ok && named.ok && ofJob.value.url === named.value.url).toBe(true)

    // Refused: the pair it has, a file that is not one of the app's models, two that cannot be paired, a job gone.
    const codes = await Promise.all([
      api.chooseJobModels(job.id, cleanPair),
      api.chooseJobModels(job.id, { path: photo, partner: null }),
      api.chooseJobModels(job.id, {
        path: clean.path,
        partner: listed.value.find((m) => m.name === real.pair)!.path,
      }),
      api.chooseJobModels('no-such-job', null),
    ])
    expect(codes.map((r) => (r.ok ? r.value : r.error.code))).toEqual([
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
      'INCOMPATIBLE_MODELS',
      'INVALID_ARGUMENT',
    ])
    // Back to the default pair (named as null): the first file again, byte for byte.
    expect(await api.chooseJobModels(job.id, null)).toEqual({ ok: true, value: 1 })
    await done(job.id)
    expect((await outputOf(job.id)).equals(before)).toBe(true)
    await api.updatePreferences({ model: null, realism: 0.5 })
  }, 300_000)
})
