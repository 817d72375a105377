/** The boxes of ISO/IEC 14496-12 files (HEIF, AVIF, and JPEG XL's container): size, type, payload. */

export interface Box {
  type: string
  start: number
  end: number
  /** Where the payload starts: after size, type (and a 64-bit size when there is one). */
  body: number
}

export function readBoxes(file: Uint8Array, start: number, end: number): Box[] {
  const view = viewOf(file)
  const boxes: Box[] = []
  for (let at = start; at + 8 <= end;) {
    let size = view.getUint32(at)
    let body = at + 8
    if (size === 1) {
      size = Number(view.getBigUint64(at + 8))
      body += 8
    } else if (size === 0) size = end - at
    if (size < body - at || at + size > end) throw new Error('malformed box')
    boxes.push({
      type: String.fromCharCode(...file.subarray(at + 4, at + 8)),
      start: at,
      end: at + size,
      body,
    })
    at += size
  }
  return boxes
}

/**
 * A container's boxes from `start` to its end (its top-level ones from 0); undefined for a bare codestream, or a
 * container whose boxes do not add up.
 */
export function containerBoxes(file: Uint8Array, start = 0): Box[] | undefined {
  try {
    return readBoxes(file, start, file.length)
  } catch {
    return undefined
  }
}

export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
