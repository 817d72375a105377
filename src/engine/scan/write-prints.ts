import { basename, dirname, extname, join } from 'node:path'
import { exists, pathKey } from '../../node/file-access.js'
import { writeFileAtomic } from '../../node/files.js'
import { makeDirectory, outputFolderError } from '../../node/make-directory.js'
import { EnhanceError } from '../../shared/errors.js'
import { fitFileName } from '../../shared/naming.js'
import type { PrintFiles, WrittenPrint } from '../../shared/protocol.js'
import { encodeImage } from '../image/encode.js'
import type { ReadLimits } from '../image/types.js'
import { splitScan } from './split-scan.js'
import type { SplitScan } from './split-scan.js'

/** A lossy format gets this quality: a print is to be enhanced next, and JPEG's blocks would be enhanced with it. */
const PRINT_QUALITY = 95

/** The files of a scan's prints: `base` numbered, `page 1.png` → `page 1-1.png`, `page 1-2.png`… */
export function printPaths(base: string, count: number): string[] {
  const extension = extname(base).slice(1)
  const stem = basename(base, extname(base))
  return Array.from({ length: count }, (_, n) =>
    join(dirname(base), `${fitFileName((name) => `${name}-${n + 1}`, stem, extension)}.${extension}`),
  )
}

/**
 * Splits a scan into its prints and writes each as its own file (`printPaths`), keeping the scan's colour profile,
 * EXIF and density. NO_PRINTS where none is found; a print there from before as `files.existing` says, and never
 * over one of `files.scans`.
 */
export async function writePrints(
  input: string,
  files: PrintFiles,
  limits: Partial<ReadLimits> = {},
): Promise<WrittenPrint[]> {
  const scan = await splitScan(input, limits)
  if (scan.prints.length === 0) throw noPrints(input, scan)
  const targets = printPaths(files.base, scan.prints.length)
  // A print named as another scan is (`a.png`'s first print beside `a-1.png`) never replaces it, whatever `existing` says.
  const scans = new Set(files.scans?.map(pathKey))
  const original = targets.find((target) => scans.has(pathKey(target)))
  if (original !== undefined)
    throw new EnhanceError(
      'INVALID_ARGUMENT',
      `A print of ${input} would be written over ${original}, one of the scans. Name another output folder.`,
    )
  const there = await Promise.all(targets.map((target) => exists(target)))
  const firstThere = there.indexOf(true)
  if (files.existing === 'refuse' && firstThere >= 0)
    throw new EnhanceError('OUTPUT_EXISTS', `${targets[firstThere]} is there from an earlier split.`)
  const folder = dirname(files.base)
  try {
    makeDirectory(folder)
  } catch (error) {
    throw outputFolderError(folder, error)
  }
  const written: WrittenPrint[] = []
  // One print at a time: each holds its encoder's buffers while it is written.
  for (const [n, print] of scan.prints.entries()) {
    const { width, height } = print.image
    const output = targets[n]!
    const turned = Math.round((print.rect.angle * 1800) / Math.PI) / 10
    if (there[n] && files.existing === 'keep') {
      written.push({ output, width, height, turned, kept: true })
      continue
    }
    const encoded = await encodeImage(print.image, scan.meta, {
      format: files.format,
      quality: PRINT_QUALITY,
      background: '#ffffff',
      width,
      height,
      metadata: 'all',
    })
    await writeFileAtomic(output, encoded)
    written.push({ output, width, height, turned })
  }
  return written
}

function noPrints(path: string, scan: SplitScan): EnhanceError {
  return new EnhanceError(
    'NO_PRINTS',
    scan.glassSeen
      ? `${path} shows the scanner's glass but no print on it: a print as pale as the glass, with no shadow at its edge, cannot be told from it. Scan it again on a dark backing (a black sheet behind the prints).`
      : `${path} shows no scanner glass around its edge: it is one photo already (enhance it as it is), or its prints cover the glass's edge. Leave a margin of glass around the prints and scan again.`,
  )
}
