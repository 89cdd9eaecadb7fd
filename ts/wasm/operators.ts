/**
 * Operator reader: decodes one Wasm operator (opcode and immediates) at a time from a
 * function body or constant expression. The validator and the translator share it, so
 * the binary decoding of operators exists once; both then dispatch on the dense opcode
 * id (see opcodes.ts).
 *
 * Immediates are left in public fields of the reader (no allocation per operator):
 *   imm       label depth, function, local, global, table, type (call_indirect),
 *             data or element index, lane, select type count
 *   imm2      table (call_indirect), destination table (table.init), source table
 *             (table.copy), lane (load/store_lane), select type
 *   blockType s33 block type: -64 empty, other negatives the value type (as a signed
 *             byte: -1 = 0x7F i32 ...), >= 0 a type index
 *   align, offset   memarg
 *   lo, hi    i32 value (lo), i64 / f64 bits (lo, hi), f32 bits (lo)
 *   immPos    byte offset of a v128 or shuffle immediate (16 bytes)
 *   brTargets, brCount   br_table targets (the default is imm)
 * Decode errors (malformed) are CompileErrors; typing rules are the validator's.
 */
import { Reader } from './reader';
import { FAST_OTHER, Imm, OP_FAST, OP_IMM, OP_PREFIX_FC, OP_PREFIX_FD } from './opcodes';
import { isRefType, isValType } from './types';

export class OperatorReader extends Reader {
  /** Offset of the first byte of the last operator read. */
  opPos = 0;
  imm = 0;
  imm2 = 0;
  blockType = 0;
  align = 0;
  offset = 0;
  immPos = 0;
  brCount = 0;
  brTargets = new Uint32Array(64);

  /** Read one operator; returns its dense id. */
  read(): number {
    const bytes = this.bytes;
    const p = this.pos;
    this.opPos = p;
    const end = this.end;
    if (p >= end) this.unexpectedEnd();
    const op = bytes[p];
    // Most operators have no immediates, and most of the rest one single-byte LEB
    // (local.get, i32.const, br_if, call) or a memarg: keep those paths tiny.
    const fast = OP_FAST[op];
    const q = p + 1;
    if (fast === 0) {
      this.pos = q;
      return op;
    }
    if (fast === 5) {
      // block type: 0x40 (empty) or a value type, one byte
      const b = bytes[q];
      if (q < end && (b === 0x40 || isValType(b))) {
        this.blockType = b - 0x80;
        this.pos = q + 1;
        return op;
      }
    } else if (fast !== FAST_OTHER) {
      // The first LEB of the immediate, if it is one or two bytes long.
      const b = bytes[q];
      let v: number;
      let next: number;
      if (b < 0x80 && q < end) {
        v = b;
        next = q + 1;
      } else {
        const c = bytes[q + 1];
        if (c < 0x80 && q + 1 < end) {
          v = (b & 0x7f) | (c << 7);
          next = q + 2;
        } else {
          this.pos = q;
          return this.readImmediates(op, OP_IMM[op], p);
        }
      }
      this.pos = next;
      if (fast === 1) this.imm = v;
      else if (fast === 3) {
        // memarg: the alignment, then an offset of any length
        this.align = v;
        this.offset = this.idx();
      } else {
        const shift = 32 - 7 * (next - q);
        const x = (v << shift) >> shift;
        this.lo = x;
        if (fast === 4) this.hi = x >> 31;
      }
      return op;
    }
    this.pos = q;
    return this.readImmediates(op, OP_IMM[op], p);
  }

  /** One-byte fast path of u32 for index immediates. */
  private idx(): number {
    const q = this.pos;
    const b = this.bytes[q];
    if (b < 0x80 && q < this.end) {
      this.pos = q + 1;
      return b;
    }
    return this.u32Slow();
  }

  private readImmediates(op: number, k: number, p: number): number {
    if (op >= 0xfc) {
      if (op === 0xfc || op === 0xfd) {
        const sub = this.u32();
        if (sub >= 0x100) this.fail('illegal opcode', p);
        op = (op === 0xfc ? OP_PREFIX_FC : OP_PREFIX_FD) + sub;
        k = OP_IMM[op];
      }
    }
    if (k === 0) this.fail('illegal opcode', p);
    switch (k - 1) {
      case Imm.None:
        break;
      case Imm.BlockType: {
        // 0x40 (empty) and value types are single negative bytes; anything else is a
        // non-negative s33 type index (a multi-byte negative encoding is malformed).
        const at = this.pos;
        const b = this.peekU8();
        if ((b & 0xc0) === 0x40) {
          this.pos = at + 1;
          if (b !== 0x40 && !isValType(b)) this.fail('malformed value type', at);
          this.blockType = b - 0x80;
        } else {
          const x = this.s33();
          if (x < 0) this.fail('malformed block type', at);
          this.blockType = x;
        }
        break;
      }
      case Imm.Label:
      case Imm.Func:
      case Imm.Local:
      case Imm.Global:
      case Imm.Table:
      case Imm.Data:
      case Imm.Elem:
        this.imm = this.idx();
        break;
      case Imm.BrTable: {
        const n = this.count(1);
        if (n > this.brTargets.length) this.brTargets = new Uint32Array(Math.max(n, this.brTargets.length * 2));
        const t = this.brTargets;
        for (let i = 0; i < n; i++) t[i] = this.idx();
        this.brCount = n;
        this.imm = this.u32();
        break;
      }
      case Imm.CallIndirect:
      case Imm.ElemTable:
      case Imm.TableTable:
        this.imm = this.u32();
        this.imm2 = this.u32();
        break;
      case Imm.MemArg:
        this.align = this.idx();
        this.offset = this.idx();
        break;
      case Imm.MemArgLane:
        this.align = this.u32();
        this.offset = this.u32();
        this.imm2 = this.u8();
        break;
      case Imm.MemZero:
        if (this.u8() !== 0) this.fail('zero byte expected', this.pos - 1);
        break;
      case Imm.MemZeroZero:
        if (this.u8() !== 0) this.fail('zero byte expected', this.pos - 1);
        if (this.u8() !== 0) this.fail('zero byte expected', this.pos - 1);
        break;
      case Imm.DataMem:
        this.imm = this.u32();
        if (this.u8() !== 0) this.fail('zero byte expected', this.pos - 1);
        break;
      case Imm.I32:
        this.lo = this.s32();
        break;
      case Imm.I64:
        this.s64();
        break;
      case Imm.F32:
        this.lo = this.u32le() | 0;
        break;
      case Imm.F64:
        this.lo = this.u32le() | 0;
        this.hi = this.u32le() | 0;
        break;
      case Imm.SelectT: {
        const n = this.count(1);
        this.imm = n;
        for (let i = 0; i < n; i++) {
          const at = this.pos;
          const t = this.u8();
          if (!isValType(t)) this.fail('malformed value type', at);
          if (i === 0) this.imm2 = t;
        }
        break;
      }
      case Imm.RefType: {
        const at = this.pos;
        const t = this.u8();
        if (!isRefType(t)) this.fail('malformed reference type', at);
        this.imm = t;
        break;
      }
      case Imm.V128:
      case Imm.Shuffle:
        this.immPos = this.skip(16);
        break;
      case Imm.Lane:
        this.imm = this.u8();
        break;
    }
    return op;
  }
}
