/**
 * WebAssembly 128-bit SIMD operators → IR (translate/, called by translator.ts for
 * every 0xFD-prefixed operator), as cranelift-wasm translates them.
 *
 * Wasm has one v128 type; the IR has lane-typed vectors. The canonical IR type of a
 * v128 at every boundary — locals, globals, block and function parameters and
 * results, call arguments — is i8x16 (runtime/vmoffsets.ts irType). On the operand
 * stack a vector may have any 128-bit vector type: each operator asks for the lane
 * type it works on (`as`), which adds a `bitcast ... little` only when the type
 * differs, and looks through an earlier bitcast to reuse its source (a bitcast made
 * earlier in the same block is reused too). Bitwise operators (and, or, xor, andnot,
 * not, bitselect) have no lane type: they work in the type their operands already
 * have. The translator canonicalises to i8x16 only where a boundary needs it
 * (translator.ts `canonical`). So a chain of i32x4 operators carries i32x4 values
 * without any bitcast in between.
 *
 * The shapes follow what the x64 backend fuses: extmul = imul of two like widenings,
 * extadd_pairwise = iadd_pairwise(widen_low x, widen_high x), dot = iadd_pairwise of
 * the low and high extending multiplies, trunc_sat_f64x2_zero = (u)(u)narrow of the
 * i64x2 saturating conversion with a zero vector, convert_low = fcvt of swiden_low /
 * uwiden_low, pmin/pmax = bitselect on an fcmp (not fmin/fmax: their NaN and zero
 * rules differ). A splat of a constant is a vconst (nothing else folds it at run
 * time). Shift amounts are not masked here: the IR shifts mask by the lane
 * width themselves. No NaN canonicalisation: Wasm accepts arithmetic NaNs.
 *
 * Memory operators use the same heap addressing and bounds modes as scalar ones
 * (environ.ts heapLoad/heapStore): v128.load/store are 16-byte accesses, the
 * extending loads the IR's sload8x8/uload8x8... (8 bytes), load_splat and load_zero
 * a scalar load then splat / scalar_to_vector, load_lane/store_lane a scalar access
 * plus insertlane / extractlane.
 *
 * The operator table (SK_* kind, IR opcode, vector type, extra) is dense typed
 * arrays indexed by the sub-opcode, built once at load.
 */
import { Function, Value, VK_RESULT, NONE } from '../ir/function';
import { Op } from '../ir/opcodes';
import { IntCC, FloatCC, MF_LITTLE } from '../ir/immediates';
import * as T from '../ir/types';
import type { FunctionBuilder } from '../frontend/builder';
import type { OperatorReader } from '../wasm/operators';
import { OP_PREFIX_FD, opName } from '../wasm/opcodes';
import type { FuncEnvironment } from './environ';

/** The translator's operand stack, as the SIMD operators see it. */
export interface OperandStack {
  push(v: Value): void;
  pop(): Value;
  /** Push the i32 `uextend` of an i8 condition (a branch or select right after may use the i8). */
  pushCompare(v: Value): void;
}

// operator kinds
const SK_NONE = 0;
const SK_LOAD = 1; //         irop, type (result), size
const SK_LOAD_SPLAT = 2; //   type (vector), size
const SK_LOAD_ZERO = 3; //    type (vector), size
const SK_LOAD_LANE = 4; //    type (vector), size
const SK_STORE = 5; //        size
const SK_STORE_LANE = 6; //   type (vector), size
const SK_CONST = 7;
const SK_SHUFFLE = 8;
const SK_SPLAT = 9; //        type (vector)
const SK_EXTRACT = 10; //     type, extra: 0 plain, 1 sextend, 2 uextend to i32
const SK_REPLACE = 11; //     type
const SK_UNARY = 12; //       irop, type (operand; result inferred)
const SK_BINARY = 13; //      irop, type (operands; result inferred)
const SK_ICMP = 14; //        type, extra: IntCC
const SK_FCMP = 15; //        type, extra: FloatCC
const SK_SHIFT = 16; //       irop, type
const SK_BITSELECT = 17;
const SK_ANY_TRUE = 18;
const SK_ALL_TRUE = 19; //    type
const SK_BITMASK = 20; //     type
const SK_EXTMUL = 21; //      irop (the widening), type (operands)
const SK_EXTADD = 22; //      irop (low widening), type (operand)
const SK_DOT = 23;
const SK_CONVERT = 24; //     irop, type (result), extra: operand type
const SK_TRUNC_ZERO = 25; //  irop (narrowing), extra: conversion op
const SK_CONVERT_LOW = 26; // irop (widening), extra: conversion op
const SK_PMINMAX = 27; //     type, extra: 0 pmin, 1 pmax
const SK_BITWISE = 28; //     irop; lane-agnostic: works in its operands' type
const SK_NOT = 29;

