/**
 * A structure-aware fuzzer for the checkpoint reader: it splits a real PyTorch pickle into opcodes
 * and mutates opcodes and their arguments (not only bytes), and mutates the ZIP's headers. Every
 * case must load or fail with a coded error; nothing may throw raw, hang or be called INTERNAL.
 */
import { describe, expect, it } from 'vitest'
import { parseModel } from '../../src/engine/model.js'
import { EnhanceError } from '../../src/shared/errors.js'
import { rrdbConvs } from '../../src/engine/arch/rrdbnet.js'
import { PickleWriter, writeZip } from '../helpers/pickle-writer.js'
import { seeded as random } from '../helpers/seeded.js'

const CASES = 20_000

type Op = number[] // opcode then its argument bytes

/** Argument lengths of the opcodes PyTorch's protocol-2 pickles use (-1: a 4-byte length prefix; -2: two text lines). */
const ARGS: Record<number, number> = {
  0x80: 1,
  0x7d: 0,
  0x71: 1,
  0x72: 4,
  0x28: 0,
  0x58: -1,
  0x63: -2,
  0x4b: 1,
  0x4d: 2,
  0x4a: 4,
  0x74: 0,
  0x85: 0,
  0x86: 0,
  0x87: 0,
  0x52: 0,
  0x51: 0,
  0x75: 0,
  0x88: 0,
  0x89: 0,
  0x29: 0,
  0x68: 1,
  0x6a: 4,
  0x2e: 0,
  0x62: 0,
  0x4e: 0,
  0x5d: 0,
  0x61: 0,
  0x65: 0,
  0x73: 0,
  0x94: 0,
  0x93: 0,
}

function tokenize(bytes: Uint8Array): Op[] {
  const ops: Op[] = []
  for (let at = 0; at < bytes.length;) {
    const code = bytes[at]!
    const kind = ARGS[code]
    if (kind === undefined) throw new Error(`fuzzer: opcode 0x${code.toString(16)} not in its table`)
    let end = at + 1 + Math.max(0, kind)
    if (kind === -1)
      end = at + 5 + new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0, true)
    if (kind === -2) end = bytes.indexOf(0x0a, bytes.indexOf(0x0a, at + 1) + 1) + 1
    ops.push([...bytes.subarray(at, end)])
    at = end
  }
  return ops
}

const le32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff]
const BOUNDARY = [0, 1, 2, 7, 255, 256, 65535, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe]
const KEYS = [
  'params',
  'params_ema',
  'state_dict',
  'conv_first.weight',
  'body.0.rdb1.conv1.weight',
  'module.x',
  '',
]

function randomOp(rnd: () => number): Op {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const choices: Array<() => Op> = [
    () => [0x28], // MARK
    () => [0x74], // TUPLE
    () => [0x75], // SETITEMS
    () => [0x65], // APPENDS
    () => [0x32], // DUP
    () => [0x30], // POP
    () => [0x31], // POP_MARK
    () => [0x52], // REDUCE
    () => [0x62], // BUILD
    () => [0x7d], // EMPTY_DICT
    () => [0x5d], // EMPTY_LIST
    () => [0x4e], // NONE
    () => [0x2e], // STOP
    () => [0x51], // BINPERSID
    () => [0x94], // MEMOIZE
    () => [0x68, Math.floor(rnd() * 8)], // BINGET
    () => [0x6a, ...le32(pick(BOUNDARY))], // LONG_BINGET
    () => [0x4a, ...le32(pick(BOUNDARY))], // BININT
    () => [0x8b, ...le32(pick([0, 8, 64, 65, 1 << 20, 0xffffffff]))], // LONG4 (length only)
    () => [0x8a, pick([0, 8, 255])], // LONG1 (length only)
    () => [0x47, ...[0x7f, 0xf8, 0, 0, 0, 0, 0, 0]], // BINFLOAT NaN
    () => [0x58, ...le32(pick([0, 3, 0xffffffff])), 0x61, 0x62, 0x63], // BINUNICODE, length maybe lying
    () => {
      const key = [...new TextEncoder().encode(pick(KEYS))]
      return [0x58, ...le32(key.length), ...key]
    },
    () => [
      0x63,
      ...new TextEncoder().encode(
        pick([
          'os\nsystem\n',
          'torch\nFloatStorage\n',
          'collections\nOrderedDict\n',
          'torch._utils\n_rebuild_tensor_v2\n',
        ]),
      ),
    ],
    () => [pick([0x81, 0x92, 0x69, 0x6f, 0x82])], // NEWOBJ, NEWOBJ_EX, INST, OBJ, EXT1
  ]
  return pick(choices)()
}

function mutateArgument(op: Op, rnd: () => number): Op {
  const kind = ARGS[op[0]!]
  if (kind === 1) return [op[0]!, Math.floor(rnd() * 256)]
  if (kind === 2) return [op[0]!, Math.floor(rnd() * 256), Math.floor(rnd() * 256)]
  if (kind === 4) return [op[0]!, ...le32(BOUNDARY[Math.floor(rnd() * BOUNDARY.length)]!)]
  if (kind === -1) return [op[0]!, ...le32(BOUNDARY[Math.floor(rnd() * BOUNDARY.length)]!), ...op.slice(5)]
  return op
}

