import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { cropRaster } from '../../src/engine/image/crop.js'
import type { RasterImage } from '../../src/engine/image/types.js'
import { cutTurned } from '../../src/engine/scan/cut-turned.js'
import { findPrints } from '../../src/engine/scan/find-prints.js'
import { splitScan } from '../../src/engine/scan/split-scan.js'
import { printPaths } from '../../src/engine/scan/write-prints.js'
import { convexHull, minAreaRect } from '../../src/engine/scan/turned-rect.js'
import type { Point, TurnedRect } from '../../src/engine/scan/turned-rect.js'
import { placeOf, printPicture, scanOf } from '../helpers/scans.js'
import { seeded } from '../helpers/seeded.js'
import type { LaidPrint } from '../helpers/scans.js'

const degrees = (d: number): number => (d * Math.PI) / 180

function cornersOf({ cx, cy, width, height, angle }: TurnedRect): Point[] {
  const ex = Math.cos(angle)
  const ey = Math.sin(angle)
  return [
    [-1, -1],
    [1, -1],
    [1, 1],
    [-1, 1],
  ].map(([su, sv]) => {
    const u = (su! * width) / 2
    const v = (sv! * height) / 2
    return { x: cx + u * ex - v * ey, y: cy + u * ey + v * ex }
  })
}

function expectRect(found: TurnedRect, expected: TurnedRect, place: number, turn: number): void {
  expect(Math.abs(found.cx - expected.cx)).toBeLessThanOrEqual(place)
  expect(Math.abs(found.cy - expected.cy)).toBeLessThanOrEqual(place)
  expect(Math.abs(found.width - expected.width)).toBeLessThanOrEqual(2 * place)
  expect(Math.abs(found.height - expected.height)).toBeLessThanOrEqual(2 * place)
  expect(Math.abs(found.angle - expected.angle)).toBeLessThanOrEqual(turn)
}

/** The prints found on a scan of `laid`: as many, each where it lies to within `place` px and `turn`. */
function expectFound(scan: RasterImage, laid: LaidPrint[], place = 2, turn = degrees(0.5)): void {
  const { prints } = findPrints(rgb(scan))
  expect(prints).toHaveLength(laid.length)
  prints.forEach((found, n) => expectRect(found, placeOf(laid[n]!), place, turn))
}

const rgb = (image: RasterImage) => ({
  width: image.width,
  height: image.height,
  pixels: image.pixels as Uint8Array,
})

describe('the rectangle around a print', () => {
  it('keeps only the corners of a hull, counter-clockwise', () => {
    const random = seeded(3)
    const inside = Array.from({ length: 200 }, () => ({ x: 1 + 8 * random(), y: 1 + 8 * random() }))
    const square = [
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 10 },
      { x: 0, y: 10 },
      { x: 5, y: 0 }, // on an edge: not a corner
    ]
    expect(convexHull([...inside, ...square])).toEqual([
      { x: 0, y: 0 },
      { x: 10, y: 0 },
      { x: 10, y: 10 },
      { x: 0, y: 10 },
    ])
  })

  it('finds a turned rectangle from its corners and points inside it', () => {
    const truth = { cx: 400.5, cy: 300.25, width: 320, height: 210, angle: degrees(7.5) }
    const random = seeded(5)
    const inside = Array.from(
      { length: 500 },
      () => cornersOf({ ...truth, width: truth.width * random(), height: truth.height * random() })[0]!,
    )
    expectRect(minAreaRect([...cornersOf(truth), ...inside]), truth, 1e-9, 1e-12)
  })

  it('says a turn past 45° as the least turn, its sides swapped', () => {
    const turned = { cx: 50, cy: 60, width: 40, height: 20, angle: degrees(60) }
    const found = minAreaRect(cornersOf(turned))
    expectRect(found, { cx: 50, cy: 60, width: 20, height: 40, angle: degrees(-30) }, 1e-9, 1e-12)
  })
})

