import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bundledSpec, readCatalog } from '../../src/engine/catalog.js'
import { loadModel } from '../../src/engine/model.js'
import { ModelLibrary } from '../../src/main/services/models.js'
import { MODELS_DIR } from '../../src/cli/models.js'
import { codeOf } from '../helpers/errors.js'
import { FIXTURES } from '../helpers/fixtures.js'

function library(): { lib: ModelLibrary; installedDir: string; inspected: string[] } {
  const installedDir = join(mkdtempSync(join(tmpdir(), 'enhance-models-')), 'models')
  const inspected: string[] = []
  const lib = new ModelLibrary({
    bundledDir: MODELS_DIR,
    catalog: readCatalog(MODELS_DIR),
    installedDir,
    inspect: async (path) => {
      inspected.push(path)
      return (await loadModel(path)).info
    },
  })
  return { lib, installedDir, inspected }
}

describe('the model library', () => {
  it('imports a checkpoint once, lists it next to the bundled pair, and refuses a malicious one', async () => {
    const { lib, installedDir, inspected } = library()
    const entry = await lib.import(join(FIXTURES, 'basicsr_x4_zip.pth'))
    expect(entry).toMatchObject({
      name: 'basicsr_x4_zip',
      bundled: false,
      info: { scale: 4, layout: 'basicsr' },
    })
    expect((await lib.import(join(FIXTURES, 'basicsr_x4_zip.pth'))).path).toBe(entry.path)
    expect(await codeOf(() => lib.import(join(FIXTURES, 'malicious_zip.pth')))).toBe('UNSAFE_CHECKPOINT')
    expect(readdirSync(installedDir)).toEqual(['basicsr_x4_zip.pth'])
    const listed = await lib.list()
    expect(listed.filter((m) => m.bundled).map((m) => m.name)).toEqual([
      'enhance-real-psnr-x4',
      'enhance-real-gan-x4',
      'enhance-psnr-x4',
      'enhance-gan-x4',
    ])
    // Each pair says what it is for, and the real-photo pair is the default for new jobs.
    expect(listed.filter((m) => m.useFor).map((m) => [m.name, m.useFor, m.isDefault ?? false])).toEqual([
      ['enhance-real-psnr-x4', 'Photos from phones, the web and scans (JPEG, noise, blur)', true],
      ['enhance-psnr-x4', 'Clean, sharp originals', false],
    ])
    expect(listed.filter((m) => !m.bundled).map((m) => m.name)).toEqual(['basicsr_x4_zip'])
    // Listing again reads no model a second time: each file's architecture is kept per version.
    const reads = inspected.length
    await lib.list()
    expect(inspected).toHaveLength(reads)
  })

  it("says a job's models in words where they are not the default pair", () => {
    const { lib } = library()
    const spec = (name: string) => bundledSpec(MODELS_DIR, readCatalog(MODELS_DIR), name, 0.5)!
    expect(lib.wordsOf(spec('enhance-real-psnr-x4'))).toBeUndefined()
    expect(lib.wordsOf(spec('enhance-psnr-x4'))).toBe('the pair for clean, sharp originals')
    // A bundled model alone, or paired otherwise, is named.
    expect(lib.wordsOf({ path: spec('enhance-psnr-x4').path })).toBe('with enhance-psnr-x4')
    const { path } = spec('enhance-psnr-x4')
    const mixed = { path, blend: { path: spec('enhance-real-psnr-x4').blend!.path, realism: 0.5 } }
    expect(lib.wordsOf(mixed)).toBe('with enhance-psnr-x4 and enhance-real-gan-x4')
    const imported = {
      path: '/models/4x-UltraSharp.pth',
      blend: { path: '/models/ultra-gan.safetensors', realism: 1 },
    }
    expect(lib.wordsOf(imported)).toBe('with 4x-UltraSharp and ultra-gan')
  })

  it('pairs models of one architecture and refuses others', async () => {
    const { lib } = library()
    const bundled = await lib.list()
    const [psnr, gan] = bundled.map((m) => m.path)
    await expect(lib.checkChoice({ path: psnr!, partner: gan! })).resolves.toBeUndefined()
    expect(
      await codeOf(() => lib.checkChoice({ path: psnr!, partner: join(FIXTURES, 'basicsr_x2_zip.pth') })),
    ).toBe('INCOMPATIBLE_MODELS')
    expect(lib.spec({ path: psnr!, partner: gan! }, 0.3)).toEqual({
      path: psnr,
      blend: { path: gan, realism: 0.3 },
    })
    expect(lib.spec(null, 0.7)).toEqual({ path: psnr, blend: { path: gan, realism: 0.7 } })
  })
})