function mutatePickle(base: Op[], rnd: () => number): Uint8Array {
  const ops = base.map((op) => op)
  const at = (): number => Math.floor(rnd() * ops.length)
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
    const i = at()
    switch (Math.floor(rnd() * 6)) {
      case 0:
        ops.splice(i, 1)
        break
      case 1:
        ops.splice(i, 0, ops[i]!)
        break
      case 2:
        if (i + 1 < ops.length) [ops[i], ops[i + 1]] = [ops[i + 1]!, ops[i]!]
        break
      case 3:
        ops[i] = randomOp(rnd)
        break
      case 4:
        ops.splice(i, 0, randomOp(rnd))
        break
      default:
        ops[i] = mutateArgument(ops[i]!, rnd)
    }
  }
  return Uint8Array.from(ops.flat())
}

function mutateZipHeaders(zip: Uint8Array, rnd: () => number): Uint8Array {
  const out = Uint8Array.from(zip)
  const view = new DataView(out.buffer)
  const eocd = out.length - 22
  const directory = view.getUint32(eocd + 16, true)
  // Overwrite one 16- or 32-bit field somewhere in the central directory or the end record with a boundary value.
  const start = rnd() < 0.8 ? directory : eocd
  const offset = start + Math.floor(rnd() * Math.max(1, out.length - start - 4))
  if (rnd() < 0.5) view.setUint32(offset, BOUNDARY[Math.floor(rnd() * BOUNDARY.length)]!, true)
  else view.setUint16(offset, Math.floor(rnd() * 65536), true)
  return rnd() < 0.1 ? out.subarray(0, Math.floor(rnd() * out.length)) : out
}

/**
 * The seed: a valid BasicSR RRDBNet ×4 (nf 4, nb 1, gc 2) pickled as torch.save writes it, with the
 * parameters wrapped in `params`. Tiny, so 20,000 mutations parse within the minute.
 */
function seedCheckpoint(): { pickle: Uint8Array; storages: Array<{ name: string; data: Uint8Array }> } {
  const arch = { nf: 4, nb: 1, gc: 2, inChannels: 3, outChannels: 3, upsamples: 2, unshuffle: 1 }
  const w = new PickleWriter().proto().emptyDict().str('params').global('collections', 'OrderedDict')
  w.op(0x29).reduce().mark()
  const storages: Array<{ name: string; data: Uint8Array }> = []
  for (const conv of rrdbConvs({ arch: 'RRDBNet', scale: 4, ...arch })) {
    for (const [param, shape] of [
      ['weight', [conv.out, conv.in, 3, 3]],
      ['bias', [conv.out]],
    ] as const) {
      const key = String(storages.length)
      const count = shape.reduce((a, b) => a * b, 1)
      const stride = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1))
      w.str(`${conv.name}.${param}`).tensor(key, count, 0, [...shape], stride)
      const data = new Float32Array(count).map((_, i) => Math.sin(i + storages.length) * 0.1)
      storages.push({ name: `archive/data/${key}`, data: new Uint8Array(data.buffer) })
    }
  }
  return { pickle: w.setItems().setItem().stop(), storages }
}

describe('checkpoint fuzzing (structure-aware)', () => {
  it(`${CASES} mutated pickles and archives: each loads or gets a coded error`, () => {
    const seed = seedCheckpoint()
    expect(
      parseModel(writeZip([{ name: 'archive/data.pkl', data: seed.pickle }, ...seed.storages]), 'seed.pth')
        .info,
    ).toMatchObject({ arch: 'RRDBNet', nf: 4 })
    const pickleName = 'archive/data.pkl'
    const storages = seed.storages
    const ops = tokenize(seed.pickle)
    const outcomes = new Map<string, number>()
    const uncoded: string[] = []
    const started = performance.now()
    for (let i = 0; i < CASES; i++) {
      const rnd = random(i)
      const pickle = mutatePickle(ops, rnd)
      let bytes = writeZip([{ name: pickleName, data: pickle }, ...storages])
      if (i % 4 === 3) bytes = mutateZipHeaders(bytes, rnd)
      let outcome = 'loads'
      try {
        parseModel(bytes, 'fuzz.pth')
      } catch (error) {
        outcome = error instanceof EnhanceError ? error.code : 'UNCODED'
        if (outcome === 'UNCODED' || outcome === 'INTERNAL') uncoded.push(`case ${i}: ${String(error)}`)
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    const seconds = (performance.now() - started) / 1000
    console.log(`fuzz: ${CASES} cases in ${seconds.toFixed(1)} s:`, Object.fromEntries(outcomes))
    expect(uncoded.slice(0, 5)).toEqual([])
    // The mutations reach deep: some cases still load, and every refusal class the reader has shows up.
    expect(outcomes.get('loads') ?? 0).toBeGreaterThan(0)
    for (const code of ['CORRUPT_CHECKPOINT', 'UNSAFE_CHECKPOINT', 'UNKNOWN_ARCHITECTURE'])
      expect(outcomes.get(code) ?? 0).toBeGreaterThan(0)
    // A hang guard, not a speed limit: 20,000 parses took 278 s on a slow 2-core VM sharing its CPU.
  }, 600_000)
})
