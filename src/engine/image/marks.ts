import type { DamageMark, FilledCounts, Region } from '../../shared/protocol.js'
import type { KeptPlace, PhotoPoint } from '../../shared/settings.js'
import type { FoundDamage } from './repairs.js'
import { pixelsOf } from './scratches.js'
import { keptHolding } from './small-detail.js'

/**
 * Each speck and line of `found` (in a photo `width` pixels wide) that reaches into `region`, as much of it as lies
 * there, and which of the `kept` places hold it: what the realism preview's marks are drawn and clicked from.
 */
export function marksIn(
  found: FoundDamage,
  width: number,
  kept: readonly KeptPlace[],
  region: Region,
): DamageMark[] {
  const { dust, scratches } = found
  const damage = [
    ...(dust?.specks ?? []).map((pixels) => ({ kind: 'speck' as const, pixels, side: dust!.side })),
    ...(scratches?.scratches ?? []).map((pieces) => ({
      kind: 'scratch' as const,
      pixels: pixelsOf(pieces),
      side: scratches!.side,
    })),
  ]
  return damage.flatMap(({ kind, pixels, side }) => {
    const inside = pointsIn(pixels, width, region)
    return inside.length ? [{ kind, keptBy: keptHolding(pixels, width, kept, side), pixels: inside }] : []
  })
}

/** How many of `found`'s specks and lines were left as they are, given how many were `filled`. */
export function keptCounts(found: FoundDamage, filled: FilledCounts): FilledCounts {
  const counts: FilledCounts = {}
  if (found.dust) counts.specks = found.dust.specks.length - (filled.specks ?? 0)
  if (found.scratches) counts.scratches = found.scratches.scratches.length - (filled.scratches ?? 0)
  return counts
}

function pointsIn(pixels: readonly number[], width: number, region: Region): PhotoPoint[] {
  const points: PhotoPoint[] = []
  for (const i of pixels) {
    const [x, y] = [i % width, Math.floor(i / width)]
    if (x >= region.x && x < region.x + region.width && y >= region.y && y < region.y + region.height)
      points.push({ x, y })
  }
  return points
}
