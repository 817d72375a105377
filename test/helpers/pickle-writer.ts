import { deflateRawSync } from 'node:zlib'

/** Builds pickle byte streams op by op, for hostile and fuzzed checkpoints (tests only). */
export class PickleWriter {
  private readonly parts: number[] = []

  op(code: number, ...args: number[]): this {
    this.parts.push(code, ...args)
    return this
  }
  proto(): this {
    return this.op(0x80, 2)
  }
  mark(): this {
    return this.op(0x28)
  }
  emptyDict(): this {
    return this.op(0x7d)
  }
  emptyList(): this {
    return this.op(0x5d)
  }
  none(): this {
    return this.op(0x4e)
  }
  int(value: number): this {
    return this.op(0x4a, ...le(value, 4))
  }
  str(text: string): this {
    const bytes = [...new TextEncoder().encode(text)]
    return this.op(0x58, ...le(bytes.length, 4), ...bytes)
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`))
  }
  put(index: number): this {
    return this.op(0x71, index)
  }
  get(index: number): this {
    return this.op(0x68, index)
  }
  tuple(): this {
    return this.op(0x74)
  }
  setItem(): this {
    return this.op(0x73)
  }
  setItems(): this {
    return this.op(0x75)
  }
  appends(): this {
    return this.op(0x65)
  }
  reduce(): this {
    return this.op(0x52)
  }
  binPersId(): this {
    return this.op(0x51)
  }
  long4(bytes: Uint8Array): this {
    this.parts.push(0x8b, ...le(bytes.length, 4))
    for (const b of bytes) this.parts.push(b)
    return this
  }
  /** A tensor: _rebuild_tensor_v2(persistent storage(key, numel), offset, shape, stride). */
  tensor(key: string, numel: number, offset: number, shape: number[], stride: number[]): this {
    this.global('torch._utils', '_rebuild_tensor_v2').mark()
    this.mark()
      .str('storage')
      .global('torch', 'FloatStorage')
      .str(key)
      .str('cpu')
      .int(numel)
      .tuple()
      .binPersId()
    this.int(offset).mark()
    for (const s of shape) this.int(s)
    this.tuple().mark()
    for (const s of stride) this.int(s)
    this.tuple().op(0x89).none().tuple().reduce()
    return this
  }
  stop(): Uint8Array {
    return Uint8Array.from([...this.parts, 0x2e])
  }
  get length(): number {
    return this.parts.length
  }
}

function le(value: number, bytes: number): number[] {
  const out: number[] = []
  for (let i = 0; i < bytes; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff)
  return out
}

export interface ZipFile {
  name: string
  data: Uint8Array
  /** Deflate it, or `deflated`: `data` is a raw deflate stream already. `declaredSize` overrides the uncompressed size in the headers. */
  deflate?: boolean
  deflated?: boolean
  declaredSize?: number
  /** Raw extra field bytes for the central directory entry. */
  extra?: Uint8Array
}

/** A minimal ZIP writer (stored or deflated entries), for checkpoints PyTorch would not write. */
export function writeZip(files: ZipFile[]): Uint8Array {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const file of files) {
    const name = Buffer.from(file.name)
    const body = file.deflate ? deflateRawSync(file.data) : Buffer.from(file.data)
    const method = file.deflate || file.deflated ? 8 : 0
    const size = file.declaredSize ?? file.data.length
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(method, 8)
    local.writeUInt32LE(body.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, body)
    const extra = Buffer.from(file.extra ?? new Uint8Array())
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(method, 10)
    central.writeUInt32LE(body.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(extra.length, 30)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name, extra)
    offset += 30 + name.length + body.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return new Uint8Array(Buffer.concat([...locals, directory, end]))
}

/** A PyTorch-style zip checkpoint: `archive/data.pkl` plus raw storages under `archive/data/`. */
export function pthZip(
  pickle: Uint8Array,
  storages: Record<string, Uint8Array> = {},
  deflate = false,
): Uint8Array {
  return writeZip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data, deflate })),
  ])
}
