import { describe, expect, it } from 'vitest'
import { dropIndex, moved } from '../../src/renderer/src/lib/reorder.js'
import {
  canRetry,
  failureSentence,
  itemStateText,
  dealtWith,
  jobProgress,
  jobTitle,
  photoProgress,
  repairWords,
  adjustedWords,
  adjustingWords,
  turnNote,
  takenNote,
  captionNote,
  captionLines,
  filledWords,
  keptWords,
  heldWords,
  ownRepairsWords,
  shownName,
  copiedText,
  splitFailure,
  splitText,
  splittingText,
  jobTimeLeft,
} from '../../src/renderer/src/lib/format.js'
import {
  boxOf,
  inReadingOrder,
  keepingPixel,
  markAt,
  markStep,
  markWords,
} from '../../src/renderer/src/lib/marks.js'
import { pasteKeys } from '../../src/renderer/src/lib/paste.js'
import { sizeWords } from '../../src/shared/chosen-words.js'
import { stepped } from '../../src/renderer/src/lib/stepping.js'
import type { DamageMark } from '../../src/shared/protocol.js'
import {
  DEFAULT_NAMED_MODEL,
  deviceOptions,
  deviceProblem,
  exampleName,
  namedModel,
  sizeKey,
} from '../../src/renderer/src/lib/settings.js'
import type { ModelEntry } from '../../src/shared/api.js'
import { itemView } from '../helpers/item-view.js'
import {
  PHOTOS_PAGE,
  folderGroups,
  foundIn,
  folderWords,
  foldersStartOpen,
  sharedRealism,
} from '../../src/renderer/src/lib/folders.js'
import { folderOf } from '../../src/shared/job-title.js'
import { tilesInView } from '../../src/renderer/src/lib/tiles.js'
import {
  centreWithinPrint,
  cutBands,
  photoPlace,
  WHOLE_FRAME,
} from '../../src/renderer/src/lib/print-place.js'
import { DEFAULT_SETTINGS, repairsOf } from '../../src/shared/settings.js'
import type { KeptPlace, Repairs, SizeSpec } from '../../src/shared/settings.js'
import { QUARTER_TURNS, UPRIGHT } from '../../src/shared/turn.js'
import type { Facing } from '../../src/shared/turn.js'

describe('drag to reorder', () => {
  // Four cards, 100 px tall, centres at 50, 150, 250, 350.
  const middles = [50, 150, 250, 350]
  it('lands where the pointer is, counting the other cards above it', () => {
    expect(dropIndex(10, middles, 3)).toBe(0)
    expect(dropIndex(160, middles, 3)).toBe(2)
    expect(dropIndex(400, middles, 0)).toBe(3)
    expect(dropIndex(140, middles, 1)).toBe(1)
  })
  it('moves one element and keeps the rest in order', () => {
    expect(moved(['a', 'b', 'c', 'd'], 3, 0)).toEqual(['d', 'a', 'b', 'c'])
    expect(moved(['a', 'b', 'c', 'd'], 0, 2)).toEqual(['b', 'c', 'a', 'd'])
    expect(moved(['a', 'b'], 0, 9)).toEqual(['b', 'a'])
  })
})

