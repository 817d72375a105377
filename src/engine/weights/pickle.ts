import { EnhanceError } from '../../shared/errors.js'
import { LIMITS, tooLarge } from './limits.js'
import { callAllowed, resolveGlobal } from './pickle-allow-list.js'
import { PickleDict, PickleTuple, malformed } from './pickle-values.js'
import type { PickleValue } from './pickle-values.js'

/**
 * The pickle virtual machine for the subset that PyTorch state dicts use. It never executes anything:
 * every GLOBAL goes through the allow-list (`pickle-allow-list.ts`), the security policy.
 */
export type PersistentLoad = (pid: PickleValue) => PickleValue

export interface PickleResult {
  value: PickleValue
  /** Offset just past the STOP opcode, where the next pickle or raw data starts. */
  end: number
}

const MARK = Symbol('mark')
type StackItem = PickleValue | typeof MARK

export function unpickle(bytes: Uint8Array, start = 0, persistentLoad?: PersistentLoad): PickleResult {
  return new Unpickler(bytes, start, persistentLoad).run()
}

class Unpickler {
  private readonly view: DataView
  private readonly stack: StackItem[] = []
  /** Stack positions of the MARKs, so finding the last one never scans the stack. */
  private readonly marks: number[] = []
  private readonly memo = new Map<number, PickleValue>()
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })

  constructor(
    private readonly bytes: Uint8Array,
    private at: number,
    private readonly persistentLoad?: PersistentLoad,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  run(): PickleResult {
    for (;;) {
      const op = this.u8()
      if (op === 0x2e) return { value: this.pop(), end: this.at } // STOP
      this.step(op)
    }
  }

  private need(n: number): number {
    if (this.at + n > this.bytes.byteLength) {
      throw new EnhanceError(
        'CORRUPT_CHECKPOINT',
        'The checkpoint ends in the middle of its data: it is truncated.',
      )
    }
    const at = this.at
    this.at += n
    return at
  }
  private u8(): number {
    return this.bytes[this.need(1)]!
  }
  private u16(): number {
    return this.view.getUint16(this.need(2), true)
  }
  private u32(): number {
    return this.view.getUint32(this.need(4), true)
  }
  private u64(): number {
    return Number(this.view.getBigUint64(this.need(8), true))
  }
  private raw(n: number): Uint8Array {
    const at = this.need(n)
    return this.bytes.slice(at, at + n)
  }
  private text(n: number): string {
    try {
      return this.decoder.decode(this.raw(n))
    } catch {
      throw malformed('invalid UTF-8 text')
    }
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.at)
    if (end < 0) throw malformed('unterminated text')
    const text = new TextDecoder('latin1').decode(this.bytes.subarray(this.at, end))
    this.at = end + 1
    return text
  }

  private pushed = 0
  private push(value: StackItem): void {
    if (++this.pushed > LIMITS.pickleItems) throw tooLarge(`more than ${LIMITS.pickleItems} pickled values`)
    this.stack.push(value)
  }
  private pop(): PickleValue {
    const value = this.stack.pop()
    if (value === undefined || value === MARK) throw malformed('stack underflow')
    return value
  }
  private top(): PickleValue {
    const value = this.stack[this.stack.length - 1]
    if (value === undefined || value === MARK) throw malformed('stack underflow')
    return value
  }
  private popMark(): PickleValue[] {
    const mark = this.marks.pop()
    if (mark === undefined) throw malformed('missing mark')
    const items = this.stack.splice(mark + 1) as PickleValue[]
    this.stack.pop()
    return items
  }
  private get(index: number): PickleValue {
    if (!this.memo.has(index)) throw malformed(`memo ${index} is missing`)
    return this.memo.get(index)!
  }

  private step(op: number): void {
    switch (op) {
      case 0x80: // PROTO
        this.u8()
        return
      case 0x95: // FRAME
        this.u64()
        return
      case 0x28: // MARK
        this.marks.push(this.stack.length)
        return this.push(MARK)
      case 0x4e: // NONE
        return this.push(null)
      case 0x88: // NEWTRUE
        return this.push(true)
      case 0x89: // NEWFALSE
        return this.push(false)
      case 0x4b: // BININT1
        return this.push(this.u8())
      case 0x4d: // BININT2
        return this.push(this.u16())
      case 0x4a: // BININT
        return this.push(this.view.getInt32(this.need(4), true))
      case 0x8a: // LONG1
        return this.push(this.long(this.u8()))
      case 0x8b: // LONG4
        return this.push(this.long(this.u32()))
      case 0x49: // INT (text); "01"/"00" are True/False
        return this.push(this.textInt(this.line()))
      case 0x4c: // LONG (text)
        return this.push(this.textInt(this.line().replace(/L$/, '')))
      case 0x47: // BINFLOAT (big-endian)
        return this.push(this.view.getFloat64(this.need(8), false))
      case 0x46: // FLOAT (text)
        return this.push(Number.parseFloat(this.line()))
      case 0x58: // BINUNICODE
        return this.push(this.text(this.u32()))
      case 0x8c: // SHORT_BINUNICODE
        return this.push(this.text(this.u8()))
      case 0x8d: // BINUNICODE8
        return this.push(this.text(this.u64()))
      case 0x56: // UNICODE (raw-unicode-escape line)
        return this.push(this.line())
      case 0x53: // STRING (quoted repr)
        return this.push(this.line().slice(1, -1))
      case 0x54: // BINSTRING
        return this.push(new TextDecoder('latin1').decode(this.raw(this.u32())))
      case 0x55: // SHORT_BINSTRING
        return this.push(new TextDecoder('latin1').decode(this.raw(this.u8())))
      case 0x42: // BINBYTES
        return this.push(this.raw(this.u32()))
      case 0x43: // SHORT_BINBYTES
        return this.push(this.raw(this.u8()))
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        return this.push(this.raw(this.u64()))
      default:
        return this.structural(op)
    }
  }

  private structural(op: number): void {
    switch (op) {
      case 0x29: // EMPTY_TUPLE
        return this.push(new PickleTuple([]))
      case 0x85: // TUPLE1
        return this.push(new PickleTuple([this.pop()]))
      case 0x86: {
        // TUPLE2
        const b = this.pop()
        return this.push(new PickleTuple([this.pop(), b]))
      }
      case 0x87: {
        // TUPLE3
        const c = this.pop()
        const b = this.pop()
        return this.push(new PickleTuple([this.pop(), b, c]))
      }
      case 0x74: // TUPLE
        return this.push(new PickleTuple(this.popMark()))
      case 0x5d: // EMPTY_LIST
        return this.push([])
      case 0x6c: // LIST
        return this.push(this.popMark())
      case 0x61: {
        // APPEND
        const value = this.pop()
        this.list(this.top()).push(value)
        return
      }
      case 0x65: // APPENDS
        return this.extend(this.popMark())
      case 0x8f: // EMPTY_SET
        return this.push([])
      case 0x90: // ADDITEMS
        return this.extend(this.popMark())
      case 0x91: // FROZENSET
        return this.push(this.popMark())
      case 0x7d: // EMPTY_DICT
        return this.push(new PickleDict())
      case 0x64: // DICT
        return this.push(this.fill(new PickleDict(), this.popMark()))
      case 0x73: {
        // SETITEM
        const value = this.pop()
        const key = this.pop()
        this.dict(this.top()).entries.set(key, value)
        return
      }
      case 0x75: {
        // SETITEMS
        const items = this.popMark()
        this.fill(this.dict(this.top()), items)
        return
      }
      default:
        return this.objects(op)
    }
  }

  private objects(op: number): void {
    switch (op) {
      case 0x63: {
        // GLOBAL
        const module = this.line()
        return this.push(resolveGlobal(module, this.line()))
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop()
        const module = this.pop()
        if (typeof module !== 'string' || typeof name !== 'string') throw malformed('bad global name')
        return this.push(resolveGlobal(module, name))
      }
      case 0x52: {
        // REDUCE
        const args = this.pop()
        return this.push(callAllowed(this.pop(), args))
      }
      case 0x62: {
        // BUILD: state for OrderedDict (its _metadata) or a parameter; never needed, never executed.
        this.pop()
        return
      }
      case 0x51: // BINPERSID
        return this.push(this.persistent(this.pop()))
      case 0x50: // PERSID
        return this.push(this.persistent(this.line()))
      case 0x71: // BINPUT
        this.memo.set(this.u8(), this.top())
        return
      case 0x72: // LONG_BINPUT
        this.memo.set(this.u32(), this.top())
        return
      case 0x70: // PUT
        this.memo.set(Number.parseInt(this.line(), 10), this.top())
        return
      case 0x94: // MEMOIZE
        this.memo.set(this.memo.size, this.top())
        return
      case 0x68: // BINGET
        return this.push(this.get(this.u8()))
      case 0x6a: // LONG_BINGET
        return this.push(this.get(this.u32()))
      case 0x67: // GET
        return this.push(this.get(Number.parseInt(this.line(), 10)))
      case 0x30: // POP
        this.pop()
        return
      case 0x31: // POP_MARK
        this.popMark()
        return
      case 0x32: // DUP
        return this.push(this.top())
      default:
        // NEWOBJ, INST, OBJ, EXT*: building arbitrary objects is exactly what a weights file must not do.
        throw new EnhanceError(
          'UNSAFE_CHECKPOINT',
          `This checkpoint builds objects (pickle opcode 0x${op.toString(16)}) that plain weights never need. It was refused and nothing was executed.`,
        )
    }
  }

  private long(length: number): number | bigint {
    if (length > LIMITS.longBytes) throw malformed(`an integer of ${length} bytes`)
    const data = this.raw(length)
    let value = 0n
    for (let i = length - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]!)
    if (length > 0 && data[length - 1]! & 0x80) value -= 1n << BigInt(length * 8)
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value
  }

  private textInt(text: string): number | boolean {
    if (text === '01') return true
    if (text === '00') return false
    const value = Number.parseInt(text, 10)
    if (Number.isNaN(value)) throw malformed('bad integer')
    return value
  }

  private persistent(pid: PickleValue): PickleValue {
    if (!this.persistentLoad) throw malformed('unexpected persistent reference')
    return this.persistentLoad(pid)
  }

  /** Appends one by one: spreading 300,000 items into push() overflows the call stack. */
  private extend(items: PickleValue[]): void {
    const list = this.list(this.top())
    for (const item of items) list.push(item)
  }

  private list(value: PickleValue): PickleValue[] {
    if (!Array.isArray(value)) throw malformed('append to a non-list')
    return value
  }
  private dict(value: PickleValue): PickleDict {
    if (!(value instanceof PickleDict)) throw malformed('set item on a non-dict')
    return value
  }
  private fill(dict: PickleDict, items: PickleValue[]): PickleDict {
    if (items.length % 2) throw malformed('odd number of dict items')
    for (let i = 0; i < items.length; i += 2) dict.entries.set(items[i]!, items[i + 1]!)
    return dict
  }
}
