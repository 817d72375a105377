import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import YAML from 'yaml'
import { READABLE_EXTENSIONS } from '../../src/shared/formats.js'

interface Association {
  ext: string | string[]
  mimeType?: string
  role?: string
  rank?: string
}
interface BuilderConfig {
  fileAssociations?: Association[]
  mac: { fileAssociations: Association[] }
  linux: { fileAssociations: Association[] }
  win: { fileAssociations?: Association[] }
}

const config = YAML.parse(
  readFileSync(fileURLToPath(new URL('../../electron-builder.yml', import.meta.url)), 'utf8'),
) as BuilderConfig
const extensions = (associations: Association[]) =>
  associations
    .flatMap((a) => (Array.isArray(a.ext) ? a.ext : [a.ext]))
    .map((ext) => `.${ext}`)
    .sort()

describe('the packages’ file associations', () => {
  it('offer Enhance for every photo the queue reads, on macOS and Linux', () => {
    const readable = [...READABLE_EXTENSIONS].sort()
    expect(extensions(config.mac.fileAssociations)).toEqual(readable)
    expect(extensions(config.linux.fileAssociations)).toEqual(readable)
    // The .desktop file lists MIME types, so each Linux entry names one.
    for (const association of config.linux.fileAssociations)
      expect(association.mimeType).toMatch(/^image\/[a-z0-9.+-]+$/)
  })

  it('never make Enhance the default app for photos', () => {
    for (const association of config.mac.fileAssociations)
      expect(association).toMatchObject({ role: 'Viewer', rank: 'Alternate' })
    expect(config.fileAssociations).toBeUndefined()
    expect(config.win.fileAssociations).toBeUndefined()
  })
})
