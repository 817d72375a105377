import { basename } from 'node:path'
import type { EngineClient, RequestOptions } from '../../engine/client.js'
import { PRINTS_FOLDER, outputPath, scanInputs } from '../../queue/scan.js'
import type { SplitOutcome } from '../../shared/api.js'
import { toErrorData } from '../../shared/errors.js'
import { defaultOutDir } from './out-dir.js'
import type { TemporaryFolders } from './out-dir.js'

/** What the window's Split scans does in main: each scan split in the engine, its prints kept as paths here. */
export interface ScansSplit extends Omit<SplitOutcome, 'prints'> {
  written: string[]
}

/**
 * Splits each scan of `paths` (folders walked with their subfolders) in the engine, one after the other, into a
 * "Prints" folder beside them, as PNG, telling `onSplit` how many are done after each; prints there from an earlier
 * split are kept as they are.
 */
export async function splitScans(
  paths: string[],
  engine: EngineClient,
  temporary: TemporaryFolders,
  reading: (path: string) => RequestOptions,
  onSplit: (done: number) => void = () => undefined,
): Promise<ScansSplit> {
  const folder = await defaultOutDir(paths[0]!, temporary, PRINTS_FOLDER)
  const split: ScansSplit = { scans: 0, folder, failed: [], written: [] }
  for await (const scan of scanInputs(paths, true, { count: 0 }, folder)) {
    split.scans++
    const files = { base: outputPath(folder, scan, 'png'), format: 'png' as const, existing: 'keep' as const }
    try {
      const prints = await engine.split(scan.path, files, reading(scan.path))
      split.written.push(...prints.map((print) => print.output))
    } catch (error) {
      split.failed.push({ name: basename(scan.path), error: toErrorData(error) })
    }
    onSplit(split.scans)
  }
  return split
}
