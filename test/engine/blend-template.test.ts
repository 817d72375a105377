import { describe, expect, it } from 'vitest'
import { blendModels, modelToOnnx, parseModel } from '../../src/engine/model.js'
import { BlendTemplate } from '../../src/engine/onnx/blend-template.js'
import { decodeModel } from '../../src/engine/onnx/proto.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { createSession } from '../../src/engine/runtime/session.js'
import { fixtureBytes, fixturePath, input, manifest } from '../helpers/fixtures.js'

const psnr = parseModel(fixtureBytes(manifest.blend.psnr), manifest.blend.psnr)
const gan = parseModel(fixtureBytes(manifest.blend.gan), manifest.blend.gan)

/** Each initializer's bytes by name, copied (the template's buffer is rewritten by the next realism). */
function initializers(onnx: Uint8Array): Map<string, number[]> {
  return new Map(decodeModel(onnx).graph.initializer.map((t) => [t.name, [...(t.rawData ?? [])]]))
}

describe('a new realism from the blend template', () => {
  it('writes exactly the weights a freshly built blend has, at any realism and in any order', async () => {
    const template = BlendTemplate.of(modelToOnnx(psnr), modelToOnnx(gan))!
    expect(template).not.toBeNull()
    for (const realism of [0.3, 0.75, 0, 1, 0.3]) {
      const rewritten = await template.with(realism, (bytes) => Promise.resolve(initializers(bytes)))
      expect(rewritten).toEqual(initializers(modelToOnnx(blendModels(psnr, gan, realism))))
    }
  })

  it('refuses two networks whose weights do not line up', () => {
    const pairWidth = manifest.models.find((m) => m.file === manifest.blend.psnr)!.nf
    const wider = manifest.models.find((m) => m.nf !== pairWidth)!
    const other = parseModel(fixtureBytes(wider.file), wider.file)
    expect(BlendTemplate.of(modelToOnnx(psnr), modelToOnnx(other))).toBeNull()
  })

  it("a session keeps its realism's weights after the template is rewritten for another", async () => {
    const registry = new ModelRegistry({ device: 'cpu' })
    const spec = (realism: number) => ({
      path: fixturePath(manifest.blend.psnr),
      blend: { path: fixturePath(manifest.blend.gan), realism },
    })
    try {
      const first = await registry.prepare(spec(0.3))
      const before = await first.session.run(input, manifest.inputShape)
      await registry.prepare(spec(0.8)) // rewrites the shared bytes
      const after = await first.session.run(input, manifest.inputShape)
      expect(after.data).toEqual(before.data)
      // …and computes what a model built afresh for that realism computes, to the bit.
      const built = await createSession(modelToOnnx(blendModels(psnr, gan, 0.3)), { device: 'cpu' })
      expect((await built.run(input, manifest.inputShape)).data).toEqual(before.data)
      await built.release()
    } finally {
      await registry.close()
    }
  })
})
