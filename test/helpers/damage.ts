import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { decodeImage } from '../../src/engine/image/decode.js'
import { EnhanceError } from '../../src/shared/errors.js'

/** How a batch of damaged copies of photos was read: 'read', or each error code, with how many times. */
export type DamageOutcomes = Map<string, number>

/**
 * Seeded damaged copies of each photo in `photos`, `trials` of each, written into `dir` and read by the engine as
 * `--read-damaged` reads: trial `t` changes 1 + t % `changes` bytes, and every `cutEvery`-th is also cut short at
 * random. A decoder that crashes or throws something uncoded fails the caller.
 */
export async function damageOutcomes(
  photos: string[],
  dir: string,
  { trials, changes, cutEvery, seed }: { trials: number; changes: number; cutEvery: number; seed: number },
): Promise<DamageOutcomes> {
  let state = seed
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
  const outcomes: DamageOutcomes = new Map()
  for (const photo of photos) {
    const bytes = readFileSync(photo)
    for (let trial = 0; trial < trials; trial++) {
      const copy = Buffer.from(bytes)
      for (let n = 0; n < 1 + (trial % changes); n++)
        copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256)
      const path = join(dir, `damaged-${trial}-${photo.split('/').pop()!}`)
      writeFileSync(
        path,
        copy.subarray(0, trial % cutEvery === 0 ? Math.floor(random() * copy.length) : copy.length),
      )
      const outcome = await decodeImage(path, { readDamaged: true, maxPixels: 4_000_000 }).then(
        () => 'read',
        (error: unknown) => {
          if (!(error instanceof EnhanceError)) throw error
          return error.code
        },
      )
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
  }
  return outcomes
}

/** The outcomes that are neither a picture nor a refusal a photo's damage may get. */
export function unexpectedOutcomes(outcomes: DamageOutcomes): string[] {
  const expected = ['read', 'CORRUPT_IMAGE', 'UNSUPPORTED_FORMAT', 'IMAGE_TOO_LARGE']
  return [...outcomes.keys()].filter((outcome) => !expected.includes(outcome))
}

/** A copy of `source` in `dir`, named `as`, with `edit` applied to its bytes. */
export function editedCopy(source: string, dir: string, as: string, edit: (bytes: Buffer) => Buffer): string {
  const path = join(dir, as)
  writeFileSync(path, edit(readFileSync(source)))
  return path
}
