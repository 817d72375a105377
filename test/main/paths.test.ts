/** Main owns every path: the window refers to what a dialog, a drop or the queue gave it by id. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Selections } from '../../src/main/services/selections.js'
import { NOTHING_TAKEN } from '../../src/main/services/pasted.js'
import type { ChosenFile, PhotoRef } from '../../src/shared/api.js'
import { MODELS_DIR, ScriptedDialogs, startBackend } from '../e2e/harness.js'
import { repairsOf } from '../../src/shared/settings.js'

const dataDir = mkdtempSync(join(tmpdir(), 'enhance-paths-'))
const elsewhere = mkdtempSync(join(tmpdir(), 'enhance-elsewhere-'))
const dialogs = new ScriptedDialogs()
let backend: Awaited<ReturnType<typeof startBackend>>

beforeAll(async () => {
  await sharp({ create: { width: 32, height: 24, channels: 3, background: '#336699' } })
    .png()
    .toFile(join(elsewhere, 'private.png'))
  await sharp({ create: { width: 32, height: 24, channels: 3, background: '#996633' } })
    .png()
    .toFile(join(elsewhere, 'chosen.png'))
  backend = await startBackend(dataDir, dialogs)
})
afterAll(() => backend.close())

describe('paths the window may name', () => {
  it('cannot set the output folder: only the folder dialog does, in main', async () => {
    const api = backend.services
    const refused = await api.updatePreferences({ outDir: elsewhere } as unknown as { realism: number })
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect((await api.getPreferences()).outDir).toBeNull()
    dialogs.outputFolder = join(dataDir, 'out')
    expect(await api.chooseOutputFolder()).toBe(join(dataDir, 'out'))
    expect((await api.getPreferences()).outDir).toBe(join(dataDir, 'out'))
  })

  it('names photos only by ids main handed out: a chosen file, or a queued photo', async () => {
    const api = backend.services
    const secret = join(elsewhere, 'private.png')
    const region = { x: 0, y: 0, width: 16, height: 16 }
    for (const call of [
      () => api.imageUrl(secret as unknown as PhotoRef, 64),
      () => api.imageTile(secret as unknown as PhotoRef, 0, 0),
      () => api.imageTile({ selection: 'made-up', index: 0 }, 0, 0),
      () => api.previewCrop(secret as unknown as PhotoRef, region, 0.5, repairsOf({}), []),
      () => api.imageUrl({ selection: 'made-up', index: 0 }, 64),
      () => api.imageUrl({ jobId: 'made-up', itemId: 'made-up', side: 'output' }, 64),
      () => api.addJob(secret),
    ])
      expect(await call()).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })

    dialogs.inputs = [join(elsewhere, 'chosen.png')]
    const chosen = await api.chooseInputs('files')
    expect(chosen).toMatchObject({ names: ['chosen.png'] })
    expect(JSON.stringify(chosen)).not.toContain(elsewhere) // the window sees names, not paths
    const shown = await api.imageUrl({ selection: chosen!.id, index: 0 }, 64)
    expect(shown).toMatchObject({ ok: true, value: { originalWidth: 32, originalHeight: 24 } })
    expect(await api.imageUrl({ selection: chosen!.id, index: 1 }, 64)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
    // A cancelled dialog hands out nothing.
    dialogs.inputs = null
    expect(await api.chooseInputs('files')).toBeNull()
  })

  it('starts a job from a drop by its id, and shows its photos by job and item', async () => {
    const api = backend.services
    expect(await api.selectDropped([])).toBeNull()
    const dropped = await api.selectDropped([join(elsewhere, 'chosen.png')])
    dialogs.outputFolder = join(dataDir, 'out')
    await api.chooseOutputFolder()
    const job = await api.addJob(dropped!.id)
    expect(job.ok).toBe(true)
    const jobId = job.ok ? job.value.id : ''
    await expect.poll(async () => (await api.listJobs())[0]?.state, { timeout: 150_000 }).toBe('done')
    const [item] = await api.listItems(jobId)
    const output = await api.imageUrl({ jobId, itemId: item!.id, side: 'output' }, 256)
    expect(output).toMatchObject({ ok: true, value: { originalWidth: 128, originalHeight: 96 } })
    const input = await api.imageUrl({ jobId, itemId: item!.id, side: 'input' }, 256)
    expect(input).toMatchObject({ ok: true, value: { originalWidth: 32, originalHeight: 24 } })
    const tile = await api.imageTile({ jobId, itemId: item!.id, side: 'output' }, 0, 0)
    expect(tile).toMatchObject({ ok: true, value: { left: 0, top: 0, width: 128, height: 96 } })
  }, 90_000)

  it('takes no photo from a drop or paste of nothing, or of an image too large to hand over', async () => {
    const api = backend.services
    const take = (via: 'paste' | 'drop', oversized = 0) =>
      api.takePhotos({ via, paths: [], images: [], oversized })
    expect(await take('drop')).toEqual({
      ok: false,
      error: { code: 'NO_PHOTOS', message: NOTHING_TAKEN.drop },
    })
    expect(await take('paste')).toEqual({
      ok: false,
      error: { code: 'NO_PHOTOS', message: NOTHING_TAKEN.paste },
    })
    expect(await take('drop', 1)).toMatchObject({ ok: false, error: { code: 'IMAGE_TOO_LARGE' } })
  })

  it('shows and copies a result of more pixels than a photo may have, as a 12 MP photo ×4 has', async () => {
    const api = backend.services
    const [job] = await api.listJobs()
    const [item] = await api.listItems(job!.id)
    // The result as a 6.75 MP photo's ×4 would be: 108 MP, past the 100 MP guard for photos.
    const large = sharp({ create: { width: 12000, height: 9000, channels: 3, background: '#3a6f9c' } })
    await large.png({ compressionLevel: 1 }).toFile(item!.output)
    const shown = await api.imageUrl({ jobId: job!.id, itemId: item!.id, side: 'output' }, 256)
    expect(shown).toMatchObject({ ok: true, value: { width: 256, height: 192, originalWidth: 12000 } })
    const copied = await api.copyResult({ jobId: job!.id, itemId: item!.id })
    expect(copied).toEqual({
      ok: true,
      value: { width: 8192, height: 6144, originalWidth: 12000, originalHeight: 9000 },
    })
    const onClipboard = await sharp(dialogs.copied!).raw().toBuffer({ resolveWithObject: true })
    expect(onClipboard.info).toMatchObject({ width: 8192, height: 6144 })
    expect([...onClipboard.data.subarray(0, 3)]).toEqual([0x3a, 0x6f, 0x9c])
    // The same file chosen as a photo to enhance is still held to the guard.
    dialogs.inputs = [item!.output]
    const chosen = await api.chooseInputs('files')
    expect(await api.imageUrl({ selection: chosen!.id, index: 0 }, 256)).toMatchObject({
      ok: false,
      error: { code: 'IMAGE_TOO_LARGE' },
    })
  }, 120_000)

  it('can inspect and import only models chosen in a dialog, and choose only listed ones', async () => {
    const api = backend.services
    const foreign = join(elsewhere, 'model.safetensors')
    const made = { selection: 'made-up', index: 0 }
    expect(await api.inspectModel(made)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(await api.importModel(made)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(await api.inspectModel(foreign as unknown as ChosenFile)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
    dialogs.inputs = [join(MODELS_DIR, 'enhance-psnr-x4.safetensors')]
    const chosen = await api.chooseInputs('model')
    expect(await api.inspectModel({ selection: chosen!.id, index: 0 })).toMatchObject({
      ok: true,
      value: { arch: 'RRDBNet', scale: 4 },
    })
    expect(await api.updatePreferences({ model: { path: foreign, partner: null } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
  })
})

describe('selections', () => {
  it('are forgotten oldest first once 200 are kept, so memory stays bounded', () => {
    const selections = new Selections()
    const first = selections.add(['/a.jpg'])!
    for (let i = 0; i < 200; i++) selections.add([`/b${i}.jpg`])
    expect(() => selections.paths(first.id)).toThrow(/not chosen in this session/)
    const last = selections.add(['/c.jpg', '/d/e.png'])!
    expect(selections.paths(last.id)).toEqual(['/c.jpg', '/d/e.png'])
    expect(last.names).toEqual(['c.jpg', 'e.png'])
  })
})
