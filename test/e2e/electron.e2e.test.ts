/**
 * The real Electron app. The Electron binary is downloaded at first launch and cannot be fetched on
 * machines without internet, so this suite runs only where it is already present.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { _electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { API_CHANNELS } from '../../src/shared/api.js'

const require = createRequire(import.meta.url)
const electronDir = join(require.resolve('electron/package.json'), '..')
const pathFile = join(electronDir, 'path.txt')
const binary = existsSync(pathFile) ? join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim()) : null
const available = binary !== null && existsSync(binary)

if (!available)
  console.log(
    'Electron launch tests skipped: the Electron binary is not installed here (it cannot be downloaded offline).',
  )

describe.skipIf(!available)('the packaged-style Electron app', () => {
  it('opens one hardened window with the typed API and nothing else', async () => {
    const app = await _electron.launch({
      executablePath: binary!,
      // A fresh profile: settings and queue start empty.
      args: [
        join(import.meta.dirname, '../../out/main/index.js'),
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'enhance-electron-'))}`,
      ],
    })
    const page = await app.firstWindow()
    await page.getByRole('heading', { name: /Enhance/ }).waitFor()
    const exposed = await page.evaluate(() => ({
      api: Object.keys((globalThis as unknown as { api: object }).api).sort(),
      require: typeof (globalThis as unknown as { require?: unknown }).require,
    }))
    expect(exposed.require).toBe('undefined')
    // Exactly the typed API: one function per IPC method and the event subscription.
    expect(exposed.api).toEqual([...Object.keys(API_CHANNELS), 'onEvent'].sort())
    // A File the page makes has no path on disk, so a drop cannot be forged to name one.
    const forged = await page.evaluate(() =>
      (
        globalThis as unknown as { api: { selectDropped(files: File[]): Promise<unknown> } }
      ).api.selectDropped([new File(['x'], '/etc/passwd')]),
    )
    expect(forged).toBeNull()
    // Nor a drop or a paste: such a File is taken as an image's bytes, which here are no image.
    const forgedPaste = await page.evaluate(() =>
      (
        globalThis as unknown as { api: { takePhotos(files: File[], via: string): Promise<unknown> } }
      ).api.takePhotos([new File(['x'], '/etc/passwd')], 'drop'),
    )
    expect(forgedPaste).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED_FORMAT' } })
    const prefs = await page.evaluate(() =>
      (
        globalThis as unknown as { api: { getPreferences(): Promise<{ device: string }> } }
      ).api.getPreferences(),
    )
    expect(prefs.device).toBe('auto')
    await app.close()
  })
})