describe('settings helpers', () => {
  it('shows the file name the queue will write', () => {
    expect(exampleName('{name}_x{scale}_a{alpha}', { ...DEFAULT_SETTINGS, format: 'webp' }, 0.5)).toBe(
      'IMG_0042_x4_a0.50.webp',
    )
    expect(exampleName('{name}', { ...DEFAULT_SETTINGS, size: { mode: 'scale', scale: 2 } }, 0)).toBe(
      'IMG_0042.jpg',
    )
    const print = { mode: 'print' as const, width: 4, height: 6, dpi: 300 }
    expect(exampleName('{name}_{size}', { ...DEFAULT_SETTINGS, size: print }, 0)).toBe('IMG_0042_4x6.jpg')
  })
  it("names the example by the model new jobs use: a ×2 model's own scale and name", () => {
    const entry = (name: string, scale: number, isDefault = false) =>
      ({
        name,
        path: `/models/${name}.pth`,
        bundled: false,
        info: { scale },
        ...(isDefault ? { isDefault } : {}),
      }) as unknown as ModelEntry
    const models = [entry('enhance-real-psnr-x4', 4, true), entry('2x-AnimeSharpV4', 2)]
    const x2 = namedModel(models, { path: '/models/2x-AnimeSharpV4.pth', partner: null })
    expect(x2).toEqual({ name: '2x-AnimeSharpV4', scale: 2 })
    expect(namedModel(models, null)).toEqual({ name: 'enhance-real-psnr-x4', scale: 4 })
    // Not listed (yet, or removed since): the default pair, as the queue would name it.
    expect(namedModel([], { path: '/gone.pth', partner: null })).toEqual(DEFAULT_NAMED_MODEL)
    expect(exampleName('{name}_{size}_{model}', DEFAULT_SETTINGS, 0.5, x2)).toBe(
      'IMG_0042_x2_2x-AnimeSharpV4.jpg',
    )
    const long = { ...DEFAULT_SETTINGS, size: { mode: 'fit' as const, width: 3840, height: 3840 } }
    expect(exampleName('{name}_x{scale}', long, 0.5, x2)).toBe('IMG_0042_x2.jpg')
  })
  it('shades what filling a print cuts off a photo: its sides or its top and bottom, none when fitted', () => {
    const fill = { mode: 'print' as const, width: 4, height: 6, dpi: 300, fill: true }
    // 600 × 300 filled to 6 × 4 in keeps its middle 450 × 300.
    expect(cutBands(fill, 600, 300)).toEqual([
      { left: '0%', top: '0%', width: '12.5%', height: '100%' },
      { left: '87.5%', top: '0%', width: '12.5%', height: '100%' },
    ])
    // 300 × 600 is turned upright (4 × 6 in): it keeps 300 × 450.
    expect(cutBands(fill, 300, 600).map((band) => [band.top, band.height])).toEqual([
      ['0%', '12.5%'],
      ['87.5%', '12.5%'],
    ])
    expect(cutBands(fill, 600, 400)).toEqual([])
    expect(cutBands({ ...fill, fill: false }, 600, 300)).toEqual([])
    expect(cutBands({ mode: 'native' }, 600, 300)).toEqual([])
    expect(cutBands(undefined, 600, 300)).toEqual([])
  })
  it('keeps the region previewed within what a filled print keeps of the photo, where that can hold it', () => {
    const fill = { mode: 'print' as const, width: 4, height: 6, dpi: 300, fill: true }
    const photo = { width: 600, height: 300 } // keeps x 75–525
    expect(centreWithinPrint(fill, photo, 96, { x: 60, y: 150 })).toEqual({ x: 123, y: 150 })
    expect(centreWithinPrint(fill, photo, 96, { x: 590, y: 40 })).toEqual({ x: 477, y: 48 })
    expect(centreWithinPrint(fill, photo, 96, { x: 300, y: 150 })).toEqual({ x: 300, y: 150 })
    // Fitted, on white or too little kept for the region: where it was asked.
    for (const size of [{ ...fill, fill: false }, { ...fill, border: true, fill: false }, undefined])
      expect(centreWithinPrint(size, photo, 96, { x: 60, y: 150 })).toEqual({ x: 60, y: 150 })
    expect(centreWithinPrint(fill, { width: 120, height: 60 }, 96, { x: 10, y: 30 })).toEqual({
      x: 10,
      y: 30,
    })
  })
  it('lays an original where it lies in its print: past a filled one’s frame, inside a bordered one’s white', () => {
    const print = { mode: 'print' as const, width: 4, height: 6, dpi: 100 }
    // 600 × 300 filled to 6 × 4 in keeps its middle 450 × 300: the whole runs 75/450 past each side.
    expect(
      photoPlace({ ...print, fill: true }, { width: 600, height: 300 }, { width: 600, height: 400 }),
    ).toEqual({
      x: -75 / 450,
      y: 0,
      width: 600 / 450,
      height: 1,
    })
    // 800 × 600 on white: 533 × 400 of the 600 × 400 print, 33 px in.
    expect(
      photoPlace({ ...print, border: true }, { width: 800, height: 600 }, { width: 600, height: 400 }),
    ).toEqual({
      x: 33 / 600,
      y: 0,
      width: 533 / 600,
      height: 1,
    })
    for (const size of [print, { mode: 'native' as const }, undefined])
      expect(photoPlace(size, { width: 800, height: 600 }, { width: 600, height: 450 })).toEqual(WHOLE_FRAME)
  })
  it('maps sizes to the choices in the menu', () => {
    expect(sizeKey({ mode: 'scale', scale: 2 })).toBe('x2')
    expect(sizeKey({ mode: 'native' })).toBe('native')
    expect(sizeKey({ mode: 'fit', width: 2000, height: 2000 })).toBe('long')
    expect(sizeKey({ mode: 'print', width: 4, height: 6, dpi: 100 })).toBe('print')
  })
  it('says the size a job makes its photos, as it is read', () => {
    expect(
      [
        { mode: 'native' },
        { mode: 'scale', scale: 2 },
        { mode: 'scale', scale: 1 },
        { mode: 'exact', width: 3000, height: 2000 },
        { mode: 'fit', width: 2000, height: 2000 },
        { mode: 'fit', width: 1920, height: 1080 },
        { mode: 'print', width: 8, height: 10, dpi: 300 },
        { mode: 'print', width: 4, height: 6, dpi: 100 },
        { mode: 'print', width: 210 / 25.4, height: 297 / 25.4, dpi: 300 },
        { mode: 'print', width: 11, height: 14, dpi: 240 },
        { mode: 'print', width: 8.5, height: 11, dpi: 300 },
        { mode: 'print', width: 6, height: 7.25, dpi: 300 },
        { mode: 'print', width: 8, height: 10, dpi: 300, fill: true },
        { mode: 'print', width: 4, height: 6, dpi: 300, border: true },
      ].map((size) => sizeWords(size as SizeSpec)),
    ).toEqual([
      '',
      '×2',
      'same size',
      '3000 × 2000 px',
      'longest side 2000 px',
      'within 1920 × 1080 px',
      'for an 8 × 10 in print at 300 dpi',
      'for a 4 × 6 in print at 100 dpi',
      'for an A4 print at 300 dpi',
      'for an 11 × 14 in print at 240 dpi',
      'for a US Letter print at 300 dpi',
      'for a 6 × 7.25 in print at 300 dpi',
      'for an 8 × 10 in print at 300 dpi, edges cut to fill it',
      'for a 4 × 6 in print at 300 dpi, on white to fill it',
    ])
  })
})

