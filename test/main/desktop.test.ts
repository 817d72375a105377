import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { JobView } from '../../src/shared/api.js'
import {
  KeepAwake,
  finishedNotice,
  noticeFor,
  quitQuestion,
  taskbarProgress,
} from '../../src/main/desktop.js'
import { photosNamedAtLaunch } from '../../src/main/launch-paths.js'
import { menuTemplate } from '../../src/main/menu.js'
import { OpenRequests } from '../../src/main/open-requests.js'
import { placement, readWindowState, saveWindowState } from '../../src/main/window-state.js'
import { UPRIGHT } from '../../src/shared/turn.js'

function job(state: JobView['state'], total: number, counts: Partial<JobView['counts']> = {}): JobView {
  return {
    id: `${state}-${total}`,
    state,
    inputs: ['/photos/Summer 2019'],
    outDir: '/photos/Summer 2019/Enhanced',
    realism: 0.5,
    repairs: { restoreColours: false, restoreStrength: 1, removeDust: false, removeScratches: false },
    total,
    counts: { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, skipped: 0, ...counts },
    size: { mode: 'native' },
    pair: { path: '/models/psnr.safetensors', partner: '/models/gan.safetensors' },
    etaMs: null,
    inFlightMs: null,
    watchable: true,
    watching: false,
    facing: UPRIGHT,
    taken: null,
    takenFromNames: false,
    ownRealism: 0,
    ownRepairs: 0,
    caption: null,
    captionFromNames: false,
  }
}

describe('the taskbar progress', () => {
  it('runs over every job still to finish, and is cleared once none is', () => {
    expect(taskbarProgress([job('done', 4, { done: 4 }), job('running', 6, { done: 1, failed: 1 })])).toEqual(
      {
        value: 2 / 6,
        mode: 'normal',
      },
    )
    expect(
      taskbarProgress([job('running', 4, { done: 3, skipped: 1 }), job('queued', 4), job('scanning', 0)]),
    ).toEqual({ value: 4 / 8, mode: 'normal' })
    // A cancelled or finished job no longer holds the bar.
    expect(
      taskbarProgress([job('cancelled', 4, { done: 1, cancelled: 3 }), job('done', 2, { done: 2 })]),
    ).toEqual({ value: -1, mode: 'none' })
    expect(taskbarProgress([])).toEqual({ value: -1, mode: 'none' })
    expect(taskbarProgress([job('scanning', 0)])).toEqual({ value: 2, mode: 'indeterminate' })
  })

  it('shows paused, or an error when a problem paused it, while nothing runs and a job waits on the user', () => {
    expect(taskbarProgress([job('paused', 4, { done: 1 }), job('done', 4, { done: 4 })])).toEqual({
      value: 1 / 4,
      mode: 'paused',
    })
    const stopped = {
      ...job('paused', 4, { done: 1 }),
      pauseReason: { code: 'DISK_FULL' as const, message: 'x' },
    }
    expect(taskbarProgress([stopped, job('paused', 4)])).toEqual({ value: 1 / 8, mode: 'error' })
    // Another job to run next: the queue goes on.
    expect(taskbarProgress([job('paused', 4, { done: 1 }), job('queued', 4)])).toEqual({
      value: 1 / 8,
      mode: 'normal',
    })
  })
})

describe('keeping the computer awake', () => {
  it('holds one blocker while the queue works, and lets go when it stops or waits on the user', () => {
    const calls: string[] = []
    let next = 0
    const awake = new KeepAwake({
      start: (type) => (calls.push(`start ${type}`), ++next),
      stop: (id) => void calls.push(`stop ${id}`),
    })
    awake.update([job('scanning', 0)])
    awake.update([job('running', 2), job('queued', 3)])
    // Between two jobs: the next one is queued, about to run.
    awake.update([job('done', 2), job('queued', 3)])
    awake.update([job('done', 2), job('running', 3)])
    expect(calls).toEqual(['start prevent-app-suspension'])
    awake.update([job('done', 2), job('paused', 3)])
    awake.update([job('done', 2), job('paused', 3)])
    awake.update([job('running', 3)])
    awake.update([])
    expect(calls).toEqual([
      'start prevent-app-suspension',
      'stop 1',
      'start prevent-app-suspension',
      'stop 2',
    ])
  })

  it('lets the system sleep as it would while on battery, and holds it again on mains power', () => {
    const calls: string[] = []
    let next = 0
    const awake = new KeepAwake({
      start: () => (calls.push('start'), ++next),
      stop: (id) => void calls.push(`stop ${id}`),
    })
    awake.update([job('running', 2)])
    awake.power(true)
    awake.update([job('running', 2, { done: 1, running: 1 })])
    awake.power(false)
    awake.power(false)
    awake.power(true)
    awake.update([])
    awake.power(false)
    expect(calls).toEqual(['start', 'stop 1', 'start', 'stop 2'])
  })
})

