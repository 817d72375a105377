import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { sniffFormat } from '../../engine/image/sniff.js'
import { sha256 } from '../../engine/model.js'
import type { ReadableFormat } from '../../engine/image/sniff.js'
import { fileVersion, writeFileAtomic } from '../../node/files.js'
import { makeDirectory, outputFolderError } from '../../node/make-directory.js'
import { MAX_HANDED_IMAGE_BYTES } from '../../shared/api.js'
import type { HandedVia } from '../../shared/api.js'
import { EnhanceError } from '../../shared/errors.js'
import { READABLE_FORMATS_TEXT } from '../../shared/formats.js'

/** Why a paste or a drop made no job, and what to do instead. */
export const NOTHING_TAKEN: Record<HandedVia, string> = {
  paste:
    'There is no photo on the clipboard. Copy a photo first (in a browser, right-click it › Copy Image; or copy photo files in the file manager), then paste it here.',
  drop: 'Nothing dropped was a photo or a folder: Enhance does not download links from web pages. Save the photo first (right-click › Save Image As…) and drop the file, or right-click › Copy Image and paste it here.',
}

export const TOO_LARGE_TO_TAKE = `An image pasted or dropped without a file is larger than ${MAX_HANDED_IMAGE_BYTES / 2 ** 20} MB. Save it as a file first, then add that file.`

const EXTENSIONS: Record<ReadableFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  gif: 'gif',
  webp: 'webp',
  tiff: 'tif',
  heif: 'heic',
  bmp: 'bmp',
  jxl: 'jxl',
  jp2: 'jp2',
  psd: 'psd',
}

/**
 * "Pasted 2026-12-03 at 22.56.10" (or "Dropped …"): the local time, as screenshots are named, with no
 * character a system refuses.
 */
export function pastedStem(when: Date, via: HandedVia): string {
  const two = (n: number): string => String(n).padStart(2, '0')
  const day = `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())}`
  const time = `${two(when.getHours())}.${two(when.getMinutes())}.${two(when.getSeconds())}`
  return `${via === 'paste' ? 'Pasted' : 'Dropped'} ${day} at ${time}`
}

/**
 * Images pasted or dragged into the window (from a browser, a chat or a screenshot tool) have no file: each is
 * saved once, as it came, in `dir`, so the queue can enhance it like any photo and the original stays beside
 * its result. The same image pasted again is the same file (its job then continues rather than starting twice).
 */
export class PastedPhotos {
  /** Each image saved, by its bytes' hash: the file, and its version as written. */
  private readonly saved = new Map<string, { path: string; version: string | null }>()
  private last: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Saves each image, one paste after the other (so two never take one name); the files' paths, in order. */
  save(images: readonly Uint8Array[], via: HandedVia): Promise<string[]> {
    const done = this.last.then(() => this.saveEach(images, via))
    this.last = done.catch(() => undefined)
    return done
  }

  private async saveEach(images: readonly Uint8Array[], via: HandedVia): Promise<string[]> {
    const formats = images.map(readableFormat)
    const paths: string[] = []
    for (const [index, image] of images.entries()) paths.push(await this.saveOne(image, formats[index]!, via))
    return paths
  }

  private async saveOne(image: Uint8Array, format: ReadableFormat, via: HandedVia): Promise<string> {
    const hash = sha256(image)
    const known = this.saved.get(hash)
    if (known && (await fileVersion(known.path)) === known.version) return known.path
    try {
      makeDirectory(this.dir)
    } catch (error) {
      throw outputFolderError(this.dir, error)
    }
    const path = `${this.freeStem(pastedStem(this.now(), via))}.${EXTENSIONS[format]}`
    await writeFileAtomic(path, image)
    this.saved.set(hash, { path, version: await fileVersion(path) })
    return path
  }

  /** The path of `stem` in the folder, numbered where a file of any format has it (their results would share it). */
  private freeStem(stem: string): string {
    for (let n = 1; ; n++) {
      const numbered = join(this.dir, n === 1 ? stem : `${stem} (${n})`)
      if (!Object.values(EXTENSIONS).some((extension) => existsSync(`${numbered}.${extension}`)))
        return numbered
    }
  }
}

function readableFormat(image: Uint8Array): ReadableFormat {
  const format = sniffFormat(image.subarray(0, 64))
  if (!format)
    throw new EnhanceError(
      'UNSUPPORTED_FORMAT',
      `An image pasted or dropped is not a photo Enhance reads (${READABLE_FORMATS_TEXT}). Save it as a file in one of those formats and add that.`,
    )
  return format
}
