import * as z from 'zod'

/**
 * The catalogue of downloadable models. An entry has OpenModelDB's shape (name, author, license,
 * architecture, scale, channels, tags, resources), so a community or studio catalogue reads as it is;
 * ours adds a one-line description in plain words and, for interpolable pairs, the slider's partner.
 */
const resourceSchema = z.object({
  type: z.string().regex(/^[a-z0-9]{1,16}$/),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
  urls: z.array(z.string().min(1).max(2048)).min(1),
})

const partnerSchema = z.object({
  /** The model at the slider's other end (α = 1 when this entry is α = 0). */
  id: z.string(),
  /** What the slider does, in a few words ("Denoise strength"). */
  slider: z.string().max(200),
  /** What each end means, in a sentence. */
  meaning: z.string().max(500).optional(),
})

export const libraryEntrySchema = z.object({
  name: z.string().min(1).max(200),
  author: z.union([z.string(), z.array(z.string())]).optional(),
  license: z.string().max(100).nullable().optional(),
  architecture: z.string().max(100),
  scale: z.number().int().min(1).max(16),
  inputChannels: z.number().int().optional(),
  outputChannels: z.number().int().optional(),
  tags: z.array(z.string()).optional(),
  description: z.string().optional(),
  resources: z.array(resourceSchema).min(1),
  partner: partnerSchema.optional(),
})

export type LibraryEntry = z.infer<typeof libraryEntrySchema>
export type LibraryResource = z.infer<typeof resourceSchema>

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

const entriesSchema = z.record(
  z.string().regex(ID, 'an id of letters, digits, ".", "_" and "-"'),
  libraryEntrySchema,
)

/**
 * A catalogue file's entries: `{ models: { id: entry } }` (ours, and OpenModelDB's export) or the bare
 * id → entry map. Returns the problem in words instead when the file does not fit.
 */
export function parseLibrary(json: unknown): Record<string, LibraryEntry> | string {
  const models = (json as { models?: unknown } | null)?.models
  const map = typeof models === 'object' && models !== null ? models : json
  const parsed = entriesSchema.safeParse(map)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  return `${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'not a catalogue'}`
}

/** The architectures Enhance runs, as catalogues name them. */
export const RUNNABLE_ARCHITECTURES: Record<string, 'RRDBNet' | 'compact'> = {
  esrgan: 'RRDBNet',
  'real-esrgan': 'RRDBNet',
  rrdbnet: 'RRDBNet',
  compact: 'compact',
  srvggnetcompact: 'compact',
}

/** File types the safe loader reads, best first: safetensors holds no code at all. */
const PREFERRED_TYPES = ['safetensors', 'pth', 'onnx']

export function preferredResource(entry: LibraryEntry): LibraryResource | null {
  for (const type of PREFERRED_TYPES) {
    const found = entry.resources.find((r) => r.type === type)
    if (found) return found
  }
  return null
}

/** Licences that let a studio use the outputs commercially; anything else is flagged in the app and CLI. */
const COMMERCIAL = new Set([
  'MIT',
  'BSD-3-Clause',
  'BSD-2-Clause',
  'Apache-2.0',
  'CC0-1.0',
  'CC-BY-4.0',
  'Unlicense',
  'WTFPL',
])

export function allowsCommercialUse(license: string | null | undefined): boolean {
  return license !== null && license !== undefined && COMMERCIAL.has(license)
}

export type LibraryState = 'bundled' | 'installed' | 'available'

/** One row of `enhance models list` and of the app's Models view. */
export interface LibraryItem {
  id: string
  name: string
  state: LibraryState
  architecture: string
  scale: number
  license: string | null
  commercialUse: boolean
  description: string
  tags: string[]
  /** Bytes of the file to download, or of the installed file. */
  size: number
  /** Installed or bundled: where the file is. */
  path?: string
  partner?: { id: string; slider: string; meaning?: string }
  /** Why Enhance can't run it (another architecture), when it can't. */
  unsupported?: string
  /** A bundled pair's use, in plain words, and whether new jobs use it until the user chooses. */
  useFor?: string
  isDefault?: boolean
}

/** "4.9 MB", "212 kB": a file size or a rate for people. */
export function formatSize(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(0, Math.round(bytes / 1e3))} kB`
}
