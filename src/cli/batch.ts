import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { dirname, extname, resolve } from 'node:path'
import type { EngineClient } from '../engine/client.js'
import type { EnhanceRequest } from '../engine/client.js'
import { EnhanceError, toErrorData } from '../shared/errors.js'
import type { ModelSpecData } from '../shared/protocol.js'
import type { EnhanceSettings, OutputFormat } from '../shared/settings.js'
import type { Reporter } from './report.js'
import { outputPath, scanInputs } from './scan.js'

export interface BatchOptions {
  inputs: string[]
  out: string
  model: ModelSpecData
  settings: EnhanceSettings
  recursive: boolean
  overwrite: boolean
}

export interface BatchSummary {
  done: number
  failed: number
  skipped: number
}

const FORMAT_BY_EXTENSION: Record<string, OutputFormat> = {
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.png': 'png',
  '.webp': 'webp',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.avif': 'avif',
  '.heic': 'avif',
  '.heif': 'avif',
}

export function formatFor(settings: EnhanceSettings, input: string): OutputFormat {
  return settings.format === 'same'
    ? (FORMAT_BY_EXTENSION[extname(input).toLowerCase()] ?? 'png')
    : settings.format
}

/** Retries an item once when the engine died under it; the client has already started a new one. */
async function enhanceWithRetry(
  engine: EngineClient,
  request: EnhanceRequest,
  reporter: Reporter,
): Promise<{ ms: number; provider: string }> {
  const onProgress = (p: { tile: number; tiles: number; etaMs: number | null }): void =>
    reporter.emit({ event: 'progress', item: request.input, tile: p.tile, tiles: p.tiles, etaMs: p.etaMs })
  try {
    return await engine.enhance(request, { onProgress })
  } catch (error) {
    if (!(error instanceof EnhanceError) || error.code !== 'ENGINE_CRASHED') throw error
    return engine.enhance(request, { onProgress })
  }
}

/**
 * Enhances every input through the engine process. A bad file is reported with its code and the batch
 * goes on; outputs are written complete or not at all, and originals are never touched.
 */
export async function runBatch(
  options: BatchOptions,
  engine: EngineClient,
  reporter: Reporter,
): Promise<BatchSummary> {
  const started = performance.now()
  const summary: BatchSummary = { done: 0, failed: 0, skipped: 0 }
  reporter.emit({ event: 'start', inputs: options.inputs })
  let index = 0
  for await (const file of scanInputs(options.inputs, options.recursive)) {
    index++
    const format = formatFor(options.settings, file.path)
    const output = outputPath(options.out, file, format)
    reporter.emit({ event: 'item', item: file.path, index, output })
    if (!options.overwrite && existsSync(output)) {
      summary.skipped++
      reporter.emit({ event: 'skipped', item: file.path, output, reason: 'exists' })
      continue
    }
    try {
      if (resolve(output) === resolve(file.path)) {
        throw new EnhanceError(
          'INVALID_ARGUMENT',
          'The output would replace the original; choose a different --out folder.',
        )
      }
      await mkdir(dirname(output), { recursive: true })
      const settings = { ...options.settings, format }
      const result = await enhanceWithRetry(
        engine,
        { item: file.path, input: file.path, output, model: options.model, settings },
        reporter,
      )
      summary.done++
      reporter.emit({ event: 'done', item: file.path, output, ms: result.ms, provider: result.provider })
    } catch (error) {
      summary.failed++
      const { code, message } = toErrorData(error)
      reporter.emit({ event: 'failed', item: file.path, code, message })
    }
  }
  reporter.emit({ event: 'summary', ...summary, ms: Math.round(performance.now() - started) })
  return summary
}