describe('progress in words', () => {
  const item = itemView('/a.jpg')
  it('moves the job bar with the tiles of the photo in progress', () => {
    expect(jobProgress(2, { tilesDone: 3, tiles: 4 })).toBe(2.75)
    expect(jobProgress(2, undefined)).toBe(2)
  })
  it('counts photos enhanced, failed or skipped as dealt with, and cancelled ones not', () => {
    expect(dealtWith({ done: 2, failed: 1, skipped: 1 })).toBe(4)
    const cancelled = { queued: 0, running: 0, done: 1, failed: 0, skipped: 0, cancelled: 5 }
    expect(dealtWith(cancelled)).toBe(1)
  })
  it('says how far the photo is, and that it is paused while its job is', () => {
    expect(photoProgress({ tilesDone: 3, tiles: 4, etaMs: 2000 }, false)).toBe('75% · 2 s left')
    expect(photoProgress({ tilesDone: 3, tiles: 4, etaMs: null }, false)).toBe('75%')
    expect(photoProgress({ tilesDone: 3, tiles: 4, etaMs: 2000 }, true)).toBe('paused at 75%')
    expect(photoProgress(undefined, false)).toBe('preparing…')
    expect(photoProgress(undefined, true)).toBe('paused')
    const measuring = { tilesDone: 0, tiles: 0, etaMs: null, measuring: true } as const
    expect(photoProgress(measuring, false)).toBe('measuring this computer’s speed (only the first time)…')
    expect(photoProgress(measuring, true)).toBe('paused')
    // Waiting on a drive that does not answer: no time left is claimed, and a pause still says paused.
    expect(photoProgress({ tilesDone: 3, tiles: 4, etaMs: 2000 }, false, true)).toBe('waiting for its drive')
    expect(photoProgress(undefined, true, true)).toBe('paused')
    expect(itemStateText({ ...item, state: 'running' }, 'paused')).toBe('paused')
    expect(itemStateText({ ...item, state: 'running' }, 'running')).toBe('running')
    expect(itemStateText({ ...item, state: 'done', provider: 'cpu' }, 'paused')).toBe('done on CPU')
  })
  it('says a job’s time left while it runs, and before a photo of it is done the engine’s estimate, roughly', () => {
    const measured = { etaMs: 754_000, inFlightMs: 20_000 }
    expect(jobTimeLeft({ ...measured, state: 'running' })).toBe('12 min 34 s left')
    expect(jobTimeLeft({ ...measured, state: 'queued' })).toBe('')
    // The photo being enhanced counts by its own tiles, not whole: 734 s for the rest, and its 5 s.
    const photo = { tilesDone: 3, tiles: 4, etaMs: 5000 }
    expect(jobTimeLeft({ ...measured, state: 'running' }, photo)).toBe('12 min 19 s left')
    // Its time not yet known (measuring, or before its first tile): counted whole.
    expect(jobTimeLeft({ ...measured, state: 'running' }, { ...photo, etaMs: null })).toBe('12 min 34 s left')
    expect(jobTimeLeft({ ...measured, inFlightMs: null, state: 'running' }, photo)).toBe('12 min 34 s left')
    const estimated = { etaMs: 754_000, inFlightMs: 20_000, etaEstimated: true } as const
    expect(
      (['queued', 'running', 'paused'] as const).map((state) => jobTimeLeft({ ...estimated, state })),
    ).toEqual(['about 13 min left', 'about 13 min left', 'about 13 min left'])
    expect(jobTimeLeft({ ...estimated, state: 'cancelled' })).toBe('')
    expect(jobTimeLeft({ ...estimated, state: 'running' }, photo)).toBe('about 12 min left')
    expect(jobTimeLeft({ etaMs: null, inFlightMs: null, state: 'running' }, photo)).toBe('')
  })
})

