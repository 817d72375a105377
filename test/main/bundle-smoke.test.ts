/**
 * The built main bundle (out/main/index.js) started under Node against a recording stub of
 * Electron's API, where Electron's binary cannot be downloaded: it must start, harden its window
 * and session, and find every file it points at (preload, renderer, engine worker, models).
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { lockQueue } from '../../src/queue/lock.js'
import { API_CHANNELS } from '../../src/shared/api.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MAIN = join(ROOT, 'out/main/index.js')
const STUB = join(ROOT, 'test/fixtures/electron-stub/register.mjs')

interface StubRecord {
  windows: Array<{ webPreferences: Record<string, unknown> }>
  loads: string[]
  ipc: string[]
  schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>
  protocols: string[]
  permission: string[]
  appEvents: string[]
  contentsEvents: string[]
  forks: string[]
  engineRequests: Array<{ type: string; model?: string; blend?: string }>
  calls: Record<string, unknown> & { listModels: { ok: boolean; value: Array<{ path: string }> } }
}

async function startMain(env: Record<string, string>): Promise<StubRecord> {
  const out = join(mkdtempSync(join(tmpdir(), 'enhance-stub-')), 'record.json')
  const child = spawn(process.execPath, ['--import', STUB, MAIN], {
    env: {
      ...process.env,
      ELECTRON_STUB_RECORD: out,
      ELECTRON_STUB_USER_DATA: mkdtempSync(join(tmpdir(), 'enhance-ud-')),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  try {
    for (let waited = 0; !existsSync(out); waited += 50) {
      if (waited > 20_000) throw new Error('the main bundle did not finish starting within 20 s')
      if (child.exitCode !== null) throw new Error(`the main bundle exited with ${child.exitCode}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    return JSON.parse(readFileSync(out, 'utf8')) as StubRecord
  } finally {
    child.kill('SIGKILL')
  }
}

describe('the built main bundle, against a recording stub of Electron', () => {
  beforeAll(() => {
    // CI builds before the tests; a bare `npm test` builds the bundle here.
    if (!existsSync(MAIN))
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
        { cwd: ROOT },
      )
  }, 120_000)

  it('starts, hardens its window and session, and finds every file it points at', async () => {
    const record = await startMain({ ELECTRON_RENDERER_URL: 'http://localhost:5173' })
    const prefs = record.windows[0]!.webPreferences
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    })
    expect(existsSync(prefs['preload'] as string)).toBe(true)
    // The renderer comes from app://, served from the built files only; the dev URL is honoured (not packaged).
    expect(record.loads).toEqual(['http://localhost:5173'])
    expect(record.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ])
    expect(record.calls['index']).toMatchObject({ status: 200 })
    expect((record.calls['index'] as { bytes: number }).bytes).toBe(
      readFileSync(join(ROOT, 'out/renderer/index.html')).length,
    )
    expect(record.calls['escape']).toMatchObject({ status: 404 })
    expect(record.calls['otherHost']).toMatchObject({ status: 404 })
    // Exactly the API's channels, refused to any sender but the window's main frame.
    expect(record.ipc.sort()).toEqual(Object.values(API_CHANNELS).sort())
    expect(record.calls['strangerRefused']).toBe(true)
    // Bundled models found and the engine worker forked from a file that exists.
    expect(record.calls.listModels.ok).toBe(true)
    expect(record.calls.listModels.value.length).toBeGreaterThanOrEqual(2)
    for (const model of record.calls.listModels.value) expect(existsSync(model.path)).toBe(true)
    expect(record.forks).toHaveLength(1)
    expect(existsSync(record.forks[0]!)).toBe(true)
    // The default pair is made ready at start, from files that exist.
    const warmUp = record.engineRequests.find((r) => r.type === 'warmUp')!
    expect(warmUp.model).toMatch(/enhance-real-psnr-x4\.safetensors$/)
    expect(warmUp.blend).toMatch(/enhance-real-gan-x4\.safetensors$/)
    for (const file of [warmUp.model!, warmUp.blend!]) expect(existsSync(file)).toBe(true)
    // A model chosen in the dialog (which offers model files) is inspected by its selection id.
    expect(record.calls['dialogFilters']).toEqual([
      { name: 'Models (.pth, .safetensors, .onnx)', extensions: ['pth', 'pt', 'safetensors', 'onnx'] },
    ])
    expect(record.calls['inspect']).toMatchObject({ ok: true, value: { arch: 'RRDBNet', scale: 4 } })
    // The catalogue of downloads is read from the packaged resources: its Compact pair is offered.
    expect(record.calls['listLibrary']).toMatchObject({ ok: true })
    const library = (record.calls['listLibrary'] as { value: Array<{ id: string; state: string }> }).value
    expect(library.find((m) => m.id === '4x-realesr-general-x4v3')).toMatchObject({ state: 'available' })
    // The checklist: permissions, webviews, windows, navigation and redirects all refused.
    expect(record.permission.sort()).toEqual(['check', 'request'])
    expect(record.calls).toMatchObject({
      permissionGranted: false,
      permissionCheck: false,
      webviewRefused: true,
      navigationRefused: true,
      frameNavigationRefused: true,
      redirectRefused: true,
      newWindow: { action: 'deny' },
    })
  }, 60_000)

  it('says why it cannot start while an enhance command runs the queue, and quits', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'enhance-ud-'))
    const unlock = await lockQueue(join(userData, 'queue'))
    try {
      const record = await startMain({ ELECTRON_STUB_USER_DATA: userData })
      expect(record.calls['errorBox']).toEqual({
        title: 'Enhance is already enhancing photos',
        content:
          'An enhance command (in a terminal or a script) is running the queue now. Open Enhance again when it has finished, or stop it with Ctrl-C: its photos wait in the queue, and the window goes on with them.',
      })
      expect(record.calls['quit']).toBe(true)
      expect([record.windows.length, record.forks.length]).toEqual([0, 0])
    } finally {
      unlock()
    }
  }, 60_000)

  it('ignores ELECTRON_RENDERER_URL when packaged and loads the app from app://', async () => {
    const record = await startMain({
      ELECTRON_RENDERER_URL: 'http://evil.example',
      ELECTRON_STUB_PACKAGED: '1',
      ELECTRON_STUB_RESOURCES: ROOT,
    })
    expect(record.loads).toEqual(['app://enhance/index.html'])
  }, 60_000)
})