describe('cutting a print out', () => {
  const picture = printPicture(40, 30, 11)

  it('copies whole pixels exactly where the print is straight', () => {
    const cut = cutTurned(picture, { cx: 20, cy: 16, width: 20, height: 10, angle: 0 })
    const copied = cropRaster(picture, { x: 10, y: 11, width: 20, height: 10 }, 0).image
    expect(cut).toEqual(copied)
  })

  it('turns a print a quarter turn as exactly as the pixels allow', () => {
    const cut = cutTurned(picture, { cx: 20, cy: 15, width: 30, height: 40, angle: degrees(90) })
    expect([cut.width, cut.height]).toEqual([30, 40])
    // Along its width the cut runs down the picture; along its height, from the picture's right to its left.
    for (const [u, v] of [
      [0, 0],
      [29, 0],
      [0, 39],
      [13, 22],
    ]) {
      const at = (v! * 30 + u!) * 3
      const from = (u! * 40 + (39 - v!)) * 3
      expect([...cut.pixels.subarray(at, at + 3)]).toEqual([...picture.pixels.subarray(from, from + 3)])
    }
  })

  it('keeps 16 bits and transparency', () => {
    const deep: RasterImage = {
      width: 4,
      height: 4,
      channels: 4,
      depth: 16,
      pixels: new Uint16Array(64).fill(60000),
    }
    const cut = cutTurned(deep, { cx: 2, cy: 2, width: 2, height: 2, angle: degrees(10) })
    expect(cut.depth).toBe(16)
    expect(cut.channels).toBe(4)
    expect([...cut.pixels]).toEqual(new Array(16).fill(60000))
  })
})

describe('finding the prints on a scan', () => {
  const laid: LaidPrint[] = [
    { picture: printPicture(300, 200, 1), cx: 200, cy: 150, angle: degrees(3) },
    { picture: printPicture(260, 190, 2, 20), cx: 560, cy: 170, angle: degrees(-8), edgeShadow: 236 },
    { picture: printPicture(220, 300, 3), cx: 180, cy: 520, angle: 0 },
    { picture: printPicture(250, 180, 4), cx: 540, cy: 540, angle: degrees(14) },
  ]

  it('finds each print, a white-bordered one by its faint edge, in reading order, to within 2 px and 0.5°', () => {
    // The found outline is the print less its edge, which the edge filter blurs.
    expectFound(scanOf(760, 720, laid), laid)
  })

  it('finds prints on a black backing and under a lid left open, and none on empty glass', () => {
    expectFound(scanOf(760, 720, laid.slice(0, 2), [14, 14, 16]), laid.slice(0, 2))
    // The lid left open: a dark surround, lit by the room 60 levels more at one side than the other.
    expectFound(scanOf(760, 720, laid.slice(0, 2), [16, 16, 18], -60), laid.slice(0, 2))
    expect(findPrints(rgb(scanOf(400, 300, [])))).toEqual({ glassSeen: true, prints: [] })
  })

  it("follows a lid's even shading, and finds prints laid against the glass's edges", () => {
    // 30 levels darker at one side than the other: a flat glass colour would take the dark side for a print.
    expectFound(scanOf(760, 720, laid, [246, 245, 242], 30), laid)
    // Two prints in the glass's top corners, one against its left side: a third of its border is print.
    const cornered: LaidPrint[] = [
      { picture: printPicture(300, 200, 5), cx: 150, cy: 100, angle: 0 },
      { picture: printPicture(300, 200, 6), cx: 610, cy: 100, angle: 0 },
      { picture: printPicture(200, 300, 7), cx: 100, cy: 450, angle: 0 },
    ]
    // Against the glass's edge, nothing lies beyond a print to widen its outline: it is found up to 3 px smaller.
    expectFound(scanOf(760, 720, cornered), cornered, 3, 0)
  })

  it('sees no glass around a photo, and leaves out dust and a hair joining two prints', () => {
    const photo = printPicture(500, 400, 9)
    expect(findPrints(rgb(photo))).toEqual({ glassSeen: false, prints: [] })
    const scan = scanOf(760, 720, laid.slice(0, 1).concat(laid.slice(2, 3)))
    const dusty = rgb(scan)
    for (const [x, y] of [
      [600, 300],
      [640, 650],
    ])
      for (let d = 0; d < 9; d++)
        dusty.pixels.fill(
          40,
          ((y! + (d % 3)) * 760 + x! + Math.floor(d / 3)) * 3,
          ((y! + (d % 3)) * 760 + x! + Math.floor(d / 3)) * 3 + 3,
        )
    for (let y = 240; y < 380; y++) dusty.pixels.fill(60, (y * 760 + 190) * 3, (y * 760 + 190) * 3 + 3) // a hair, 1 px wide
    const { prints } = findPrints(dusty)
    expect(prints).toHaveLength(2)
    expectRect(prints[0]!, placeOf(laid[0]!), 2, degrees(0.5))
    expectRect(prints[1]!, placeOf(laid[2]!), 2, degrees(0.5))
  })
})

