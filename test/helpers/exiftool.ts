import { execFileSync, spawnSync } from 'node:child_process'

/** ExifTool (Debian's libimage-exiftool-perl) reads and writes the metadata: a reader that is not ours. */
export function exiftool(...args: string[]): string {
  return execFileSync('exiftool', args, { encoding: 'utf8' })
}

/** Every tag ExifTool reads in a file (as numbers), with its validation and its warnings. */
export function tagsOf(path: string, ...more: string[]): Record<string, unknown> {
  const [tags] = JSON.parse(exiftool('-j', '-n', '-validate', '-warning', '-all', ...more, path)) as Record<
    string,
    unknown
  >[]
  return tags!
}

/** Each file's caption (EXIF ImageDescription) as ExifTool reads it, in one run for them all. */
export function descriptionsOf(paths: readonly string[]): (string | undefined)[] {
  const read = JSON.parse(exiftool('-j', '-ImageDescription', ...paths)) as {
    SourceFile: string
    ImageDescription?: string
  }[]
  return paths.map((path) => read.find((tags) => tags.SourceFile === path)?.ImageDescription)
}

export const hasExiftool = spawnSync('exiftool', ['-ver']).status === 0
// CI installs ExifTool (scripts/install-system-deps.sh), so there a missing one fails the suite instead.
if (!hasExiftool && process.env.CI === 'true') throw new Error('ExifTool is required in CI.')
if (!hasExiftool)
  console.log(
    'EXIF format tests skipped: ExifTool is not installed (apt-get install libimage-exiftool-perl, or brew install exiftool).',
  )
