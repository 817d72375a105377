/**
 * Image formats, in one place: what Enhance reads, what it writes, how each is named on disk, and
 * each encoder's limits. The CLI, the queue, the engine and the app all read them here.
 */
export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp', 'avif', 'tiff'] as const
export type OutputFormat = (typeof OUTPUT_FORMATS)[number]

/**
 * The formats photos are read from; those Enhance does not write (HEIF, GIF, BMP, JPEG XL, JPEG 2000, Photoshop's)
 * besides its outputs.
 */
type PhotoFormat = OutputFormat | 'heif' | 'gif' | 'bmp' | 'jxl' | 'jp2' | 'psd'

/**
 * What each photo extension holds, as cameras, phones, browsers and Windows name them: Windows saves JPEGs
 * from the web as `.jfif`, browsers also as `.pjpeg` or `.jpe`; Canon, Sony and Fujifilm cameras save HEIF
 * as `.hif`; Windows' clipboard and old programs save BMP as `.dib`; JPEG 2000 is `.jp2` in its container, `.j2k` or
 * `.j2c` as a bare codestream, `.jpf` or `.jpx` in the extended one; Photoshop's large documents are `.psb`.
 */
const FORMAT_OF_EXTENSION: Record<string, PhotoFormat> = {
  jpg: 'jpeg',
  jpeg: 'jpeg',
  jpe: 'jpeg',
  jfif: 'jpeg',
  jfi: 'jpeg',
  jif: 'jpeg',
  pjpeg: 'jpeg',
  pjp: 'jpeg',
  png: 'png',
  webp: 'webp',
  tif: 'tiff',
  tiff: 'tiff',
  avif: 'avif',
  heic: 'heif',
  heif: 'heif',
  hif: 'heif',
  gif: 'gif',
  bmp: 'bmp',
  dib: 'bmp',
  jxl: 'jxl',
  jp2: 'jp2',
  j2k: 'jp2',
  j2c: 'jp2',
  jpf: 'jp2',
  jpx: 'jp2',
  psd: 'psd',
  psb: 'psd',
}

/** File extensions the queue picks up as photos (and the app's dialog offers). */
export const READABLE_EXTENSIONS: ReadonlySet<string> = new Set(
  Object.keys(FORMAT_OF_EXTENSION).map((extension) => `.${extension}`),
)

/** The readable formats, for messages. */
export const READABLE_FORMATS_TEXT = 'JPEG, PNG, WebP, TIFF, AVIF, HEIC, JPEG XL, JPEG 2000, PSD, GIF, BMP'

/** The extension each output format is written with. */
export const FORMAT_EXTENSIONS: Record<OutputFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  tiff: 'tif',
}

/** Largest side each encoder accepts (JPEG's 16-bit header, WebP's 14-bit one, libheif's default). */
export const FORMAT_MAX_SIDE: Record<OutputFormat, number> = {
  jpeg: 65500,
  webp: 16383,
  avif: 16384,
  png: 2 ** 31 - 1,
  tiff: 2 ** 31 - 1,
}

/** A file name's extension as spelled, without the dot; '' for none. */
function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  return dot < 0 ? '' : fileName.slice(dot + 1)
}

/** The output format for an input file name: the requested one, or for 'same' the input's own (PNG where it cannot be written). */
export function formatForInput(requested: OutputFormat | 'same', fileName: string): OutputFormat {
  if (requested !== 'same') return requested
  return writtenAs(FORMAT_OF_EXTENSION[extensionOf(fileName).toLowerCase()])
}

/**
 * The output format a photo of `format` keeps: HEIF is written as AVIF, HEIF's royalty-free kind; GIF, BMP, JPEG XL,
 * JPEG 2000 and Photoshop documents (which Enhance reads but does not write) as PNG, lossless, keeping a JPEG XL's 16 bits and transparency.
 */
function writtenAs(format: PhotoFormat | undefined): OutputFormat {
  if (format === 'heif') return 'avif'
  return isOutputFormat(format) ? format : 'png'
}

function isOutputFormat(format: PhotoFormat | undefined): format is OutputFormat {
  return (OUTPUT_FORMATS as readonly (PhotoFormat | undefined)[]).includes(format)
}