const N = 0x100;
const KIND = new Uint8Array(N);
const IROP = new Uint16Array(N);
const TYPE = new Uint8Array(N);
const SIZE = new Uint8Array(N);
const EXTRA = new Uint16Array(N);

function set(sub: number, kind: number, irop: Op | 0, type: T.Type, extra = 0, size = 0): void {
  KIND[sub] = kind; IROP[sub] = irop; TYPE[sub] = type; EXTRA[sub] = extra; SIZE[sub] = size;
}

const { I8X16, I16X8, I32X4, I64X2, F32X4, F64X2 } = T;

// ---- memory ----
set(0x00, SK_LOAD, Op.Load, I8X16, 0, 16);
set(0x01, SK_LOAD, Op.Sload8x8, I16X8, 0, 8);
set(0x02, SK_LOAD, Op.Uload8x8, I16X8, 0, 8);
set(0x03, SK_LOAD, Op.Sload16x4, I32X4, 0, 8);
set(0x04, SK_LOAD, Op.Uload16x4, I32X4, 0, 8);
set(0x05, SK_LOAD, Op.Sload32x2, I64X2, 0, 8);
set(0x06, SK_LOAD, Op.Uload32x2, I64X2, 0, 8);
set(0x07, SK_LOAD_SPLAT, 0, I8X16, 0, 1);
set(0x08, SK_LOAD_SPLAT, 0, I16X8, 0, 2);
set(0x09, SK_LOAD_SPLAT, 0, I32X4, 0, 4);
set(0x0a, SK_LOAD_SPLAT, 0, I64X2, 0, 8);
set(0x0b, SK_STORE, Op.Store, I8X16, 0, 16);
set(0x5c, SK_LOAD_ZERO, 0, I32X4, 0, 4);
set(0x5d, SK_LOAD_ZERO, 0, I64X2, 0, 8);
[I8X16, I16X8, I32X4, I64X2].forEach((t, k) => {
  set(0x54 + k, SK_LOAD_LANE, 0, t, 0, T.laneBits(t) >> 3);
  set(0x58 + k, SK_STORE_LANE, 0, t, 0, T.laneBits(t) >> 3);
});

// ---- constants, shuffles, splats, lanes ----
set(0x0c, SK_CONST, 0, I8X16);
set(0x0d, SK_SHUFFLE, Op.Shuffle, I8X16);
set(0x0e, SK_BINARY, Op.Swizzle, I8X16);
[I8X16, I16X8, I32X4, I64X2, F32X4, F64X2].forEach((t, k) => set(0x0f + k, SK_SPLAT, Op.Splat, t));
const LANE_OPS: [number, T.Type, number][] = [
  [0x15, I8X16, 1], [0x16, I8X16, 2], [0x18, I16X8, 1], [0x19, I16X8, 2],
  [0x1b, I32X4, 0], [0x1d, I64X2, 0], [0x1f, F32X4, 0], [0x21, F64X2, 0],
];
for (const [sub, t, ext] of LANE_OPS) set(sub, SK_EXTRACT, Op.Extractlane, t, ext);
for (const [sub, t] of [[0x17, I8X16], [0x1a, I16X8], [0x1c, I32X4], [0x1e, I64X2], [0x20, F32X4], [0x22, F64X2]] as [number, T.Type][]) {
  set(sub, SK_REPLACE, Op.Insertlane, t);
}