describe('repairs in words', () => {
  it('says a photo’s own repairs only where they differ from its job’s, with the places it keeps', () => {
    const job = repairsOf({ removeDust: true, removeScratches: true })
    const own = (repairs: Repairs, kept: KeptPlace[] = []) =>
      ownRepairsWords({ repairs: repairsOf(repairs), kept }, job)
    expect(own(job)).toBe('')
    expect(own({ removeScratches: true })).toBe('Repairs for this photo alone: scratches removed')
    expect(own({})).toBe('Repairs for this photo alone: none')
    expect(own(job, [{ x: 1, y: 2 }])).toBe('Repairs for this photo alone: 1 place kept')
    expect(
      own({ removeDust: true }, [
        { x: 1, y: 2 },
        { x: 9, y: 9 },
      ]),
    ).toBe('Repairs for this photo alone: dust removed; 2 places kept')
    // Places kept while neither dust nor scratches are removed keep nothing: not counted, kept for when they are.
    expect(own({ restoreColours: true }, [{ x: 1, y: 2 }])).toBe(
      'Repairs for this photo alone: faded colours restored',
    )
    expect(keptWords(0)).toBe('none kept')
    expect(heldWords({ specks: 0 })).toBe('none kept')
    expect(heldWords({ specks: 1, scratches: 0 })).toBe('1 speck kept')
    expect(heldWords({ specks: 2, scratches: 1 })).toBe('2 specks and 1 scratch kept')
    const photo = {
      input: '/album/photo.jpg',
      realism: 0.5,
      repairs: job,
      kept: [{ x: 1, y: 2 }],
      facing: UPRIGHT,
      taken: null,
    }
    expect(adjustedWords(photo)).toBe('photo.jpg is at 50%, dust and scratches removed, 1 place kept.')
    expect(adjustedWords({ ...photo, realism: null, repairs: repairsOf({}), kept: [] })).toBe(
      'photo.jpg: no repairs.',
    )
    expect(adjustedWords({ ...photo, repairs: repairsOf({}) })).toBe('photo.jpg is at 50%, no repairs.')
    expect(adjustedWords({ ...photo, facing: { turn: 270, mirrored: false } })).toBe(
      'photo.jpg is at 50%, dust and scratches removed, 1 place kept, turned a quarter left.',
    )
    expect(adjustedWords({ ...photo, facing: { turn: 180, mirrored: true } })).toBe(
      'photo.jpg is at 50%, dust and scratches removed, 1 place kept, mirrored and turned upside down.',
    )
    expect(adjustedWords({ ...photo, taken: '1962-07' })).toBe(
      'photo.jpg is at 50%, dust and scratches removed, 1 place kept, taken in July 1962.',
    )
    expect([null, '1962', '1962-07-14T09:05'].map(takenNote)).toEqual([
      'No date taken',
      'Taken in 1962',
      'Taken on 14 July 1962 at 09:05',
    ])
    expect(QUARTER_TURNS.map((turn) => turnNote({ turn, mirrored: false }))).toEqual([
      'Not turned',
      'Turned a quarter right',
      'Turned upside down',
      'Turned a quarter left',
    ])
    expect([0, 90].map((turn) => turnNote({ turn: turn as 0 | 90, mirrored: true }))).toEqual([
      'Mirrored',
      'Mirrored and turned a quarter right',
    ])
  })

  it('says a photo’s own caption by its first line, cut between words, characters a window acts on as codes', () => {
    const captions = [
      null,
      'Lake Como',
      'Grandma at the lake, summer of 1962, with Tom\nPage 3',
      'a\u202egnp.exe',
    ]
    expect(captions.map(captionNote)).toEqual([
      'No caption',
      'Caption: “Lake Como”',
      'Caption: “Grandma at the lake, summer of 1962…”',
      'Caption: “a\\u202egnp.exe”',
    ])
    // Shown whole under a photo: every line, each with what a window acts on as its code.
    expect(captionLines('Grandma at the lake\nPage 3 \u202eevil')).toEqual([
      'Grandma at the lake',
      'Page 3 \\u202eevil',
    ])
  })

  it('says what is mended before enhancing, each once, in one phrase', () => {
    expect(repairWords({})).toBe('')
    expect(filledWords({ specks: 37, scratches: 1 })).toBe('37 specks and 1 scratch')
    expect(filledWords({ specks: 1 })).toBe('1 speck')
    expect(filledWords({ specks: 0, scratches: 2 })).toBe('no specks and 2 scratches')
    expect(filledWords({ scratches: 0 })).toBe('no scratches')
    expect(repairWords({ restoreColours: true })).toBe('faded colours restored')
    expect(repairWords({ restoreColours: true, restoreStrength: 0.45 })).toBe('faded colours restored 45%')
    expect(repairWords({ restoreColours: false, restoreStrength: 0.45 })).toBe('')
    expect(repairWords({ removeDust: true, removeScratches: false })).toBe('dust removed')
    expect(repairWords({ removeScratches: true })).toBe('scratches removed')
    expect(repairWords({ removeDust: true, removeScratches: true })).toBe('dust and scratches removed')
    expect(repairWords({ restoreColours: true, removeScratches: true })).toBe(
      'faded colours restored and scratches removed',
    )
    expect(repairWords({ restoreColours: true, removeDust: true, removeScratches: true })).toBe(
      'faded colours restored, dust and scratches removed',
    )
  })
})

