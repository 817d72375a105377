import { describe, expect, it } from 'vitest'
import { largestSpeck, removeDust } from '../../src/engine/image/dust.js'
import { SCAN_DPI, dusted, speckError } from '../helpers/dust.js'
import { changedShare, PRINT_PHOTOS, mean, median, printScans, rasterPsnr } from '../helpers/eval-photos.js'

/** Specks laid on each: about one per 23 000 pixels, several times an ordinary dusty scan's. */
const SPECKS = 60
/** A speck that differs from the photo by less than this (mean over its disc) is not counted: it hardly shows. */
const VISIBLE = 15

describe('removing dust, on the evaluation photos as grainy scans with specks laid on them (seeded)', () => {
  it('fills most visible specks; what it does to a scan without dust is measured and said', async () => {
    const removed: number[] = []
    const dustyPsnr: number[] = []
    const cleanedPsnr: number[] = []
    const falseSpecks: number[] = []
    const cleanChanged: number[] = []
    const cleanPsnr: number[] = []
    let visible = 0
    let filled = 0
    for await (const { index, scan: clean } of printScans()) {
      const dusty = dusted(clean, SPECKS, largestSpeck(clean, SCAN_DPI), index + 1)
      const cleaned = (await removeDust(dusty.image, SCAN_DPI)).image
      const shown = dusty.specks.filter((speck) => speckError(dusty.image, clean, speck) >= VISIBLE)
      const gone = shown.filter(
        (speck) => speckError(cleaned, clean, speck) < speckError(dusty.image, clean, speck) / 4,
      )
      visible += shown.length
      filled += gone.length
      removed.push(gone.length / shown.length)
      dustyPsnr.push(rasterPsnr(dusty.image, clean))
      cleanedPsnr.push(rasterPsnr(cleaned, clean))
      const untouched = await removeDust(clean, SCAN_DPI)
      falseSpecks.push(untouched.specks)
      cleanChanged.push(changedShare(untouched.image, clean))
      cleanPsnr.push(rasterPsnr(untouched.image, clean))
    }
    const figures = {
      photos: PRINT_PHOTOS.length,
      visibleSpecks: visible,
      filledShare: filled / visible,
      filledPerPhotoMedian: median(removed),
      filledPerPhotoWorst: Math.min(...removed),
      dustyPsnrMean: mean(dustyPsnr),
      cleanedPsnrMean: mean(cleanedPsnr),
      cleanedBetterShare: cleanedPsnr.filter((p, i) => p > dustyPsnr[i]!).length / PRINT_PHOTOS.length,
      undustedSpecksMedian: median(falseSpecks),
      undustedSpecksWorst: Math.max(...falseSpecks),
      undustedChangedMean: mean(cleanChanged),
      undustedChangedWorst: Math.max(...cleanChanged),
      undustedPsnrMedian: median(cleanPsnr.map((p) => Math.min(p, 99))),
    }
    console.log(JSON.stringify(figures, null, 1))
    expect(figures.photos).toBe(114)
    expect(figures.filledShare).toBeGreaterThan(0.55)
    expect(figures.cleanedPsnrMean).toBeGreaterThan(figures.dustyPsnrMean + 3)
    expect(figures.cleanedBetterShare).toBeGreaterThan(0.85)
    // On a scan without dust it changes a few of the photo's own small points, and nothing else.
    expect(figures.undustedChangedMean).toBeLessThan(0.005)
  }, 1_200_000)
})
