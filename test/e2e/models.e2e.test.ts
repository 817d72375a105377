/**
 * The model catalogue in Chromium: download with progress, cancel, install a slider pair from a local
 * server, and enhance with it, against the real services and engine.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { EngineClient, forkEngine } from '../../src/engine/client.js'
import type { LibraryEntry } from '../../src/shared/library.js'
import { FileServer } from '../helpers/file-server.js'
import { fixtureBytes } from '../helpers/fixtures.js'
import { WORKER } from '../helpers/models.js'
import { AppSession, photo } from './session.js'

const WEAK = Buffer.from(fixtureBytes('compact_x4.safetensors'))
const STRONG = Buffer.from(fixtureBytes('compact_x4_partner.safetensors'))
const server = new FileServer()

function entry(name: string, path: string, bytes: Buffer, partner?: string): LibraryEntry {
  return {
    name,
    author: 'test',
    license: 'BSD-3-Clause',
    architecture: 'compact',
    scale: 4,
    description: `${name}, served by the test`,
    resources: [
      {
        type: 'safetensors',
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        urls: [`http://127.0.0.1:${port}${path}`],
      },
    ],
    ...(partner ? { partner: { id: partner, slider: 'Denoise strength', meaning: '0 keeps grain.' } } : {}),
  }
}

let port = 0
let app: AppSession

beforeAll(async () => {
  await server.start()
  port = Number(new URL(server.url('/')).port)
  server.routes.set('/weak.safetensors', { body: WEAK })
  server.routes.set('/strong.safetensors', { body: STRONG, rate: 2_000 })
  app = new AppSession({
    'test-weak': entry('Test Compact weak denoise', '/weak.safetensors', WEAK, 'test-strong'),
    'test-strong': entry('Test Compact strong denoise', '/strong.safetensors', STRONG),
  })
  await app.start()
}, 120_000)

afterAll(async () => {
  await app.stop()
  await server.stop()
})

describe('the model catalogue in Chromium', () => {
  it('downloads a pair (one cancelled first), uses it for a job, and enhances exactly as the CLI does', async () => {
    const { page } = app
    await app.tab('Models')
    const weak = page.getByRole('listitem', { name: 'Test Compact weak denoise' })
    const strong = page.getByRole('listitem', { name: 'Test Compact strong denoise' })
    await weak.getByText('Slider pair: Denoise strength').waitFor()

    // The slow one shows its progress and stops on Cancel, leaving nothing in the models folder.
    await strong.getByRole('button', { name: 'Download' }).click()
    await strong.getByRole('progressbar', { name: 'Download progress' }).waitFor()
    await expect.poll(() => strong.locator('.status').textContent(), { timeout: 10_000 }).toMatch(/%/)
    await app.shot('20-model-download')
    await strong.getByRole('button', { name: 'Cancel' }).click()
    await strong.getByRole('button', { name: 'Download' }).waitFor()
    expect(readdirSync(join(app.dataDir, 'models'))).toEqual([])

    server.routes.set('/strong.safetensors', { body: STRONG })
    await strong.getByRole('button', { name: 'Download' }).click()
    await strong.getByText('Installed').waitFor({ timeout: 30_000 })
    await weak.getByRole('button', { name: 'Download' }).click()
    await weak.getByText('Installed').waitFor({ timeout: 30_000 })
    expect(readdirSync(join(app.dataDir, 'models')).sort()).toEqual([
      'test-strong.safetensors',
      'test-weak.safetensors',
    ])
    await weak.getByRole('button', { name: 'Use this pair for new jobs' }).click()
    const models = join(app.dataDir, 'models')
    await expect
      .poll(() => app.backend.services.getPreferences().then((p) => p.model))
      .toEqual({
        path: join(models, 'test-weak.safetensors'),
        partner: join(models, 'test-strong.safetensors'),
      })

    const photos = join(app.work, 'photos')
    mkdirSync(photos, { recursive: true })
    const input = join(photos, 'street.jpg')
    await photo(input, 3, 48, 32)
    app.dialogs.outputFolder = join(app.work, 'out')
    await app.backend.services.chooseOutputFolder()
    app.dialogs.inputs = [input]
    await app.tab('Queue')
    await page.getByRole('button', { name: 'Add photos…' }).click()
    const job = page.getByRole('article', { name: /Job street/ })
    await expect.poll(() => job.getAttribute('data-state'), { timeout: 60_000 }).toBe('done')

    const [created] = await app.backend.services.listJobs()
    const [item] = await app.backend.services.listItems(created!.id)
    const realism = (await app.backend.services.getPreferences()).realism
    const cliOut = join(app.work, 'cli')
    const status = await main(
      [
        input,
        '--out',
        cliOut,
        '--model',
        'test-weak',
        '--alpha',
        String(realism),
        '--models-dir',
        models,
        '--catalog',
        await writeCatalogueFile(),
        '--format',
        'same',
        '--device',
        'cpu',
        '--queue-dir',
        join(app.work, 'cli-queue'),
      ],
      { out: () => undefined, err: () => undefined },
      {
        engine: () =>
          new EngineClient(() => forkEngine({ workerPath: WORKER, env: { ENHANCE_DEVICE: 'cpu' } })),
      },
    )
    expect(status).toBe(0)
    const fromApp = await sharp(item!.output).raw().toBuffer({ resolveWithObject: true })
    const fromCli = await sharp(join(cliOut, readdirSync(cliOut)[0]!))
      .raw()
      .toBuffer({ resolveWithObject: true })
    expect([fromApp.info.width, fromApp.info.height]).toEqual([192, 128])
    expect(fromApp.data.equals(fromCli.data)).toBe(true)
  })
})

/** The same two entries as a --catalog file, so the CLI resolves `--model test-weak` and its partner. */
async function writeCatalogueFile(): Promise<string> {
  const { writeFile } = await import('node:fs/promises')
  const file = join(app.work, 'catalogue.json')
  await writeFile(
    file,
    JSON.stringify({
      'test-weak': entry('Test Compact weak denoise', '/weak.safetensors', WEAK, 'test-strong'),
      'test-strong': entry('Test Compact strong denoise', '/strong.safetensors', STRONG),
    }),
  )
  return file
}