describe('the tiles a 1:1 view loads', () => {
  const big = { width: 16000, height: 12000 }
  const key = (t: { column: number; row: number }) => `${t.column},${t.row}`
  it('are those under the visible part, with one ring around it, clipped to the photo', () => {
    const tiles = tilesInView({ left: 1100, top: 600, width: 1280, height: 800 }, big)
    // Pixels 1100–2379 span columns 2–4, rows 600–1399 span rows 1–2; one more each way.
    expect(tiles.map(key)).toEqual(
      [0, 1, 2, 3].flatMap((row) => [1, 2, 3, 4, 5].map((column) => `${column},${row}`)),
    )
    expect(tilesInView({ left: 0, top: 0, width: 600, height: 300 }, big, 0).map(key)).toEqual(['0,0', '1,0'])
  })
  it('stop at the last partial tile, and are none when nothing is visible', () => {
    const edge = tilesInView({ left: 15800, top: 11900, width: 200, height: 100 }, big, 2)
    // The last column is 31 (16000 / 512 = 31.25), the last row 23; two more back, none beyond.
    expect(edge.map(key)).toEqual(
      [21, 22, 23].flatMap((row) => [28, 29, 30, 31].map((column) => `${column},${row}`)),
    )
    expect(tilesInView({ left: 0, top: 0, width: 0, height: 500 }, big)).toEqual([])
  })
})

describe('the Device list', () => {
  const noGpu = 'this machine has no GPU (no /dev/dri render node, NVIDIA device or /dev/dxg)'
  const linux = [
    { device: 'auto' as const },
    { device: 'cpu' as const },
    { device: 'cuda' as const, unavailable: noGpu },
    { device: 'webgpu' as const, unavailable: noGpu },
  ]

  it('greys out accelerators without a GPU, and says why the stored one cannot run', () => {
    expect(deviceOptions(linux, 'auto')).toEqual([
      { device: 'auto', label: 'Automatic (best available)', disabled: false },
      { device: 'cpu', label: 'CPU', disabled: false },
      { device: 'cuda', label: 'NVIDIA GPU (CUDA) — no GPU found', disabled: true },
      {
        device: 'webgpu',
        label: 'Any GPU (WebGPU: Vulkan, Direct3D 12, Metal) — no GPU found',
        disabled: true,
      },
    ])
    expect(deviceProblem(linux, 'auto')).toBeNull()
    // The stored choice stays choosable and in view, with the reason under the list.
    expect(deviceOptions(linux, 'webgpu').find((o) => o.device === 'webgpu')?.disabled).toBe(false)
    expect(deviceProblem(linux, 'webgpu')).toBe(
      `Any GPU (WebGPU: Vulkan, Direct3D 12, Metal) cannot run here: ${noGpu}. Photos wait until you choose Automatic or CPU.`,
    )
  })

  it('keeps a device this kind of computer lacks in view when it is the stored one (a settings file from elsewhere)', () => {
    const options = deviceOptions(linux, 'dml')
    expect(options.map((o) => o.device)).toEqual(['auto', 'cpu', 'cuda', 'webgpu', 'dml'])
    expect(options.at(-1)).toEqual({
      device: 'dml',
      label: 'GPU (DirectML, Windows) — not on this computer',
      disabled: false,
    })
    expect(deviceProblem(linux, 'dml')).toMatch(
      /^GPU \(DirectML, Windows\) cannot run here: it is not available/,
    )
  })

  it('offers every device, none greyed, until the computer has said which it has', () => {
    const options = deviceOptions(null, 'cpu')
    expect(options.map((o) => o.device)).toEqual(['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'])
    expect(options.some((o) => o.disabled)).toBe(false)
    expect(deviceProblem(null, 'cuda')).toBeNull()
  })
})