// ---- compares ----
const ICC = [IntCC.Eq, IntCC.Ne, IntCC.Slt, IntCC.Ult, IntCC.Sgt, IntCC.Ugt, IntCC.Sle, IntCC.Ule, IntCC.Sge, IntCC.Uge];
ICC.forEach((cc, k) => { set(0x23 + k, SK_ICMP, Op.Icmp, I8X16, cc); set(0x2d + k, SK_ICMP, Op.Icmp, I16X8, cc); set(0x37 + k, SK_ICMP, Op.Icmp, I32X4, cc); });
const FCC = [FloatCC.Eq, FloatCC.Ne, FloatCC.Lt, FloatCC.Gt, FloatCC.Le, FloatCC.Ge];
FCC.forEach((cc, k) => { set(0x41 + k, SK_FCMP, Op.Fcmp, F32X4, cc); set(0x47 + k, SK_FCMP, Op.Fcmp, F64X2, cc); });
[IntCC.Eq, IntCC.Ne, IntCC.Slt, IntCC.Sgt, IntCC.Sle, IntCC.Sge].forEach((cc, k) => set(0xd6 + k, SK_ICMP, Op.Icmp, I64X2, cc));

// ---- bitwise ----
set(0x4d, SK_NOT, Op.Bnot, I8X16);
set(0x4e, SK_BITWISE, Op.Band, I8X16);
set(0x4f, SK_BITWISE, Op.BandNot, I8X16);
set(0x50, SK_BITWISE, Op.Bor, I8X16);
set(0x51, SK_BITWISE, Op.Bxor, I8X16);
set(0x52, SK_BITSELECT, Op.Bitselect, I8X16);
set(0x53, SK_ANY_TRUE, Op.VanyTrue, I8X16);

// ---- float conversions and rounding ----
set(0x5e, SK_UNARY, Op.Fvdemote, F64X2);
set(0x5f, SK_UNARY, Op.FvpromoteLow, F32X4);
[Op.Ceil, Op.Floor, Op.Trunc, Op.Nearest].forEach((o, k) => set(0x67 + k, SK_UNARY, o, F32X4));
set(0x74, SK_UNARY, Op.Ceil, F64X2);
set(0x75, SK_UNARY, Op.Floor, F64X2);
set(0x7a, SK_UNARY, Op.Trunc, F64X2);
set(0x94, SK_UNARY, Op.Nearest, F64X2);

