import { describe, expect, it } from 'vitest'
import { blendModels, loadModel, modelToOnnx, parseModel } from '../../src/engine/model.js'
import { blendOnnx } from '../../src/engine/onnx/blend.js'
import { fixtureBytes, fixturePath, manifest, maxAbsDiff, readFloats } from '../helpers/fixtures.js'
import { fixtureRunner } from '../helpers/sessions.js'

const runOnnx = fixtureRunner('cpu')

describe('every layout and file form matches PyTorch', () => {
  it.each(manifest.models.map((m) => [m.name, m] as const))('%s', async (_name, fixture) => {
    const model = await loadModel(fixturePath(fixture.file))
    expect(model.info).toMatchObject({
      format: fixture.format,
      layout: fixture.layout,
      scale: fixture.scale,
      nf: fixture.nf,
      nb: fixture.nb,
      gc: fixture.gc,
      inChannels: fixture.inChannels,
      outChannels: fixture.outChannels,
      params: fixture.params,
    })
    const { data, dims } = await runOnnx(modelToOnnx(model))
    expect(dims).toEqual(fixture.outputShape)
    expect(maxAbsDiff(data, readFloats(fixture.output))).toBeLessThan(1e-4)
  })
})

describe('network interpolation', () => {
  const psnr = parseModel(fixtureBytes(manifest.blend.psnr), manifest.blend.psnr)
  const gan = parseModel(fixtureBytes(manifest.blend.gan), manifest.blend.gan)
  const psnrOut = readFloats(manifest.models.find((m) => m.file === manifest.blend.psnr)!.output)
  const ganOut = readFloats(manifest.models.find((m) => m.file === manifest.blend.gan)!.output)
  const blendOut = readFloats(manifest.blend.output)

  it('α = 0 and α = 1 give exactly the endpoint weights', () => {
    const zero = blendModels(psnr, gan, 0)
    const one = blendModels(psnr, gan, 1)
    if (
      zero.kind !== 'weights' ||
      one.kind !== 'weights' ||
      psnr.kind !== 'weights' ||
      gan.kind !== 'weights'
    )
      throw new Error()
    for (const [key, t] of psnr.weights) expect(zero.weights.get(key)!.data).toEqual(t.data)
    for (const [key, t] of gan.weights) expect(one.weights.get(key)!.data).toEqual(t.data)
  })

  it('α = 0 and α = 1 give the endpoint outputs', async () => {
    expect(maxAbsDiff((await runOnnx(modelToOnnx(blendModels(psnr, gan, 0)))).data, psnrOut)).toBeLessThan(
      1e-4,
    )
    expect(maxAbsDiff((await runOnnx(modelToOnnx(blendModels(psnr, gan, 1)))).data, ganOut)).toBeLessThan(
      1e-4,
    )
  })

  it(`α = ${manifest.blend.alpha} equals PyTorch's weight-averaged model`, async () => {
    const { data } = await runOnnx(modelToOnnx(blendModels(psnr, gan, manifest.blend.alpha)))
    expect(maxAbsDiff(data, blendOut)).toBeLessThan(1e-4)
    expect(maxAbsDiff(data, psnrOut)).toBeGreaterThan(1e-2)
  })

  it('two .onnx files of one graph blend by initializer', async () => {
    const mixed = blendOnnx(modelToOnnx(psnr), modelToOnnx(gan), manifest.blend.alpha)
    expect(maxAbsDiff((await runOnnx(mixed)).data, blendOut)).toBeLessThan(1e-4)
  })

  it('a blend of .onnx models loads and blends through the same entry point', async () => {
    const a = parseModel(modelToOnnx(psnr), 'psnr.onnx')
    const b = parseModel(modelToOnnx(gan), 'gan.onnx')
    expect(a.kind).toBe('onnx')
    const mixed = modelToOnnx(blendModels(a, b, manifest.blend.alpha))
    expect(maxAbsDiff((await runOnnx(mixed)).data, blendOut)).toBeLessThan(1e-4)
  })
})

describe('float16 graphs', () => {
  it('compute within half-precision error of PyTorch and store half the bytes', async () => {
    const model = parseModel(fixtureBytes('basicsr_x4.safetensors'), 'basicsr_x4.safetensors')
    const full = modelToOnnx(model, 'fp32')
    const half = modelToOnnx(model, 'fp16')
    expect(half.byteLength).toBeLessThan(full.byteLength * 0.6)
    const expected = readFloats('basicsr_x4_safetensors.out.bin')
    const diff = maxAbsDiff((await runOnnx(half)).data, expected)
    expect(diff).toBeLessThan(2e-2)
    expect(diff).toBeGreaterThan(0)
  })
})