describe('which failed photos the window offers to retry', () => {
  it('those another try can fix once the user acts (permissions given, space freed), not damaged or missing ones', () => {
    const codes = ['PERMISSION_DENIED', 'DISK_FULL', 'CORRUPT_IMAGE', 'FILE_NOT_FOUND'] as const
    const failed = codes.map((code) => canRetry({ state: 'failed', error: { code, message: '' } }))
    expect(failed).toEqual([true, true, false, false])
    expect(canRetry({ state: 'done' })).toBe(false)
  })
})

describe('names from outside, as the window shows them', () => {
  // "holiday" + RIGHT-TO-LEFT OVERRIDE + "gnp.exe" is drawn as "holidayexe.png", and turns the rest of its sentence around.
  const disguised = '/photos/Summer\u202e 2019/holiday\u202egnp.exe'

  it('writes the characters that would be acted on as their codes, in names, titles and sentences', () => {
    expect(shownName(disguised)).toBe('holiday\\u202egnp.exe')
    expect(shownName('C:\\Photos\\bell\x07.jpg')).toBe('bell\\x07.jpg')
    expect(jobTitle({ inputs: ['/photos/Summer\u202e 2019'], total: 2 })).toBe(
      'Summer\\u202e 2019 (2 photos)',
    )
    const error = { code: 'CORRUPT_IMAGE' as const, message: `${disguised} is empty (0 bytes).` }
    expect(failureSentence({ input: disguised, error })).toBe('holiday\\u202egnp.exe is empty (0 bytes).')
  })

  it('leaves every other name as it is: accents, other scripts, emoji, tabs', () => {
    expect(shownName('/photos/Née à Paris 📷 写真 שלום\t.heic')).toBe('Née à Paris 📷 写真 שלום\t.heic')
  })
})

describe('the clipboard in words', () => {
  it('says a result was copied, and at what size where the clipboard got it shrunk', () => {
    const whole = { width: 1600, height: 1200, originalWidth: 1600, originalHeight: 1200 }
    expect(copiedText(whole)).toBe('Copied')
    expect(copiedText({ width: 8192, height: 6144, originalWidth: 16128, originalHeight: 12096 })).toBe(
      'Copied at 8192×6144 (the file is 16128×12096)',
    )
  })

  // Which fields keep their own pastes is tried in Chromium (paste.e2e.test.ts).
  it('names the paste keys as this computer does', () => {
    expect(pasteKeys('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)')).toBe('⌘V')
    expect(pasteKeys('Mozilla/5.0 (X11; Linux x86_64)')).toBe('Ctrl+V')
  })
})

describe('Going through photos', () => {
  // Which keys step is tried in Chromium (app.e2e.test.ts: the divider's arrows move it, not the photo).
  it('steps to the photo before or after, and to none past either end or from one not listed', () => {
    const photos = [{ id: 'a' }, { id: 'b' }, { id: 'c' }]
    expect(stepped(photos, 'b', -1)).toBe(photos[0])
    expect(stepped(photos, 'b', 1)).toBe(photos[2])
    expect(stepped(photos, 'a', -1)).toBeUndefined()
    expect(stepped(photos, 'c', 1)).toBeUndefined()
    expect(stepped(photos, 'z', 1)).toBeUndefined()
  })
})

describe('Split scans in words', () => {
  // Split scans' words in the window; the flow itself is tried in Chromium (split.e2e.test.ts).
  it('says what Split scans made, and the first scan that gave no prints with how many more', () => {
    const prints = { id: 'p', names: ['a-1.png', 'a-2.png', 'b-1.png'] }
    const refusal = (name: string) => ({
      name,
      error: { code: 'NO_PRINTS' as const, message: `${name} shows no scanner glass.` },
    })
    const outcome = {
      prints,
      scans: 4,
      folder: '/Album/Prints',
      failed: [refusal('c.jpg'), refusal('d.jpg')],
    }
    expect(splitText(outcome)).toBe('3 prints cut from 2 scans into /Album/Prints, and enhanced below.')
    expect(splitFailure(outcome)).toEqual({
      code: 'NO_PRINTS',
      message: 'c.jpg shows no scanner glass. (1 more scan gave none either.)',
    })
    const one = { prints: { id: 'q', names: ['a-1.png'] }, scans: 1, folder: '/A/Prints', failed: [] }
    expect(splitText(one)).toBe('1 print cut from 1 scan into /A/Prints, and enhanced below.')
    expect(splitFailure(one)).toBeNull()
    expect(
      splitText({ prints: null, scans: 2, folder: '/A/Prints', failed: [refusal('x'), refusal('y')] }),
    ).toBe('No prints found on 2 scans.')
    expect(splittingText({ scans: 1, done: 0 })).toBe('Finding the prints on the scan…')
    expect(splittingText({ scans: 12, done: 3 })).toBe('Finding the prints on 12 scans… 3 done')
  })
})

