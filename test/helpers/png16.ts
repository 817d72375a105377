import { crc32, deflateSync } from 'node:zlib'

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const body = Buffer.concat([head.subarray(4), Buffer.from(data)])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body), 0)
  return Buffer.concat([head.subarray(0, 4), body, crc])
}

/**
 * A 16-bit RGB PNG as ImageMagick 6 writes one: gAMA, cHRM and bKGD chunks, no iCCP profile.
 * `pixels` is interleaved RGB, `width`×`height`×3 values.
 */
export function png16WithColourChunks(width: number, height: number, pixels: Uint16Array): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([16, 2, 0, 0, 0], 8) // 16 bits, truecolour, deflate, adaptive filters, no interlace
  const gama = Buffer.alloc(4)
  gama.writeUInt32BE(45455, 0)
  const chrm = Buffer.alloc(32)
  ;[31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000].forEach((v, i) => chrm.writeUInt32BE(v, i * 4))
  const raw = Buffer.alloc(height * (1 + width * 6))
  for (let y = 0; y < height; y++)
    for (let i = 0; i < width * 3; i++)
      raw.writeUInt16BE(pixels[y * width * 3 + i]!, y * (1 + width * 6) + 1 + i * 2)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('gAMA', gama),
    chunk('cHRM', chrm),
    chunk('bKGD', Uint8Array.of(255, 255, 255, 255, 255, 255)),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ])
}
