import ort from 'onnxruntime-node'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MODELS_DIR } from '../../src/cli/models.js'
import { int8CalibrationPath, planFor, readInt8Calibration } from '../../src/engine/int8.js'
import { blendModels, loadModel } from '../../src/engine/model.js'
import type { LoadedModel } from '../../src/engine/model.js'
import { equaliseWeights, equalisingScales } from '../../src/engine/onnx/equalise.js'
import { buildOnnx, OUTPUT_NAME } from '../../src/engine/onnx/graph.js'
import { clippedRange, quantisationError } from '../../src/engine/onnx/int8-calibration.js'
import {
  boundedWeights,
  int8CalibrationSchema,
  int8Onnx,
  planAt,
  withinBound,
} from '../../src/engine/onnx/int8-plan.js'
import type { Int8Calibration, Int8Measured } from '../../src/engine/onnx/int8-plan.js'
import { DataType, decodeModel } from '../../src/engine/onnx/proto.js'
import { probeImage } from '../../src/engine/probe.js'
import type { ModelInfo } from '../../src/shared/model.js'

function rrdb(model: LoadedModel) {
  if (model.kind !== 'weights' || model.info.arch !== 'RRDBNet') throw new Error('RRDBNet weights')
  return { info: model.info, weights: model.weights }
}

async function infer(onnx: Uint8Array, input: Float32Array, side: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(onnx, { intraOpNumThreads: 1, logSeverityLevel: 3 })
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, [1, 3, side, side]) })
    return out[OUTPUT_NAME]!.data as Float32Array
  } finally {
    await session.release()
  }
}

const levels = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255)

describe('channel equalisation', () => {
  it('brings each channel towards the widest by (widest / own)^power; a dead channel keeps 1', () => {
    expect([...equalisingScales([1, 4, 0, 2], 1)]).toEqual([4, 1, 1, 2])
    expect([...equalisingScales([1, 4, 0, 2], 0.5)]).toEqual([2, 1, 1, Math.fround(Math.SQRT2)])
  })

  it('rescales channels without changing what the network computes, and leaves the given weights alone', async () => {
    const { info, weights } = rrdb(await loadModel(`${MODELS_DIR}enhance-real-gan-x4.safetensors`))
    const conv = 'body.1.rdb2.conv3'
    const factors = Float32Array.from({ length: info.gc }, (_, c) => 0.25 + c * 0.5)
    const before = Float32Array.from(weights.get(`${conv}.weight`)!.data)
    const reader = weights.get('body.1.rdb2.conv5.weight')!
    const equalised = equaliseWeights(weights, info, new Map([[conv, factors]]))

    expect(weights.get(`${conv}.weight`)!.data).toEqual(before)
    const per = before.length / info.gc
    expect(equalised.get(`${conv}.weight`)!.data[3 * per + 1]).toBeCloseTo(
      before[3 * per + 1]! * factors[3]!,
      6,
    )
    // conv5 reads conv3's channel 3 after the block's input and conv1's and conv2's growth channels
    const channel = info.nf + 2 * info.gc + 3
    const ins = reader.shape[1]!
    expect(equalised.get('body.1.rdb2.conv5.weight')!.data[channel * 9]).toBeCloseTo(
      reader.data[channel * 9]! / factors[3]!,
      6,
    )
    expect(equalised.get('body.1.rdb2.conv5.weight')!.data[(ins + channel) * 9 + 4]).toBeCloseTo(
      reader.data[(ins + channel) * 9 + 4]! / factors[3]!,
      6,
    )

    const input = probeImage(3, 24)
    const [a, b] = [
      await infer(buildOnnx(info, weights), input, 24),
      await infer(buildOnnx(info, equalised), input, 24),
    ]
    let max = 0
    a.forEach((v, i) => (max = Math.max(max, Math.abs(v - b[i]!))))
    expect(max).toBeLessThan(1e-5)
  })
})

describe('range clipping', () => {
  it('measures the squared error of uint8 quantisation, clipping included', () => {
    // [0, 2.55]: steps of 0.01; 0.25 is on a step, 0.255 half a step off, 3 is clipped to 2.55
    expect(quantisationError(Float32Array.from([0.25]), [0, 2.55])).toBeLessThan(1e-12)
    expect(quantisationError(Float32Array.from([3]), [0, 2.55])).toBeCloseTo(0.45 ** 2, 10)
  })

  it('clips what the sample does not reach (the rare extremes) and keeps a range the values fill', () => {
    // the activation's maximum was 2, but so rarely that an even sample of it never holds more than 1
    const samples = Float32Array.from({ length: 1000 }, (_, i) => i / 999)
    expect(clippedRange(samples, [0, 2])).toEqual([0, 1])
    expect(quantisationError(samples, [0, 1])).toBeLessThan(quantisationError(samples, [0, 2]) / 3)
    const uniform = Float32Array.from({ length: 1000 }, (_, i) => -1 + (2 * i) / 999)
    expect(clippedRange(uniform, [-1, 1])).toEqual([-1, 1])
  })
})