describe('closing the window while photos are enhanced', () => {
  it('asks, counting the photos still to do in the jobs that go on', () => {
    expect(
      quitQuestion([
        job('running', 8, { done: 3, running: 1, queued: 4 }),
        job('queued', 2, { queued: 2 }),
        job('paused', 5, { queued: 5 }),
      ])?.message,
    ).toBe('Enhance is still working on 7 photos.')
    expect(quitQuestion([job('running', 2, { done: 1, running: 1 })])?.message).toBe(
      'Enhance is still working on 1 photo.',
    )
    expect(quitQuestion([job('scanning', 0)])?.message).toBe('Enhance is still finding photos.')
  })

  it('lets it close at once when nothing runs (a paused job waits on the user anyway)', () => {
    expect(quitQuestion([job('done', 2, { done: 2 }), job('paused', 5, { queued: 5 })])).toBeNull()
    expect(quitQuestion([])).toBeNull()
  })
})

describe("a job's notices, while the window is in the background", () => {
  it('names the album and counts in words, failures and skips included', () => {
    expect(finishedNotice(job('done', 1, { done: 1 }))).toEqual({
      title: 'Summer 2019 (1 photo)',
      body: '1 photo enhanced.',
    })
    expect(finishedNotice(job('done', 8, { done: 5, failed: 2, skipped: 1 }))).toEqual({
      title: 'Summer 2019 (8 photos)',
      body: '5 photos enhanced, 2 failed, 1 skipped.',
    })
  })

  it('is given once as the job finishes, and so is a pause for a problem, with its sentence; a pause by hand is not', () => {
    const running = job('running', 8, { done: 3, running: 1 })
    const full = {
      code: 'DISK_FULL' as const,
      message: 'The disk is full; /photos/b.jpg was not written. Free some space and try again.',
    }
    const stopped = { ...job('paused', 8, { done: 3, queued: 5 }), pauseReason: full }
    const finished = job('done', 8, { done: 8 })
    expect([
      noticeFor(stopped, running),
      noticeFor(stopped, stopped),
      noticeFor(job('paused', 8, { done: 3, queued: 5 }), running),
      noticeFor(finished, stopped),
      noticeFor(finished, finished),
      noticeFor(running, undefined),
    ]).toEqual([
      { title: 'Summer 2019 (8 photos)', body: `Paused: ${full.message}` },
      null,
      null,
      { title: 'Summer 2019 (8 photos)', body: '8 photos enhanced.' },
      null,
      null,
    ])
  })

  it('shows an album name that would be drawn backwards with its code, as the window does', () => {
    const disguised = { ...job('done', 1, { done: 1 }), inputs: ['/photos/\u202egpj.exe'] }
    expect(finishedNotice(disguised).title).toBe('\\u202egpj.exe (1 photo)')
  })
})

describe('the photos a launch names', () => {
  const place = mkdtempSync(join(tmpdir(), 'enhance-launch-'))
  mkdirSync(join(place, 'album'))
  for (const name of ['a.JPG', 'b.heic', 'notes.txt']) writeFileSync(join(place, name), 'x')

  it('are the folders and photos after the executable (and an unpackaged app its folder)', () => {
    const named = ['a.JPG', '--enable-logging', 'notes.txt', 'album', 'gone.jpg', join(place, 'b.heic')]
    expect(photosNamedAtLaunch(['/opt/Enhance', ...named], { packaged: true, cwd: place })).toEqual([
      join(place, 'a.JPG'),
      join(place, 'album'),
      join(place, 'b.heic'),
    ])
    // `electron .` run in the project: the app's own folder is no album.
    expect(photosNamedAtLaunch(['/opt/electron', '.', 'album'], { packaged: false, cwd: place })).toEqual([
      join(place, 'album'),
    ])
    // Switches before the app's path (as Playwright launches it) do not make the app's path a photo's.
    expect(
      photosNamedAtLaunch(['/opt/electron', '--inspect=0', '.', 'album'], { packaged: false, cwd: place }),
    ).toEqual([join(place, 'album')])
    expect(photosNamedAtLaunch(['/opt/Enhance'], { packaged: true, cwd: place })).toEqual([])
  })
})

