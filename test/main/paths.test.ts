/** Main owns every path: the window can only name what a dialog, a drop or the queue gave it. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScriptedDialogs, startBackend } from '../e2e/harness.js'

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
    const refused = await api.updatePreferences({ outDir: elsewhere } as unknown as { alpha: number })
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect((await api.getPreferences()).outDir).toBeNull()
    dialogs.outputFolder = join(dataDir, 'out')
    expect(await api.chooseOutputFolder()).toBe(join(dataDir, 'out'))
    expect((await api.getPreferences()).outDir).toBe(join(dataDir, 'out'))
  })

  it('can show and crop only photos it was given', async () => {
    const api = backend.services
    const secret = join(elsewhere, 'private.png')
    expect(await api.imageUrl(secret, 64)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    const region = { x: 0, y: 0, width: 16, height: 16 }
    expect(await api.previewCrop(secret, region, 0.5)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
    dialogs.inputs = [join(elsewhere, 'chosen.png')]
    await api.chooseInputs('files')
    const shown = await api.imageUrl(join(elsewhere, 'chosen.png'), 64)
    expect(shown).toMatchObject({ ok: true, value: { originalWidth: 32, originalHeight: 24 } })
  })

  it('can inspect, import and choose only models from a dialog or the models folders', async () => {
    const api = backend.services
    const models = await api.listModels()
    expect(models.ok).toBe(true)
    const bundled = models.ok ? models.value[0]!.path : ''
    expect((await api.inspectModel(bundled)).ok).toBe(true)
    const foreign = join(elsewhere, 'model.safetensors')
    expect(await api.inspectModel(foreign)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(await api.importModel(foreign)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } })
    expect(await api.updatePreferences({ model: { path: foreign, partner: null } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGUMENT' },
    })
  })
})
