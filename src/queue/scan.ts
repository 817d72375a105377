import {
  BROKEN_LINK,
  IN_ICLOUD_ONLY,
  READABLE_EXTENSIONS,
  UNREADABLE_FOLDER,
  UNUSABLE_NAME,
  isAdvisedKind,
  isCameraRaw,
  isICloudStandIn,
  outputExtension,
} from '../shared/formats.js'
import type { OutputFormat } from '../shared/formats.js'
import { readdir, realpath, stat } from 'node:fs/promises'
import { lstatSync, statSync } from 'node:fs'
import type { Dirent } from 'node:fs'
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path'
import {
  inputDriveGone,
  isPermissionDenied,
  missingFileError,
  pathKey,
  permissionError,
} from '../node/file-access.js'
import { EnhanceError } from '../shared/errors.js'
import { fileSystemSafe, fitFileName, renderName } from '../shared/naming.js'
import type { NameVars } from '../shared/naming.js'

export interface InputFile {
  path: string
  /** Where it sits below the folder it was found in ('' for files named directly). */
  relativeDir: string
}

/** Counts files that were seen but are not images, and can list every file seen. */
export interface ScanCounter {
  count: number
  /** When given, the files left out that are not system files, by extension ("" for none), lower case. */
  leftOut?: Map<string, number>
  /** When given, every file the scan saw (images or not) is added: outputs must never replace one. */
  seen?: Set<string>
  /** Folders not looked in: subfolders, when the scan is not recursive, and folders of earlier results. */
  foldersPassed?: number
  /** Set when one of the inputs named is a folder. */
  ofFolders?: boolean
}

/**
 * The default output folder, made beside the photos of a job. A subfolder of that name holds earlier
 * results, so adding the album again never enhances them a second time.
 */
export const RESULTS_FOLDER = 'Enhanced'

/** Where the prints cut from scans go when no folder was chosen (`enhance split`, and the app's Split scans). */
export const PRINTS_FOLDER = 'Prints'

/**
 * Where a job writes when no output folder was chosen, in the app and the command alike: an "Enhanced" folder
 * (or `name`) beside its first photo, or inside it when that is a folder.
 */
export function besideThePhotos(firstInput: string, isFolder: boolean, name = RESULTS_FOLDER): string {
  return join(isFolder ? firstInput : dirname(firstInput), name)
}

/** Folders NAS boxes and Windows add, and the thumbnail caches Windows writes beside photos. */
const SYSTEM_NAMES = new Set([
  '@eadir',
  '#recycle',
  '$recycle.bin',
  'system volume information',
  'thumbs.db',
  'desktop.ini',
])

/**
 * Hidden files and folders, macOS "._" companions on USB drives (named .jpg, but not images) and the
 * thumbnail folders NAS boxes add beside each photo: none of them is a photo the user took.
 */
export function isSystemEntry(name: string): boolean {
  return name.startsWith('.') || SYSTEM_NAMES.has(name.toLowerCase())
}

/** Kinds of left-out file told apart; the rest are counted together, so the journal entry stays small. */
const LEFT_OUT_KINDS = 24

/** Counts a left-out file by its extension: an unusually long one as none, past the kinds told apart as "other". */
function countLeftOut(counts: Map<string, number>, extension: string): void {
  let kind = extension.length <= 12 ? extension : ''
  if (!isAdvisedKind(kind) && !counts.has(kind) && counts.size >= LEFT_OUT_KINDS) kind = 'other'
  counts.set(kind, (counts.get(kind) ?? 0) + 1)
}

function leaveOut(ignored: ScanCounter, extension: string): void {
  ignored.count++
  if (ignored.leftOut) countLeftOut(ignored.leftOut, extension)
}

interface Walk {
  root: string
  recursive: boolean
  ignored: ScanCounter
  /**
   * Folders not to descend into (path keys, as named and as real paths): the output folder, so earlier
   * results are not enhanced again.
   */
  skip: ReadonlySet<string>
  /** The real paths of the folders walked: a link back up the tree is not followed round again. */
  walked: Set<string>
  /** The photos found so far: one named twice, or also inside a folder named, is one photo. */
  found: Set<string>
}

/**
 * Whether this photo is new to the scan, remembering it: the first place a photo is found wins. Paths are
 * compared as they are, not case-folded: on a case-sensitive drive of a Mac, IMG_1.JPG and img_1.jpg are two.
 */
function firstSighting(found: Set<string>, path: string): boolean {
  if (found.has(path)) return false
  found.add(path)
  return true
}

/**
 * What a folder's entry is, a link taken as what it points to (a photo linked into an album is a photo of
 * it); null for a link that points nowhere.
 */
export function entryKind(entry: Dirent, path: string): 'file' | 'directory' | 'other' | null {
  const target = entry.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : entry
  if (!target) return null
  return target.isFile() ? 'file' : target.isDirectory() ? 'directory' : 'other'
}

