import { statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { READABLE_EXTENSIONS } from '../shared/formats.js'

/**
 * The photos and folders a launch names ("Open with Enhance", a drop on the app's icon, `Enhance a.jpg`):
 * the arguments after the executable (and, unpackaged, after the app's own folder) that are a folder or a
 * photo. Chromium's switches and anything else are left out, so no launch adds the app's folder as an album.
 */
export function photosNamedAtLaunch(
  argv: readonly string[],
  { packaged, cwd }: { packaged: boolean; cwd: string },
): string[] {
  return argv
    .slice(packaged ? 1 : 2)
    .filter((arg) => !arg.startsWith('-'))
    .map((arg) => resolve(cwd, arg))
    .filter(isFolderOrPhoto)
}

/** A folder, or a file with a photo's extension: what a job can be started on. */
export function isFolderOrPhoto(path: string): boolean {
  const stats = statSync(path, { throwIfNoEntry: false })
  if (!stats) return false
  return stats.isDirectory() || (stats.isFile() && READABLE_EXTENSIONS.has(extname(path).toLowerCase()))
}
