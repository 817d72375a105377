import { statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { READABLE_EXTENSIONS } from '../shared/formats.js'

/**
 * The photos and folders a launch names ("Open with Enhance", a drop on the app's icon, `Enhance a.jpg`):
 * the arguments after the executable that are a folder or a photo. Switches (Chromium's, or a test
 * runner's, which may come first) are left out, and so, unpackaged, is the app's own path (`electron .`),
 * so no launch adds the app's folder as an album.
 */
export function photosNamedAtLaunch(
  argv: readonly string[],
  { packaged, cwd }: { packaged: boolean; cwd: string },
): string[] {
  const named = argv.slice(1).filter((arg) => !arg.startsWith('-'))
  return (packaged ? named : named.slice(1)).map((arg) => resolve(cwd, arg)).filter(isFolderOrPhoto)
}

/** A folder, or a file with a photo's extension: what a job can be started on. */
export function isFolderOrPhoto(path: string): boolean {
  const stats = statSync(path, { throwIfNoEntry: false })
  if (!stats) return false
  return stats.isDirectory() || (stats.isFile() && READABLE_EXTENSIONS.has(extname(path).toLowerCase()))
}
