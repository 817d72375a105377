/**
 * A photo opened from the system's temporary folder (a ZIP's or a mail attachment's copy) has its result kept
 * out of it, and so does one on a read-only drive; any other photo's result goes beside it.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScriptedDialogs, startBackend } from '../e2e/harness.js'

const dataDir = mkdtempSync(join(tmpdir(), 'enhance-temporary-'))
let backend: Awaited<ReturnType<typeof startBackend>>

async function photoAt(path: string): Promise<void> {
  mkdirSync(join(path, '..'), { recursive: true })
  await sharp({ create: { width: 8, height: 6, channels: 3, background: '#204060' } })
    .png()
    .toFile(path)
}

/** The photo or folder at `path` (a photo made there if none), added as a job: its default output folder. */
async function outDirOf(path: string): Promise<string> {
  if (!existsSync(path)) await photoAt(path)
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

  it.runIf(process.getuid?.() === 0)(
    'is Pictures › Enhanced › the photos’ folder for photos on a read-only drive (a photo CD), which cannot take it',
    async () => {
      const drive = join(dataDir, 'KODAK_PICTURE_CD')
      mkdirSync(drive)
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', drive], { stdio: 'ignore' })
      } catch {
        console.log('skipped: cannot mount a tmpfs here (needs mount rights)')
        return
      }
      try {
        await photoAt(join(drive, 'PICTURES', 'IMG0001.png'))
        execFileSync('mount', ['-o', 'remount,ro', drive])
        expect(await outDirOf(drive)).toBe(join(dataDir, 'Pictures', 'Enhanced', 'KODAK_PICTURE_CD'))
        expect(await outDirOf(join(drive, 'PICTURES', 'IMG0001.png'))).toBe(
          join(dataDir, 'Pictures', 'Enhanced', 'PICTURES'),
        )
      } finally {
        execFileSync('umount', [drive])
      }
    },
  )

  it('is beside the photo anywhere else, a folder named like the temporary one included', async () => {
    const kept = join(dataDir, 'system-temp-photos', 'IMG_0043.png')
    expect(await outDirOf(kept)).toBe(join(dataDir, 'system-temp-photos', 'Enhanced'))
  })
})
