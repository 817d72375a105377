import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import stringWidth from 'string-width'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { TEXT_COLUMNS } from '../../src/cli/wrap.js'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import type { LibraryItem } from '../../src/shared/library.js'
import { FileServer } from '../helpers/file-server.js'
import { fixtureBytes } from '../helpers/fixtures.js'
import { WORKER } from '../helpers/models.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-library-'))
const modelsDir = join(work, 'models')
const COMPACT = Buffer.from(fixtureBytes('compact_x4.safetensors'))
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex')
let server: FileServer
let catalogue = ''

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const status = await main(
    [...argv, '--catalog', catalogue, '--models-dir', modelsDir],
    { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) },
    {
      engine: () =>
        new EngineClient(() => forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu' } })),
    },
  )
  return { status, out, err }
}

/** A studio's own catalogue, in OpenModelDB's entry format, pointing at its mirror (the local server). */
function writeCatalogue(): string {
  const resource = (path: string, bytes: Buffer) => ({
    type: 'safetensors',
    size: bytes.length,
    sha256: sha(bytes),
    urls: [server.url(path)],
  })
  const entry = (name: string, scale: number, path: string, bytes = COMPACT) => ({
    name,
    author: 'studio',
    license: 'CC-BY-NC-4.0',
    architecture: 'compact',
    scale,
    inputChannels: 3,
    outputChannels: 3,
    tags: ['photo'],
    resources: [resource(path, bytes)],
  })
  const file = join(work, 'studio-catalogue.json')
  writeFileSync(
    file,
    JSON.stringify({
      'studio-compact-x4': entry('Studio Compact ×4', 4, '/compact.safetensors'),
      'studio-mislabelled': entry('Says ×2, is ×4', 2, '/compact.safetensors'),
      'studio-swin': { ...entry('Another family', 4, '/x'), architecture: 'swinir' },
    }),
  )
  return file
}

beforeAll(async () => {
  server = await new FileServer().start()
  server.routes.set('/compact.safetensors', { body: COMPACT, etag: '"c1"' })
  catalogue = writeCatalogue()
})
afterAll(async () => server.stop())

