import { describe, expect, it } from 'vitest'
import { parseSize } from '../../src/cli/args.js'
import {
  aPrintOf,
  beyondModelNote,
  parsePrintSize,
  printSizeKey,
  printSizeText,
  PRINT_SIZES,
} from '../../src/shared/print-size.js'
import { sizeSchema } from '../../src/shared/settings-schema.js'
import { borderedCanvas, filledPart, outputDensity, outputSize } from '../../src/shared/settings.js'

describe('print sizes', () => {
  it('fits a photo within the print turned to its orientation, never cropped, at the dpi', () => {
    const print = { mode: 'print', width: 8, height: 10, dpi: 300 } as const
    // A 3:2 landscape photo: its long side fills the print's 10 in, its short side within 8 in.
    expect(outputSize(print, 600, 400, 4)).toEqual({ width: 3000, height: 2000 })
    // The same photo upright: the print is turned with it.
    expect(outputSize(print, 400, 600, 4)).toEqual({ width: 2000, height: 3000 })
    // A square photo fills the print's short side; a panorama its long one.
    expect(outputSize(print, 500, 500, 4)).toEqual({ width: 2400, height: 2400 })
    expect(outputSize(print, 1200, 300, 4)).toEqual({ width: 3000, height: 750 })
    // The print's sides given the other way round are the same print.
    expect(outputSize({ ...print, width: 10, height: 8 }, 400, 600, 4)).toEqual({ width: 2000, height: 3000 })
    expect([outputDensity(print), outputDensity({ mode: 'fit', width: 10, height: 10 })]).toEqual([
      300,
      undefined,
    ])
  })

  it('fills the whole print where asked, from the photo’s centre cut to the print’s shape', () => {
    const print = { mode: 'print', width: 8, height: 10, dpi: 300, fill: true } as const
    expect(outputSize(print, 600, 400, 4)).toEqual({ width: 3000, height: 2400 })
    expect(outputSize(print, 400, 600, 4)).toEqual({ width: 2400, height: 3000 })
    // 600 × 400 cut to 5:4 keeps its middle 500 × 400; upright, its middle 400 × 500; a square its middle 400 × 320.
    expect(filledPart(print, 600, 400)).toEqual({ x: 50, y: 0, width: 500, height: 400 })
    expect(filledPart(print, 400, 600)).toEqual({ x: 0, y: 50, width: 400, height: 500 })
    expect(filledPart(print, 400, 400)).toEqual({ x: 0, y: 40, width: 400, height: 320 })
    expect(filledPart({ ...print, fill: false }, 600, 400)).toBeNull()
    expect(filledPart({ mode: 'native' }, 600, 400)).toBeNull()
  })

  it('makes the file the print with a border: the whole photo fitted, the canvas the print turned to it', () => {
    const print = { mode: 'print', width: 8, height: 10, dpi: 300, border: true } as const
    expect(outputSize(print, 600, 400, 4)).toEqual({ width: 3000, height: 2000 })
    expect(borderedCanvas(print, 3000, 2000)).toEqual({ width: 3000, height: 2400 })
    expect(borderedCanvas(print, 2000, 3000)).toEqual({ width: 2400, height: 3000 })
    expect(borderedCanvas({ ...print, border: false }, 3000, 2000)).toBeNull()
    expect(borderedCanvas({ mode: 'fit', width: 10, height: 10 }, 3000, 2000)).toBeNull()
    expect(filledPart(print, 600, 400)).toBeNull()
  })

  it('reads a size by name, in inches or in centimetres, and refuses anything else', () => {
    expect(parsePrintSize('8x10')).toEqual({ width: 8, height: 10 })
    expect(parsePrintSize(' 8 × 10 in ')).toEqual({ width: 8, height: 10 })
    expect(parsePrintSize('10x15cm')).toEqual({ width: 10 / 2.54, height: 15 / 2.54 })
    expect(parsePrintSize('A4')).toEqual({ width: 210 / 25.4, height: 297 / 25.4 })
    for (const bad of ['8x', 'x10', '8x10mm', '0x10', '8x201', 'poster', '-8x10', '8,10'])
      expect(parsePrintSize(bad), bad).toBeNull()
    expect(PRINT_SIZES.map((size) => printSizeKey(size.width, size.height))).toEqual(
      PRINT_SIZES.map((s) => s.key),
    )
    expect(printSizeKey(8, 11)).toBeUndefined()
  })

  it('writes a size as it is typed and says it as it is read: by name, in whole centimetres, else in inches', () => {
    const sizes = ['8x10', 'a4', 'letter', '20x30cm', '9x13cm', '8.5x14', '3.5x5'].map((text) =>
      parsePrintSize(text)!,
    )
    expect(sizes.map(({ width, height }) => printSizeText(width, height))).toEqual([
      '8x10',
      'a4',
      'letter',
      '20x30cm',
      '9x13cm',
      '8.5x14in',
      '3.5x5in',
    ])
    // What is written reads back as the same size.
    for (const { width, height } of sizes) {
      const again = parsePrintSize(printSizeText(width, height))!
      expect(again.width).toBeCloseTo(width, 2)
      expect(again.height).toBeCloseTo(height, 2)
    }
    expect(sizes.map(({ width, height }) => aPrintOf(width, height))).toEqual([
      'an 8 × 10 in',
      'an A4',
      'a US Letter',
      'a 20 × 30 cm',
      'a 9 × 13 cm',
      'an 8.5 × 14 in',
      'a 3.5 × 5 in',
    ])
  })

  it('says where a print needed more pixels than the model made, and what the model’s fill', () => {
    const print = { width: 8, height: 10, dpi: 300 }
    const model = { width: 2560, height: 1920 } // a 640 × 480 phone photo at ×4
    expect(beyondModelNote(print, model, { width: 3000, height: 2250 })).toBe(
      "Enlarged past the model's own 2560 × 1920 px to 3000 × 2250 px for an 8 × 10 in print at 300 dpi: the " +
        "rest is a smooth enlargement, softer up close. The model's pixels fill 8.53 × 6.4 in at 300 dpi.",
    )
    // Within 5% of the model's pixels, or fewer (a large scan made smaller), nothing to say.
    expect(beyondModelNote(print, model, { width: 2688, height: 2016 })).toBeNull()
    expect(beyondModelNote(print, { width: 16000, height: 12000 }, { width: 3000, height: 2250 })).toBeNull()
  })

  it('is a size the settings accept from disk or the window, within its bounds', () => {
    const print = { mode: 'print', width: 8, height: 10, dpi: 300 }
    expect(sizeSchema.safeParse(print).success).toBe(true)
    for (const bad of [
      { ...print, dpi: 49 },
      { ...print, dpi: 2401 },
      { ...print, dpi: 300.5 },
      { ...print, width: 0 },
      { ...print, height: 201 },
      { mode: 'print', width: 8, height: 10 },
      { ...print, fill: 'yes' },
      { ...print, fill: true, border: true },
    ])
      expect(sizeSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false)
  })

  it('is asked on the command line with --print and --dpi (300 unless said)', () => {
    expect(parseSize({ print: '8x10' })).toEqual({ mode: 'print', width: 8, height: 10, dpi: 300 })
    expect(parseSize({ print: 'a4', dpi: '240' })).toMatchObject({ mode: 'print', dpi: 240 })
    expect(parseSize({ print: '8x10', fill: true })).toEqual({
      mode: 'print',
      width: 8,
      height: 10,
      dpi: 300,
      fill: true,
    })
    const refused = (flags: Parameters<typeof parseSize>[0]): string => {
      try {
        parseSize(flags)
      } catch (error) {
        // Every refusal of a flag ends so.
        return (error as Error).message.replace(/ Run "enhance --help" for usage\.$/, '')
      }
      return 'accepted'
    }
    expect(refused({ dpi: '300' })).toBe(
      "--dpi goes with --print (a print's size): add --print, like --print 8x10.",
    )
    expect(refused({ fill: true })).toBe(
      "--fill goes with --print (a print's size): add --print, like --print 8x10.",
    )
    expect(refused({ border: true })).toBe(
      "--border goes with --print (a print's size): add --print, like --print 8x10.",
    )
    expect(refused({ print: '4x6', fill: true, border: true })).toBe(
      'Use --fill (the print filled, the photo cut to its shape) or --border (the whole photo on white), not both.',
    )
    expect(parseSize({ print: '4x6', border: true })).toEqual({
      mode: 'print',
      width: 4,
      height: 6,
      dpi: 300,
      border: true,
    })
    expect(refused({ print: '8x10', fit: '100x100' })).toBe(
      'Use only one of --scale, --size, --fit and --print.',
    )
    expect(refused({ print: 'poster' })).toBe(
      '--print takes a print size in inches (8x10), centimetres (10x15cm) or by name (4x6, 5x7, 8x10, letter, a4, 11x14, a3); got "poster".',
    )
    for (const dpi of ['49', '2401', '300.5', 'high'])
      expect(refused({ print: '8x10', dpi })).toBe(
        `--dpi must be a whole number from 50 to 2400 (photo prints: 300); got "${dpi}".`,
      )
  })
})
