/**
 * The built main bundle (out/main/index.js) started under Node against a recording stub of
 * Electron's API, where Electron's binary cannot be downloaded: it must start, harden its window
 * and session, and find every file it points at (preload, renderer, engine worker, models).
 */
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { lockQueue } from '../../src/queue/lock.js'
import { API_CHANNELS } from '../../src/shared/api.js'
import { imageFixture } from '../helpers/fixtures.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const MAIN = join(ROOT, 'out/main/index.js')
const STUB = join(ROOT, 'test/fixtures/electron-stub/register.mjs')

interface StubRecord {
  windows: Array<{ webPreferences: Record<string, unknown> } & Record<string, unknown>>
  loads: string[]
  ipc: string[]
  schemes: Array<{ scheme: string; privileges: Record<string, boolean> }>
  protocols: string[]
  permission: string[]
  appEvents: string[]
  contentsEvents: string[]
  forks: string[]
  sent: Array<{ type: string } & Record<string, unknown>>
  menu: MenuRecord[]
  progress: Array<[number, string | undefined]>
  notifications: Array<{ title: string; body: string }>
  awake: string[]
  engineRequests: Array<{ type: string; model?: string; blend?: string }>
  calls: Record<string, unknown> & { listModels: { ok: boolean; value: Array<{ path: string }> } }
}

interface MenuRecord {
  label?: string
  role?: string
  accelerator?: string
  submenu?: MenuRecord[]
}

const menuItems = (menu: MenuRecord[]): MenuRecord[] =>
  menu.flatMap((item) => [item, ...menuItems(item.submenu ?? [])])

