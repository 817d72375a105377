/** A JPEG segment: marker and payload, its length in front. */
function segment(marker: number, payload: number[]): Buffer {
  const length = payload.length + 2
  return Buffer.from([0xff, marker, length >> 8, length & 0xff, ...payload])
}

/** Bits packed MSB first, padded with ones and 0xFF stuffed with 0x00, as entropy-coded data is. */
function entropyBytes(bits: string): Buffer {
  const padded = bits + '1'.repeat((8 - (bits.length % 8)) % 8)
  const bytes: number[] = []
  for (let i = 0; i < padded.length; i += 8) {
    const byte = parseInt(padded.slice(i, i + 8), 2)
    bytes.push(byte)
    if (byte === 0xff) bytes.push(0x00)
  }
  return Buffer.from(bytes)
}

const ONE_CODE = [1, ...new Array<number>(15).fill(0)]

/**
 * A grey progressive JPEG of `scans` scans, flat grey, that libjpeg reads without a warning: a DC scan, then
 * `scans − 1` AC scans that are each one end-of-block run over every block (15 bits per 32,767 blocks), the
 * scans of the attack `jpeg-scans.ts` refuses.
 */
export function progressiveJpegOfScans(width: number, height: number, scans: number): Buffer {
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8)
  const runs = Math.ceil(blocks / 32_767)
  const endOfBlockRuns = entropyBytes(('0' + '1'.repeat(14)).repeat(runs))
  const parts = [
    Buffer.from([0xff, 0xd8]),
    segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    segment(0xc2, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    segment(0xc4, [0x00, ...ONE_CODE, 0x00]), // DC: one 1-bit code, difference 0
    segment(0xc4, [0x10, ...ONE_CODE, 0xe0]), // AC: one 1-bit code, EOB14
    segment(0xda, [1, 1, 0x00, 0, 0, 0]),
    entropyBytes('0'.repeat(blocks)),
  ]
  for (let scan = 1; scan < scans; scan++) parts.push(segment(0xda, [1, 1, 0x00, 1, 63, 0]), endOfBlockRuns)
  parts.push(Buffer.from([0xff, 0xd9]))
  return Buffer.concat(parts)
}

/**
 * `jpeg` with a comment segment before its first scan whose text is `count` copies of a scan header (FF DA …):
 * where a progressive frame has begun, a reader that does not skip segments whole counts them as scans.
 */
export function withScanHeadersInAComment(jpeg: Buffer, count: number): Buffer {
  let at = 2
  while (jpeg[at + 1] !== 0xda) at += 2 + jpeg.readUInt16BE(at + 2)
  const fakeScan = [0xff, 0xda, 0x00, 0x08, 1, 1, 0x00, 1, 63, 0]
  const comment = segment(0xfe, new Array<number[]>(count).fill(fakeScan).flat())
  return Buffer.concat([jpeg.subarray(0, at), comment, jpeg.subarray(at)])
}
