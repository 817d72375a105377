/**
 * HEIC photos coded with HEVC, as iPhones save them, decoded by a decoder the system already has: macOS's
 * `sips`, or libheif's `heif-dec` / `heif-convert` (with libde265) where installed. sharp's libvips ships
 * no HEVC decoder (a patent-encumbered codec), and neither does Enhance; the system's is licensed with it.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join, resolve } from 'node:path'
import { EnhanceError, cancelledError, firstLineOf } from '../../shared/errors.js'
import { Turns } from './turns.js'

/**
 * What a decoded file is for: a photo to enhance or to view at 1:1, every pixel as decoded; or a thumbnail,
 * which only shrinks it, so a JPEG at quality 95 does (libheif writes one in 1.7 s for 12 MP, a PNG in 5.8).
 */
export type DecodePurpose = 'photo' | 'thumbnail'

/** How a decoder writes the file for a purpose: the file's extension, and its arguments to write `output`. */
interface DecodedFile {
  extension: string
  args: (input: string, output: string) => string[]
}

/**
 * A program that decodes a HEIC's primary image into a file sharp reads, and whether sharp is to turn that
 * file upright by its own orientation tag (`orient`).
 */
export interface HeicDecoder {
  command: string
  writes: Record<DecodePurpose, DecodedFile>
  orient: boolean
}

/**
 * macOS's ImageIO may leave HEIF's rotation to an orientation tag rather than the pixels: a TIFF carries
 * that tag, as a PNG may not, and sharp applies it. Uncompressed, it is quick to write for thumbnails too.
 */
const SIPS_TIFF: DecodedFile = {
  extension: 'tiff',
  args: (input, output) => ['-s', 'format', 'tiff', input, '--out', output],
}
const SIPS: HeicDecoder = {
  command: '/usr/bin/sips',
  writes: { photo: SIPS_TIFF, thumbnail: SIPS_TIFF },
  orient: true,
}
const LIBHEIF_TOOLS = ['heif-dec', 'heif-convert']

/**
 * libheif applies HEIF's rotation to the pixels and copies the photo's EXIF, orientation tag and all,
 * into the file: that tag is the camera's, which HEIF tells readers to ignore (libvips does), so not applied.
 * It picks the format by the output's extension.
 */
function libheifTool(command: string): HeicDecoder {
  return {
    command,
    writes: {
      photo: { extension: 'png', args: (input, output) => ['--quiet', input, output] },
      thumbnail: { extension: 'jpg', args: (input, output) => ['--quiet', '-q', '95', input, output] },
    },
    orient: false,
  }
}

/** Decoding an iPhone's 48 MP photo takes a few seconds; far longer means the file keeps the decoder busy. */
export const HEIC_DECODE_TIMEOUT_MS = 120_000

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** The system's HEIC decoder, or null where it has none Enhance can use (Windows, Linux without libheif's tools). */
export function findHeicDecoder(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): HeicDecoder | null {
  if (platform === 'darwin' && isExecutable(SIPS.command)) return SIPS
  if (platform === 'win32') return null
  const folders = (env['PATH'] ?? '').split(delimiter).filter(Boolean)
  for (const tool of LIBHEIF_TOOLS)
    for (const folder of folders) {
      const command = join(folder, tool)
      if (isExecutable(command)) return libheifTool(command)
    }
  return null
}

function run(
  decoder: HeicDecoder,
  file: DecodedFile,
  input: string,
  output: string,
  { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal | undefined },
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      decoder.command,
      file.args(input, output),
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 1 << 20,
        windowsHide: true,
        ...(signal ? { signal } : {}),
      },
      (error, _stdout, stderr) => {
        if (!error) return resolve()
        if (signal?.aborted) return reject(cancelledError())
        const tool = decoder.command.split(/[\\/]/).pop()
        if (error.killed)
          return reject(
            new EnhanceError(
              'TIMED_OUT',
              `${input} kept the system's HEIC decoder (${tool}) busy for over ${timeoutMs / 1000} s and it was stopped. Convert it to JPEG in another program first.`,
            ),
          )
        const said = firstLineOf(String(stderr).trim() || error.message)
        reject(
          new EnhanceError(
            'CORRUPT_IMAGE',
            `${input} could not be decoded by the system's HEIC decoder (${tool}: ${said}): it is damaged, or a variant the decoder does not read. If it opens in another program, save it there as JPEG.`,
          ),
        )
      },
    )
  })
}

/**
 * The file the decoder wrote: its only one, or, where the photo holds several top-level images (each its own
 * file, `-1`, `-2`, …, in the order libvips counts pages), the primary image's.
 */
async function primaryFile(folder: string, extension: string, primary: number): Promise<string> {
  const files = (await readdir(folder)).filter((name) => name.endsWith(`.${extension}`)).sort()
  const chosen =
    files.length === 1 ? files[0] : files.find((name) => name.endsWith(`-${primary + 1}.${extension}`))
  if (!chosen)
    throw new EnhanceError(
      'INTERNAL',
      `The system's HEIC decoder wrote ${files.length} images, none the primary one.`,
    )
  return join(folder, chosen)
}

/** Two photos at most, decoding and read back: each holds a whole photo (105 MB for an iPhone's 12 MP). */
const decoders = new Turns(2)

/**
 * Runs `read` on a file of the HEIC's primary image, as the system's decoder wrote it for `purpose`, with
 * whether its own orientation tag is to be applied, and removes the file after. Throws
 * UNSUPPORTED_FORMAT, saying what to do, where the system has no decoder, and CANCELLED as soon as `signal`
 * aborts, in line or decoding (the decoder is killed: a 12 MP photo keeps it busy for about 6 s).
 */
export async function withDecodedHeic<T>(
  path: string,
  primary: number,
  decoder: HeicDecoder | null,
  read: (file: string, orient: boolean) => Promise<T>,
  {
    purpose = 'photo',
    timeoutMs = HEIC_DECODE_TIMEOUT_MS,
    signal,
  }: { purpose?: DecodePurpose; timeoutMs?: number; signal?: AbortSignal | undefined } = {},
): Promise<T> {
  if (!decoder) throw new EnhanceError('UNSUPPORTED_FORMAT', noDecoderMessage(path))
  const file = decoder.writes[purpose]
  // Taken before anything is awaited, so photos decode in the order they were asked for.
  return decoders.take(async () => {
    const folder = await mkdtemp(join(tmpdir(), 'enhance-heic-'))
    try {
      // Absolute, so no file name can read as one of the decoder's options ("-o.heic").
      const output = join(folder, `photo.${file.extension}`)
      await run(decoder, file, resolve(path), output, { timeoutMs, signal })
      return await read(await primaryFile(folder, file.extension, primary), decoder.orient)
    } finally {
      await rm(folder, { recursive: true, force: true })
    }
  }, signal)
}

function noDecoderMessage(path: string): string {
  return (
    `${path} is a HEIC photo coded with HEVC, as iPhones save them. Enhance reads these with the system's ` +
    "own HEVC decoder and found none here. On Linux, install libheif's tools (Debian, Ubuntu: apt install " +
    'libheif-examples). Elsewhere, convert it to JPEG first: in Photos, File › Export; for new iPhone ' +
    'photos, Settings › Camera › Formats › Most Compatible.'
  )
}