const SHA_A = 'a'.repeat(64)
const SHA_B = 'b'.repeat(64)
const point = (realism: number, scales: number[], range: [number, number]) => ({
  realism,
  scales: { 'body.0.rdb1.conv1': scales },
  ranges: { 'body.0.rdb1.conv1:in': range },
})
const calibration: Int8Calibration = {
  format: 'enhance-int8/1',
  faithful: SHA_A,
  realistic: SHA_B,
  calibration: 'test',
  measured: {
    set: 'Set14',
    faithfulDeltaDb: -0.05,
    realisticMeanAbsLevels: 0.9,
    defaultMeanAbsLevels: 0.5,
    betweenGridMeanAbsLevels: 0.6,
  },
  grid: [point(0, [1, 4], [-1, 1]), point(0.5, [4, 1], [-3, 5]), point(1, [2, 2], [-1, 9])],
}

describe('a stored int8 calibration', () => {
  it('interpolates between its grid points: ranges linearly, factors geometrically', () => {
    const at = (realism: number) => {
      const plan = planAt(calibration, realism)
      return {
        scales: [...plan.scales.get('body.0.rdb1.conv1')!].map((v) => Number(v.toFixed(4))),
        range: plan.ranges.get('body.0.rdb1.conv1:in'),
      }
    }
    expect(at(0)).toEqual({ scales: [1, 4], range: [-1, 1] })
    expect(at(0.25)).toEqual({ scales: [2, 2], range: [-2, 3] })
    expect(at(0.5)).toEqual({ scales: [4, 1], range: [-3, 5] })
    expect(at(0.75)).toEqual({ scales: [2.8284, 1.4142], range: [-2, 7] })
    expect(at(1)).toEqual({ scales: [2, 2], range: [-1, 9] })
  })

  // a tiny RRDBNet whose dense blocks grow by 2 channels, as the test calibration's factors are
  const arch = { arch: 'RRDBNet', scale: 4, nf: 4, nb: 1, gc: 2, inChannels: 3, outChannels: 3 }
  const info = (sha256: string) => ({ ...arch, upsamples: 2, unshuffle: 1, sha256 }) as ModelInfo

  it('applies only to the weights it was made from', () => {
    const range = (realism: number, a: string, b: string | null) =>
      planFor(calibration, info(a), b ? info(b) : null, realism)?.ranges.get('body.0.rdb1.conv1:in')
    expect(range(0.25, SHA_A, SHA_B)).toEqual([-2, 3])
    expect(range(0.25, SHA_B, SHA_A)).toBeUndefined()
    expect(range(0, SHA_A, null)).toEqual([-1, 1])
    expect(range(0, SHA_B, null)).toEqual([-1, 9]) // the realistic end alone
    expect(range(0, 'c'.repeat(64), null)).toBeUndefined()
  })

  it('counts as no calibration where it does not fit the architecture', () => {
    const at = (grid: Int8Calibration['grid']) =>
      planFor({ ...calibration, grid }, info(SHA_A), info(SHA_B), 0.5)
    expect(at(calibration.grid)).not.toBeNull()
    const [first, ...rest] = calibration.grid
    const wider = { ...first!, scales: { 'body.0.rdb1.conv1': [1, 2, 3] } }
    expect(at([wider, ...rest])).toBeNull()
    const unknown = { ...first!, ranges: { 'body.7.rdb1.conv1:in': [-1, 1] as [number, number] } }
    expect(at([unknown, ...rest])).toBeNull()
    expect(
      planFor(calibration, { ...info(SHA_A), arch: 'compact' } as ModelInfo, info(SHA_B), 0.5),
    ).toBeNull()
  })

  it('keeps the bound only when both recorded figures do, for the weights they were measured with', () => {
    expect(withinBound(calibration, 'int8')).toBe(true)
    const off = (measured: Partial<Int8Measured>) =>
      withinBound({ ...calibration, measured: { ...calibration.measured!, ...measured } }, 'int8')
    expect(off({ realisticMeanAbsLevels: 1.01 })).toBe(false)
    expect(off({ faithfulDeltaDb: -0.11 })).toBe(false)
    // 7-bit weights only by their own figures: none recorded (older files), none kept
    expect(withinBound(calibration, 'int7')).toBe(false)
    const int7 = { ...calibration.measured!, realisticMeanAbsLevels: 1.2 }
    expect(withinBound({ ...calibration, measuredInt7: int7 }, 'int7')).toBe(false)
    expect(withinBound({ ...calibration, measuredInt7: calibration.measured }, 'int7')).toBe(true)
    // made where 8-bit weights could not be measured: no int8 figures
    expect(withinBound({ ...calibration, measured: undefined }, 'int8')).toBe(false)
  })

  it('runs the widest weights the CPU sums exactly whose figures keep the bound, 7-bit where 8-bit were not measured', () => {
    const good = calibration.measured!
    const bad = { ...good, faithfulDeltaDb: -0.2 }
    const choose = (measured?: Int8Measured, measuredInt7?: Int8Measured) => [
      boundedWeights({ ...calibration, measured, measuredInt7 }, 'int8'),
      boundedWeights({ ...calibration, measured, measuredInt7 }, 'int7'),
    ]
    expect(choose(good, good)).toEqual(['int8', 'int7'])
    expect(choose(undefined, good)).toEqual(['int7', 'int7'])
    expect(choose(bad, good)).toEqual(['int7', 'int7'])
    expect(choose(good, undefined)).toEqual(['int8', null]) // never wider than the CPU computes exactly
    expect(choose(good, bad)).toEqual(['int8', null])
    expect(choose(undefined, undefined)).toEqual([null, null])
  })

  const work = mkdtempSync(join(tmpdir(), 'enhance-int8-'))
  afterAll(() => rmSync(work, { recursive: true, force: true }))

  it('is read from beside its model, and a missing, damaged or foreign file is no calibration', async () => {
    const model = join(work, 'pair.safetensors')
    expect(int8CalibrationPath(model)).toBe(join(work, 'pair.int8.json'))
    expect(await readInt8Calibration(model)).toBeNull()
    writeFileSync(int8CalibrationPath(model), JSON.stringify(calibration))
    expect((await readInt8Calibration(model))?.grid).toHaveLength(3)
    writeFileSync(int8CalibrationPath(model), '{"format": "enhance-int8/1", "grid": [')
    expect(await readInt8Calibration(model)).toBeNull()
    writeFileSync(int8CalibrationPath(model), JSON.stringify({ ...calibration, faithful: 'not a hash' }))
    expect(await readInt8Calibration(model)).toBeNull()
  })
})

