import { lerp } from '../interpolate.js'
import { initializerFloats } from './blend.js'
import { DataType, decodeModel } from './proto.js'

interface Segment {
  /** Where the initializer's raw float bytes start in the encoded model. */
  offset: number
  a: Float32Array
  b: Float32Array
}

/** Each float initializer's raw bytes in an encoded model, by name, as aligned copies with their offsets. */
function floatInitializers(bytes: Uint8Array): Map<string, { offset: number; floats: Float32Array }> | null {
  const found = new Map<string, { offset: number; floats: Float32Array }>()
  for (const t of decodeModel(bytes).graph.initializer) {
    const raw = t.rawData
    if (t.dataType !== DataType.FLOAT || !raw || raw.byteLength === 0) continue
    // The decoder hands out views of `bytes`; without one there is no offset to write at.
    if (raw.buffer !== bytes.buffer) return null
    found.set(t.name, { offset: raw.byteOffset - bytes.byteOffset, floats: initializerFloats(t)! })
  }
  return found
}

/**
 * A new slider position without building a model: the pair's first model, encoded once, with each float
 * initializer's bytes rewritten in place as (1 − realism)·a + realism·b. Building a large network's ONNX
 * anew for every realism spent about 550 ms (nb 23) writing 64 MB of fresh memory; this writes the same
 * bytes into a buffer that is reused. Uses are one at a time, since every realism shares that buffer:
 * each one's session is created (ONNX Runtime copies the weights) before the next rewrites it.
 */
export class BlendTemplate {
  private queue: Promise<unknown> = Promise.resolve()
  private scratch = new Float32Array(0)

  private constructor(
    private readonly bytes: Uint8Array,
    private readonly segments: Segment[],
  ) {}

  /** The template of two encodings of one network, or null where their initializers do not line up. */
  static of(aBytes: Uint8Array, bBytes: Uint8Array): BlendTemplate | null {
    const a = floatInitializers(aBytes)
    const b = floatInitializers(bBytes)
    if (!a || !b || a.size !== b.size) return null
    const segments: Segment[] = []
    for (const [name, { offset, floats }] of a) {
      const other = b.get(name)?.floats
      if (!other || other.length !== floats.length) return null
      segments.push({ offset, a: floats, b: other })
    }
    return new BlendTemplate(aBytes, segments)
  }

  /** Runs `use` on the encoded model at `realism`; the bytes are valid only until `use` settles. */
  with<T>(realism: number, use: (bytes: Uint8Array) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => use(this.at(realism)))
    this.queue = run.catch(() => undefined)
    return run
  }

  private at(realism: number): Uint8Array {
    for (const { offset, a, b } of this.segments) {
      if (this.scratch.length < a.length) this.scratch = new Float32Array(a.length)
      const mixed = this.scratch.subarray(0, a.length)
      lerp(a, b, realism, mixed)
      this.bytes.set(new Uint8Array(mixed.buffer, 0, mixed.byteLength), offset)
    }
    return this.bytes
  }
}