// ---- integer lanes: i8x16 0x60.., i16x8 0x80.., i32x4 0xa0.., i64x2 0xc0.. ----
const INT_VEC: [number, T.Type][] = [[0x60, I8X16], [0x80, I16X8], [0xa0, I32X4], [0xc0, I64X2]];
for (const [base, t] of INT_VEC) {
  set(base + 0x00, SK_UNARY, Op.Iabs, t);
  set(base + 0x01, SK_UNARY, Op.Ineg, t);
  set(base + 0x03, SK_ALL_TRUE, Op.VallTrue, t);
  set(base + 0x04, SK_BITMASK, Op.VhighBits, t);
  set(base + 0x0b, SK_SHIFT, Op.Ishl, t);
  set(base + 0x0c, SK_SHIFT, Op.Sshr, t);
  set(base + 0x0d, SK_SHIFT, Op.Ushr, t);
  set(base + 0x0e, SK_BINARY, Op.Iadd, t);
  set(base + 0x11, SK_BINARY, Op.Isub, t);
  if (t !== I8X16) set(base + 0x15, SK_BINARY, Op.Imul, t);
  if (t !== I64X2) {
    set(base + 0x16, SK_BINARY, Op.Smin, t);
    set(base + 0x17, SK_BINARY, Op.Umin, t);
    set(base + 0x18, SK_BINARY, Op.Smax, t);
    set(base + 0x19, SK_BINARY, Op.Umax, t);
  }
}
set(0x62, SK_UNARY, Op.Popcnt, I8X16);
set(0x65, SK_BINARY, Op.Snarrow, I16X8);
set(0x66, SK_BINARY, Op.Unarrow, I16X8);
set(0x85, SK_BINARY, Op.Snarrow, I32X4);
set(0x86, SK_BINARY, Op.Unarrow, I32X4);
for (const [base, t] of [[0x6e, I8X16], [0x8e, I16X8]] as [number, T.Type][]) {
  set(base + 1, SK_BINARY, Op.SaddSat, t);
  set(base + 2, SK_BINARY, Op.UaddSat, t);
  set(base + 4, SK_BINARY, Op.SsubSat, t);
  set(base + 5, SK_BINARY, Op.UsubSat, t);
}
set(0x7b, SK_BINARY, Op.AvgRound, I8X16);
set(0x9b, SK_BINARY, Op.AvgRound, I16X8);
set(0x82, SK_BINARY, Op.SqmulRoundSat, I16X8);
// extend_low_s, extend_high_s, extend_low_u, extend_high_u (operand: the narrow type)
const WIDEN = [Op.SwidenLow, Op.SwidenHigh, Op.UwidenLow, Op.UwidenHigh];
for (const [base, t] of [[0x87, I8X16], [0xa7, I16X8], [0xc7, I32X4]] as [number, T.Type][]) {
  WIDEN.forEach((o, k) => set(base + k, SK_UNARY, o, t));
}
// extmul low_s, high_s, low_u, high_u
for (const [base, t] of [[0x9c, I8X16], [0xbc, I16X8], [0xdc, I32X4]] as [number, T.Type][]) {
  WIDEN.forEach((o, k) => set(base + k, SK_EXTMUL, o, t));
}
set(0x7c, SK_EXTADD, Op.SwidenLow, I8X16);
set(0x7d, SK_EXTADD, Op.UwidenLow, I8X16);
set(0x7e, SK_EXTADD, Op.SwidenLow, I16X8);
set(0x7f, SK_EXTADD, Op.UwidenLow, I16X8);
set(0xba, SK_DOT, 0, I16X8);

// ---- float lanes: f32x4 0xe0.., f64x2 0xec.. ----
for (const [base, t] of [[0xe0, F32X4], [0xec, F64X2]] as [number, T.Type][]) {
  set(base + 0, SK_UNARY, Op.Fabs, t);
  set(base + 1, SK_UNARY, Op.Fneg, t);
  set(base + 3, SK_UNARY, Op.Sqrt, t);
  [Op.Fadd, Op.Fsub, Op.Fmul, Op.Fdiv, Op.Fmin, Op.Fmax].forEach((o, k) => set(base + 4 + k, SK_BINARY, o, t));
  set(base + 10, SK_PMINMAX, 0, t, 0);
  set(base + 11, SK_PMINMAX, 0, t, 1);
}

// ---- int/float conversions ----
set(0xf8, SK_CONVERT, Op.FcvtToSintSat, I32X4, F32X4);
set(0xf9, SK_CONVERT, Op.FcvtToUintSat, I32X4, F32X4);
set(0xfa, SK_CONVERT, Op.FcvtFromSint, F32X4, I32X4);
set(0xfb, SK_CONVERT, Op.FcvtFromUint, F32X4, I32X4);
set(0xfc, SK_TRUNC_ZERO, Op.Snarrow, I32X4, Op.FcvtToSintSat);
set(0xfd, SK_TRUNC_ZERO, Op.Uunarrow, I32X4, Op.FcvtToUintSat);
set(0xfe, SK_CONVERT_LOW, Op.SwidenLow, F64X2, Op.FcvtFromSint);
set(0xff, SK_CONVERT_LOW, Op.UwidenLow, F64X2, Op.FcvtFromUint);