describe('the bundled pairs’ int8 calibrations', () => {
  // The weights a VNNI CPU runs: both pairs were calibrated on one, which measures 8-bit weights as well as 7-bit.
  const pairs = [
    ['enhance-real-psnr-x4', 'enhance-real-gan-x4', 'int8'],
    ['enhance-psnr-x4', 'enhance-gan-x4', 'int8'],
  ] as const

  it.each(pairs)(
    '%s: made from the bundled weights, within the bound as measured (%s partner; %s weights with VNNI)',
    async (psnrName, ganName, withVnni) => {
      const stored = await readInt8Calibration(`${MODELS_DIR}${psnrName}.safetensors`)
      expect(stored).not.toBeNull()
      const [psnr, gan] = [
        await loadModel(`${MODELS_DIR}${psnrName}.safetensors`),
        await loadModel(`${MODELS_DIR}${ganName}.safetensors`),
      ]
      // A retrained model without a new calibration would fail here (and get float32 from auto).
      expect([stored!.faithful, stored!.realistic]).toEqual([psnr.info.sha256, gan.info.sha256])
      expect(withinBound(stored!, 'int7')).toBe(true)
      expect(boundedWeights(stored!, 'int8')).toBe(withVnni)
      expect(boundedWeights(stored!, 'int7')).toBe('int7')
      expect(int8CalibrationSchema.parse(stored).grid.map((p) => p.realism)).toEqual([
        0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1,
      ])
    },
  )

  it.each(['int8', 'int7'] as const)(
    'builds an %s trunk with a float32 tail that computes the realistic end within about a level',
    async (bits) => {
      const stored = (await readInt8Calibration(`${MODELS_DIR}enhance-real-psnr-x4.safetensors`))!
      const blend = blendModels(
        await loadModel(`${MODELS_DIR}enhance-real-psnr-x4.safetensors`),
        await loadModel(`${MODELS_DIR}enhance-real-gan-x4.safetensors`),
        1,
      )
      const { info, weights } = rrdb(blend)
      const onnx = int8Onnx(info, weights, planAt(stored, 1), bits)
      const initialisers = decodeModel(onnx).graph.initializer
      const typeOf = (name: string) => initialisers.find((t) => t.name === name)?.dataType
      expect(typeOf('body.3.rdb3.conv5.weight_q')).toBe(DataType.INT8)
      expect(typeOf('conv_hr.weight')).toBe(DataType.FLOAT)
      expect(typeOf('conv_up2.weight')).toBe(DataType.FLOAT)

      const side = 40
      const input = probeImage(3, side).map((v, i) => v * 0.8 + 0.1 * Math.sin(i / 7))
      const [exact, quantised] = [
        await infer(buildOnnx(info, weights), input, side),
        await infer(onnx, input, side),
      ]
      let total = 0
      let changed = 0
      exact.forEach((v, i) => {
        const d = Math.abs(levels(v) - levels(quantised[i]!))
        total += d
        if (d) changed++
      })
      expect(changed).toBeGreaterThan(0) // int8 really ran
      expect(total / exact.length).toBeLessThan(1.5)
    },
  )
})
