import { basename, dirname, join } from 'node:path'
import { isInside } from '../../queue/paths.js'
import { besideThePhotos } from '../../queue/scan.js'
import { isFolder, pathKey } from '../../node/file-access.js'
import { writeProblem } from '../../node/make-directory.js'

/** The system's temporary folder, and where results go of photos in it (in the app: Pictures › Enhanced). */
export interface TemporaryFolders {
  dir: string
  resultsDir: string
}

/**
 * An "Enhanced" folder (or `name`) beside the photos; but out of the system's temporary folder, which it may clear,
 * and off a read-only drive (a photo CD, a locked SD card), which cannot take it: Pictures › Enhanced › the photos'
 * folder.
 */
export async function defaultOutDir(
  first: string,
  temporary: TemporaryFolders,
  name?: string,
): Promise<string> {
  const results = name === undefined ? temporary.resultsDir : join(temporary.resultsDir, name)
  if (isInside(pathKey(temporary.dir), pathKey(first))) return results
  const folder = (await isFolder(first)) ? first : dirname(first)
  const beside = besideThePhotos(folder, true, name)
  return writeProblem(beside) ? join(results, basename(folder) || 'Photos') : beside
}