const ZERO16 = new Uint8Array(16);
/** Bitcasts remembered per block for reuse. */
const CAST_CACHE = 8;

/** Translates SIMD operators of one function at a time (begin, then translate per operator). */
export class SimdTranslator {
  private f!: Function;
  private b!: FunctionBuilder;
  private bytes!: Uint8Array;
  // the last CAST_CACHE bitcasts made in the current block: source, type, result
  private readonly castSrc = new Uint32Array(CAST_CACHE);
  private readonly castType = new Uint8Array(CAST_CACHE);
  private readonly castRes = new Uint32Array(CAST_CACHE);
  private castBlock = -1;
  private castN = 0;
  private readonly splatBytes = new Uint8Array(16);
  private readonly a1 = [0];
  private readonly a2 = [0, 0];
  private readonly a3 = [0, 0, 0];

  constructor(private readonly envc: FuncEnvironment) {}

  begin(f: Function, b: FunctionBuilder, bytes: Uint8Array): void {
    this.f = f;
    this.b = b;
    this.bytes = bytes;
    this.castBlock = -1;
    this.castN = 0;
  }

  /** `v` as a vector of type `t`: itself, the source of a bitcast that had type `t`, or a new bitcast. */
  as(v: Value, t: T.Type): Value {
    const f = this.f;
    const r = f.resolve(v);
    if (f.vType[r] === t) return r;
    v = r;
    if (f.vKind[r] === VK_RESULT) {
      const i = f.vDef[r];
      if (f.iOp[i] === Op.Bitcast) {
        const src = f.resolve(f.arg(i, 0));
        const st = f.vType[src];
        if (st === t) return src;
        if (T.isVector(st)) v = src;
      }
    }
    const blk = this.b.currentBlock();
    if (blk !== this.castBlock) {
      this.castBlock = blk;
      this.castN = 0;
    }
    const n = this.castN < CAST_CACHE ? this.castN : CAST_CACHE;
    for (let k = 0; k < n; k++) {
      if (this.castSrc[k] === v && this.castType[k] === t) return this.castRes[k];
    }
    this.a1[0] = v;
    const c = this.b.val(Op.Bitcast, t, this.a1, MF_LITTLE);
    const k = this.castN++ % CAST_CACHE;
    this.castSrc[k] = v;
    this.castType[k] = t;
    this.castRes[k] = c;
    return c;
  }

  /** The type two lane-agnostic operands meet in: the first's, unless it is the canonical i8x16 and the second's is not. */
  private meet(x: Value, y: Value): T.Type {
    const f = this.f;
    const tx = f.vType[f.resolve(x)];
    return tx === I8X16 ? f.vType[f.resolve(y)] : tx;
  }

