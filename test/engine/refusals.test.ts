import { existsSync, rmSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseModel } from '../../src/engine/model.js'
import { writeSafetensors } from '../../src/engine/weights/safetensors.js'
import { codeOf } from '../helpers/errors.js'
import { fixtureBytes, manifest } from '../helpers/fixtures.js'

describe('refused checkpoints', () => {
  beforeAll(() => rmSync(manifest.pwnedMarker, { force: true }))

  it.each(manifest.refused.map((r) => [r.file, r.code] as const))(
    '%s is refused with %s',
    async (file, code) => {
      expect(await codeOf(() => parseModel(fixtureBytes(file), file))).toBe(code)
    },
  )

  it('a pickle that would create a file does not create it', async () => {
    for (const file of ['malicious_zip.pth', 'malicious_legacy.pth']) {
      expect(await codeOf(() => parseModel(fixtureBytes(file), file))).toBe('UNSAFE_CHECKPOINT')
    }
    expect(existsSync(manifest.pwnedMarker)).toBe(false)
  })
})

const CORRUPT = ['CORRUPT_CHECKPOINT', 'UNSUPPORTED_FORMAT']

describe('corrupt checkpoints get coded errors, never raw exceptions', () => {
  const sources = [
    'basicsr_x4_zip.pth',
    'oldarch_x4_legacy.pth',
    'basicsr_x4.safetensors',
    'basicsr_x4_fp16_zip.pth',
  ]

  it.each(sources)('%s truncated at many points', async (file) => {
    const bytes = fixtureBytes(file)
    for (const fraction of [0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      const cut = bytes.subarray(0, Math.floor(bytes.length * fraction))
      expect(CORRUPT).toContain(await codeOf(() => parseModel(cut, file)))
    }
    expect(CORRUPT).toContain(await codeOf(() => parseModel(bytes.subarray(0, bytes.length - 1), file)))
  })

  it('zero bytes', async () => {
    expect(await codeOf(() => parseModel(new Uint8Array(), 'empty.pth'))).toBe('CORRUPT_CHECKPOINT')
  })

  it('random bytes and a text file', async () => {
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)
    expect(await codeOf(() => parseModel(random, 'x.pth'))).toBe('UNSUPPORTED_FORMAT')
    const text = new TextEncoder().encode('<html>404 Not Found</html>')
    expect(await codeOf(() => parseModel(text, 'x.safetensors'))).toBe('UNSUPPORTED_FORMAT')
  })

  it('an .onnx file that is not protobuf', async () => {
    expect(CORRUPT).toContain(
      await codeOf(() => parseModel(fixtureBytes('basicsr_x4.safetensors'), 'model.onnx')),
    )
  })

  it.each(sources)('%s with single bytes corrupted anywhere: a coded error or a clean load', async (file) => {
    const bytes = fixtureBytes(file)
    const step = Math.max(1, Math.floor(bytes.length / 400))
    const outcomes = new Set<string>()
    for (let at = 0; at < bytes.length; at += step) {
      const damaged = bytes.slice()
      damaged[at] = damaged[at]! ^ 0xa5
      outcomes.add(
        await codeOf(() => parseModel(damaged, file)).catch((error: Error) => {
          if (error.message.startsWith('expected an error')) return 'loaded'
          throw error
        }),
      )
    }
    expect(
      [...outcomes].every((o) =>
        // A flipped byte in a float16 weight can make it NaN or infinite: DEGENERATE_MODEL.
        ['loaded', 'UNKNOWN_ARCHITECTURE', 'UNSAFE_CHECKPOINT', 'DEGENERATE_MODEL', ...CORRUPT].includes(o),
      ),
    ).toBe(true)
    expect(outcomes.size).toBeGreaterThan(1)
  })

  it('a safetensors header whose offsets point past the data', async () => {
    const good = writeSafetensors(
      new Map([['w', { shape: [4], data: new Float32Array(4), stored: 'float32' }]]),
    )
    const json = new TextDecoder().decode(
      good.subarray(8, 8 + Number(new DataView(good.buffer).getBigUint64(0, true))),
    )
    const broken = json.replace('[0,16]', '[0,99]')
    const bytes = new Uint8Array(8 + broken.length + 16)
    new DataView(bytes.buffer).setBigUint64(0, BigInt(broken.length), true)
    bytes.set(new TextEncoder().encode(broken), 8)
    expect(await codeOf(() => parseModel(bytes, 'x.safetensors'))).toBe('CORRUPT_CHECKPOINT')
  })

  it('weights of the wrong shape', async () => {
    const model = parseModel(fixtureBytes('basicsr_x4.safetensors'), 'a.safetensors')
    if (model.kind !== 'weights') throw new Error('expected weights')
    const weights = new Map(model.weights)
    weights.set('conv_hr.weight', {
      shape: [8, 7, 3, 3],
      data: new Float32Array(8 * 7 * 9),
      stored: 'float32',
    })
    expect(await codeOf(() => parseModel(writeSafetensors(weights), 'b.safetensors'))).toBe(
      'UNKNOWN_ARCHITECTURE',
    )
  })
})
