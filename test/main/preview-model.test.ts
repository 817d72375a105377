/** Realism's preview of a queued photo runs its job's models, whatever Models now chooses for new jobs. */
import { mkdtempSync } from 'node:fs'
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
})