describe('enhance models, with a --catalog mirror on a local server', () => {
  it('lists the bundled models, the built-in catalogue and the extra one, with states and licences', async () => {
    const { status, out } = await cli('models', 'list', '--json')
    expect(status).toBe(0)
    const items = JSON.parse(out) as LibraryItem[]
    const byId = new Map(items.map((i) => [i.id, i]))
    expect(byId.get('enhance-psnr-x4')).toMatchObject({
      state: 'bundled',
      architecture: 'RRDBNet',
      scale: 4,
      useFor: 'Clean, sharp originals',
      partner: { id: 'enhance-gan-x4', slider: 'Realism' },
    })
    expect(byId.get('enhance-psnr-x4')?.isDefault).toBeUndefined()
    expect(byId.get('enhance-real-psnr-x4')).toMatchObject({ state: 'bundled', isDefault: true })
    const text = (await cli('models', 'list')).out
    expect(text).toContain('enhance-real-psnr-x4  [bundled, default]')
    expect(text).toContain('    For: Photos from phones, the web and scans (JPEG, noise, blur)')
    // each fact on its own line, not run on after a description's full stop
    expect(text).toContain(
      'MODEL_CARD.md.\n    Slider: Realism, with enhance-real-gan-x4\nenhance-real-gan-x4  [bundled]',
    )
    expect(text).not.toContain('.;')
    // Laid out within 80 columns, each description whole, its lines indented under the model's id.
    expect(text.split('\n').filter((line) => stringWidth(line) > TEXT_COLUMNS)).toEqual([])
    const unwrapped = text.replaceAll('\n    ', ' ').split('\n')
    for (const item of items)
      expect(unwrapped, item.id).toContainEqual(expect.stringContaining(item.description))
    expect(text).toContain('enhance-psnr-x4  [bundled]\n    RRDBNet ×4 · 3.0 MB · see MODEL_CARD.md')
    expect(byId.get('4x-realesr-general-wdn-x4v3')).toMatchObject({
      state: 'available',
      architecture: 'compact',
      size: 4885111,
      commercialUse: true,
      partner: { id: '4x-realesr-general-x4v3', slider: 'Denoise strength' },
    })
    expect(byId.get('studio-compact-x4')).toMatchObject({
      state: 'available',
      license: 'CC-BY-NC-4.0',
      commercialUse: false,
      size: COMPACT.length,
    })
    expect(byId.get('studio-swin')?.unsupported).toContain('swinir')
  })

  it('downloads by id, then enhances a photo with --model <id> exactly as with the file itself', async () => {
    const download = await cli('models', 'download', 'studio-compact-x4', '--json')
    expect(download.status).toBe(0)
    const installed = JSON.parse(download.out) as LibraryItem
    expect(installed).toMatchObject({ id: 'studio-compact-x4', state: 'installed' })
    expect(readFileSync(installed.path!).equals(COMPACT)).toBe(true)
    expect(readdirSync(modelsDir)).toEqual(['studio-compact-x4.safetensors'])

    const photo = join(work, 'photo.png')
    await sharp({ create: { width: 20, height: 12, channels: 3, background: '#806040' } })
      .png()
      .toFile(photo)
    const common = ['--device', 'cpu', '--json', '--format', 'png', '--queue-dir', join(work, 'queue')]
    const byId = await cli(photo, '--out', join(work, 'by-id'), '--model', 'studio-compact-x4', ...common)
    expect(byId.err).toBe('')
    const byFile = await cli(photo, '--out', join(work, 'by-file'), '--model', installed.path!, ...common)
    expect(byFile.status).toBe(0)
    const a = await sharp(join(work, 'by-id', 'photo.png'))
      .raw()
      .toBuffer({ resolveWithObject: true })
    const b = await sharp(join(work, 'by-file', 'photo.png'))
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect([a.info.width, a.info.height]).toEqual([80, 48])
    expect(a.data.equals(b.data)).toBe(true)
  })

  it('refuses a file whose architecture contradicts its entry, installing nothing', async () => {
    const { status, err } = await cli('models', 'download', 'studio-mislabelled')
    expect(status).toBe(1)
    expect(err).toMatch(/^error CATALOGUE_MISMATCH: .*compact ×4.*×2/)
    expect(existsSync(join(modelsDir, 'studio-mislabelled.safetensors'))).toBe(false)
    expect(readdirSync(modelsDir).filter((f) => f.startsWith('.'))).toEqual([])
  })

  it('refuses an architecture Enhance cannot run before downloading anything', async () => {
    const before = server.log.length
    const { err } = await cli('models', 'download', 'studio-swin')
    expect(err).toMatch(/^error UNKNOWN_ARCHITECTURE: /)
    expect(server.log.length).toBe(before)
  })

  it('removes an installed model, and says what to do for an unknown or bundled id', async () => {
    expect((await cli('models', 'remove', 'studio-compact-x4')).status).toBe(0)
    expect(existsSync(join(modelsDir, 'studio-compact-x4.safetensors'))).toBe(false)
    expect((await cli('models', 'remove', 'studio-compact-x4')).err).toMatch(/^error FILE_NOT_FOUND: /)
    expect((await cli('models', 'remove', 'enhance-psnr-x4')).err).toMatch(/^error INVALID_ARGUMENT: /)
    expect((await cli('models', 'download', 'no-such-model')).err).toMatch(
      /^error FILE_NOT_FOUND: .*models list/,
    )
  })

  it('refuses a models folder that cannot be one, before listing or fetching anything', async () => {
    const file = join(work, 'not-a-folder')
    writeFileSync(file, 'x')
    const said = []
    for (const dir of [file, join(file, 'models')]) {
      let err = ''
      const status = await main(['models', 'list', '--models-dir', dir], {
        out: () => undefined,
        err: (t) => (err += t),
      })
      said.push(`${status} ${err}`)
    }
    const tail = 'Name a folder for installed models (it is made if missing).'
    expect(said).toEqual([
      `1 error INVALID_ARGUMENT: The models folder ${file} (--models-dir or ENHANCE_MODELS_DIR) is not a folder. ${tail}`,
      `1 error INVALID_ARGUMENT: The models folder ${join(file, 'models')} (--models-dir or ENHANCE_MODELS_DIR) cannot be a folder: a folder above it is a file. ${tail}`,
    ])
  })

  it('reports a catalogue that does not follow the format, naming the entry', async () => {
    const broken = join(work, 'broken.json')
    writeFileSync(
      broken,
      JSON.stringify({ bad: { name: 'x', architecture: 'compact', scale: 4, resources: [] } }),
    )
    let err = ''
    const status = await main(['models', 'list', '--catalog', broken, '--models-dir', modelsDir], {
      out: () => undefined,
      err: (t) => (err += t),
    })
    expect(status).toBe(1)
    expect(err).toMatch(/^error INVALID_ARGUMENT: .*bad\.resources/)
  })
})