describe('the marks of what dust and scratch removal filled', () => {
  const row = (y: number, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => ({ x: from + i, y }))
  // A speck of three pixels, a line running down and across past it, and a kept speck above both.
  const speck: DamageMark = { kind: 'speck', keptBy: [], pixels: row(20, 10, 12) }
  const line: DamageMark = {
    kind: 'scratch',
    keptBy: [],
    pixels: Array.from({ length: 30 }, (_, i) => ({ x: 5 + i, y: 10 + i })),
  }
  const kept: DamageMark = { kind: 'speck', keptBy: [0, 2], pixels: [{ x: 40, y: 2 }] }
  const marks = [line, speck, kept]

  it('reaches the mark with a pixel nearest a click, within 3 pixels, else none', () => {
    expect(markAt(marks, { x: 11, y: 20 })).toBe(speck)
    expect(markAt(marks, { x: 11, y: 23 })).toBe(speck) // 3 below it, 4 from the line
    expect(markAt(marks, { x: 15, y: 20 })).toBe(line) // on the line, 3 past the speck's end
    expect(markAt(marks, { x: 43, y: 5 })).toBe(kept)
    expect(markAt(marks, { x: 44, y: 2 })).toBeNull()
    expect(markAt([], { x: 11, y: 20 })).toBeNull()
  })

  it('keeps a mark by its own pixel nearest its middle, boxes it, and goes through them top to bottom', () => {
    expect(keepingPixel(speck)).toEqual({ x: 11, y: 20 })
    expect(keepingPixel(line)).toEqual({ x: 19, y: 24 })
    // An L: its middle (8.6, 7.6) is not one of its pixels; the pixel nearest it is.
    const corner: DamageMark = {
      kind: 'scratch',
      keptBy: [],
      pixels: [...row(10, 0, 12), ...Array.from({ length: 10 }, (_, y) => ({ x: 12, y }))],
    }
    expect(keepingPixel(corner)).toEqual({ x: 9, y: 10 })
    expect(boxOf(line)).toEqual({ x: 5, y: 10, width: 30, height: 30 })
    expect(boxOf(speck)).toEqual({ x: 10, y: 20, width: 3, height: 1 })
    expect(inReadingOrder(marks)).toEqual([kept, line, speck])
  })

  it('moves among the marks as a toolbar: arrows to the next or the one before, round the ends, Home and End', () => {
    expect(markStep('ArrowRight', 0, 3)).toBe(1)
    expect(markStep('ArrowDown', 2, 3)).toBe(0)
    expect(markStep('ArrowLeft', 0, 3)).toBe(2)
    expect(markStep('ArrowUp', 2, 3)).toBe(1)
    expect(markStep('Home', 2, 3)).toBe(0)
    expect(markStep('End', 0, 3)).toBe(2)
    expect(markStep('ArrowRight', -1, 3)).toBe(1) // focus not on a mark: from the first
    expect(markStep('Enter', 0, 3)).toBeNull()
    expect(markStep('ArrowRight', 0, 0)).toBeNull()
  })

  it('says on its button where it is and what pressing it does', () => {
    expect(markWords(speck)).toBe('Speck at 11, 20, filled: keep it as it was')
    expect(markWords(kept)).toBe('Speck at 40, 2, kept: fill it again')
    expect(markWords(line)).toBe('Scratch at 19, 24, filled: keep it as it was')
  })
})