/**
 * The extension an output is written with: the input's own, as spelled (`.jpeg`, `.TIF`, a camera's
 * `.JPG`), where the output keeps the input's format, so an album keeps its names; the format's own otherwise.
 */
export function outputExtension(format: OutputFormat, inputName: string): string {
  const own = extensionOf(inputName)
  return FORMAT_OF_EXTENSION[own.toLowerCase()] === format ? own : FORMAT_EXTENSIONS[format]
}

/** Default guard against decompression bombs: 100 megapixels of input. */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000
/**
 * The guard for views of a result: a ×4 of the largest photo the engine takes (a 12 MP phone photo's is
 * 195 MP), still refusing a decompression bomb.
 */
export const MAX_RESULT_PIXELS = 16 * DEFAULT_MAX_INPUT_PIXELS

/** Camera RAW files, which need a RAW converter: the camera maker's software, or a photo editor. */
const CAMERA_RAW = new Set([
  '.arw',
  '.cr2',
  '.cr3',
  '.dng',
  '.nef',
  '.nrw',
  '.orf',
  '.pef',
  '.raf',
  '.rw2',
  '.srw',
])

/** How a camera RAW file becomes a photo Enhance reads. */
const RAW_EXPORT = "as JPEG or TIFF first, in the camera maker's software or a photo editor"

/** Whether a file is named as a camera RAW file (most are TIFF inside, holding the sensor's data or a preview). */
export function isCameraRaw(fileName: string): boolean {
  return CAMERA_RAW.has(`.${extensionOf(fileName).toLowerCase()}`)
}

/** The refusal of a camera RAW file named to be enhanced. */
export function cameraRawMessage(path: string): string {
  return `${path} is a camera RAW file, which needs exporting ${RAW_EXPORT}: Enhance reads the photos made from RAW files, not the sensor's data (or the small preview kept beside it).`
}

/** How to let Enhance read files or folders (`it` or `them`) the system does not let it open. */
export function permissionRemedy(it: 'it' | 'them'): string {
  return `Give your account permission to read ${it} (Properties or Get Info), or on a Mac allow Enhance in System Settings › Privacy & Security › Files and Folders`
}

/** The left-out kind of a subfolder the system does not let Enhance open; no extension's spelling. */
export const UNREADABLE_FOLDER = 'folder'

/**
 * The left-out kind of a file whose name is not UTF-8 (Linux keeps a name's bytes as they were written: old
 * Windows and zip programs wrote accented letters in Latin-1), which no path string can name.
 */
export const UNUSABLE_NAME = 'name'

/**
 * The left-out kind of a link whose file is not there (a photo on a drive not plugged in, or moved away): no
 * extension's spelling, which always starts with a dot.
 */
export const BROKEN_LINK = 'link'

/**
 * The left-out kind of a photo kept in iCloud Drive only: a Mac with "Optimize Mac Storage" (macOS 13 and earlier)
 * keeps a hidden `.IMG_1.JPG.icloud` in its place, which Finder shows as the photo, until it is downloaded.
 */
export const IN_ICLOUD_ONLY = 'icloud'

/** Whether a file's name is iCloud Drive's stand-in for a photo not downloaded (`.IMG_1.JPG.icloud`). */
export function isICloudStandIn(name: string): boolean {
  const extension = /^\..+(\.[^.]+)\.icloud$/i.exec(name)?.[1]
  return extension !== undefined && READABLE_EXTENSIONS.has(extension.toLowerCase())
}

/**
 * What a scan left out of an album, in words, from its files by extension ("" for none, "other" for the
 * kinds past those told apart, and the `ADVISED` kinds, each with what to do); null when nothing was: "Left
 * out 3 files that are not photos Enhance reads: 2 .cr2, 1 .txt. …".
 */
export function leftOutText(leftOut: Record<string, number> | undefined): string | null {
  const counts = leftOut ?? {}
  const files = Object.fromEntries(Object.entries(counts).filter(([kind]) => !isAdvisedKind(kind)))
  const advised = Object.entries(ADVISED)
    .filter(([kind]) => counts[kind])
    .map(([kind, text]) => text(counts[kind]!))
  return [notPhotosText(files), ...advised].filter(Boolean).join(' ') || null
}

