import { createHash } from 'node:crypto'
import { decodeModel, encodeModel } from './proto.js'
import type { ModelMessage, TensorMessage } from './proto.js'

/** ONNX Runtime's fused form of a QDQ graph (QLinearConv, QLinearConcat, …), as its optimiser writes it. */
export type FuseGraph = (qdq: Uint8Array) => Promise<Uint8Array>

/** A digest of what makes two graphs the same but for their initializers' values. */
function structureOf(model: ModelMessage): string {
  const { node, initializer, input, output } = model.graph
  const shape = [node, initializer.map((t) => [t.name, t.dataType, t.dims]), input, output]
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex')
}

/** A tensor's values as bytes, whichever field holds them; null for a form not compared here. */
function valueBytes(t: TensorMessage): Uint8Array | null {
  if (t.rawData) return t.rawData
  if (t.floatData) return new Uint8Array(Float32Array.from(t.floatData).buffer)
  if (t.int32Data) return new Uint8Array(Int32Array.from(t.int32Data).buffer)
  return null
}

/** A fused graph's nodes and the initializers they read, by name. */
function fusedShape(model: ModelMessage): string {
  return JSON.stringify([model.graph.node, model.graph.initializer.map((t) => t.name)])
}

function sameTensor(a: TensorMessage, b: TensorMessage | undefined): boolean {
  if (!b || a.dataType !== b.dataType || a.dims.join() !== b.dims.join()) return false
  const [x, y] = [valueBytes(a), valueBytes(b)]
  return !!x && !!y && Buffer.compare(x, y) === 0
}

/**
 * A new slider position in int8 without ONNX Runtime fusing the graph again: its fused form of one realism's
 * QDQ graph, with each initializer replaced by the same-named one of another realism's graph of the same
 * structure. Fusing is most of a session's creation (nb 6: about 200 of 300 ms).
 */
export class FusedInt8Template {
  private constructor(
    private readonly fused: ModelMessage,
    private readonly structure: string,
  ) {}

  /**
   * The template of a QDQ graph, or null where ONNX Runtime's fused graph is not the same for `other` (the
   * same graph at another realism), or holds an initializer that is not the graph's own, unchanged: then
   * what it fuses depends on the values, which another realism would change.
   */
  static async of(qdq: Uint8Array, other: Uint8Array, fuse: FuseGraph): Promise<FusedInt8Template | null> {
    const source = decodeModel(qdq)
    const fused = decodeModel(await fuse(qdq))
    if (fusedShape(fused) !== fusedShape(decodeModel(await fuse(other)))) return null
    const own = new Map(source.graph.initializer.map((t) => [t.name, t]))
    if (!fused.graph.initializer.every((t) => sameTensor(t, own.get(t.name)))) return null
    return new FusedInt8Template(fused, structureOf(source))
  }

  /**
   * The fused graph with `qdq`'s initializers, or null where `qdq` is not of the template's structure
   * (`structure`: its digest, where the caller has it already).
   */
  at(qdq: ModelMessage, structure = structureOf(qdq)): Uint8Array | null {
    if (structure !== this.structure) return null
    const own = new Map(qdq.graph.initializer.map((t) => [t.name, t]))
    const initializer = this.fused.graph.initializer.map((t) => own.get(t.name)!)
    return encodeModel({ ...this.fused, graph: { ...this.fused.graph, initializer } })
  }
}

/**
 * The int8 graph to open for each realism of a pair. The first graph of a structure opens as built (a job
 * at one realism pays only the decoding that names its structure); the second starts its fused template in
 * the background, and each one after it is ready opens as the fused graph with its own weights.
 */
export class FusedInt8Graphs {
  /** The first graph of each structure, until a second one comes to make the template with. */
  private readonly first = new Map<string, Uint8Array>()
  private readonly building = new Map<string, Promise<void>>()
  private readonly ready = new Map<string, FusedInt8Template | null>()

  constructor(private readonly fuse: FuseGraph) {}

  model(qdq: Uint8Array): Uint8Array {
    const message = decodeModel(qdq)
    const key = structureOf(message)
    const template = this.ready.get(key)
    if (template) return template.at(message, key) ?? qdq
    const first = this.first.get(key)
    if (!first) {
      if (!this.building.has(key)) this.first.set(key, qdq)
    } else if (first !== qdq) {
      this.first.delete(key)
      this.start(key, first, qdq)
    }
    return qdq
  }

  /** Settles when every template started so far is made (or found impossible). */
  async idle(): Promise<void> {
    await Promise.all(this.building.values())
  }

  private start(key: string, qdq: Uint8Array, other: Uint8Array): void {
    const made = FusedInt8Template.of(qdq, other, this.fuse)
      .catch(() => null) // no template only costs the fusion on every open, as before
      .then((template) => void this.ready.set(key, template))
    this.building.set(key, made)
  }
}