/**
 * Whether a name read from the folder cannot name its file: bytes that are not UTF-8 came back as U+FFFD,
 * and the path they make leads nowhere. (A name may hold U+FFFD itself; then its path is there.)
 */
function isUnusableName(name: string, path: string): boolean {
  return name.includes('\uFFFD') && !lstatSync(path, { throwIfNoEntry: false })
}

/**
 * Numbers in names in their order (IMG_2 before IMG_10), as file managers show them; the root collation,
 * not the user's locale: every machine plans an album in the same order (shards).
 */
export const byName = new Intl.Collator('und', { numeric: true }).compare

async function* walk(dir: string, options: Walk): AsyncGenerator<InputFile> {
  const { root, recursive, ignored, skip, walked, found } = options
  const real = pathKey(await realpath(dir))
  // The output folder is not entered by a link to it either; an input folder named as the output is walked.
  if (walked.has(real) || (dir !== root && skip.has(real))) return
  walked.add(real)
  const listed = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    // A folder inside the album that may not be opened (macOS's privacy settings, a folder another account
    // locked) is left out and said; one named to be enhanced is refused.
    if (!isPermissionDenied(error)) throw inputDriveGone(dir, error) ?? error
    if (dir === root) throw permissionError(dir)
    return null
  })
  if (!listed) return leaveOut(ignored, UNREADABLE_FOLDER)
  const entries = listed.sort((a, b) => byName(a.name, b.name))
  for (const entry of entries) {
    const path = join(dir, entry.name)
    const kind = entryKind(entry, path)
    if (kind === 'file') ignored.seen?.add(path)
    if (kind === 'file' && isICloudStandIn(entry.name)) leaveOut(ignored, IN_ICLOUD_ONLY)
    else if (isSystemEntry(entry.name)) {
      if (kind === 'file' || kind === null) ignored.count++
    } else if (isUnusableName(entry.name, path)) leaveOut(ignored, UNUSABLE_NAME)
    else if (kind === null) leaveOut(ignored, BROKEN_LINK)
    else if (kind === 'directory') {
      if (recursive && entry.name !== RESULTS_FOLDER && !skip.has(pathKey(path))) yield* walk(path, options)
      else ignored.foldersPassed = (ignored.foldersPassed ?? 0) + 1
    } else if (kind === 'file' && READABLE_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      if (firstSighting(found, path)) yield { path, relativeDir: relative(root, dir) }
    } else if (kind === 'file') leaveOut(ignored, extname(entry.name).toLowerCase())
  }
}

/**
 * Expands files and folders (recursively when asked) into image files, lazily, in a stable order, each
 * photo once. A subfolder that is the output folder is not entered: its photos are results, not originals.
 */
export async function* scanInputs(
  inputs: string[],
  recursive: boolean,
  ignored: ScanCounter = { count: 0 },
  outDir?: string,
): AsyncGenerator<InputFile> {
  const skip = new Set<string>()
  if (outDir !== undefined) {
    skip.add(pathKey(resolve(outDir)))
    const real = await realpath(outDir).catch(() => null)
    if (real) skip.add(pathKey(real))
  }
  const walked = new Set<string>()
  const found = new Set<string>()
  for (const input of inputs) {
    const path = resolve(input)
    const info = await stat(path).catch((error: unknown) => {
      throw inputDriveGone(input, error) ?? missingFileError(input)
    })
    if (info.isDirectory()) {
      ignored.ofFolders = true
      yield* walk(path, { root: path, recursive, ignored, skip, walked, found })
    } else if (!info.isFile())
      throw new EnhanceError(
        'INVALID_ARGUMENT',
        `${input} is neither a file nor a folder (a device, pipe or socket). Name photo files or folders of them.`,
      )
    else {
      ignored.seen?.add(path)
      // A RAW file named on its own is left out as one in a folder is, with how to export it.
      if (isCameraRaw(path)) leaveOut(ignored, extname(path).toLowerCase())
      else if (firstSighting(found, path)) yield { path, relativeDir: '' }
    }
  }
}

/**
 * `<out>/<subfolders>/<name>.<ext>`: the folder structure below each input folder is mirrored, and a photo
 * kept in its format keeps its extension's spelling.
 */
export function outputPath(
  outDir: string,
  file: InputFile,
  format: OutputFormat,
  template = '{name}',
  vars: NameVars = {},
): string {
  const extension = outputExtension(format, basename(file.path))
  const render = (name: string) => renderName(template, { ...vars, name })
  const name = fitFileName(render, basename(file.path, extname(file.path)), extension)
  const mirrored = file.relativeDir.split(sep).map(fileSystemSafe).join(sep)
  return join(resolve(outDir), mirrored, `${name}.${extension}`)
}
