import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll } from 'vitest'
import { ModelRegistry } from '../../src/engine/registry.js'
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js'
import type { EngineSettings, EnhanceSettings } from '../../src/shared/settings.js'
import { enhancePhoto } from './enhance.js'
import { tagsOf } from './exiftool.js'
import { writeIdentityModel } from './models.js'

/** Settings a metadata test enhances with: the defaults, with what it asks. */
type Asked = Partial<EnhanceSettings & Pick<EngineSettings, 'takenPlace'>>

/**
 * A folder of two plain 40 × 30 photos for what a file says of itself (a JPEG, `jpegName`, for the test to write tags
 * into before it runs, and a PNG with no EXIF or XMP), made before the suite's own set-up, and an identity model on
 * the CPU to enhance them with: the output is the photo's own pixels ×4, so only its metadata tells files apart.
 */
export function metadataBench(prefix: string, jpegName: string) {
  const work = mkdtempSync(join(tmpdir(), prefix))
  const registry = new ModelRegistry({ device: 'cpu' })
  const model = { path: '' }
  const jpeg = join(work, jpegName)
  const bare = join(work, 'bare.png')
  beforeAll(async () => {
    model.path = writeIdentityModel(work)
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a08060' } })
      .jpeg()
      .toFile(jpeg)
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#608040' } })
      .png()
      .toFile(bare)
  })
  afterAll(() => registry.close())
  return {
    work,
    jpeg,
    bare,
    /** Enhances `input` into the folder as `name`; its path. */
    enhanced: async (input: string, name: string, settings: Asked): Promise<string> => {
      const output = join(work, name)
      await enhancePhoto(registry, input, output, model, { ...DEFAULT_SETTINGS, tile: 16, ...settings })
      return output
    },
  }
}

/** The `wanted` tags ExifTool reads in a file, by group (`IFD0:Make`, `XMP-dc:Description`), where it has them. */
export function groupedTags(path: string, wanted: string[]): Record<string, unknown> {
  const tags = tagsOf(path, '-G1')
  return Object.fromEntries(wanted.filter((tag) => tag in tags).map((tag) => [tag, tags[tag]]))
}

/** A file's pixels, decoded. */
export const pixelsOf = (path: string): Promise<Buffer> => sharp(path).raw().toBuffer()
