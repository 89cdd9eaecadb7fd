/**
 * Value storage and lane-wise operations of the reference interpreter (ir/):
 * the 16-byte-slot register file (Frame) and the integer/comparison/atomic
 * semantics on unsigned BigInt lane bit patterns, shared by every lane width.
 * interpreter.ts dispatches instructions to these.
 */
import { Function } from './function';
import { Op } from './opcodes';
import * as T from './types';
import { IntCC, FloatCC, AtomicOp, TRAP_INT_DIVZ, TRAP_INT_OVF, TrapCode } from './immediates';
import { f16BitsToNumber, numberToF16Bits } from './interp-float';

/** Thrown by an instruction that traps; carries the trap code. */
export class TrapSignal { constructor(readonly code: TrapCode) {} }
/** An execution the interpreter cannot perform (unsupported feature, bad input). */
export class InterpError extends Error {}

/** A 16-byte-slot register file with typed views. */
export class Frame {
  readonly buf: ArrayBuffer;
  readonly u8: Uint8Array;
  readonly u32: Uint32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly u64: BigUint64Array;

  constructor(nvalues: number) {
    this.buf = new ArrayBuffer(Math.max(1, nvalues) * 16);
    this.u8 = new Uint8Array(this.buf);
    this.u32 = new Uint32Array(this.buf);
    this.f32 = new Float32Array(this.buf);
    this.f64 = new Float64Array(this.buf);
    this.u64 = new BigUint64Array(this.buf);
  }

  slot(v: number): Uint32Array { return this.u32.subarray(v * 4, v * 4 + 4); }
  clear(v: number): void { this.u32.fill(0, v * 4, v * 4 + 4); }

  /** Lane `l` of value `v` as unsigned bits of integer lane type `lt` (float lanes read as their int twin). */
  getU(v: number, l: number, lt: T.Type): bigint {
    switch (T.bits(T.laneOf(lt))) {
      case 8: return BigInt(this.u8[v * 16 + l]);
      case 16: return BigInt(this.u8[v * 16 + 2 * l] | (this.u8[v * 16 + 2 * l + 1] << 8));
      case 32: return BigInt(this.u32[v * 4 + l]);
      case 64: return this.u64[v * 2 + l];
      default: return this.u64[v * 2] | (this.u64[v * 2 + 1] << 64n);
    }
  }

  /** Write lane `l` (wrapping `x` to the lane width); scalars narrower than 128 bits clear the rest of the slot. */
  setU(v: number, l: number, lt: T.Type, x: bigint): void {
    const b = T.bits(T.laneOf(lt));
    const u = BigInt.asUintN(b, x);
    switch (b) {
      case 8: this.u8[v * 16 + l] = Number(u); return;
      case 16: { const n = Number(u); this.u8[v * 16 + 2 * l] = n & 0xff; this.u8[v * 16 + 2 * l + 1] = n >> 8; return; }
      case 32: this.u32[v * 4 + l] = Number(u); return;
      case 64: this.u64[v * 2 + l] = u; return;
      default: this.u64[v * 2] = u & 0xffffffffffffffffn; this.u64[v * 2 + 1] = u >> 64n; return;
    }
  }

  getF(v: number, l: number, lt: T.Type): number {
    const b = T.laneBits(lt);
    if (b === 32) return this.f32[v * 4 + l];
    if (b === 64) return this.f64[v * 2 + l];
    if (b === 16) return f16BitsToNumber(this.u8[v * 16 + 2 * l] | (this.u8[v * 16 + 2 * l + 1] << 8));
    throw new InterpError(`float arithmetic on ${T.typeName(lt)} is not supported`);
  }

  setF(v: number, l: number, lt: T.Type, x: number): void {
    const b = T.laneBits(lt);
    if (b === 32) this.f32[v * 4 + l] = x;
    else if (b === 64) this.f64[v * 2 + l] = x;
    else if (b === 16) { const h = numberToF16Bits(x); this.u8[v * 16 + 2 * l] = h & 0xff; this.u8[v * 16 + 2 * l + 1] = h >> 8; }
    else throw new InterpError(`float arithmetic on ${T.typeName(lt)} is not supported`);
  }

  truthy(f: Function, v: number): boolean {
    const rv = f.resolve(v);
    return this.getU(rv, 0, f.vType[rv]) !== 0n;
  }

  reverseBytes(v: number, n: number): void {
    const s = this.u8.slice(v * 16, v * 16 + n).reverse();
    this.u8.set(s, v * 16);
  }
}

export function intUnary(op: Op, x: bigint, w: number): bigint {
  const bw = BigInt(w);
  switch (op) {
    case Op.Ineg: return -x;
    case Op.Iabs: { const s = BigInt.asIntN(w, x); return s < 0n ? -s : s; }
    case Op.Bnot: return ~x;
    case Op.Clz: { let n = 0; for (let k = w - 1; k >= 0 && ((x >> BigInt(k)) & 1n) === 0n; k--) n++; return BigInt(n); }
    case Op.Ctz: { let n = 0; for (let k = 0; k < w && ((x >> BigInt(k)) & 1n) === 0n; k++) n++; return BigInt(n); }
    case Op.Cls: {
      const s = (x >> (bw - 1n)) & 1n;
      let n = 0;
      for (let k = w - 2; k >= 0 && ((x >> BigInt(k)) & 1n) === s; k--) n++;
      return BigInt(n);
    }
    case Op.Popcnt: { let n = 0; for (let k = 0; k < w; k++) if ((x >> BigInt(k)) & 1n) n++; return BigInt(n); }
    case Op.Bitrev: { let y = 0n; for (let k = 0; k < w; k++) if ((x >> BigInt(k)) & 1n) y |= 1n << BigInt(w - 1 - k); return y; }
    case Op.Bswap: { let y = 0n; for (let k = 0; k < w / 8; k++) y |= ((x >> BigInt(8 * k)) & 0xffn) << BigInt(w - 8 - 8 * k); return y; }
    default: throw new InterpError('bad unary');
  }
}

