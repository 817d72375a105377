import { describe, expect, it } from 'vitest'
import { MODELS_DIR } from '../../src/cli/models.js'
import { readInt8Calibration } from '../../src/engine/int8.js'
import { blendModels, loadModel } from '../../src/engine/model.js'
import type { LoadedModel } from '../../src/engine/model.js'
import { FusedInt8Graphs, FusedInt8Template } from '../../src/engine/onnx/int8-fused.js'
import { int8Onnx, planAt } from '../../src/engine/onnx/int8-plan.js'
import { decodeModel, encodeModel } from '../../src/engine/onnx/proto.js'
import { probeImage } from '../../src/engine/probe.js'
import { fuseInt8Graph, openSession } from '../../src/engine/runtime/session.js'

const side = 24
const input = probeImage(3, side)

async function pairGraphs(psnr: string, gan: string): Promise<(realism: number) => Uint8Array> {
  const [a, b] = [
    await loadModel(`${MODELS_DIR}${psnr}.safetensors`),
    await loadModel(`${MODELS_DIR}${gan}.safetensors`),
  ]
  const calibration = (await readInt8Calibration(`${MODELS_DIR}${psnr}.safetensors`))!
  return (realism) => {
    const blend: LoadedModel = blendModels(a, b, realism)
    if (blend.kind !== 'weights' || blend.info.arch !== 'RRDBNet') throw new Error('RRDBNet weights')
    return int8Onnx(blend.info, blend.weights, planAt(calibration, realism), 'int7')
  }
}

const real = await pairGraphs('enhance-real-psnr-x4', 'enhance-real-gan-x4')

async function run(onnx: Uint8Array): Promise<Float32Array> {
  const session = await openSession(onnx, 'cpu', 1, 'int8')
  try {
    return (await session.run(input, [1, 3, side, side])).data
  } finally {
    await session.release()
  }
}

const opTypes = (onnx: Uint8Array) => new Set(decodeModel(onnx).graph.node.map((n) => n.opType))

describe('int8 slider moves on a fused template', () => {
  it('opens another realism as ONNX Runtime’s fused graph with that realism’s weights: the same output to the bit', async () => {
    const template = (await FusedInt8Template.of(real(0.5), real(0.9), (qdq) => fuseInt8Graph(qdq, 1)))!
    expect(template).not.toBeNull()
    for (const realism of [0, 0.3, 1]) {
      const qdq = real(realism)
      const fused = template.at(decodeModel(qdq))!
      expect(opTypes(qdq).has('QLinearConv')).toBe(false)
      expect(opTypes(fused).has('QLinearConv')).toBe(true) // fused already, not the QDQ graph again
      const [expected, actual] = [await run(qdq), await run(fused)]
      expect(Array.from(actual)).toEqual(Array.from(expected))
      expect(Array.from(await run(real(0.5)))).not.toEqual(Array.from(expected)) // the weights did change
    }
  })

  it('refuses a graph of another structure, and a fused graph whose weights are not the source’s own', async () => {
    const template = (await FusedInt8Template.of(real(0.5), real(0.9), (qdq) => fuseInt8Graph(qdq, 1)))!
    const clean = await pairGraphs('enhance-psnr-x4', 'enhance-gan-x4') // nb 4, the real pair nb 6
    expect(template.at(decodeModel(clean(0.5)))).toBeNull()
    // values ONNX Runtime would have computed from another realism's weights
    expect(await FusedInt8Template.of(real(0.5), real(0.9), () => fuseInt8Graph(real(0.7), 1))).toBeNull()
    // a fusion that depends on the values: at the other realism two equal scales shared one initializer
    let calls = 0
    const sharing = async (qdq: Uint8Array) => {
      const fused = decodeModel(await fuseInt8Graph(qdq, 1))
      if (calls++ === 1) {
        const conv = fused.graph.node.find((n) => n.opType === 'QLinearConv')!
        conv.input[1] = conv.input[6]! // its input's scale read from its output's
      }
      return encodeModel(fused)
    }
    expect(await FusedInt8Template.of(real(0.5), real(0.9), sharing)).toBeNull()
    expect(calls).toBe(2)
  })

  it('makes one template per structure from its first two realisms, and keeps the built graph where fusing fails', async () => {
    let fused = 0
    const graphs = new FusedInt8Graphs((qdq) => {
      fused++
      return fuseInt8Graph(qdq, 1)
    })
    const [first, second, third] = [real(0.2), real(0.4), real(0.6)]
    expect(graphs.model(first)).toBe(first) // a job at one realism pays nothing more
    expect(graphs.model(second)).toBe(second)
    await graphs.idle()
    const opened = graphs.model(third)
    expect(opTypes(opened).has('QLinearConv')).toBe(true)
    expect(Array.from(await run(opened))).toEqual(Array.from(await run(third)))
    graphs.model(real(0.8))
    await graphs.idle()
    expect(fused).toBe(2) // the first two realisms, each once

    const failing = new FusedInt8Graphs(() => Promise.reject(new Error('no room on the disk')))
    failing.model(first)
    failing.model(second)
    await failing.idle()
    expect(failing.model(third)).toBe(third)
  })
})
