import { MAX_HANDED_IMAGE_BYTES } from './api.js'
import type { HandedPhotos, HandedVia } from './api.js'

/**
 * A paste's or a drop's files as main takes them: the paths of those that have one (`pathOf`: Electron's
 * webUtils in the preload, '' for none), and the bytes of the others, images copied or dragged with no file;
 * those past `MAX_HANDED_IMAGE_BYTES` are counted, not read.
 */
export async function handedPhotos(
  files: readonly File[],
  via: HandedVia,
  pathOf: (file: File) => string,
): Promise<HandedPhotos> {
  const paths = files.map(pathOf)
  const pathless = files.filter((_, index) => !paths[index])
  const taken = pathless.filter((file) => file.size <= MAX_HANDED_IMAGE_BYTES)
  return {
    via,
    paths: paths.filter(Boolean),
    images: await Promise.all(taken.map(async (file) => new Uint8Array(await file.arrayBuffer()))),
    oversized: pathless.length - taken.length,
  }
}
