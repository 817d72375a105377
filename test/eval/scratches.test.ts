import { describe, expect, it } from 'vitest'
import { largestSpeck } from '../../src/engine/image/dust.js'
import { removeScratches } from '../../src/engine/image/scratches.js'
import { SCAN_DPI } from '../helpers/dust.js'
import { changedShare, PRINT_PHOTOS, mean, median, printScans, rasterPsnr } from '../helpers/eval-photos.js'
import { scratchError, scratched } from '../helpers/scratches.js'

/** Lines laid on each: a badly scratched print's. */
const SCRATCHES = 12
/** A line that differs from the photo by less than this (mean over the pixels it covers) is not counted. */
const VISIBLE = 15

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
    for await (const { index, scan: clean } of printScans()) {
      const side = largestSpeck(clean, SCAN_DPI)
      // 1 mm to 7.5 mm long, up to a quarter of a millimetre wide.
      const laid = scratched(
        clean,
        SCRATCHES,
        { widest: side / 2, shortest: 2 * side, longest: 15 * side },
        index + 1,
      )
      const cleaned = (await removeScratches(laid.image, SCAN_DPI)).image
      const shown = laid.scratches.filter((scratch) => scratchError(laid.image, clean, scratch) >= VISIBLE)
      const errors = shown.map((scratch) => [
        scratchError(laid.image, clean, scratch),
        scratchError(cleaned, clean, scratch),
      ])
      visible += shown.length
      filled += errors.filter(([before, after]) => after! < before! / 4).length
      halved += errors.filter(([before, after]) => after! < before! / 2).length
      if (shown.length > 0)
        filledShares.push(errors.filter(([before, after]) => after! < before! / 4).length / shown.length)
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
  }, 1_200_000)
})