describe('a job’s photos by folder', () => {
  const right: Facing = { turn: 90, mirrored: false }
  const photo = itemView
  const beach = { caption: 'At the beach', facing: right, realism: 0.8 }
  const album = [
    photo('/p/Album 1962/a.jpg', { taken: '1962', realism: 0.5 }),
    photo('/p/Album 1962/beach/b.jpg', { taken: '1963', ...beach }),
    photo('/p/Album 1962/beach/c.jpg', { taken: '1963', ...beach }),
    photo('/p/Album 1962/a2.jpg', { taken: '1962', caption: 'Tom', facing: { turn: 0, mirrored: true } }),
    photo('/p/Album 1962/beach/d.jpg', { taken: '1964', ...beach }),
    photo('/p/Downloads/e.jpg'),
  ]
  const named = () =>
    folderGroups(album, ['/p/Album 1962', '/p/Downloads/e.jpg']).map((group) => ({
      ...group,
      items: group.items.map((item) => item.input.split('/').pop()),
    }))

  it('groups each folder’s photos under its name from the job’s folder, with what all of them share', () => {
    expect(named()).toEqual([
      {
        folder: '/p/Album 1962',
        name: 'Album 1962',
        items: ['a.jpg', 'a2.jpg'],
        taken: '1962',
        caption: null,
        facing: null,
        realism: null,
      },
      {
        folder: '/p/Album 1962/beach',
        name: 'Album 1962/beach',
        items: ['b.jpg', 'c.jpg', 'd.jpg'],
        taken: null,
        caption: 'At the beach',
        facing: right,
        realism: 0.8,
      },
      // A photo named on its own: its folder's own name.
      {
        folder: '/p/Downloads',
        name: 'Downloads',
        items: ['e.jpg'],
        taken: null,
        caption: null,
        facing: UPRIGHT,
        realism: null,
      },
    ])
  })

  it('finds the photos whose name or folder holds what is typed, in any case, folder by folder', () => {
    const groups = folderGroups(album, ['/p/Album 1962'])
    const found = (text: string) =>
      foundIn(groups, text).map((group) => [
        group.name,
        ...group.items.map((item) => item.input.split('/').pop()),
      ])
    expect(found('')).toEqual([
      ['Album 1962', 'a.jpg', 'a2.jpg'],
      ['Album 1962/beach', 'b.jpg', 'c.jpg', 'd.jpg'],
      ['Downloads', 'e.jpg'],
    ])
    // A folder's name finds all its photos; a photo's name finds it alone; spaces around are not looked for.
    expect(found('BEACH')).toEqual([['Album 1962/beach', 'b.jpg', 'c.jpg', 'd.jpg']])
    expect(found(' A2. ')).toEqual([['Album 1962', 'a2.jpg']])
    expect(found('.jpg')).toEqual(found(''))
    expect(found('1962/b')).toEqual([['Album 1962/beach', 'b.jpg', 'c.jpg', 'd.jpg']])
    expect(found('f.jpg')).toEqual([])
  })

  it('names a Windows folder with /, and says in a heading what its photos share unlike the job’s', () => {
    const windows = folderGroups([photo('C:\\Scans\\1962\\x.jpg')], ['C:\\Scans'])
    expect(windows.map(({ folder, name }) => [folder, name])).toEqual([['C:\\Scans\\1962', 'Scans/1962']])
    // The heading's words: the realism of the folder's photos, how they lie, their date and caption, where they are
    // not the job's.
    const [root, beachFolder] = folderGroups(album, ['/p/Album 1962'])
    const job = { realism: 0.5, facing: UPRIGHT, taken: '1962', caption: null }
    expect([root, beachFolder].map((group) => folderWords(group!, job))).toEqual([
      '2 photos',
      '3 photos · realism 80% · turned a quarter right · captioned “At the beach”',
    ])
    expect(folderWords(beachFolder!, { ...job, realism: 0.8 })).toBe(
      '3 photos · turned a quarter right · captioned “At the beach”',
    )
    expect(folderWords(root!, { ...job, taken: null })).toBe('2 photos · taken in 1962')
    // A folder upright in a job turned says so.
    expect(folderWords(folderGroups(album, [])[2]!, { ...job, facing: right, taken: null })).toBe(
      '1 photo · upright',
    )
    // An album longer than a page starts as the list of its folders.
    expect([foldersStartOpen(PHOTOS_PAGE), foldersStartOpen(PHOTOS_PAGE + 1)]).toEqual([true, false])
    // The button that opens them in Realism says that realism, or none where they differ; repairs alone unpaired.
    expect([adjustingWords(true, 0.8), adjustingWords(true, null), adjustingWords(false, null)]).toEqual([
      'Realism 80%…',
      'Realism…',
      'Repairs…',
    ])
    // The realism a job's card says: the one all its photos share, if any.
    expect([sharedRealism(album), sharedRealism(album.slice(1, 3)), sharedRealism([])]).toEqual([
      null,
      0.8,
      null,
    ])
    expect(folderOf('/x.jpg')).toBe('/')
    expect(folderOf('x.jpg')).toBe('')
  })
})
