import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { loadModel, parseModel } from '../../src/engine/model.js'
import { writeSafetensors } from '../../src/engine/weights/safetensors.js'
import { fixtureBytes, fixturePath, manifest } from '../helpers/fixtures.js'

async function cli(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const status = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) })
  return { status, out, err }
}

const work = mkdtempSync(join(tmpdir(), 'enhance-cli-'))

describe('enhance inspect', () => {
  it('prints one JSON object with the detected architecture', async () => {
    const { status, out } = await cli('inspect', fixturePath('oldarch_x8_legacy.pth'))
    expect(status).toBe(0)
    const info = JSON.parse(out) as Record<string, unknown>
    const fixture = manifest.models.find((m) => m.name === 'oldarch_x8_legacy')!
    expect(info).toMatchObject({
      format: 'pth-legacy',
      layout: 'old-arch',
      arch: 'RRDBNet',
      scale: 8,
      params: fixture.params,
    })
    for (const key of [
      'format',
      'layout',
      'arch',
      'scale',
      'nf',
      'nb',
      'gc',
      'inChannels',
      'outChannels',
      'params',
      'sha256',
    ]) {
      expect(info).toHaveProperty(key)
    }
    expect(info['sha256']).toMatch(/^[0-9a-f]{64}$/)
  })

  it('prints a coded error and exits 1 for an unsafe file, a missing file and no argument', async () => {
    const unsafe = await cli('inspect', fixturePath('malicious_zip.pth'))
    expect(unsafe.status).toBe(1)
    expect(unsafe.err).toMatch(/^error UNSAFE_CHECKPOINT: /)
    expect((await cli('inspect', join(work, 'nope.pth'))).err).toMatch(/^error FILE_NOT_FOUND: /)
    // A folder, and a file that was never downloaded whole: each named, with what to do.
    expect((await cli('inspect', work)).err).toBe(
      `error INVALID_ARGUMENT: ${work} is a folder, not a model file. Name a .pth, .safetensors or .onnx file.\n`,
    )
    const empty = join(work, 'empty.pth')
    writeFileSync(empty, '')
    expect((await cli('inspect', empty)).err).toBe(
      `error CORRUPT_CHECKPOINT: The model file ${empty} is empty (0 bytes): it was not downloaded or copied whole. Download or copy it again.\n`,
    )
    expect((await cli('inspect')).err).toMatch(/^error INVALID_ARGUMENT: /)
    expect((await cli('inpsect', 'x.pth')).err).toBe(
      'error INVALID_ARGUMENT: Unknown command "inpsect". Did you mean "enhance inspect"?\n',
    )
    // Any other word is a photo's name, enhanced beside it if it were there.
    expect((await cli('frobnicate')).err).toMatch(/^error FILE_NOT_FOUND: /)
    expect((await cli('inspect', 'x', '--bogus')).err).toMatch(/^error INVALID_ARGUMENT: /)
    expect((await cli('x.jpg', '--out', work, '--precision', 'int4')).err).toMatch(
      /^error INVALID_ARGUMENT: --precision must be auto, fp32, fp16 or int8; got "int4"/,
    )
  })
})

