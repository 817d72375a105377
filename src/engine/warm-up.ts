import type { ModelSpecData, WarmUpReply } from '../shared/protocol.js'
import type { ModelRegistry } from './registry.js'
import { EVERY_SIDE } from './tiling/plan.js'

/**
 * Makes a model ready before any photo asks for it: its session on the provider and precision `auto`
 * chooses (measured once per machine), and with `--tile auto` the speed of every tile side. A photo that
 * arrives meanwhile waits for the same measurements instead of repeating them.
 */
export async function warmUp(
  registry: ModelRegistry,
  model: ModelSpecData,
  tile: number | 'auto',
): Promise<WarmUpReply> {
  const started = performance.now()
  const prepared = await registry.prepare(model)
  await registry.tileFor(tile, prepared, EVERY_SIDE)
  const { provider, precision } = prepared.session
  return { provider, precision, ms: Math.round(performance.now() - started) }
}
