import { describe, expect, it } from 'vitest'
import { largestSpeck } from '../../src/engine/image/dust.js'
import { removeScratches } from '../../src/engine/image/scratches.js'
import { SCAN_DPI } from '../helpers/dust.js'
import { changedShare, PRINT_PHOTOS, mean, median, printScans, rasterPsnr } from '../helpers/eval-photos.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { scratchError, scratched } from '../helpers/scratches.js'
import type { LaidScratch } from '../helpers/scratches.js'

/** Lines laid on each: a badly scratched print's. */
const SCRATCHES = 12
/** A line that differs from the photo by less than this (mean over the pixels it covers) is not counted. */
const VISIBLE = 15
/** Curled hairs: their direction swings by up to this much (radians), to and fro. */
const CURL = 1.5

/** Of `laid` lines, those visible, and how many of them `cleaned` filled (to a quarter) and halved. */
function tally(
  laid: { image: RasterImage; scratches: LaidScratch[] },
  cleaned: RasterImage,
  clean: RasterImage,
) {
  const errors = laid.scratches
    .map(
      (scratch) => [scratchError(laid.image, clean, scratch), scratchError(cleaned, clean, scratch)] as const,
    )
    .filter(([before]) => before >= VISIBLE)
  return {
    visible: errors.length,
    filled: errors.filter(([before, after]) => after < before / 4).length,
    halved: errors.filter(([before, after]) => after < before / 2).length,
  }
}

/** 1 mm to 7.5 mm long, up to a quarter of a millimetre wide. */
const lengths = (side: number) => ({ widest: side / 2, shortest: 2 * side, longest: 15 * side })

describe('removing scratches, on the evaluation photos as grainy scans with lines laid on them (seeded)', () => {
  it('fills most visible scratches where their surround allows; what it does to a scan without them is said', async () => {
    const filledShares: number[] = []
    const scratchedPsnr: number[] = []
    const cleanedPsnr: number[] = []
    const falseLines: number[] = []
    const cleanChanged: number[] = []
    const cleanPsnr: number[] = []
    let visible = 0
    let filled = 0
    let halved = 0
    const curled = { visible: 0, filled: 0, halved: 0, before: [] as number[], after: [] as number[] }
    for await (const { index, scan: clean } of printScans()) {
      const side = largestSpeck(clean, SCAN_DPI)
      const laid = scratched(clean, SCRATCHES, lengths(side), index + 1)
      const cleaned = (await removeScratches(laid.image, SCAN_DPI)).image
      const counts = tally(laid, cleaned, clean)
      visible += counts.visible
      filled += counts.filled
      halved += counts.halved
      if (counts.visible > 0) filledShares.push(counts.filled / counts.visible)
      // The same photo with curled hairs on it instead.
      const hairs = scratched(clean, SCRATCHES, { ...lengths(side), curl: CURL }, index + 1)
      const hairsCleaned = (await removeScratches(hairs.image, SCAN_DPI)).image
      const hairCounts = tally(hairs, hairsCleaned, clean)
      curled.visible += hairCounts.visible
      curled.filled += hairCounts.filled
      curled.halved += hairCounts.halved
      curled.before.push(rasterPsnr(hairs.image, clean))
      curled.after.push(rasterPsnr(hairsCleaned, clean))
      scratchedPsnr.push(rasterPsnr(laid.image, clean))
      cleanedPsnr.push(rasterPsnr(cleaned, clean))
      const untouched = await removeScratches(clean, SCAN_DPI)
      falseLines.push(untouched.scratches)
      cleanChanged.push(changedShare(untouched.image, clean))
      cleanPsnr.push(rasterPsnr(untouched.image, clean))
    }
    const figures = {
      photos: PRINT_PHOTOS.length,
      visibleScratches: visible,
      filledShare: filled / visible,
      halvedShare: halved / visible,
      filledPerPhotoMedian: median(filledShares),
      scratchedPsnrMean: mean(scratchedPsnr),
      cleanedPsnrMean: mean(cleanedPsnr),
      cleanedBetterShare: cleanedPsnr.filter((p, i) => p > scratchedPsnr[i]!).length / PRINT_PHOTOS.length,
      unscratchedLinesMedian: median(falseLines),
      unscratchedLinesWorst: Math.max(...falseLines),
      unscratchedChangedMean: mean(cleanChanged),
      unscratchedChangedWorst: Math.max(...cleanChanged),
      unscratchedPsnrMedian: median(cleanPsnr.map((p) => Math.min(p, 99))),
      curledHairs: {
        visible: curled.visible,
        filledShare: curled.filled / curled.visible,
        halvedShare: curled.halved / curled.visible,
        hairedPsnrMean: mean(curled.before),
        cleanedPsnrMean: mean(curled.after),
      },
    }
    console.log(JSON.stringify(figures, null, 1))
    expect(figures.photos).toBe(114)
    expect(figures.filledShare).toBeGreaterThan(0.58)
    expect(figures.halvedShare).toBeGreaterThan(0.66)
    expect(figures.cleanedPsnrMean).toBeGreaterThan(figures.scratchedPsnrMean + 6)
    expect(figures.cleanedBetterShare).toBeGreaterThan(0.9)
    // On a scan without scratches it fills a few of the photo's own thin lines, and nothing else.
    expect(figures.unscratchedChangedMean).toBeLessThan(0.0015)
    expect(figures.unscratchedChangedWorst).toBeLessThan(0.01)
    // Curled hairs are cut into pieces along their curve and followed.
    expect(figures.curledHairs.filledShare).toBeGreaterThan(0.52)
    expect(figures.curledHairs.halvedShare).toBeGreaterThan(0.59)
    expect(figures.curledHairs.cleanedPsnrMean).toBeGreaterThan(figures.curledHairs.hairedPsnrMean + 5.4)
  }, 1_200_000)
})
