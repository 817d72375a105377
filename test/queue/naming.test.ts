import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { newJob, previewJob } from '../../src/queue/new-job.js'
import { QueueState } from '../../src/queue/state.js'
import { OutputPlanner } from '../../src/queue/plan.js'
import { plannerFor } from '../../src/queue/replan.js'
import {
  fitFileName,
  namesModelScale,
  namingProblem,
  renderName,
  sizeVars,
  truncateUtf8,
} from '../../src/shared/naming.js'
import { isInside } from '../../src/queue/paths.js'
import { leftOutText } from '../../src/shared/formats.js'
import type { Item, Job, JobSpec } from '../../src/queue/types.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import type { SizeSpec } from '../../src/shared/settings.js'

const spec = (overrides: Partial<JobSpec> = {}): JobSpec => ({
  inputs: ['/photos'],
  recursive: true,
  outDir: '/out',
  model: { path: '/models/x.pth' },
  settings: { ...DEFAULT_SETTINGS },
  naming: '{name}',
  policy: 'skip',
  ...overrides,
})

describe('output naming', () => {
  it('fills the template and keeps names file-system safe', () => {
    expect(renderName('{name}_x{scale}', { name: 'IMG_1', scale: 4 })).toBe('IMG_1_x4')
    expect(renderName('{name}_enhance_a{alpha}', { name: 'a', realism: 0.5 })).toBe('a_enhance_a0.50')
    expect(renderName('{name}:{model}', { name: 'a', model: 'esr/gan' })).toBe('a_esr_gan')
    expect(renderName('', { name: 'fallback' })).toBe('fallback')
  })

  it('names the size asked for as {size}; {scale} is the model’s own where the size sets no one factor', () => {
    const named = (size: SizeSpec): string =>
      renderName('{name}_{size}_x{scale}', { name: 'a', ...sizeVars(size) })
    expect(
      [
        { mode: 'native' },
        { mode: 'scale', scale: 2 },
        { mode: 'scale', scale: 1.5 },
        { mode: 'exact', width: 1920, height: 1080 },
        { mode: 'fit', width: 3840, height: 3840 },
        { mode: 'fit', width: 1920, height: 1080 },
        { mode: 'print', width: 8, height: 10, dpi: 300 },
        { mode: 'print', width: 8, height: 10, dpi: 150, fill: true },
        { mode: 'print', width: 210 / 25.4, height: 297 / 25.4, dpi: 300 },
        { mode: 'print', width: 10 / 2.54, height: 15 / 2.54, dpi: 600 },
        { mode: 'print', width: 8.5, height: 11, dpi: 300 },
      ].map((size) => named(size as SizeSpec)),
    ).toEqual([
      'a_x4_x4',
      'a_x2_x2',
      'a_x1.5_x1.5',
      'a_1920x1080_x4',
      'a_3840px_x4',
      'a_1920x1080px_x4',
      'a_8x10_x4',
      'a_8x10-150dpi_x4',
      'a_a4_x4',
      'a_10x15cm-600dpi_x4',
      'a_letter_x4',
    ])
    const print = { mode: 'print' as const, width: 5, height: 7, dpi: 300 }
    const job = spec({ naming: '{name}_{size}', settings: { ...DEFAULT_SETTINGS, size: print } })
    expect(
      plannerFor({ spec: job }, undefined, () => false).plan({ path: '/photos/a.jpg', relativeDir: '' })
        .output,
    ).toBe('/out/a_5x7.jpg')
  })

  it("says a ×2 model's own scale where it was read, and asks for it only where names say it", () => {
    const native = { mode: 'native' } as const
    expect(sizeVars(native, 2)).toEqual({ scale: 2, size: 'x2' })
    expect(sizeVars({ mode: 'scale', scale: 3 }, 2)).toEqual({ scale: 3, size: 'x3' })
    expect(sizeVars({ mode: 'fit', width: 800, height: 800 }, 2)).toEqual({ scale: 2, size: '800px' })
    const print = { mode: 'print', width: 4, height: 6, dpi: 300 } as const
    expect(
      [
        ['{name}', native],
        ['{name}_{size}', native],
        ['{name}_x{scale}', native],
        ['{name}_{size}', print],
        ['{name}_x{scale}', print],
        ['{name}_x{scale}', { mode: 'scale', scale: 2 }],
      ].map(([template, size]) => namesModelScale(template as string, size as SizeSpec)),
    ).toEqual([false, true, true, false, true, false])
  })

  it('says what is wrong with a template, one rule for the app and the CLI', () => {
    const problems = [
      '{name}_x{scale}_{alpha}_{model}',
      'photo',
      '{name}/x',
      '{name}_{dpi}',
      '.{name}',
      '{name}{}',
    ].map(namingProblem)
    expect(problems).toEqual([
      null,
      'must contain {name}, so two photos never share one name',
      'cannot contain / or \\',
      'has {dpi}, which is not one of {name}, {scale}, {size}, {alpha}, {model}',
      'cannot start with ".": such files are hidden',
      'has {}, which is not one of {name}, {scale}, {size}, {alpha}, {model}',
    ])
  })

  it('says which links point to nothing and which folders may not be opened, and what to do, apart from the files that are not photos', () => {
    expect(leftOutText({ link: 1 })).toBe(
      'Left out 1 link to a file that is not there: plug in the drive it points to, or find where the file moved, then add it again.',
    )
    expect(leftOutText({ folder: 2 })).toBe(
      'Left out 2 folders the system does not let Enhance open. Give your account permission to read them ' +
        '(Properties or Get Info), or on a Mac allow Enhance in System Settings › Privacy & Security › Files and Folders, then add them again.',
    )
    expect(leftOutText({ name: 1 })).toBe(
      'Left out 1 file whose name is not written in UTF-8 (old Windows and zip programs wrote accented letters that way), so Enhance cannot open it: rename it, then add it again.',
    )
    expect(leftOutText({ '.txt': 1, link: 3 })).toBe(
      'Left out 1 file that is not a photo Enhance reads: 1 .txt. ' +
        'Left out 3 links to files that are not there: plug in the drive they point to, or find where the files moved, then add them again.',
    )
  })

  it('says what a scan left out, by extension, and what to do with camera RAW files', () => {
    expect(leftOutText({})).toBeNull()
    expect(leftOutText(undefined)).toBeNull()
    expect(leftOutText({ '.txt': 1 })).toBe('Left out 1 file that is not a photo Enhance reads: 1 .txt.')
    expect(leftOutText({ other: 2, '.kra': 3 })).toBe(
      'Left out 5 files that are not photos Enhance reads: 3 .kra, 2 of other kinds. ' +
        'Images in formats Enhance does not read (.kra) need saving as JPEG, PNG or TIFF first, in the program that made them or an image editor.',
    )
    expect(leftOutText({ '.txt': 1, '.nef': 3, '': 1 })).toBe(
      'Left out 5 files that are not photos Enhance reads: 3 .nef, 1 without an extension, 1 .txt. ' +
        "Camera RAW files (.nef) need exporting as JPEG or TIFF first, in the camera maker's software or a photo editor.",
    )
    expect(leftOutText({ '.exr': 2, '.cr3': 1, '.xcf': 1, '.mov': 1 })).toBe(
      'Left out 5 files that are not photos Enhance reads: 2 .exr, 1 .cr3, 1 .mov, 1 .xcf. ' +
        "Camera RAW files (.cr3) need exporting as JPEG or TIFF first, in the camera maker's software or a photo editor. " +
        'Images in formats Enhance does not read (.exr, .xcf) need saving as JPEG, PNG or TIFF first, in the program that made them or an image editor.',
    )
  })

  it('says photos in archives (a Google Takeout .tgz, a shared album .zip) need extracting first', () => {
    expect(leftOutText({ '.zip': 2, '.tgz': 1, '.json': 4 })).toBe(
      'Left out 7 files that are not photos Enhance reads: 4 .json, 2 .zip, 1 .tgz. ' +
        'Photos in archives (.zip, .tgz) need extracting first (on Windows, right-click › Extract All…; on a Mac, ' +
        'double-click; 7z and RAR archives need 7-Zip or The Unarchiver), then add the folders they make.',
    )
  })

  it('counts a name that only begins with two dots as inside the output folder', () => {
    expect([
      isInside('/out', '/out/..x.png'),
      isInside('/out', '/out/sub/x.png'),
      isInside('/out', '/out/../x.png'),
      isInside('/out', '/out'),
      isInside('/out', '/outside/x.png'),
    ]).toEqual([true, true, false, false, false])
  })

  it('mirrors subfolders and follows the format', () => {
    const planner = new OutputPlanner(spec({ naming: '{name}_x{scale}' }), { scale: 4 }, () => false)
    expect(planner.plan({ path: '/photos/1962/beach.jpg', relativeDir: '1962' })).toEqual({
      output: '/out/1962/beach_x4.jpg',
      format: 'jpeg',
      skip: false,
    })
    expect(planner.plan({ path: '/photos/scan.tiff', relativeDir: '' }).output).toBe('/out/scan_x4.tiff')
    // A folder named on Linux or a Mac as Windows, a USB stick or a camera card would refuse it.
    expect(
      planner.plan({ path: '/photos/Trip: Rome?/a.jpg', relativeDir: 'Trip: Rome?/Day <1>' }).output,
    ).toBe('/out/Trip_ Rome_/Day _1_/a_x4.jpg')
  })

  it("keeps a photo's own extension where its format is kept, and the format's own where it changes", () => {
    const same = new OutputPlanner(spec(), {}, () => false)
    const png = new OutputPlanner(spec({ settings: { ...DEFAULT_SETTINGS, format: 'png' } }), {}, () => false)
    const jpeg = new OutputPlanner(
      spec({ settings: { ...DEFAULT_SETTINGS, format: 'jpeg' } }),
      {},
      () => false,
    )
    const planned = (planner: OutputPlanner, name: string) =>
      planner.plan({ path: `/photos/${name}`, relativeDir: '' })
    expect(
      ['IMG_0001.JPG', 'b.jpeg', 'c.TIF', 'd.heic', 'e.HEIF', 'f.gif', 'g.bmp', 'h'].map(
        (n) => planned(same, n).output,
      ),
    ).toEqual([
      '/out/IMG_0001.JPG',
      '/out/b.jpeg',
      '/out/c.TIF',
      '/out/d.avif',
      '/out/e.avif',
      '/out/f.png',
      '/out/g.png',
      '/out/h.png',
    ])
    // The other names JPEG, HEIF and BMP are saved under: from the web on Windows, a camera's HEIF, the clipboard.
    expect(
      ['i.jfif', 'j.pjpeg', 'k.jpe', 'DSC0001.HIF', 'l.dib'].map((n) => planned(same, n).output),
    ).toEqual(['/out/i.jfif', '/out/j.pjpeg', '/out/k.jpe', '/out/DSC0001.avif', '/out/l.png'])
    expect(planned(png, 'i.jfif').output).toBe('/out/i.png')
    expect(planned(jpeg, 'i.jfif').output).toBe('/out/i.jfif')
    expect(planned(png, 'a.PNG').output).toBe('/out/a.PNG')
    expect(planned(png, 'b.jpeg').output).toBe('/out/b.png')
    expect(planned(jpeg, 'c.jpeg').output).toBe('/out/c.jpeg')
    expect(planned(jpeg, 'd.tiff').output).toBe('/out/d.jpg')
  })

  it('gives a .jpg and a .jpeg of one name different outputs only where their formats differ', () => {
    const png = new OutputPlanner(spec({ settings: { ...DEFAULT_SETTINGS, format: 'png' } }), {}, () => false)
    const same = new OutputPlanner(spec(), {}, () => false)
    expect(
      [png, png].map((p, i) => p.plan({ path: `/photos/a.${['jpg', 'jpeg'][i]}`, relativeDir: '' }).output),
    ).toEqual(['/out/a.png', '/out/a_2.png'])
    expect(
      [same, same].map((p, i) => p.plan({ path: `/photos/a.${['jpg', 'jpeg'][i]}`, relativeDir: '' }).output),
    ).toEqual(['/out/a.jpg', '/out/a.jpeg'])
  })

  it('gives two inputs that map to one output different names before anything runs', () => {
    const planner = new OutputPlanner(
      spec({ settings: { ...DEFAULT_SETTINGS, format: 'png' } }),
      {},
      () => false,
    )
    expect(planner.plan({ path: '/photos/a.jpg', relativeDir: '' }).output).toBe('/out/a.png')
    expect(planner.plan({ path: '/photos/a.tif', relativeDir: '' }).output).toBe('/out/a_2.png')
    expect(planner.plan({ path: '/photos/a.webp', relativeDir: '' }).output).toBe('/out/a_3.png')
  })

  it('keeps outputs apart as a drive that ignores case and Unicode composition would (a camera card, a Mac)', () => {
    const png = { ...DEFAULT_SETTINGS, format: 'png' as const }
    const planner = new OutputPlanner(spec({ settings: png }), {}, () => false)
    const planned = (name: string) => planner.plan({ path: `/photos/${name}`, relativeDir: '' }).output
    expect(['IMG_1.jpg', 'img_1.jpg', 'Cafe\u0301.jpg', 'Caf\u00e9.jpg'].map(planned)).toEqual([
      '/out/IMG_1.png',
      '/out/img_1_2.png',
      '/out/Cafe\u0301.png',
      '/out/Caf\u00e9_2.png',
    ])
    const inPlace = new OutputPlanner(
      spec({ outDir: '/photos', policy: 'overwrite', settings: png }),
      {},
      () => true,
    )
    inPlace.protect(['/photos/Photo.PNG', '/photos/photo.jpg'])
    expect(inPlace.plan({ path: '/photos/photo.jpg', relativeDir: '' }).output).toBe('/photos/photo_2.png')
    expect(inPlace.plan({ path: '/photos/Photo.PNG', relativeDir: '' }).output).toBe('/photos/Photo_3.PNG')
  })

  it('never plans an output over its own input', () => {
    const planner = new OutputPlanner(spec({ outDir: '/photos' }), {}, () => true)
    expect(planner.plan({ path: '/photos/a.jpg', relativeDir: '' }).output).toBe('/photos/a_2.jpg')
  })

  it('applies the policy to existing outputs: skip, overwrite or suffix', () => {
    const exists = (p: string): boolean => p === '/out/a.jpg'
    const file = { path: '/photos/a.jpg', relativeDir: '' }
    expect(new OutputPlanner(spec({ policy: 'skip' }), {}, exists).plan(file)).toMatchObject({
      output: '/out/a.jpg',
      skip: true,
    })
    expect(new OutputPlanner(spec({ policy: 'overwrite' }), {}, exists).plan(file)).toMatchObject({
      output: '/out/a.jpg',
      skip: false,
    })
    expect(new OutputPlanner(spec({ policy: 'suffix' }), {}, exists).plan(file)).toMatchObject({
      output: '/out/a_2.jpg',
      skip: false,
    })
  })

  it('names around a folder that has the output name, whatever the policy', () => {
    const isFolder = (p: string): boolean => p === '/out/a.jpg'
    const file = { path: '/photos/a.jpg', relativeDir: '' }
    for (const policy of ['skip', 'overwrite', 'suffix'] as const)
      expect(new OutputPlanner(spec({ policy }), {}, isFolder, isFolder).plan(file)).toEqual({
        output: '/out/a_2.jpg',
        format: 'jpeg',
        skip: false,
      })
  })
})

