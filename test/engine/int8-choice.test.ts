import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MODELS_DIR } from '../../src/cli/models.js'
import type { Int8Calibration } from '../../src/engine/onnx/int8-plan.js'
import { Int8Choice } from '../../src/engine/int8-choice.js'
import { blendModels, loadModel, sha256 } from '../../src/engine/model.js'
import { ModelRegistry } from '../../src/engine/registry.js'
import { LazySession, openSession } from '../../src/engine/runtime/session.js'
import { modelToOnnx } from '../../src/engine/model.js'
import { archOf } from '../../src/shared/model.js'
import type { RegistryOptions } from '../../src/engine/registry.js'
import type { ModelSpecData } from '../../src/shared/protocol.js'
import { probeImage } from '../../src/engine/probe.js'
import { DecisionStore, Int8Store } from '../../src/node/device-decisions.js'
import type { Int8Decision } from '../../src/node/device-decisions.js'
import { fixturePath, manifest } from '../helpers/fixtures.js'

const work = mkdtempSync(join(tmpdir(), 'enhance-int8-choice-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

type PairNames = readonly [faithful: string, realistic: string]
// Both bundled pairs' calibrations were made on a VNNI CPU and carry 8-bit figures as well as 7-bit ones; the tests
// that need a calibration without one of them edit a copy (pairWithCalibration).
const REAL: PairNames = ['enhance-real-psnr-x4', 'enhance-real-gan-x4']
const CLEAN: PairNames = ['enhance-psnr-x4', 'enhance-gan-x4']
const pair = (dir: string, realism = 0.5, [psnr, gan] = REAL) => ({
  path: join(dir, `${psnr}.safetensors`),
  blend: { path: join(dir, `${gan}.safetensors`), realism },
})
const side = 32
const input = probeImage(3, side)

async function prepared(options: RegistryOptions, spec: ModelSpecData = pair(MODELS_DIR)) {
  // int8 or 7-bit weights as this CPU's kernels measure (the last tests set them)
  const registry = new ModelRegistry({ device: 'cpu', threads: 1, ...options })
  try {
    const { session } = await registry.prepare(spec)
    const { data } = await session.run(input, [1, 3, side, side])
    return { precision: session.precision, data }
  } finally {
    await registry.close()
  }
}

const bundledCalibration = (psnr: string): Int8Calibration =>
  JSON.parse(readFileSync(join(MODELS_DIR, `${psnr}.int8.json`), 'utf8')) as Int8Calibration

/** A bundled pair copied into `name`, beside its calibration as `edit` changes it. */
function pairWithCalibration(
  name: string,
  edit: (calibration: Int8Calibration) => void,
  [psnr, gan] = CLEAN,
): string {
  const dir = join(work, name)
  mkdirSync(dir)
  for (const f of [`${psnr}.safetensors`, `${gan}.safetensors`])
    copyFileSync(join(MODELS_DIR, f), join(dir, f))
  const calibration = bundledCalibration(psnr)
  edit(calibration)
  writeFileSync(join(dir, `${psnr}.int8.json`), JSON.stringify(calibration))
  return dir
}

const levels = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255)

describe('the bundled int8 calibrations', () => {
  // A calibration applies only to the files it names by hash; one left stale by a retrained or re-recorded model
  // would silently send that pair back to float32.
  it.each([REAL, CLEAN])('name their pair %s by the files as they are', (psnr, gan) => {
    const calibration = bundledCalibration(psnr)
    const fileHash = (name: string) => sha256(readFileSync(join(MODELS_DIR, `${name}.safetensors`)))
    expect([calibration.faithful, calibration.realistic]).toEqual([fileHash(psnr), fileHash(gan)])
  })
})

describe('int8 in the engine', () => {
  it('runs the bundled pair in int8 when asked: within about a level of float32, not equal to it', async () => {
    const full = await prepared({ precision: 'fp32' })
    const quantised = await prepared({ precision: 'int8' })
    expect([full.precision, quantised.precision]).toEqual(['fp32', 'int8'])
    let total = 0
    full.data.forEach((v, i) => (total += Math.abs(levels(v) - levels(quantised.data[i]!))))
    expect(total).toBeGreaterThan(0)
    expect(total / full.data.length).toBeLessThan(1.5)
  })

  it('auto measures int8 against float32 once, remembers it, and follows what it remembers', async () => {
    const store = Int8Store.in(join(work, 'data'))
    const first = await prepared({ precision: 'auto', int8: store })
    const [[key, decision]] = Object.entries(await store.all()) as [[string, Int8Decision]]
    expect(decision.fp32Ms).toBeGreaterThan(0)
    expect(decision.int8Ms).toBeGreaterThan(0)
    expect(first.precision).toBe(decision.int8Ms < decision.fp32Ms ? 'int8' : 'fp32')

    for (const remembered of [false, true]) {
      writeFileSync(store.path, JSON.stringify({ [key]: { ...decision, int8: remembered } }))
      const next = await prepared({ precision: 'auto', int8: store })
      expect(next.precision).toBe(remembered ? 'int8' : 'fp32')
      expect((await store.get(key))!.measuredAt).toBe(decision.measuredAt) // not measured again
    }
  })

  it('auto keeps float32 where the calibration measured outside the bound, even where int8 is faster', async () => {
    const dir = pairWithCalibration('models', (calibration) => {
      calibration.measured!.realisticMeanAbsLevels = 1.2
      calibration.measuredInt7!.realisticMeanAbsLevels = 1.2
    })
    const store = Int8Store.in(join(work, 'data-bound'))
    const measured = await prepared({ precision: 'auto', int8: store }, pair(dir, 0.5, CLEAN))
    expect(measured.precision).toBe('fp32')
    expect(await store.all()).toEqual({}) // nothing to measure: int8 was never a candidate
    // asked for by name, it still runs: the user chose speed over the bound
    expect((await prepared({ precision: 'int8' }, pair(dir, 0.5, CLEAN))).precision).toBe('int8')
  })

  it('refuses int8 for a model without a calibration, and says what to use', async () => {
    const spec = { path: fixturePath(manifest.blend.psnr) }
    await expect(prepared({ precision: 'int8' }, spec)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('--precision fp32 or auto') as unknown,
    })
    expect((await prepared({ precision: 'auto' }, spec)).precision).toBe('fp32')
  })

  it('runs 7-bit weights where 8-bit ones saturate: within about a level of float32, not what 8-bit computes', async () => {
    const full = await prepared({ precision: 'fp32' })
    const seven = await prepared({ precision: 'int8', int8Weights: 'int7' })
    // the same pair with 8-bit figures granted, so a VNNI-like CPU runs 8-bit weights
    const granted = pairWithCalibration(
      'models-int8-granted',
      (calibration) => (calibration.measured = calibration.measuredInt7),
      REAL,
    )
    const eight = await prepared({ precision: 'int8', int8Weights: 'int8' }, pair(granted))
    let total = 0
    let differing = 0
    full.data.forEach((v, i) => {
      total += Math.abs(levels(v) - levels(seven.data[i]!))
      if (levels(seven.data[i]!) !== levels(eight.data[i]!)) differing++
    })
    expect(seven.precision).toBe('int8')
    expect(total / full.data.length).toBeLessThan(1.5)
    expect(differing).toBeGreaterThan(0) // the weights really had 7 bits
  })

  it('auto keeps float32 with 7-bit weights for a calibration that never measured them (files made before)', async () => {
    const dir = pairWithCalibration('models-old', (calibration) => delete calibration.measuredInt7)
    const store = Int8Store.in(join(work, 'data-old'))
    const auto = await prepared(
      { precision: 'auto', int8: store, int8Weights: 'int7' },
      pair(dir, 0.5, CLEAN),
    )
    expect(auto.precision).toBe('fp32')
    expect(await store.all()).toEqual({})
  })

  it('auto runs 7-bit weights on a CPU that sums 8-bit ones exactly, for a calibration that could measure only them', async () => {
    const dir = pairWithCalibration('models-int7-only', (calibration) => delete calibration.measured)
    const store = Int8Store.in(join(work, 'data-int7-only'))
    const auto = await prepared(
      { precision: 'auto', int8: store, int8Weights: 'int8' },
      pair(dir, 0.5, CLEAN),
    )
    const [key] = Object.keys(await store.all())
    expect(key).toMatch(/\|int7$/) // measured, and remembered, for the weights it would run
    const seven = await prepared({ precision: 'int8', int8Weights: 'int7' }, pair(dir, 0.5, CLEAN))
    const eight = await prepared({ precision: 'int8', int8Weights: 'int8' }, pair(MODELS_DIR, 0.5, CLEAN))
    if (auto.precision === 'int8') expect(Array.from(auto.data)).toEqual(Array.from(seven.data))
    expect(Array.from(seven.data)).not.toEqual(Array.from(eight.data))
  })

  it('never runs int8 where the CPU saturates even 7-bit weights: refuses it by name, and auto keeps float32 unmeasured', async () => {
    const store = Int8Store.in(join(work, 'data-saturating'))
    await expect(prepared({ precision: 'int8', int8Weights: null })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('saturates') as unknown,
    })
    const auto = await prepared({ precision: 'auto', int8: store, int8Weights: null })
    expect(auto.precision).toBe('fp32')
    expect(await store.all()).toEqual({})
    const fp32 = await prepared({ precision: 'fp32' })
    expect(Array.from(auto.data)).toEqual(Array.from(fp32.data))
  })

  it('keeps the CPU int8 path for every realism where a remembered accelerator no longer loads', async () => {
    // remembers CUDA for every model; onnxruntime-node as installed here has no CUDA provider to load
    const decisions = new (class extends DecisionStore {
      override get = () =>
        Promise.resolve({ provider: 'cuda', reason: 'remembered', probes: [], model: '', measuredAt: '' })
    })(join(work, 'unused-device-choices.json'))
    const int8 = Int8Store.in(join(work, 'data-gone'))
    await prepared({ precision: 'auto', int8 })
    const [[key, decision]] = Object.entries(await int8.all()) as [[string, Int8Decision]]
    writeFileSync(int8.path, JSON.stringify({ [key]: { ...decision, int8: true } }))

    const registry = new ModelRegistry({ device: 'auto', precision: 'auto', threads: 1, decisions, int8 })
    try {
      const taken = []
      for (const realism of [0.5, 0.6]) {
        const { session } = await registry.prepare(pair(MODELS_DIR, realism))
        taken.push([session.provider, session.precision])
      }
      expect(taken).toEqual([
        ['cpu', 'int8'],
        ['cpu', 'int8'],
      ])
    } finally {
      await registry.close()
    }
  })

  it('opens no float32 session for a slider move where int8 is the remembered choice, and one where it is not', async () => {
    const spec = pair(MODELS_DIR)
    const [psnr, gan] = [await loadModel(spec.path), await loadModel(spec.blend.path)]
    const blend = blendModels(psnr, gan, 0.5)
    const store = Int8Store.in(join(work, 'data-lazy'))
    const choice = new Int8Choice('test machine', 1, store, () => Promise.resolve('int7'))
    const key = ['test machine', JSON.stringify(archOf(blend.info)), '1 threads', 'int7'].join('|')
    for (const remembered of [true, false]) {
      await store.set(key, { int8: remembered, fp32Ms: 2, int8Ms: 1, measuredAt: new Date().toISOString() })
      let opened = 0
      const full = new LazySession(() => {
        opened++
        return openSession(modelToOnnx(blend), 'cpu', 1)
      })
      const session = await choice.session(
        full,
        'cpu',
        () => blend,
        'auto',
        () => choice.plan(spec, psnr, gan, 0.5),
      )
      expect([session.precision, opened]).toEqual(remembered ? ['int8', 0] : ['fp32', 1])
      await session.release()
    }
  })
})
