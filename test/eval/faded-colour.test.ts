import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { restoreFadedColour } from '../../src/engine/image/faded-colour.js'
import { DEFAULT_RESTORE_STRENGTH } from '../../src/shared/settings.js'
import { PRINT_PHOTOS as photos, mean, median } from '../helpers/eval-photos.js'
import { fadeOf, faded, meanColourDifference } from '../helpers/fading.js'

describe('restoring faded colour, on the evaluation photos faded as old prints fade (seeded)', () => {
  it('brings faded photos closer to their colours at the default strength; what it does to an unfaded one is said', async () => {
    const fadedBy: number[] = []
    const restoredBy: number[] = []
    const restoredFullBy: number[] = []
    const unfadedChangedBy: number[] = []
    const unfadedFullChangedBy: number[] = []
    const fadeLeft: number[] = []
    const grey: string[] = []
    const madeGrey: string[] = []
    const strength = DEFAULT_RESTORE_STRENGTH
    for (const [index, path] of photos.entries()) {
      const { image, meta } = await decodeImage(path)
      const colourless = meta.colourless ?? false
      const old = faded(image, fadeOf(index + 1))
      fadedBy.push(meanColourDifference(image, old, 7))
      const full = restoreFadedColour(old, false) // a faded print is coloured, whatever it was
      if (colourless) grey.push(path)
      if (full.colourless) madeGrey.push(path)
      const same = restoreFadedColour(image, colourless).image
      restoredBy.push(meanColourDifference(image, restoreFadedColour(old, false, { strength }).image, 7))
      restoredFullBy.push(meanColourDifference(image, full.image, 7))
      unfadedChangedBy.push(
        meanColourDifference(image, restoreFadedColour(image, colourless, { strength }).image, 7),
      )
      unfadedFullChangedBy.push(meanColourDifference(image, same, 7))
      fadeLeft.push(meanColourDifference(same, full.image, 7))
    }
    const closer = (by: number[]): number => by.filter((r, i) => r < fadedBy[i]!).length / photos.length
    const figures = {
      photos: photos.length,
      strength,
      fadedMean: mean(fadedBy),
      fadedMedian: median(fadedBy),
      restoredMean: mean(restoredBy),
      restoredMedian: median(restoredBy),
      restoredWorst: Math.max(...restoredBy),
      closerToOriginalShare: closer(restoredBy),
      unfadedMean: mean(unfadedChangedBy),
      unfadedMedian: median(unfadedChangedBy),
      unfadedWorst: Math.max(...unfadedChangedBy),
      allTheWay: {
        restoredMean: mean(restoredFullBy),
        closerToOriginalShare: closer(restoredFullBy),
        unfadedMean: mean(unfadedFullChangedBy),
        unfadedMedian: median(unfadedFullChangedBy),
        fadeLeftMean: mean(fadeLeft),
        fadeLeftMedian: median(fadeLeft),
        fadeLessShare: closer(fadeLeft),
      },
    }
    console.log(JSON.stringify(figures, null, 1))
    expect(figures.photos).toBe(114)
    // The black-and-white photos, faded with a tint, come back grey; no colour photo is taken for one.
    expect(madeGrey).toEqual(grey)
    // At the default strength the faded photos come closer to their original colours, most of them...
    expect(figures.restoredMean).toBeLessThan(figures.fadedMean - 1.5)
    expect(figures.closerToOriginalShare).toBeGreaterThan(0.75)
    // ...and an unfaded photo changes by half what all the way does.
    expect(figures.unfadedMean).toBeLessThan(figures.allTheWay.unfadedMean * 0.55)
    // All the way, what is left of the fade (the restored faded photo against the restored original: the
    // restoration's own change to a photo, which it makes whether or not the photo faded, taken out).
    expect(figures.allTheWay.fadeLeftMean).toBeLessThan(figures.fadedMean / 2)
    expect(figures.allTheWay.fadeLessShare).toBeGreaterThan(0.9)
  })
})
