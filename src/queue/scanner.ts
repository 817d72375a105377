import { randomUUID } from 'node:crypto'
import { isFolder } from '../node/file-access.js'
import { EnhanceError } from '../shared/errors.js'
import { READABLE_FORMATS_TEXT, leftOutText } from '../shared/formats.js'
import { plannerFor } from './replan.js'
import { scanInputs } from './scan.js'
import type { InputFile, ScanCounter } from './scan.js'
import { inShard } from './shard.js'
import { jobRealism } from './types.js'
import type { Item, Job } from './types.js'

/** Items committed to the journal per entry while a folder is scanned. */
const SCAN_BATCH = 500

export interface ScanOptions {
  /** Whether a photo found is ready to be taken now; one that is not is left for a later scan (a file still being written). */
  accept?: (path: string) => Promise<boolean>
}

/** Whether two scans left out the same files, by kind. */
export function sameCounts(a: Record<string, number> | undefined, b: Record<string, number>): boolean {
  const before = a ?? {}
  const keys = new Set([...Object.keys(before), ...Object.keys(b)])
  return [...keys].every((key) => before[key] === b[key])
}

/**
 * Scans a job's inputs and plans each photo not yet among its items, around the outputs already planned
 * (its own and other jobs' still to write), handing them over in batches. `jobNow` is the job as it stands: its
 * photos are named as it says once its folders are read (a realism or models chosen meanwhile show in the names).
 * Returns how many files were not images, and those a person put there by extension. A scan cut short
 * by a crash starts over, keeping the items it already made.
 */
export async function scanJob(
  jobNow: () => Job,
  existing: Item[],
  othersOutputs: string[],
  commit: (items: Item[]) => void,
  { accept }: ScanOptions = {},
): Promise<{ ignored: number; leftOut: Record<string, number>; ofFolders: boolean }> {
  const { spec, id: jobId } = jobNow()
  const known = new Set(existing.map((i) => i.input))
  const ignored: ScanCounter & Required<Pick<ScanCounter, 'seen' | 'leftOut'>> = {
    count: 0,
    seen: new Set<string>(),
    leftOut: new Map<string, number>(),
  }
  // The whole scan comes first: an output planned early must not land on an original found later
  // (`a.jpg` → `a.png` beside an `a.png` still to be scanned).
  const files: InputFile[] = []
  for await (const file of scanInputs(spec.inputs, spec.recursive, ignored, spec.outDir))
    if (known.has(file.path) || !accept || (await accept(file.path))) files.push(file)
  if (files.length === 0 && existing.length === 0)
    throw noPhotosError(spec.inputs, await allFolders(spec.inputs), spec.recursive, ignored)
  const job = jobNow()
  const planner = plannerFor(job, jobRealism(job) ?? undefined)
  for (const output of [...existing.map((i) => i.output), ...othersOutputs]) planner.reserve(output)
  planner.protect(ignored.seen)
  let batch: Item[] = []
  for (const file of files) {
    if (known.has(file.path)) continue
    // Every shard plans every output, so names resolve alike everywhere, then keeps only its own.
    const { output, skip } = planner.plan(file)
    if (!inShard(file, spec.shard)) continue
    batch.push({
      id: randomUUID(),
      jobId,
      input: file.path,
      output,
      state: skip ? 'skipped' : 'queued',
      crashes: 0,
      ...(skip ? { skipReason: 'exists' as const } : {}),
    })
    if (batch.length >= SCAN_BATCH) {
      commit(batch)
      batch = []
    }
  }
  if (batch.length) commit(batch)
  return {
    ignored: ignored.count,
    leftOut: Object.fromEntries(ignored.leftOut),
    ofFolders: ignored.ofFolders ?? false,
  }
}

/**
 * The refusal of a job whose files and folders hold no photo Enhance reads (`folders`: only folders were
 * chosen), saying why: what was left out, the subfolders passed by (the command line's note says how to
 * include them), or nothing there at all.
 */
function noPhotosError(
  inputs: string[],
  folders: boolean,
  recursive: boolean,
  scan: ScanCounter,
): EnhanceError {
  const [where, holds] = !folders
    ? ['what was chosen', 'It holds']
    : inputs.length === 1
      ? [inputs[0], 'It holds']
      : [`the ${inputs.length} folders chosen`, 'They hold']
  const leftOut = leftOutText(Object.fromEntries(scan.leftOut ?? []))
  const subfolders = scan.foldersPassed ?? 0
  const passed = subfolders === 1 ? 'one subfolder' : `${subfolders} subfolders`
  const why = [
    leftOut,
    subfolders
      ? `${holds} ${passed}${recursive ? ' of earlier results, not enhanced again' : ', not looked in'}.`
      : '',
    leftOut || subfolders
      ? ''
      : scan.count
        ? `${holds} only hidden or system files.`
        : `${holds} nothing at all.`,
  ]
  return new EnhanceError(
    'NO_PHOTOS',
    `There are no photos to enhance in ${where}. ${why.filter(Boolean).join(' ')} Enhance reads ${READABLE_FORMATS_TEXT} files.`,
  )
}

/** Whether every input is a folder (the scan has found each there). */
function allFolders(inputs: string[]): Promise<boolean> {
  return Promise.all(inputs.map(isFolder)).then((kinds) => kinds.every(Boolean))
}
