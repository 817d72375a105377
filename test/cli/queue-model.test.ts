/**
 * `enhance queue model`: a job made with the default pair is enhanced again with the pair for clean, sharp originals,
 * as `--model` names it, and its photos come out as a job made with that pair makes them (the bundled models, real).
 */
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { readQueueState } from '../../src/queue/store.js'
import { builtEngine } from '../helpers/cli-engine.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-queue-model-'))
const album = join(work, 'album')
const modelsDir = join(work, 'models')

/** The command in this process, its engine on the CPU; what it said and its status. */
async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let [out, err] = ['', '']
  const status = await main(
    [...argv, '--models-dir', modelsDir],
    { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`) },
    { engine: builtEngine({ ENHANCE_DATA_DIR: join(work, 'data') }) },
  )
  return { status, out, err }
}

/** The album enhanced into `out` (a queue of its own), with `argv` added. */
const enhance = (name: string, ...argv: string[]) =>
  cli(
    album,
    '--out',
    join(work, name),
    '--queue-dir',
    join(work, `queue-${name}`),
    '--device',
    'cpu',
    ...argv,
  )

const pixels = (name: string) =>
  sharp(join(work, name, 'grain.png'))
    .raw()
    .toBuffer()

beforeAll(async () => {
  mkdirSync(album)
  mkdirSync(modelsDir)
  const noise = { type: 'gaussian', mean: 128, sigma: 40 } as const
  await sharp({ create: { width: 24, height: 16, channels: 3, background: '#808080', noise } })
    .png()
    .toFile(join(album, 'grain.png'))
})

describe('enhance queue model', () => {
  it('enhances a done job again with the pair it names, at its realism: as a job made with that pair', async () => {
    expect((await enhance('default', '--alpha', '0.25')).status).toBe(0)
    expect((await enhance('clean', '--model', 'enhance-psnr-x4', '--alpha', '0.25')).status).toBe(0)
    const [withDefault, withClean] = [await pixels('default'), await pixels('clean')]
    expect(withDefault.equals(withClean)).toBe(false)
    const queue = join(work, 'queue-default')
    const [job] = readQueueState(queue).orderedJobs()
    const id = job!.id.slice(0, 8)
    const model = (...words: string[]) => cli('queue', 'model', id, ...words, '--queue-dir', queue)

    expect(await model('enhance-psnr-x4')).toEqual({
      status: 0,
      out: `The photos of ${id} are enhanced with the pair for clean, sharp originals from now on: 1 photo will be enhanced again so, run "enhance --resume" (or open the app) for that.\n`,
      err: '',
    })
    // Nothing was enhanced by it: the photo waits, its file as it was.
    expect(
      readQueueState(queue)
        .itemsOf(job!.id)
        .map((item) => item.state),
    ).toEqual(['queued'])
    expect((await pixels('default')).equals(withDefault)).toBe(true)
    expect((await cli('queue', '--queue-dir', queue)).out).toMatch(
      /\(the pair for clean, sharp originals · realism 25%\)\n$/,
    )
    expect((await cli('--resume', '--queue-dir', queue, '--device', 'cpu')).status).toBe(0)
    expect((await pixels('default')).equals(withClean)).toBe(true)
    // The command that made the job, run again, makes a job of its own models: its photo, already there, is skipped.
    expect((await enhance('default', '--alpha', '0.25')).status).toBe(0)
    const [, again] = readQueueState(queue).orderedJobs()
    expect([
      again!.model,
      readQueueState(queue)
        .itemsOf(again!.id)
        .map((item) => item.skipReason),
    ]).toEqual([undefined, ['exists']])
    expect((await pixels('default')).equals(withClean)).toBe(true)

    // Refused, each with a code and a sentence; the job's models stay. (One at a time: each holds the queue's lock.)
    const refusals = []
    for (const words of [
      ['enhance-psnr-x4'],
      [join(work, 'no-such-model.pth')],
      ['enhance-psnr-x4', '--blend', 'enhance-real-gan-x4'],
      [],
      ['enhance-psnr-x4', 'enhance-gan-x4'],
    ])
      refusals.push(await model(...words))
    expect(refusals.map(({ status, err }) => [status, err.split(':')[0]])).toEqual([
      [1, 'error INVALID_ARGUMENT'],
      [1, 'error FILE_NOT_FOUND'],
      [1, 'error INCOMPATIBLE_MODELS'],
      [1, 'error INVALID_ARGUMENT'],
      [1, 'error INVALID_ARGUMENT'],
    ])
    expect(refusals[0]!.err).toBe('error INVALID_ARGUMENT: This job is already enhanced with those models.\n')
    expect(refusals[2]!.err).toMatch(/cannot be paired: their architectures differ \(nb 4 vs 6\)/)
    expect(readQueueState(queue).orderedJobs()[0]!.model?.path).toMatch(/enhance-psnr-x4\.safetensors$/)

    // Back to the default pair, by its name: the first photo again.
    expect((await model('enhance-real-psnr-x4')).out).toMatch(
      /are enhanced with the pair for photos from phones, the web and scans \(JPEG, noise, blur\) from now on: 1 photo/,
    )
    expect((await cli('--resume', '--queue-dir', queue, '--device', 'cpu')).status).toBe(0)
    expect((await pixels('default')).equals(withDefault)).toBe(true)
  })
})