/** Images people keep beside their photos in formats Enhance does not read: editors' documents, newer and older codecs. */
const OTHER_IMAGES = new Set([
  '.afphoto',
  '.exr',
  '.hdr',
  '.ico',
  '.kra',
  '.pcx',
  '.pdn',
  '.svg',
  '.tga',
  '.xcf',
])

/** Archives people are sent photos in (Google Takeout, shared albums, mail attachments). */
const ARCHIVES = new Set(['.7z', '.bz2', '.gz', '.rar', '.tar', '.tgz', '.xz', '.zip'])

/** How photos come out of an archive on each system. */
const EXTRACT_HOW =
  'on Windows, right-click › Extract All…; on a Mac, double-click; 7z and RAR archives need 7-Zip or The Unarchiver'

/** What to do with one archive, as a clause. */
export const EXTRACT_ARCHIVE = `extract it first (${EXTRACT_HOW}), then add the folder it makes`

/** What to do with the left-out files of `kinds` that are camera RAW files, images in other formats or archives, in words. */
function saveAsText(kinds: string[]): string {
  const raw = kinds.filter((ext) => CAMERA_RAW.has(ext))
  const images = kinds.filter((ext) => OTHER_IMAGES.has(ext))
  const archives = kinds.filter((ext) => ARCHIVES.has(ext))
  return (
    (raw.length ? ` Camera RAW files (${raw.join(', ')}) need exporting ${RAW_EXPORT}.` : '') +
    (images.length
      ? ` Images in formats Enhance does not read (${images.join(', ')}) need saving as JPEG, PNG or TIFF first, in the program that made them or an image editor.`
      : '') +
    (archives.length
      ? ` Photos in archives (${archives.join(', ')}) need extracting first (${EXTRACT_HOW}), then add the folders they make.`
      : '')
  )
}

function notPhotosText(leftOut: Record<string, number>): string {
  const kinds = Object.entries(leftOut).sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
  const total = kinds.reduce((sum, [, n]) => sum + n, 0)
  if (total === 0) return ''
  const named = (ext: string): string => (ext === 'other' ? 'of other kinds' : ext || 'without an extension')
  const listed = kinds.map(([ext, n]) => `${n} ${named(ext)}`).join(', ')
  const files = total === 1 ? 'file that is not a photo' : 'files that are not photos'
  return `Left out ${total} ${files} Enhance reads: ${listed}.${saveAsText(kinds.map(([ext]) => ext))}`
}

function unreadableFoldersText(folders: number): string {
  const [count, it] =
    folders === 1 ? (['1 folder', 'it'] as const) : ([`${folders} folders`, 'them'] as const)
  return `Left out ${count} the system does not let Enhance open. ${permissionRemedy(it)}, then add ${it} again.`
}

function unusableNamesText(names: number): string {
  const [count, them] = names === 1 ? (['1 file', 'it'] as const) : ([`${names} files`, 'them'] as const)
  return `Left out ${count} whose name is not written in UTF-8 (old Windows and zip programs wrote accented letters that way), so Enhance cannot open ${them}: rename ${them}, then add ${them} again.`
}

function iCloudOnlyText(photos: number): string {
  const [count, them, their] =
    photos === 1
      ? (['1 photo that is', 'it', 'its'] as const)
      : ([`${photos} photos that are`, 'them', 'their'] as const)
  return `Left out ${count} in iCloud only, not downloaded to this Mac: in Finder, select ${them} (or ${their} folder) and choose Download Now, then add ${them} again.`
}

function brokenLinksText(links: number): string {
  return links === 1
    ? 'Left out 1 link to a file that is not there: plug in the drive it points to, or find where the file moved, then add it again.'
    : `Left out ${links} links to files that are not there: plug in the drive they point to, or find where the files moved, then add them again.`
}

/** The left-out kinds that are no extension, each said with what to do about it. */
const ADVISED: Record<string, (count: number) => string> = {
  [BROKEN_LINK]: brokenLinksText,
  [IN_ICLOUD_ONLY]: iCloudOnlyText,
  [UNREADABLE_FOLDER]: unreadableFoldersText,
  [UNUSABLE_NAME]: unusableNamesText,
}

/** Whether a left-out kind is one said with what to do (`BROKEN_LINK`, …), never merged into "other kinds". */
export function isAdvisedKind(kind: string): boolean {
  return Object.hasOwn(ADVISED, kind)
}
