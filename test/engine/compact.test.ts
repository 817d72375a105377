import { describe, expect, it } from 'vitest'
import { inspectCommand } from '../../src/cli/inspect.js'
import { blendModels, loadModel, modelToOnnx, parseModel } from '../../src/engine/model.js'
import { EnhanceError } from '../../src/shared/errors.js'
import { pairProblem } from '../../src/shared/model.js'
import { fixtureBytes, fixturePath, manifest, maxAbsDiff, readFloats } from '../helpers/fixtures.js'
import { fixtureRunner } from '../helpers/sessions.js'

const runOnnx = fixtureRunner('cpu')

describe("Real-ESRGAN's Compact network (SRVGGNetCompact) matches PyTorch", () => {
  it.each(manifest.compact.map((m) => [m.name, m] as const))('%s', async (_name, fixture) => {
    const model = await loadModel(fixturePath(fixture.file))
    expect(model.info).toMatchObject({
      arch: 'compact',
      layout: 'compact',
      format: fixture.format,
      scale: fixture.scale,
      numFeat: fixture.numFeat,
      numConv: fixture.numConv,
      inChannels: fixture.inChannels,
      outChannels: fixture.outChannels,
      params: fixture.params,
    })
    const { data, dims } = await runOnnx(modelToOnnx(model))
    expect(dims).toEqual(fixture.outputShape)
    expect(maxAbsDiff(data, readFloats(fixture.output))).toBeLessThan(1e-4)
  })

  it('an .onnx Compact graph reads back as the same architecture and runs the same', async () => {
    const model = parseModel(fixtureBytes('compact_x4.safetensors'), 'compact_x4.safetensors')
    const reread = parseModel(modelToOnnx(model), 'compact.onnx')
    expect(reread.info).toMatchObject({ arch: 'compact', layout: 'onnx', scale: 4, numFeat: 8, numConv: 3 })
    const expected = readFloats(manifest.compact.find((m) => m.file === 'compact_x4.safetensors')!.output)
    expect(maxAbsDiff((await runOnnx(modelToOnnx(reread))).data, expected)).toBeLessThan(1e-4)
  })

  it('float16 stays within half-precision error', async () => {
    const model = parseModel(fixtureBytes('compact_x4.safetensors'), 'compact_x4.safetensors')
    const expected = readFloats(manifest.compact.find((m) => m.file === 'compact_x4.safetensors')!.output)
    const diff = maxAbsDiff((await runOnnx(modelToOnnx(model, 'fp16'))).data, expected)
    expect(diff).toBeLessThan(2e-2)
    expect(diff).toBeGreaterThan(0)
  })

  it(`blends at α = ${manifest.compactBlend.alpha} exactly as PyTorch's weight average`, async () => {
    const { a, b, alpha, output } = manifest.compactBlend
    const left = parseModel(fixtureBytes(a), a)
    const right = parseModel(fixtureBytes(b), b)
    expect(pairProblem(left.info, right.info)).toBeNull()
    const { data } = await runOnnx(modelToOnnx(blendModels(left, right, alpha)))
    expect(maxAbsDiff(data, readFloats(output))).toBeLessThan(1e-4)
    const leftOut = readFloats(manifest.compact.find((m) => m.file === a)!.output)
    expect(maxAbsDiff(data, leftOut)).toBeGreaterThan(1e-2)
  })

  it('does not pair with an RRDBNet or a Compact of another size', () => {
    const compact = parseModel(fixtureBytes('compact_x4.safetensors'), 'compact_x4.safetensors')
    const rrdb = parseModel(fixtureBytes('basicsr_x4.safetensors'), 'basicsr_x4.safetensors')
    const x2 = parseModel(fixtureBytes('compact_x2_zip.pth'), 'compact_x2_zip.pth')
    expect(pairProblem(compact.info, rrdb.info)).toBe('their architectures differ (compact vs RRDBNet)')
    expect(pairProblem(compact.info, x2.info)).toContain('scale 4 vs 2')
  })

  it('inspect reports arch "compact" with its sizes and nothing of RRDBNet', async () => {
    const { sha256, ...info } = await inspectCommand(fixturePath('compact_x2_zip.pth'))
    expect(sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(info).toEqual({
      format: 'pth-zip',
      layout: 'compact',
      arch: 'compact',
      scale: 2,
      numFeat: 6,
      numConv: 2,
      inChannels: 3,
      outChannels: 3,
      params: 1506,
    })
  })

  it('a Compact whose activations have no PReLU weights is an unknown architecture, with a reason', async () => {
    const error = await loadModel(fixturePath('compact_relu.pth')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(EnhanceError)
    expect((error as EnhanceError).code).toBe('UNKNOWN_ARCHITECTURE')
    expect((error as EnhanceError).message).toContain('no PReLU weights')
  })
})
