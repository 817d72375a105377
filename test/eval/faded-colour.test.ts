import { describe, expect, it } from 'vitest'
import { decodeImage } from '../../src/engine/image/decode.js'
import { restoreFadedColour } from '../../src/engine/image/faded-colour.js'
import { PRINT_PHOTOS as photos, mean, median } from '../helpers/eval-photos.js'
import { fadeOf, faded, meanColourDifference } from '../helpers/fading.js'

describe('restoring faded colour, on the evaluation photos faded as old prints fade (seeded)', () => {
  it('takes most of the fade away; what it does to an unfaded photo is measured and said', async () => {
    const fadedBy: number[] = []
    const restoredBy: number[] = []
    const unfadedChangedBy: number[] = []
    const fadeLeft: number[] = []
    const grey: string[] = []
    const madeGrey: string[] = []
    for (const [index, path] of photos.entries()) {
      const { image, meta } = await decodeImage(path)
      const colourless = meta.colourless ?? false
      const old = faded(image, fadeOf(index + 1))
      fadedBy.push(meanColourDifference(image, old, 7))
      const restored = restoreFadedColour(old, false) // a faded print is coloured, whatever it was
      const back = restored.image
      if (colourless) grey.push(path)
      if (restored.colourless) madeGrey.push(path)
      const same = restoreFadedColour(image, colourless).image
      restoredBy.push(meanColourDifference(image, back, 7))
      unfadedChangedBy.push(meanColourDifference(image, same, 7))
      fadeLeft.push(meanColourDifference(same, back, 7))
    }
    const figures = {
      photos: photos.length,
      fadedMean: mean(fadedBy),
      fadedMedian: median(fadedBy),
      restoredMean: mean(restoredBy),
      restoredMedian: median(restoredBy),
      restoredWorst: Math.max(...restoredBy),
      closerToOriginalShare: restoredBy.filter((r, i) => r < fadedBy[i]!).length / photos.length,
      fadeLeftMean: mean(fadeLeft),
      fadeLeftMedian: median(fadeLeft),
      fadeLeftWorst: Math.max(...fadeLeft),
      fadeLessShare: fadeLeft.filter((left, i) => left < fadedBy[i]!).length / photos.length,
      unfadedMean: mean(unfadedChangedBy),
      unfadedMedian: median(unfadedChangedBy),
      unfadedWorst: Math.max(...unfadedChangedBy),
    }
    console.log(JSON.stringify(figures, null, 1))
    expect(figures.photos).toBe(114)
    // The black-and-white photos, faded with a tint, come back grey; no colour photo is taken for one.
    expect(madeGrey).toEqual(grey)
    // What is left of the fade: the restored faded photo against the restored original (the restoration's own
    // change to a photo, which it makes whether or not the photo faded, taken out).
    expect(figures.fadeLeftMean).toBeLessThan(figures.fadedMean / 2)
    expect(figures.fadeLessShare).toBeGreaterThan(0.9)
  })
})