describe('enhance convert', () => {
  it('writes an .onnx model that loads back with the same architecture', async () => {
    const out = join(work, 'x4.onnx')
    const { status } = await cli('convert', fixturePath('newarch_x4_wrapped.pth'), '--out', out)
    expect(status).toBe(0)
    const model = await loadModel(out)
    expect(model.kind).toBe('onnx')
    expect(model.info).toMatchObject({ format: 'onnx', layout: 'onnx', scale: 4, nf: 8, nb: 2, gc: 4 })
  })

  it('converts a Compact network, whose .onnx reads back as the same architecture', async () => {
    const out = join(work, 'compact.onnx')
    const { status, out: text } = await cli('convert', fixturePath('compact_x2_zip.pth'), '--out', out)
    expect(status).toBe(0)
    expect(JSON.parse(text)).toMatchObject({ scale: 2 })
    const model = await loadModel(out)
    expect(model.info).toMatchObject({ arch: 'compact', layout: 'onnx', scale: 2, numFeat: 6, numConv: 2 })
  })

  it('blends with --blend/--alpha and writes float16 with --fp16', async () => {
    const out = join(work, 'blend.onnx')
    const { status, out: text } = await cli(
      'convert',
      fixturePath('basicsr_x4.safetensors'),
      '--blend',
      fixturePath('pair_gan.safetensors'),
      '--alpha',
      '0.3',
      '--fp16',
      '--out',
      out,
    )
    expect(status).toBe(0)
    expect(JSON.parse(text)).toMatchObject({ precision: 'fp16', blended: true, scale: 4 })
    const full = join(work, 'blend32.onnx')
    await cli(
      'convert',
      fixturePath('basicsr_x4.safetensors'),
      '--blend',
      fixturePath('pair_gan.safetensors'),
      '--out',
      full,
    )
    expect(readFileSync(out).byteLength).toBeLessThan(readFileSync(full).byteLength * 0.6)
  })

  it('reports the precision a ready .onnx file holds when it copies one', async () => {
    const half = join(work, 'half.onnx')
    await cli('convert', fixturePath('basicsr_x4.safetensors'), '--fp16', '--out', half)
    const copy = join(work, 'half-copy.onnx')
    const { status, out: text } = await cli('convert', half, '--out', copy)
    expect(status).toBe(0)
    expect(JSON.parse(text)).toMatchObject({ precision: 'fp16', blended: false })
    expect(readFileSync(copy).equals(readFileSync(half))).toBe(true)
    const full = join(work, 'full.onnx')
    await cli('convert', fixturePath('basicsr_x4.safetensors'), '--out', full)
    const { out: fullText } = await cli('convert', full, '--out', join(work, 'full-copy.onnx'))
    expect(JSON.parse(fullText)).toMatchObject({ precision: 'fp32' })
  })

  it('refuses a blend that produces a black image, and writes nothing', async () => {
    const model = parseModel(fixtureBytes('basicsr_x4.safetensors'), 'a.safetensors')
    if (model.kind !== 'weights') throw new Error('expected weights')
    const dark = new Map(model.weights)
    dark.set('conv_last.weight', { ...dark.get('conv_last.weight')!, data: new Float32Array(3 * 8 * 9) })
    dark.set('conv_last.bias', { shape: [3], data: Float32Array.from([-5, -5, -5]), stored: 'float32' })
    const darkFile = join(work, 'dark.safetensors')
    writeFileSync(darkFile, writeSafetensors(dark))
    const out = join(work, 'never.onnx')
    const result = await cli(
      'convert',
      fixturePath('basicsr_x4.safetensors'),
      '--blend',
      darkFile,
      '--alpha',
      '1',
      '--out',
      out,
    )
    expect(result.status).toBe(1)
    expect(result.err).toMatch(/^error INCOMPATIBLE_MODELS: .*black/)
    expect(existsSync(out)).toBe(false)
  })

  it('refuses an incompatible pair and a bad realism', async () => {
    const out = join(work, 'bad.onnx')
    const pair = await cli(
      'convert',
      fixturePath('basicsr_x4.safetensors'),
      '--blend',
      fixturePath('basicsr_x2_zip.pth'),
      '--out',
      out,
    )
    expect(pair.err).toMatch(/^error INCOMPATIBLE_MODELS: /)
    const realism = await cli(
      'convert',
      fixturePath('basicsr_x4.safetensors'),
      '--blend',
      fixturePath('pair_gan.safetensors'),
      '--alpha',
      '2',
      '--out',
      out,
    )
    expect(realism.err).toMatch(/^error INVALID_ARGUMENT: /)
    expect(existsSync(out)).toBe(false)
  })

  it('never replaces a photo, the model being converted, or an existing file without --overwrite', async () => {
    const dir = join(work, 'clobber')
    mkdirSync(dir, { recursive: true })
    const photo = join(dir, 'grandma.jpg')
    const checkpoint = join(dir, 'model.onnx')
    const existing = join(dir, 'existing.onnx')
    writeFileSync(photo, 'the only copy of a photo')
    await cli('convert', fixturePath('basicsr_x4.safetensors'), '--out', checkpoint)
    writeFileSync(existing, 'an earlier conversion')
    // The checkpoint under a second name (a hard link, or its name in other case on a drive that ignores case).
    const linked = join(dir, 'same-model.onnx')
    linkSync(checkpoint, linked)
    const before = [photo, checkpoint, existing].map((f) => readFileSync(f))
    const refused = []
    for (const [source, out, ...more] of [
      [fixturePath('basicsr_x4.safetensors'), photo],
      [checkpoint, checkpoint, '--overwrite'],
      [checkpoint, linked, '--overwrite'],
      [fixturePath('basicsr_x4.safetensors'), existing],
    ] as const) {
      const { status, err } = await cli('convert', source, '--out', out, ...more)
      refused.push(`${status} ${err.trim()}`)
    }
    expect(refused).toEqual([
      `1 error INVALID_ARGUMENT: --out ${photo} must name an .onnx file, like model.onnx.`,
      `1 error INVALID_ARGUMENT: --out ${checkpoint} is a model being converted; name another file.`,
      `1 error INVALID_ARGUMENT: --out ${linked} is a model being converted; name another file.`,
      `1 error INVALID_ARGUMENT: --out ${existing} exists; add --overwrite to replace it.`,
    ])
    expect([photo, checkpoint, existing].map((f) => readFileSync(f))).toEqual(before)
    const replaced = await cli(
      'convert',
      fixturePath('basicsr_x4.safetensors'),
      '--out',
      existing,
      '--overwrite',
    )
    expect(replaced.status).toBe(0)
    expect(readFileSync(existing)).toEqual(readFileSync(checkpoint))
  })

  it('reports a folder it cannot write to, leaving no temporary file', async () => {
    const result = await cli(
      'convert',
      fixturePath('basicsr_x4.safetensors'),
      '--out',
      join(work, 'missing', 'x.onnx'),
    )
    expect(result.status).toBe(1)
    expect(result.err).toMatch(/^error OUTPUT_NOT_WRITABLE: Cannot write/)
    expect(readdirSync(work).filter((f) => f.includes('.partial'))).toEqual([])
  })
})
