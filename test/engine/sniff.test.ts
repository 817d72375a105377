import { describe, expect, it } from 'vitest'
import { sniffFormat } from '../../src/engine/image/sniff.js'

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)))

describe('sniffFormat', () => {
  it.each([
    ['jpeg', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['png', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a])],
    ['gif', bytes('GIF89a')],
    ['webp', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')],
    ['tiff', bytes('II', [0x2a, 0])],
    ['tiff', bytes('MM', [0, 0x2a])],
    ['heif', bytes([0, 0, 0, 0x18], 'ftypheic')],
    ['heif', bytes([0, 0, 0, 0x1c], 'ftypavif')],
    ['bmp', bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0])],
    ['bmp', bytes('BM', [0, 0, 0, 0, 0, 0, 0, 0, 26, 0, 0, 0, 12, 0, 0, 0])],
    [null, bytes('BM is short for a text that begins so')],
    [null, bytes('<svg xmlns="http://www.w3.org/2000/svg">')],
    [null, bytes('%PDF-1.7')],
    [null, bytes([0, 0, 0, 0x18], 'ftypmp42')],
    [null, bytes('')],
  ] as const)('%s', (format, head) => {
    expect(sniffFormat(head)).toBe(format)
  })
})
