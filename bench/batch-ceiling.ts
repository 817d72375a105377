/**
 * The ceiling under the whole-batch figure (issue #14): ONNX Runtime's inference alone on the batch's
 * photos, each as one window (no tiles, no start-up, decoding or encoding), in float32, in int8 as
 * shipped, and in int8 everywhere (the tail too, outside the quality bound: the most int8 can give).
 */
import ort from 'onnxruntime-node'
import { readInt8Calibration } from '../src/engine/int8.js'
import { blendModels, loadModel } from '../src/engine/model.js'
import { benchWeights, comparisonGraphs, readPlanar, run, sessionOptions } from './int8-common.js'

export type CeilingTimes = Record<string, number>

/** Opens the three sessions once; the returned function times one pass over the photos in each. */
export async function inferenceCeiling(
  pair: { psnr: string; gan: string },
  realism: number,
  photos: string[],
): Promise<() => Promise<CeilingTimes>> {
  const blend = blendModels(await loadModel(pair.psnr), await loadModel(pair.gan), realism)
  const calibration = await readInt8Calibration(pair.psnr)
  if (!calibration) throw new Error(`${pair.psnr} has no int8 calibration: run npm run calibrate:int8`)
  const inputs = await Promise.all(photos.map((photo) => readPlanar(photo)))
  const crops = await Promise.all(photos.slice(0, 4).map((photo) => readPlanar(photo, 64)))
  const bits = await benchWeights()
  const graphs = await comparisonGraphs(blend, calibration, crops, realism, bits)
  const sessions = await Promise.all(
    Object.entries(graphs).map(
      async ([name, bytes]) => [name, await ort.InferenceSession.create(bytes, sessionOptions())] as const,
    ),
  )
  for (const [, session] of sessions) await run(session, inputs[0]!)
  return async () => {
    const times: CeilingTimes = {}
    for (const [name, session] of sessions) {
      const started = performance.now()
      for (const input of inputs) await run(session, input)
      times[name] = (performance.now() - started) / 1000
    }
    return times
  }
}
