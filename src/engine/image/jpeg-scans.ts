import { open } from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import { EnhanceError } from '../../shared/errors.js'

/**
 * The most scans a progressive JPEG may have. Encoders write about ten (libjpeg's default, Photoshop's
 * "5 scans" plus chroma) and at most a few dozen; NVIDIA's nvImageCodec caps them at 256 by default.
 */
export const MAX_PROGRESSIVE_SCANS = 256

const SOI = 0xd8
const EOI = 0xd9
const SOS = 0xda
/** SOF2, SOF6, SOF10 and SOF14: the progressive frames (Huffman and arithmetic coded). */
const PROGRESSIVE_FRAMES = new Set([0xc2, 0xc6, 0xca, 0xce])
const FRAMES = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf])
const WINDOW = 1 << 20
const isRestart = (code: number): boolean => code >= 0xd0 && code <= 0xd7
/** Markers without a length: SOI, TEM and the restart markers. */
const isStandalone = (code: number): boolean => code === SOI || code === 0x01 || isRestart(code)

/**
 * Refuses a progressive JPEG of more scans than any encoder writes. libjpeg passes over every block of
 * the photo for each scan, and a scan of nothing but end-of-block runs is a few bytes, so a 200 KB file of
 * 2,000 such scans kept the decoder busy 9 s per read of an 8000×8000 frame, and a larger one for as long
 * as the engine's deadline (the attack in Cure53's audit of libjpeg-turbo; its `-maxscans` guards against it).
 */
export async function checkJpegScans(path: string): Promise<void> {
  const scans = await progressiveScans(path, MAX_PROGRESSIVE_SCANS + 1)
  if (scans > MAX_PROGRESSIVE_SCANS)
    throw new EnhanceError(
      'CORRUPT_IMAGE',
      `${path} is a progressive JPEG of more than ${MAX_PROGRESSIVE_SCANS} scans, where photos have about ten: it is damaged or made to stall the programs that open it, and reading it could take many minutes. If it is your photo and opens elsewhere, save it again there as JPEG; Enhance has not changed it.`,
    )
}

/**
 * How many scans a progressive JPEG has, counted as libjpeg meets them and up to `atMost`; 0 for any other
 * frame (a sequential scan needs data for every block, so its cost follows the file's size).
 */
export async function progressiveScans(path: string, atMost: number): Promise<number> {
  const file = new WindowedFile(await open(path, 'r'))
  try {
    return await countScans(file, atMost)
  } finally {
    await file.close()
  }
}

async function countScans(file: WindowedFile, atMost: number): Promise<number> {
  if ((await file.byte(0)) !== 0xff || (await file.byte(1)) !== SOI) return 0
  let at = 2
  let scans = 0
  let progressive = false
  for (;;) {
    const marker = await nextMarker(file, at)
    if (!marker || marker.code === EOI) return scans
    if (isStandalone(marker.code)) {
      at = marker.end
      continue
    }
    const length = await file.uint16(marker.end)
    if (length === null) return scans
    at = marker.end + length
    if (FRAMES.has(marker.code)) {
      if (!PROGRESSIVE_FRAMES.has(marker.code)) return 0
      progressive = true
    } else if (marker.code === SOS && progressive) {
      if (++scans >= atMost) return scans
    }
  }
}

/**
 * The marker at or after `from`, skipping fill bytes, a scan's entropy-coded data (whose 0xFF bytes are
 * followed by a stuffed 0x00 or are restart markers) and stray bytes as libjpeg does; null at the end of the file.
 */
async function nextMarker(file: WindowedFile, from: number): Promise<Marker | null> {
  let at = from
  for (;;) {
    if (!(await file.load(at))) return null
    const found = file.markerFrom(at)
    if (typeof found !== 'number') return found
    // The window ended first; where it cannot move on, the file has.
    if (found === at) return null
    at = found
  }
}

interface Marker {
  code: number
  end: number
}

/** A file read through one 1 MiB window: a JPEG of any size is walked in bounded memory. */
class WindowedFile {
  private window = Buffer.alloc(0)
  private start = 0

  constructor(private readonly handle: FileHandle) {}

  async byte(at: number): Promise<number | null> {
    if (!(await this.load(at))) return null
    return this.window[at - this.start] ?? null
  }

  async uint16(at: number): Promise<number | null> {
    const high = await this.byte(at)
    const low = await this.byte(at + 1)
    return high === null || low === null ? null : (high << 8) | low
  }

  /**
   * The first marker at or after `at` whose code is in the window, found in memory (a photo's entropy data
   * holds a 0xFF every few hundred bytes); else where to look on from, the last 0xFF it could not see past.
   */
  markerFrom(at: number): Marker | number {
    const { window, start } = this
    let i = at - start
    for (;;) {
      i = window.indexOf(0xff, i)
      if (i < 0) return start + window.length
      let code = i + 1
      while (code < window.length && window[code] === 0xff) code++
      if (code >= window.length) return start + code - 1
      if (window[code] !== 0x00) return { code: window[code]!, end: start + code + 1 }
      i = code + 1
    }
  }

  /** Moves the window to `at` unless it holds `at` and the byte after; false past the end of the file. */
  async load(at: number): Promise<boolean> {
    if (at >= this.start && at + 1 < this.start + this.window.length) return true
    return this.read(at)
  }

  close(): Promise<void> {
    return this.handle.close()
  }

  private async read(at: number): Promise<boolean> {
    const buffer = Buffer.alloc(WINDOW)
    const { bytesRead } = await this.handle.read(buffer, 0, WINDOW, at)
    this.window = buffer.subarray(0, bytesRead)
    this.start = at
    return bytesRead > 0
  }
}