  /** Translate SIMD operator `op` (dense id, 0x200 + sub-opcode) whose immediates `r` holds. */
  translate(op: number, r: OperatorReader, s: OperandStack): void {
    const b = this.b;
    const sub = op - OP_PREFIX_FD;
    const irop = IROP[sub] as Op;
    const t = TYPE[sub];
    switch (KIND[sub]) {
      case SK_LOAD: {
        const idx = s.pop();
        s.push(this.envc.heapLoad(irop, t, SIZE[sub], 0, idx, r.offset));
        return;
      }
      case SK_LOAD_SPLAT: {
        const idx = s.pop();
        const x = this.envc.heapLoad(Op.Load, T.laneOf(t), SIZE[sub], 0, idx, r.offset);
        s.push(b.convert(Op.Splat, t, x));
        return;
      }
      case SK_LOAD_ZERO: {
        const idx = s.pop();
        const x = this.envc.heapLoad(Op.Load, T.laneOf(t), SIZE[sub], 0, idx, r.offset);
        s.push(b.convert(Op.ScalarToVector, t, x));
        return;
      }
      case SK_LOAD_LANE: {
        const v = this.as(s.pop(), t);
        const idx = s.pop();
        const x = this.envc.heapLoad(Op.Load, T.laneOf(t), SIZE[sub], 0, idx, r.offset);
        s.push(this.insertLane(v, x, r.imm2));
        return;
      }
      case SK_STORE: {
        const v = s.pop();
        const idx = s.pop();
        this.envc.heapStore(Op.Store, SIZE[sub], 0, idx, v, r.offset);
        return;
      }
      case SK_STORE_LANE: {
        const v = this.as(s.pop(), t);
        const idx = s.pop();
        this.envc.heapStore(Op.Store, SIZE[sub], 0, idx, this.extractLane(v, r.imm2), r.offset);
        return;
      }
      case SK_CONST:
        s.push(b.vconst(I8X16, this.bytes.subarray(r.immPos, r.immPos + 16)));
        return;
      case SK_SHUFFLE: {
        const y = this.as(s.pop(), I8X16);
        const x = this.as(s.pop(), I8X16);
        const f = this.f;
        f.constants.push(this.bytes.slice(r.immPos, r.immPos + 16));
        s.push(b.val(Op.Shuffle, T.INVALID, this.args2(x, y), f.constants.length - 1));
        return;
      }
      case SK_SPLAT: {
        let x = s.pop();
        const k = this.constSplat(x, t);
        if (k !== NONE) { s.push(k); return; }
        const lane = T.laneOf(t);
        if (T.bits(lane) < 32) x = b.convert(Op.Ireduce, lane, x);
        s.push(b.convert(Op.Splat, t, x));
        return;
      }
      case SK_EXTRACT: {
        const x = this.extractLane(this.as(s.pop(), t), r.imm);
        const ext = EXTRA[sub];
        s.push(ext === 0 ? x : b.convert(ext === 1 ? Op.Sextend : Op.Uextend, T.I32, x));
        return;
      }
      case SK_REPLACE: {
        let x = s.pop();
        const v = this.as(s.pop(), t);
        const lane = T.laneOf(t);
        if (T.isIntLane(lane) && T.bits(lane) < 32) x = b.convert(Op.Ireduce, lane, x);
        s.push(this.insertLane(v, x, r.imm));
        return;
      }
      case SK_UNARY:
        s.push(b.unary(irop, this.as(s.pop(), t)));
        return;
      case SK_BINARY: {
        const y = this.as(s.pop(), t);
        const x = this.as(s.pop(), t);
        s.push(b.binary(irop, x, y));
        return;
      }
      case SK_ICMP: {
        const y = this.as(s.pop(), t);
        const x = this.as(s.pop(), t);
        s.push(b.icmp(EXTRA[sub], x, y));
        return;
      }
      case SK_FCMP: {
        const y = this.as(s.pop(), t);
        const x = this.as(s.pop(), t);
        s.push(b.fcmp(EXTRA[sub], x, y));
        return;
      }
      case SK_SHIFT: {
        const amount = s.pop();
        s.push(b.binary(irop, this.as(s.pop(), t), amount));
        return;
      }
      case SK_BITWISE: {
        const y = s.pop();
        const x = s.pop();
        const vt = this.meet(x, y);
        s.push(b.binary(irop, this.as(x, vt), this.as(y, vt)));
        return;
      }
      case SK_NOT:
        s.push(b.unary(Op.Bnot, s.pop()));
        return;
      case SK_BITSELECT: {
        // Wasm: bitselect(v1, v2, c) = (v1 & c) | (v2 & ~c); IR: bitselect(c, x, y)
        const c = s.pop();
        const y = s.pop();
        const x = s.pop();
        const vt = this.meet(x, y);
        const a = this.a3;
        a[0] = this.as(c, vt); a[1] = this.as(x, vt); a[2] = this.as(y, vt);
        s.push(b.val(Op.Bitselect, T.INVALID, a));
        return;
      }
      case SK_ANY_TRUE: {
        // any lane type: non-zero anywhere
        s.pushCompare(b.convert(Op.Uextend, T.I32, b.unary(Op.VanyTrue, s.pop())));
        return;
      }
      case SK_ALL_TRUE:
        s.pushCompare(b.convert(Op.Uextend, T.I32, b.unary(Op.VallTrue, this.as(s.pop(), t))));
        return;
      case SK_BITMASK:
        s.push(b.convert(Op.VhighBits, T.I32, this.as(s.pop(), t)));
        return;
      case SK_EXTMUL: {
        const y = this.as(s.pop(), t);
        const x = this.as(s.pop(), t);
        s.push(b.binary(Op.Imul, b.unary(irop, x), b.unary(irop, y)));
        return;
      }
      case SK_EXTADD: {
        const x = this.as(s.pop(), t);
        const high = irop === Op.SwidenLow ? Op.SwidenHigh : Op.UwidenHigh;
        s.push(b.binary(Op.IaddPairwise, b.unary(irop, x), b.unary(high, x)));
        return;
      }
      case SK_DOT: {
        const y = this.as(s.pop(), I16X8);
        const x = this.as(s.pop(), I16X8);
        const lo = b.binary(Op.Imul, b.unary(Op.SwidenLow, x), b.unary(Op.SwidenLow, y));
        const hi = b.binary(Op.Imul, b.unary(Op.SwidenHigh, x), b.unary(Op.SwidenHigh, y));
        s.push(b.binary(Op.IaddPairwise, lo, hi));
        return;
      }
      case SK_CONVERT:
        s.push(b.convert(irop, t, this.as(s.pop(), EXTRA[sub])));
        return;
      case SK_TRUNC_ZERO: {
        const x = b.convert(EXTRA[sub] as Op, I64X2, this.as(s.pop(), F64X2));
        s.push(b.binary(irop, x, b.vconst(I64X2, ZERO16)));
        return;
      }
      case SK_CONVERT_LOW:
        s.push(b.convert(EXTRA[sub] as Op, F64X2, b.unary(irop, this.as(s.pop(), I32X4))));
        return;
      case SK_PMINMAX: {
        // pmin(x, y) = y < x ? y : x; pmax(x, y) = x < y ? y : x (lane-wise, no NaN rules)
        const y = this.as(s.pop(), t);
        const x = this.as(s.pop(), t);
        const c = EXTRA[sub] === 0 ? b.fcmp(FloatCC.Lt, y, x) : b.fcmp(FloatCC.Lt, x, y);
        const a = this.a3;
        a[0] = this.as(c, t); a[1] = y; a[2] = x;
        s.push(b.val(Op.Bitselect, T.INVALID, a));
        return;
      }
      default:
        throw new Error(`translate: SIMD operator ${opName(op)} has no translation`);
    }
  }