async function startMain(env: Record<string, string>, args: string[] = []): Promise<StubRecord> {
  const out = join(mkdtempSync(join(tmpdir(), 'enhance-stub-')), 'record.json')
  const child = spawn(process.execPath, ['--import', STUB, MAIN, ...args], {
    env: {
      ...process.env,
      ELECTRON_STUB_RECORD: out,
      ELECTRON_STUB_PASTE: ONE_PIXEL_PNG,
      ELECTRON_STUB_USER_DATA: mkdtempSync(join(tmpdir(), 'enhance-ud-')),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  try {
    for (let waited = 0; !existsSync(out); waited += 50) {
      if (waited > 40_000) throw new Error('the main bundle did not finish starting within 40 s')
      if (child.exitCode !== null) throw new Error(`the main bundle exited with ${child.exitCode}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    return JSON.parse(readFileSync(out, 'utf8')) as StubRecord
  } finally {
    child.kill('SIGKILL')
  }
}

/** An image the stub's window pastes: one red pixel, as PNG. */
const ONE_PIXEL_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC'

/** The base64 of the image the stub's window pasted, as saved under `pictures`' "Pasted into Enhance". */
function pastedFile(record: StubRecord, pictures: string): string {
  const pasted = record.calls['pasted'] as { ok: true; value: { names: [string] } }
  return readFileSync(join(pictures, 'Pasted into Enhance', pasted.value.names[0])).toString('base64')
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
    // The menu: File adds photos or a folder, or splits scans, as the Queue's buttons do (the window is told to).
    const file = record.menu.find((menu) => menu.label === 'File')!.submenu!
    expect(file.slice(0, 3)).toEqual([
      { label: 'Add Photos…', accelerator: 'CmdOrCtrl+O' },
      { label: 'Add Folder…', accelerator: 'CmdOrCtrl+Shift+O' },
      { label: 'Split Scans…' },
    ])
    expect(record.sent.filter((e) => e.type === 'add' || e.type === 'opened')).toEqual([
      { type: 'add', kind: 'files' },
    ])
    // Unpackaged, the developer's Reload and tools stay in View.
    expect(menuItems(record.menu).map((item) => item.role)).toContain('toggleDevTools')
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
    // It follows the power source: on battery the system may sleep as it would.
    expect(record.appEvents).toEqual(
      expect.arrayContaining(['powerMonitor:on-battery', 'powerMonitor:on-ac']),
    )
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

  it('opens the window where it was closed, and as the first time when that place is on no screen', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'enhance-ud-'))
    const first = await startMain({ ELECTRON_STUB_USER_DATA: userData })
    expect(first.windows[0]).toMatchObject({ width: 1280, height: 820, minWidth: 640, minHeight: 480 })
    expect(first.windows[0]).not.toHaveProperty('x')
    // Quitting finished writing where the window was before it let the app go.
    expect(first.calls['quitWaited']).toBe(true)
    const left = { x: 300, y: 120, width: 1000, height: 700 }
    expect(JSON.parse(readFileSync(join(userData, 'window.json'), 'utf8'))).toEqual({
      bounds: { x: 40, y: 30, width: 1100, height: 760 },
      maximized: false,
    })
    const second = await startMain({
      ELECTRON_STUB_USER_DATA: userData,
      ELECTRON_STUB_BOUNDS: JSON.stringify(left),
    })
    expect(second.windows[0]).toMatchObject({ x: 40, y: 30, width: 1100, height: 760 })
    expect(JSON.parse(readFileSync(join(userData, 'window.json'), 'utf8'))).toEqual({
      bounds: left,
      maximized: false,
    })
    // Left on a second screen that is gone now: its size kept, its place the system's.
    writeFileSync(
      join(userData, 'window.json'),
      JSON.stringify({ bounds: { x: 2500, y: 200, width: 900, height: 600 }, maximized: false }),
    )
    const third = await startMain({ ELECTRON_STUB_USER_DATA: userData })
    expect(third.windows[0]).toMatchObject({ width: 900, height: 600 })
    expect(third.windows[0]).not.toHaveProperty('x')
  }, 90_000)

  it('ignores ELECTRON_RENDERER_URL when packaged and loads the app from app://', async () => {
    const userData = mkdtempSync(join(tmpdir(), 'enhance-ud-'))
    const record = await startMain({
      ELECTRON_RENDERER_URL: 'http://evil.example',
      ELECTRON_STUB_PACKAGED: '1',
      ELECTRON_STUB_RESOURCES: ROOT,
      ELECTRON_STUB_USER_DATA: userData,
      ELECTRON_STUB_NO_PICTURES: '1',
    })
    expect(record.loads).toEqual(['app://enhance/index.html'])
    // Where the system names no Pictures folder (Electron throws), pasted images go to the data folder.
    expect(pastedFile(record, userData)).toEqual(ONE_PIXEL_PNG)
    // Electron's default menu would offer Reload and the developer tools to every user.
    const roles = menuItems(record.menu).map((item) => item.role)
    expect(roles).not.toContain('reload')
    expect(roles).not.toContain('toggleDevTools')
    expect(roles).toContain('zoomIn')
  }, 60_000)

  it('starts a job on the photos and folders a launch names, and on those a second launch names', async () => {
    const place = mkdtempSync(join(tmpdir(), 'enhance-open-'))
    mkdirSync(join(place, 'album'))
    await sharp({ create: { width: 16, height: 12, channels: 3, background: '#3070c0' } }).toFile(
      join(place, 'first.png'),
    )
    await sharp({ create: { width: 12, height: 16, channels: 3, background: '#c07030' } }).toFile(
      join(place, 'album', 'b.jpg'),
    )
    // A JPEG XL and a JPEG 2000, which the bundled engine decodes in worker threads of their own (jxl.ts, jp2.ts).
    copyFileSync(imageFixture('jxl/quadrants.jxl'), join(place, 'album', 'c.jxl'))
    copyFileSync(imageFixture('jp2/alpha.jp2'), join(place, 'album', 'd.jp2'))
    writeFileSync(join(place, 'notes.txt'), 'not a photo')
    const userData = mkdtempSync(join(tmpdir(), 'enhance-ud-'))
    const record = await startMain(
      {
        ELECTRON_STUB_USER_DATA: userData,
        // The second launch, as Electron hands it over: its executable, the app's folder, a switch, a folder.
        ELECTRON_STUB_SECOND_ARGV: JSON.stringify(['/opt/electron', '.', '--no-sandbox', 'album']),
        ELECTRON_STUB_SECOND_CWD: place,
      },
      [join(place, 'first.png'), '--enable-logging', join(place, 'notes.txt'), join(place, 'missing.jpg')],
    )
    // The window is handed each launch's photos as one selection: the switch, the text file and the missing
    // file left out.
    const opened = record.sent.filter((e) => e.type === 'opened')
    expect(opened.map((e) => (e['selection'] as { names: string[] }).names)).toEqual([
      ['first.png'],
      ['album'],
    ])
    // The window starts a job on each (here the stub does); both run to the end and write their photos.
    const jobs = record.calls['jobs'] as Array<{ state: string; counts: { done: number } }>
    expect(jobs.map((job) => [job.state, job.counts.done])).toEqual([
      ['done', 1],
      ['done', 3],
    ])
    expect(existsSync(join(place, 'Enhanced', 'first.png'))).toBe(true)
    // Its result copied: the whole 64×48 photo on Electron's clipboard.
    expect(record.calls['copyResult']).toEqual({
      ok: true,
      value: { width: 64, height: 48, originalWidth: 64, originalHeight: 48 },
    })
    expect(record.calls['copied']).toEqual([{ width: 64, height: 48 }])
    // The image the window pasted, saved byte for byte in Pictures.
    expect(pastedFile(record, join(userData, 'Pictures'))).toEqual(ONE_PIXEL_PNG)
    expect(existsSync(join(place, 'album', 'Enhanced', 'b.jpg'))).toBe(true)
    for (const [name, channels] of [
      ['c.png', 3],
      ['d.png', 4],
    ] as const)
      expect(await sharp(join(place, 'album', 'Enhanced', name)).metadata()).toMatchObject({
        width: 256,
        height: 192,
        channels,
      })
    // Finished out of sight: a notice per job, naming it; the taskbar bar cleared when the queue is done.
    expect(record.notifications).toEqual([
      { title: 'first.png (1 photo)', body: '1 photo enhanced.' },
      { title: 'album (3 photos)', body: '3 photos enhanced.' },
    ])
    expect(record.progress.at(-1)).toEqual([-1, 'none'])
    // The log (Help › Show Log File) says what ran and how it ended.
    const log = readFileSync(join(userData, 'enhance.log'), 'utf8').replace(/^\S+ /gm, '')
    expect(log).toMatch(/^Enhance 0\.0\.0-stub starting on \w+ \w+ \(Electron \?, \d+ CPU threads\)$/m)
    expect(log).toMatch(/^The model of new jobs is ready on cpu \((int8|fp32)\), in \d+ ms\.$/m)
    expect(log).toContain('Job finished: first.png (1 photo): 1 photo enhanced.\n')
    expect(log).toContain('Job finished: album (3 photos): 3 photos enhanced.\n')
    expect(menuItems(record.menu).find((item) => item.role === 'help')?.submenu).toEqual([
      { label: 'Show Log File' },
    ])
    // Closing the window while they ran asked first, once for two tries (and "Keep enhancing" kept it open);
    // once done, it closes.
    expect(record.calls['closeWhileWorkingPrevented']).toEqual([true, true])
    const boxes = record.calls['messageBoxes'] as Array<Record<string, unknown>>
    expect(boxes).toHaveLength(1)
    const { message, ...box } = boxes[0]!
    expect(message).toMatch(/^Enhance is still working on [1-4] photos?\.$/)
    expect(box).toEqual({
      type: 'question',
      buttons: ['Quit', 'Keep enhancing'],
      defaultId: 1,
      cancelId: 1,
      detail:
        'If you quit now, they wait in the queue, and Enhance goes on with them the next time it opens.',
    })
    expect(record.calls['closeWhenDonePrevented']).toBe(false)
    // Kept awake while the photos ran (once or per job), allowed to sleep after.
    expect(record.awake[0]).toBe('start prevent-app-suspension')
    expect(record.awake.at(-1)).toMatch(/^stop \d+$/)
    expect(record.awake.filter((call) => call.startsWith('stop'))).toHaveLength(record.awake.length / 2)
    expect(record.progress.length).toBeGreaterThan(1)
    // While they ran: a fraction (full once the last photo is written, before the job is marked done), or
    // "cannot say" while a folder was still being scanned.
    for (const [value, mode] of record.progress.slice(0, -1))
      if (mode === 'indeterminate') expect(value).toBe(2)
      else expect([mode, value >= 0 && value <= 1]).toEqual(['normal', true])
  }, 90_000)
})