describe('the requests to open photos', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('wait for the window, and one gesture naming several files is one job', () => {
    const requests = new OpenRequests()
    const delivered: string[][] = []
    requests.add(['/a.jpg'])
    requests.add(['/b.jpg', '/a.jpg'])
    vi.advanceTimersByTime(1000)
    expect(delivered).toEqual([])
    requests.ready((paths) => delivered.push(paths))
    expect(delivered).toEqual([['/a.jpg', '/b.jpg']])
    requests.add(['/c.jpg'])
    vi.advanceTimersByTime(100)
    requests.add(['/d.jpg'])
    expect(delivered).toHaveLength(1)
    vi.advanceTimersByTime(200)
    expect(delivered).toEqual([
      ['/a.jpg', '/b.jpg'],
      ['/c.jpg', '/d.jpg'],
    ])
    requests.add([])
    vi.advanceTimersByTime(1000)
    expect(delivered).toHaveLength(2)
  })
})

describe('the menu', () => {
  const none = { add: () => undefined, showLog: () => undefined }
  const labels = (platform: NodeJS.Platform, packaged: boolean) =>
    menuTemplate({ platform, packaged }, none).map((menu) => menu.label ?? menu.role)

  it('adds photos or a folder, or splits scans, through the window, with the usual shortcuts', () => {
    const asked: string[] = []
    const file = menuTemplate(
      { platform: 'win32', packaged: true },
      { ...none, add: (kind) => void asked.push(kind) },
    )[0]!
    const items = file.submenu as Array<{ label?: string; accelerator?: string; click?: () => void }>
    items[0]!.click!()
    items[1]!.click!()
    items[2]!.click!()
    expect(asked).toEqual(['files', 'folder', 'scans'])
    expect(items.map((item) => item.accelerator)).toEqual([
      'CmdOrCtrl+O',
      'CmdOrCtrl+Shift+O',
      undefined,
      undefined,
      undefined,
    ])
  })

  it('shows the log file from Help, to send with a report', () => {
    let shown = 0
    const help = menuTemplate({ platform: 'win32', packaged: true }, { ...none, showLog: () => shown++ }).at(
      -1,
    )!
    const items = help.submenu as Array<{ label?: string; click?: () => void }>
    expect(items.map((item) => item.label)).toEqual(['Show Log File'])
    items[0]!.click!()
    expect(shown).toBe(1)
  })

  it("has macOS's app menu there only, and the developer's tools only unpackaged", () => {
    expect(labels('darwin', true)).toEqual(['appMenu', 'File', 'editMenu', 'View', 'windowMenu', 'help'])
    expect(labels('linux', true)).toEqual(['File', 'editMenu', 'View', 'windowMenu', 'help'])
    const roles = (packaged: boolean) =>
      (menuTemplate({ platform: 'linux', packaged }, none)[2]!.submenu as Array<{ role?: string }>).map(
        (item) => item.role,
      )
    expect(roles(true)).not.toContain('toggleDevTools')
    expect(roles(false)).toContain('toggleDevTools')
  })
})

describe("the window's place", () => {
  const screens = [
    { x: 0, y: 0, width: 1920, height: 1040 },
    { x: -1280, y: 0, width: 1280, height: 1000 },
  ]

  it('is where it was, on any screen, its size within what the views need and the largest screen', () => {
    const at = (x: number, y: number, width: number, height: number, maximized = false) =>
      placement({ bounds: { x, y, width, height }, maximized }, screens)
    expect(at(100, 50, 1000, 700)).toEqual({
      bounds: { x: 100, y: 50, width: 1000, height: 700 },
      maximized: false,
    })
    expect(at(-1200, 10, 800, 600, true)).toEqual({
      bounds: { x: -1200, y: 10, width: 800, height: 600 },
      maximized: true,
    })
    expect(at(0, 0, 200, 100).bounds).toEqual({ x: 0, y: 0, width: 640, height: 480 })
    expect(at(0, 0, 5000, 3000).bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 })
    // Its title bar on no screen (a monitor unplugged, or pushed off the top): placed by the system.
    expect(at(2000, 100, 900, 600).bounds).toEqual({ width: 900, height: 600 })
    expect(at(100, -200, 900, 600).bounds).toEqual({ width: 900, height: 600 })
    expect(placement(null, screens)).toEqual({ bounds: { width: 1280, height: 820 }, maximized: false })
  })

  it('is read back as written, and a damaged or foreign file is no place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-window-'))
    const file = join(dir, 'window.json')
    expect(await readWindowState(file)).toBeNull()
    const state = { bounds: { x: -5, y: 7, width: 900, height: 650 }, maximized: true }
    await saveWindowState(file, state)
    expect(await readWindowState(file)).toEqual(state)
    for (const text of [
      '{',
      '{"bounds":{"x":"1","y":0,"width":1,"height":1},"maximized":false}',
      '[]',
      'null',
    ]) {
      writeFileSync(file, text)
      expect(await readWindowState(file)).toBeNull()
    }
  })
})