  /**
   * A splat of a constant as a vconst of type `t` (NONE if `x` is not a constant): the
   * runtime pipeline has no constant folding, and a splat in a loop would be redone on
   * every iteration.
   */
  private constSplat(x: Value, t: T.Type): Value {
    const f = this.f;
    const r = f.resolve(x);
    if (f.vKind[r] !== VK_RESULT) return NONE;
    const i = f.vDef[r];
    const op = f.iOp[i];
    if (op !== Op.Iconst && op !== Op.F32const && op !== Op.F64const) return NONE;
    const w = T.laneBits(t) >> 3;
    const lo = f.iImm0[i], hi = f.iImm1[i];
    const bytes = this.splatBytes;
    for (let k = 0; k < 16; k++) {
      const at = k % w;
      bytes[k] = at < 4 ? lo >>> (8 * at) : hi >>> (8 * (at - 4));
    }
    return this.b.vconst(t, bytes);
  }

  private extractLane(v: Value, lane: number): Value {
    this.a1[0] = v;
    return this.b.val(Op.Extractlane, T.INVALID, this.a1, lane);
  }

  private insertLane(v: Value, x: Value, lane: number): Value {
    return this.b.val(Op.Insertlane, T.INVALID, this.args2(v, x), lane);
  }

  private args2(x: Value, y: Value): number[] {
    const a = this.a2;
    a[0] = x; a[1] = y;
    return a;
  }
}
