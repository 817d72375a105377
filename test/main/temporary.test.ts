/**
 * A photo opened from the system's temporary folder (a ZIP's or a mail attachment's copy) has its result kept
 * out of it; any other photo's result goes beside it.
 */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScriptedDialogs, startBackend } from '../e2e/harness.js'

const dataDir = mkdtempSync(join(tmpdir(), 'enhance-temporary-'))
let backend: Awaited<ReturnType<typeof startBackend>>

/** A photo at `path` (its folders made), added as a job with the default output folder: that folder. */
async function outDirOf(path: string): Promise<string> {
  mkdirSync(join(path, '..'), { recursive: true })
  await sharp({ create: { width: 8, height: 6, channels: 3, background: '#204060' } })
    .png()
    .toFile(path)
  const api = backend.services
  const job = await api.addJob((await api.selectDropped([path]))!.id)
  if (!job.ok) throw new Error(job.error.message)
  await api.removeJob(job.value.id)
  return job.value.outDir
}

beforeAll(async () => {
  backend = await startBackend(dataDir, new ScriptedDialogs())
})
afterAll(() => backend.close())

describe('where a photo from the temporary folder is enhanced to', () => {
  it('is Pictures › Enhanced, not an Enhanced folder the system may clear', async () => {
    const opened = join(dataDir, 'system-temp', 'Temp1_Holiday.zip', 'IMG_0042.png')
    expect(await outDirOf(opened)).toBe(join(dataDir, 'Pictures', 'Enhanced'))
  })

  it('is beside the photo anywhere else, a folder named like the temporary one included', async () => {
    const kept = join(dataDir, 'system-temp-photos', 'IMG_0043.png')
    expect(await outDirOf(kept)).toBe(join(dataDir, 'system-temp-photos', 'Enhanced'))
  })
})