describe('prints laid touching', () => {
  it('tells apart two turned prints that touch, each to within 2 px and 0.5°', () => {
    const touching: LaidPrint[] = [
      { picture: printPicture(300, 200, 11), cx: 220, cy: 220, angle: degrees(4) },
      // Its left corners lie on the first print's right side.
      { picture: printPicture(260, 190, 12), cx: 496, cy: 236, angle: degrees(-6) },
      { picture: printPicture(240, 180, 13), cx: 380, cy: 520, angle: degrees(2) },
    ]
    expectFound(scanOf(760, 720, touching), touching)
  })

  it('tells apart a row of three laid straight, each side against the next, at different heights', () => {
    const row: LaidPrint[] = [
      { picture: printPicture(200, 260, 14), cx: 150, cy: 300, angle: 0 },
      { picture: printPicture(200, 200, 15), cx: 350, cy: 250, angle: 0 },
      { picture: printPicture(200, 240, 16), cx: 550, cy: 330, angle: 0 },
    ]
    expectFound(scanOf(760, 600, row), row)
  })

  it('keeps a print with rounded corners whole', () => {
    const rounded = printPicture(300, 220, 17)
    const glass = [246, 245, 242]
    for (let y = 0; y < 220; y++)
      for (let x = 0; x < 300; x++) {
        const dx = Math.max(0, Math.abs(x - 149.5) - 125)
        const dy = Math.max(0, Math.abs(y - 109.5) - 85)
        if (Math.hypot(dx, dy) > 25) rounded.pixels.set(glass, (y * 300 + x) * 3)
      }
    const { prints } = findPrints(
      rgb(scanOf(600, 500, [{ picture: rounded, cx: 300, cy: 250, angle: degrees(5) }])),
    )
    expect(prints).toHaveLength(1)
    expectRect(
      prints[0]!,
      placeOf({ picture: rounded, cx: 300, cy: 250, angle: degrees(5) }),
      2,
      degrees(0.5),
    )
  })
})

describe('naming the prints', () => {
  it('numbers them after the scan, cutting a name too long for a file system but never the number', () => {
    expect(printPaths('/album/Prints/page 1.png', 2)).toEqual([
      '/album/Prints/page 1-1.png',
      '/album/Prints/page 1-2.png',
    ])
    const [long] = printPaths(`/album/Prints/${'é'.repeat(200)}.tif`, 12).slice(11)
    const name = long!.split('/').at(-1)!
    expect(name.endsWith('-12.tif')).toBe(true)
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255)
  })
})

describe('splitting a scan file', () => {
  it('cuts each print from the scan: a straight one pixel for pixel, a turned one within the resampling', async () => {
    const straight = printPicture(600, 400, 21)
    const turned = printPicture(500, 700, 22)
    const laid: LaidPrint[] = [
      { picture: straight, cx: 400, cy: 300, angle: 0 },
      { picture: turned, cx: 1200, cy: 900, angle: degrees(6) },
    ]
    const scan = scanOf(1800, 1400, laid)
    const path = join(mkdtempSync(join(tmpdir(), 'enhance-scan-')), 'album page.png')
    writeFileSync(
      path,
      await sharp(scan.pixels, { raw: { width: 1800, height: 1400, channels: 3 } })
        .png()
        .toBuffer(),
    )
    const { prints, glassSeen } = await splitScan(path)
    expect(glassSeen).toBe(true)
    expect(prints).toHaveLength(2)
    const [first, second] = prints
    // Inset by its edge: 0.4% of its shorter side, at least 2 px. Whole pixels of the picture, unchanged.
    const left = first!.rect.cx - first!.image.width / 2 - 100
    const top = first!.rect.cy - first!.image.height / 2 - 100
    expect(Number.isInteger(left) && Number.isInteger(top)).toBe(true)
    expect(first!.image.width).toBeGreaterThanOrEqual(590)
    expect(first!.image).toEqual(
      cropRaster(straight, { x: left, y: top, width: first!.image.width, height: first!.image.height }, 0)
        .image,
    )
    // The turned print, straightened, against its own picture where the two overlap (its middle).
    expect(Math.abs(second!.rect.angle - degrees(6))).toBeLessThan(degrees(0.3))
    const { image } = second!
    let error = 0
    let count = 0
    for (let v = 60; v < image.height - 60; v += 7) {
      for (let u = 60; u < image.width - 60; u += 7) {
        const pu = Math.round(u + (turned.width - image.width) / 2 + second!.rect.cx - 1200)
        const pv = Math.round(v + (turned.height - image.height) / 2 + second!.rect.cy - 900)
        for (let c = 0; c < 3; c++) {
          error += Math.abs(
            image.pixels[(v * image.width + u) * 3 + c]! - turned.pixels[(pv * turned.width + pu) * 3 + c]!,
          )
          count++
        }
      }
    }
    // The picture's own noise (±10 levels per pixel) counts against a place off by a pixel: 12 levels on average.
    expect(error / count).toBeLessThan(8)
  })
})