describe('names too long for a file system', () => {
  const bytes = (text: string): number => new TextEncoder().encode(text).length

  it('cuts UTF-8 at a character boundary, never inside one', () => {
    expect(truncateUtf8('Oma–Opa', 5)).toBe('Oma') // "–" is 3 bytes: 3 + 3 > 5
    expect(truncateUtf8('Oma–Opa', 6)).toBe('Oma–')
    expect(truncateUtf8('🙂🙂', 7)).toBe('🙂')
    expect(truncateUtf8('short', 255)).toBe('short')
  })

  it("fits an output name, with room for a suffix, in 255 bytes, cutting the photo's name and keeping the template's", () => {
    const render = (name: string): string => renderName('{name}_enhanced_x{scale}', { name, scale: 4 })
    expect(fitFileName(render, 'beach', 'jpg')).toBe('beach_enhanced_x4')
    const long = 'Großmutters Hochzeit '.repeat(20) // 440 bytes
    const fitted = fitFileName(render, long, 'jpg')
    expect(fitted.endsWith('_enhanced_x4')).toBe(true)
    expect(long.startsWith(fitted.slice(0, -'_enhanced_x4'.length))).toBe(true)
    expect(bytes(`${fitted}_99999.jpg`)).toBeLessThanOrEqual(255)
    expect(bytes(fitted)).toBeGreaterThan(255 - 6 - 4 - 4) // cut only as much as it must
    // {name} twice, and a template too long by itself.
    const twice = fitFileName((n) => `${n}-${n}`, 'x'.repeat(300), 'png')
    expect(twice).toBe(`${'x'.repeat(122)}-${'x'.repeat(122)}`)
    expect(fitFileName(() => 'm'.repeat(300), 'a', 'png')).toBe('m'.repeat(245))
  })

  it('plans a long photo name with a template added as a name that can be written, and suffixes it when taken', () => {
    const name = 'a'.repeat(250)
    const planner = new OutputPlanner(spec({ naming: '{name}_enhanced_x{scale}' }), { scale: 4 }, () => false)
    const first = planner.plan({ path: `/photos/${name}.jpg`, relativeDir: '' }).output
    expect(first).toBe(`/out/${'a'.repeat(233)}_enhanced_x4.jpg`)
    const second = planner.plan({ path: `/elsewhere/${name}.jpg`, relativeDir: '' }).output
    expect(second).toBe(`/out/${'a'.repeat(233)}_enhanced_x4_2.jpg`)
  })
})

