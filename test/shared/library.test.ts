import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  RUNNABLE_ARCHITECTURES,
  allowsCommercialUse,
  formatSize,
  parseLibrary,
  preferredResource,
} from '../../src/shared/library.js'

const BUILT_IN = JSON.parse(
  readFileSync(new URL('../../resources/models/library.json', import.meta.url), 'utf8'),
) as unknown

describe('the built-in catalogue', () => {
  const entries = parseLibrary(BUILT_IN)
  if (typeof entries === 'string') throw new Error(entries)

  it('has only models Enhance runs, each with a file the safe loader reads and a plain description', () => {
    expect(Object.keys(entries).length).toBe(13)
    for (const [id, entry] of Object.entries(entries)) {
      expect(RUNNABLE_ARCHITECTURES[entry.architecture], id).toBeDefined()
      expect(preferredResource(entry), id).not.toBeNull()
      expect(entry.description?.length, id).toBeGreaterThan(20)
      expect(allowsCommercialUse(entry.license), id).toBe(true)
    }
    // Every entry is its own file: no two ids pin the same bytes.
    expect(new Set(Object.values(entries).map((e) => preferredResource(e)!.sha256)).size).toBe(13)
  })

  it("offers Real-ESRGAN's official pair, weak denoise at 0 and x4v3 at 1, as denoise strength", () => {
    expect(entries['4x-realesr-general-wdn-x4v3']?.partner).toMatchObject({
      id: '4x-realesr-general-x4v3',
      slider: 'Denoise strength',
    })
    const partners = Object.values(entries).flatMap((e) => (e.partner ? [e.partner.id] : []))
    for (const id of partners) expect(entries[id]).toBeDefined()
  })

  it('leaves out RealESRNet_x4plus, whose SHA-256 has no trusted source', () => {
    expect(Object.values(entries).some((e) => /RealESRNet/i.test(e.name))).toBe(false)
  })

  it('prefers .safetensors (no code at all) over .pth over .onnx', () => {
    expect(preferredResource(entries['4x-NomosWebPhoto-esrgan']!)?.type).toBe('safetensors')
    expect(preferredResource(entries['4x-BSRGAN']!)?.type).toBe('pth')
  })
})

describe('catalogue files from elsewhere', () => {
  const entry = {
    name: 'x',
    architecture: 'compact',
    scale: 4,
    resources: [{ type: 'pth', size: 10, sha256: 'a'.repeat(64), urls: ['https://example.com/x.pth'] }],
  }

  it('reads a bare id → entry map and a `models` wrapper alike', () => {
    expect(parseLibrary({ one: entry })).toEqual({ one: entry })
    expect(parseLibrary({ source: 'mirror', models: { one: entry } })).toEqual({ one: entry })
  })

  it('names the first problem: a bad hash, an id with a path in it, no resources', () => {
    expect(
      parseLibrary({ one: { ...entry, resources: [{ ...entry.resources[0], sha256: 'xyz' }] } }),
    ).toMatch(/^one\.resources\.0\.sha256: /)
    expect(parseLibrary({ '../evil': entry })).toMatch(/^\.\.\/evil: Invalid key/)
    expect(parseLibrary({ one: { ...entry, resources: [] } })).toMatch(/^one\.resources: /)
  })
})

describe('words for people', () => {
  it('flags licences that do not allow commercial use', () => {
    expect(allowsCommercialUse('CC-BY-NC-SA-4.0')).toBe(false)
    expect(allowsCommercialUse(undefined)).toBe(false)
    expect(allowsCommercialUse('Apache-2.0')).toBe(true)
  })

  it('writes sizes in kB and MB', () => {
    expect(formatSize(4_885_111)).toBe('4.9 MB')
    expect(formatSize(5_512)).toBe('6 kB')
  })
})
