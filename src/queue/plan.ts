import { formatForInput } from '../shared/formats.js'
import type { OutputFormat } from '../shared/formats.js'
import { existsSync, statSync } from 'node:fs'
import { basename, extname, resolve } from 'node:path'
import { outputPath } from './scan.js'
import type { NameVars } from '../shared/naming.js'
import type { InputFile } from './scan.js'
import type { JobSpec } from './types.js'

/**
 * Outputs are kept apart by name as the least distinguishing drive would: a USB stick or a camera's card (exFAT,
 * FAT32), an NTFS or SMB share, or a Mac's drive ignores case and Unicode composition, on Linux too, where
 * `IMG_1.png` and `img_1.png` would be one file and the second result would replace the first (or a photo).
 */
const outputKey = (path: string): string => resolve(path).normalize('NFC').toLowerCase()

export interface PlannedOutput {
  output: string
  format: OutputFormat
  /** The output already exists and the policy says to skip it. */
  skip: boolean
}

/**
 * Decides each input's output path, before anything runs: mirrored folders, the naming template,
 * the overwrite policy, and conflicts. Two inputs that would share an output, or an output that
 * would replace any file the scan saw (its own input, another input, a file it skipped), get a
 * numeric suffix: nothing is ever written twice or over an original. So does a name a folder already
 * has, whatever the policy: no photo can be written there, and skipping it would call a folder a result.
 */
export class OutputPlanner {
  private readonly taken = new Set<string>()
  /** Every file the job's scan saw: no output may ever replace one, whatever the policy. */
  private readonly originals = new Set<string>()

  constructor(
    private readonly spec: JobSpec,
    private readonly vars: NameVars,
    private readonly exists: (path: string) => boolean = existsSync,
    private readonly isFolder: (path: string) => boolean = folderOnDisk,
  ) {}

  /** Marks an output as taken (by an item planned before a restart). */
  reserve(output: string): void {
    this.taken.add(outputKey(output))
  }

  /** Marks files as originals: outputs are planned around them, even with --overwrite. */
  protect(paths: Iterable<string>): void {
    for (const path of paths) this.originals.add(outputKey(path))
  }

  plan(file: InputFile): PlannedOutput {
    const format = formatForInput(this.spec.settings.format, file.path)
    const base = outputPath(this.spec.outDir, file, format, this.spec.naming, this.vars)
    let output = base
    for (let n = 2; this.conflicts(output, file.path); n++) {
      output = `${base.slice(0, -extname(base).length)}_${n}${extname(base)}`
    }
    this.taken.add(outputKey(output))
    const skip = this.spec.policy === 'skip' && this.exists(output)
    return { output, format, skip }
  }

  private conflicts(output: string, input: string): boolean {
    const key = outputKey(output)
    if (this.taken.has(key) || this.originals.has(key) || key === outputKey(input)) return true
    if (this.isFolder(output)) return true
    return this.spec.policy === 'suffix' && this.exists(output)
  }
}

function folderOnDisk(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
  } catch {
    return false // a folder above it is a file (ENOTDIR), or it cannot be read: writing it will say why
  }
}

export function modelLabel(path: string): string {
  return basename(path, extname(path))
}