describe('a job previewed (--dry-run)', () => {
  it('plans its photos around the outputs other jobs will still write, as the queue would, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enhance-preview-'))
    const photos = join(dir, 'photos')
    mkdirSync(photos)
    for (const name of ['a.jpg', 'b.jpg']) writeFileSync(join(photos, name), 'read as a photo by its name')
    const out = join(dir, 'out')
    const album = (policy: JobSpec['policy']) => spec({ inputs: [photos], outDir: out, policy })
    // Another job, still to write out/a.jpg, and a cancelled one that will not write out/b.jpg.
    const earlier = { ...newJob(album('skip'), [], undefined), state: 'queued' as const }
    const stopped = { ...newJob(album('skip'), [earlier], undefined), state: 'cancelled' as const }
    const item = (job: Job, name: string, state: Item['state']): Item => ({
      id: `${job.id}-${name}`,
      jobId: job.id,
      input: join(photos, name),
      output: join(out, name),
      state,
      crashes: 0,
    })
    const state = QueueState.from(null, [
      { t: 'job', job: earlier },
      { t: 'job', job: stopped },
      { t: 'items', items: [item(earlier, 'a.jpg', 'queued'), item(stopped, 'b.jpg', 'cancelled')] },
    ])
    const planned = async (policy: JobSpec['policy']) => {
      const { job, items } = await previewJob(album(policy), state, undefined)
      return [job.order, items.map((i) => [basename(i.output), i.state])]
    }
    expect(await planned('suffix')).toEqual([
      2,
      [
        ['a_2.jpg', 'queued'],
        ['b.jpg', 'queued'],
      ],
    ])
    // Where it overwrites, it plans over what the other job writes, as the queue's job would.
    expect((await planned('overwrite'))[1]).toEqual([
      ['a.jpg', 'queued'],
      ['b.jpg', 'queued'],
    ])
    expect([readdirSync(dir), state.jobs.size, state.items.size]).toEqual([['photos'], 2, 2])
  })
})
