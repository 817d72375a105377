/**
 * An uncompressed 8-bit RGB TIFF with its directory before the pixels, as scanners write them: cut short,
 * it keeps its directory and loses strips. (libvips writes the directory after the pixels.) `photometric`
 * says how its three samples are to be read: 2, RGB; 8, CIELab.
 */
export function directoryFirstTiff(
  width: number,
  height: number,
  rgb: Buffer,
  rowsPerStrip: number,
  photometric = 2,
): Buffer {
  const strips = Math.ceil(height / rowsPerStrip)
  const stripBytes = (strip: number) => Math.min(rowsPerStrip, height - strip * rowsPerStrip) * width * 3
  const entries = 10
  const ifdEnd = 8 + 2 + entries * 12 + 4
  const bitsAt = ifdEnd
  const offsetsAt = bitsAt + 8
  const countsAt = offsetsAt + 4 * strips
  const pixelsAt = countsAt + 4 * strips
  const file = Buffer.alloc(pixelsAt + rgb.length)
  file.write('II', 0, 'latin1')
  file.writeUInt16LE(42, 2)
  file.writeUInt32LE(8, 4)
  file.writeUInt16LE(entries, 8)
  const SHORT = 3
  const LONG = 4
  const tags: [tag: number, type: number, count: number, value: number][] = [
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, 3, bitsAt],
    [259, SHORT, 1, 1], // no compression
    [262, SHORT, 1, photometric],
    [273, LONG, strips, strips === 1 ? pixelsAt : offsetsAt],
    [277, SHORT, 1, 3],
    [278, LONG, 1, rowsPerStrip],
    [279, LONG, strips, strips === 1 ? stripBytes(0) : countsAt],
    [284, SHORT, 1, 1], // interleaved
  ]
  tags.forEach(([tag, type, count, value], i) => {
    const at = 10 + i * 12
    file.writeUInt16LE(tag, at)
    file.writeUInt16LE(type, at + 2)
    file.writeUInt32LE(count, at + 4)
    if (type === SHORT && count === 1) file.writeUInt16LE(value, at + 8)
    else file.writeUInt32LE(value, at + 8)
  })
  for (let c = 0; c < 3; c++) file.writeUInt16LE(8, bitsAt + 2 * c)
  for (let s = 0, offset = pixelsAt; s < strips; offset += stripBytes(s), s++) {
    file.writeUInt32LE(offset, offsetsAt + 4 * s)
    file.writeUInt32LE(stripBytes(s), countsAt + 4 * s)
  }
  rgb.copy(file, pixelsAt)
  return file
}

/**
 * An uncompressed TIFF of 32-bit floating-point samples, grey (1 band) or RGB (3), as HDR and scientific
 * programs write them; libvips reads the RGB kind as scRGB, linear light from 0 to 1.
 */
export function floatTiff(width: number, height: number, bands: 1 | 3, values: Float32Array): Buffer {
  const entries = 11
  const ifdAt = 8
  const arraysAt = ifdAt + 2 + entries * 12 + 4
  const pixelsAt = arraysAt + 12
  const file = Buffer.alloc(pixelsAt + values.byteLength)
  file.write('II', 0, 'latin1')
  file.writeUInt16LE(42, 2)
  file.writeUInt32LE(ifdAt, 4)
  file.writeUInt16LE(entries, ifdAt)
  const SHORT = 3
  const LONG = 4
  // Per-band values (bits, sample format) sit in the entry for one band, in an array after the directory for three.
  const perBand = (value: number, at: number): number => {
    if (bands === 1) return value
    for (let b = 0; b < 3; b++) file.writeUInt16LE(value, at + 2 * b)
    return at
  }
  const tags: [tag: number, type: number, count: number, value: number][] = [
    [256, LONG, 1, width],
    [257, LONG, 1, height],
    [258, SHORT, bands, perBand(32, arraysAt)],
    [259, SHORT, 1, 1], // no compression
    [262, SHORT, 1, bands === 3 ? 2 : 1], // RGB, or grey with black at 0
    [273, LONG, 1, pixelsAt],
    [277, SHORT, 1, bands],
    [278, LONG, 1, height],
    [279, LONG, 1, values.byteLength],
    [284, SHORT, 1, 1], // interleaved
    [339, SHORT, bands, perBand(3, arraysAt + 6)], // IEEE floating point
  ]
  tags.forEach(([tag, type, count, value], i) => {
    const at = ifdAt + 2 + i * 12
    file.writeUInt16LE(tag, at)
    file.writeUInt16LE(type, at + 2)
    file.writeUInt32LE(count, at + 4)
    if (type === SHORT && count === 1) file.writeUInt16LE(value, at + 8)
    else file.writeUInt32LE(value, at + 8)
  })
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).copy(file, pixelsAt)
  return file
}

const [IMAGE_WIDTH, IMAGE_LENGTH, ROWS_PER_STRIP] = [0x100, 0x101, 0x116]

/**
 * A copy of a little-endian TIFF (libvips writes them so) whose first directory claims `width`×`height`, its strips
 * unchanged: a header that says more than the file holds.
 */
export function tiffClaiming(tiff: Buffer, width: number, height: number): Buffer {
  const file = Buffer.from(tiff)
  const directory = file.readUInt32LE(4)
  for (let entry = 0; entry < file.readUInt16LE(directory); entry++) {
    const at = directory + 2 + entry * 12
    const value = { [IMAGE_WIDTH]: width, [IMAGE_LENGTH]: height, [ROWS_PER_STRIP]: height }[
      file.readUInt16LE(at)
    ]
    if (value === undefined) continue
    if (file.readUInt16LE(at + 2) === 3) file.writeUInt16LE(value, at + 8)
    else file.writeUInt32LE(value, at + 8)
  }
  return file
}
