/**
 * Model-core benchmark: conversion, session creation, and blend+create for the realism slider,
 * on a full-size RRDBNet (nf=64, nb=23, gc=32) with random weights, and a new α for the bundled default
 * pair as the slider gets it from the engine (blend, build, create and the usable-output check). Prints
 * figures; asserts nothing.
 *
 *   npm run bench:model
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { MODELS_DIR } from '../src/cli/models.js'
import { rrdbConvs } from '../src/engine/arch/rrdbnet.js'
import { defaultSpec, readCatalog } from '../src/engine/catalog.js'
import { ModelRegistry } from '../src/engine/registry.js'
import { blend } from '../src/engine/interpolate.js'
import { buildOnnx } from '../src/engine/onnx/graph.js'
import { createSession } from '../src/engine/runtime/session.js'
import { writeSafetensors } from '../src/engine/weights/safetensors.js'
import type { StateDict } from '../src/engine/weights/tensor.js'
import type { RrdbArch } from '../src/shared/model.js'
import { median } from './stats.js'

const ARCH: RrdbArch = {
  arch: 'RRDBNet',
  scale: 4,
  nf: 64,
  nb: 23,
  gc: 32,
  inChannels: 3,
  outChannels: 3,
  upsamples: 2,
  unshuffle: 1,
}

function randomWeights(seed: number): StateDict {
  let state = seed
  const next = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32 - 0.5
  }
  const weights: StateDict = new Map()
  for (const conv of rrdbConvs(ARCH)) {
    const scale = 0.1 * Math.sqrt(2 / (conv.in * 9))
    const w = Float32Array.from({ length: conv.out * conv.in * 9 }, () => next() * scale * 3.4)
    weights.set(`${conv.name}.weight`, { shape: [conv.out, conv.in, 3, 3], data: w, stored: 'float32' })
    weights.set(`${conv.name}.bias`, {
      shape: [conv.out],
      // A grey output, so the engine's probe (which refuses an all-black model) takes the pair.
      data: new Float32Array(conv.out).fill(conv.name === 'conv_last' ? 0.5 : 0),
      stored: 'float32',
    })
  }
  return weights
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const start = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - start }
}

async function main(): Promise<void> {
  const psnr = randomWeights(1)
  const gan = randomWeights(2)
  const params = [...psnr.values()].reduce((n, t) => n + t.data.length, 0)
  console.log(`machine: ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`)
  console.log(`model: RRDBNet nf=64 nb=23 gc=32, ${(params / 1e6).toFixed(2)} M parameters`)

  const convert = await timed(() => buildOnnx(ARCH, psnr))
  const convert16 = await timed(() => buildOnnx(ARCH, psnr, { precision: 'fp16' }))
  console.log(
    `convert fp32: ${convert.ms.toFixed(0)} ms (${(convert.value.byteLength / 2 ** 20).toFixed(1)} MiB)`,
  )
  console.log(
    `convert fp16: ${convert16.ms.toFixed(0)} ms (${(convert16.value.byteLength / 2 ** 20).toFixed(1)} MiB)`,
  )

  const creates: number[] = []
  for (let i = 0; i < 3; i++) {
    const { value: session, ms } = await timed(() => createSession(convert.value, { device: 'cpu' }))
    creates.push(ms)
    await session.release()
  }
  console.log(
    `session create (cpu): median ${median(creates).toFixed(0)} ms of ${creates.map((m) => m.toFixed(0)).join(', ')}`,
  )

  const slider: Array<{ blend: number; build: number; create: number }> = []
  for (const realism of [0.2, 0.5, 0.8]) {
    const mixed = await timed(() => blend(psnr, gan, realism))
    const built = await timed(() => buildOnnx(ARCH, mixed.value))
    const created = await timed(() => createSession(built.value, { device: 'cpu' }))
    await created.value.release()
    slider.push({ blend: mixed.ms, build: built.ms, create: created.ms })
  }
  for (const [i, s] of slider.entries()) {
    const total = s.blend + s.build + s.create
    console.log(
      `new α #${i + 1}: blend ${s.blend.toFixed(0)} ms + build ${s.build.toFixed(0)} ms + create ${s.create.toFixed(0)} ms = ${total.toFixed(0)} ms`,
    )
  }
  console.log(
    `new α ready (median): ${median(slider.map((s) => s.blend + s.build + s.create)).toFixed(0)} ms (target ≤ 1000 ms)`,
  )
  await engineSlider(psnr, gan)
  await defaultPairSlider()
}

/**
 * The same nb 23 pair through the engine as the slider asks for it: the first realism makes the pair's
 * blend template (both models encoded once), each later one rewrites its weights in place.
 */
async function engineSlider(psnr: StateDict, gan: StateDict): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'enhance-bench-pair-'))
  const files = [psnr, gan].map((weights, i) => {
    const path = join(dir, `${i === 0 ? 'psnr' : 'gan'}.safetensors`)
    writeFileSync(path, writeSafetensors(weights))
    return path
  })
  const registry = new ModelRegistry({ device: 'cpu' })
  const spec = (realism: number) => ({ path: files[0]!, blend: { path: files[1]!, realism } })
  const first = await timed(() => registry.prepare(spec(0)))
  const times: number[] = []
  for (const realism of [0.2, 0.5, 0.8, 0.35, 0.65])
    times.push((await timed(() => registry.prepare(spec(realism)))).ms)
  await registry.close()
  rmSync(dir, { recursive: true, force: true })
  console.log(
    `nb 23 pair in the engine: first realism (loads both, makes the blend template) ${first.ms.toFixed(0)} ms; new α ready: median ${median(times).toFixed(0)} ms of ${times.map((m) => m.toFixed(0)).join(', ')} (target ≤ 1000 ms)`,
  )
}

/** A new α for the bundled default pair, through the engine as the slider asks for it. */
async function defaultPairSlider(): Promise<void> {
  const registry = new ModelRegistry({ device: 'cpu' })
  const spec = (realism: number) => defaultSpec(MODELS_DIR, readCatalog(MODELS_DIR), realism)!
  await registry.prepare(spec(0)) // loads both files once, as the open app has
  const times: number[] = []
  for (const realism of [0.1, 0.3, 0.7, 0.9, 0.2]) {
    times.push((await timed(() => registry.prepare(spec(realism)))).ms)
  }
  await registry.close()
  console.log(
    `default pair, new α ready in the engine: median ${median(times).toFixed(0)} ms of ${times.map((m) => m.toFixed(0)).join(', ')} (target ≤ 300 ms)`,
  )
}

await main()