export function intBinary(op: Op, x: bigint, y: bigint, w: number): bigint {
  const sx = BigInt.asIntN(w, x), sy = BigInt.asIntN(w, y);
  const bw = BigInt(w);
  switch (op) {
    case Op.Iadd: return x + y;
    case Op.Isub: return x - y;
    case Op.Imul: return x * y;
    case Op.Umulhi: return (x * y) >> bw;
    case Op.Smulhi: return (sx * sy) >> bw;
    case Op.Udiv: if (y === 0n) throw new TrapSignal(TRAP_INT_DIVZ); return x / y;
    case Op.Urem: if (y === 0n) throw new TrapSignal(TRAP_INT_DIVZ); return x % y;
    case Op.Sdiv:
      if (y === 0n) throw new TrapSignal(TRAP_INT_DIVZ);
      if (sy === -1n && sx === -(1n << (bw - 1n))) throw new TrapSignal(TRAP_INT_OVF);
      return sx / sy;
    case Op.Srem: if (y === 0n) throw new TrapSignal(TRAP_INT_DIVZ); return sx % sy;
    case Op.Band: return x & y;
    case Op.Bor: return x | y;
    case Op.Bxor: return x ^ y;
    case Op.BandNot: return x & ~y;
    case Op.BorNot: return x | ~y;
    case Op.BxorNot: return x ^ ~y;
    case Op.Smin: return sx < sy ? sx : sy;
    case Op.Smax: return sx > sy ? sx : sy;
    case Op.Umin: return x < y ? x : y;
    case Op.Umax: return x > y ? x : y;
    case Op.UaddSat: { const s = x + y; const m = (1n << bw) - 1n; return s > m ? m : s; }
    case Op.UsubSat: return x > y ? x - y : 0n;
    case Op.SaddSat: return satS(sx + sy, w);
    case Op.SsubSat: return satS(sx - sy, w);
    case Op.AvgRound: return (x + y + 1n) >> 1n;
    case Op.SqmulRoundSat: return satS((sx * sy + (1n << (bw - 2n))) >> (bw - 1n), w);
    default: throw new InterpError('bad binary');
  }
}

function satS(v: bigint, w: number): bigint {
  const hi = (1n << BigInt(w - 1)) - 1n, lo = -(1n << BigInt(w - 1));
  return v > hi ? hi : v < lo ? lo : v;
}

export function shift(op: Op, x: bigint, amt: number, w: number): bigint {
  const a = BigInt(amt);
  switch (op) {
    case Op.Ishl: return x << a;
    case Op.Ushr: return x >> a;
    case Op.Sshr: return BigInt.asIntN(w, x) >> a;
    case Op.Rotl: return amt === 0 ? x : (x << a) | (x >> BigInt(w - amt));
    default: return amt === 0 ? x : (x >> a) | (x << BigInt(w - amt));
  }
}

export function intCompare(cc: number, x: bigint, y: bigint, w: number): boolean {
  const sx = BigInt.asIntN(w, x), sy = BigInt.asIntN(w, y);
  switch (cc as IntCC) {
    case IntCC.Eq: return x === y;
    case IntCC.Ne: return x !== y;
    case IntCC.Slt: return sx < sy;
    case IntCC.Sge: return sx >= sy;
    case IntCC.Sgt: return sx > sy;
    case IntCC.Sle: return sx <= sy;
    case IntCC.Ult: return x < y;
    case IntCC.Uge: return x >= y;
    case IntCC.Ugt: return x > y;
    case IntCC.Ule: return x <= y;
  }
}

export function floatCompare(cc: number, x: number, y: number): boolean {
  const uno = Number.isNaN(x) || Number.isNaN(y);
  switch (cc as FloatCC) {
    case FloatCC.Eq: return x === y;
    case FloatCC.Ne: return x !== y;
    case FloatCC.Lt: return x < y;
    case FloatCC.Le: return x <= y;
    case FloatCC.Gt: return x > y;
    case FloatCC.Ge: return x >= y;
    case FloatCC.Ord: return !uno;
    case FloatCC.Uno: return uno;
    case FloatCC.One: return !uno && x !== y;
    case FloatCC.Ueq: return uno || x === y;
    case FloatCC.Ult: return uno || x < y;
    case FloatCC.Ule: return uno || x <= y;
    case FloatCC.Ugt: return uno || x > y;
    case FloatCC.Uge: return uno || x >= y;
  }
}

export function atomicOp(o: number, old: bigint, x: bigint, w: number): bigint {
  const so = BigInt.asIntN(w, old), sx = BigInt.asIntN(w, x);
  switch (o as AtomicOp) {
    case AtomicOp.Add: return old + x;
    case AtomicOp.Sub: return old - x;
    case AtomicOp.And: return old & x;
    case AtomicOp.Nand: return ~(old & x);
    case AtomicOp.Or: return old | x;
    case AtomicOp.Xor: return old ^ x;
    case AtomicOp.Xchg: return x;
    case AtomicOp.Umin: return old < x ? old : x;
    case AtomicOp.Umax: return old > x ? old : x;
    case AtomicOp.Smin: return so < sx ? so : sx;
    case AtomicOp.Smax: return so > sx ? so : sx;
  }
}

