/**
 * How each numeric and memory Wasm operator maps to IR (translate/): dense tables
 * indexed by the Wasm dense opcode id (wasm/opcodes.ts), built once at load, so the
 * translator's hot path is a table lookup and one switch on a small kind.
 *
 * Kinds:
 *   UNARY, BINARY   one IR op of the operand type (ctrl type inferred)
 *   ICMP, FCMP      icmp/fcmp with NUM_CC, then uextend.i32 (IR compares give i8)
 *   EQZ             icmp eq x, 0, then uextend.i32
 *   CONVERT         one IR op with explicit result type NUM_TYPE (extends, reduces,
 *                   float/int conversions, trapping and saturating truncations, bitcasts)
 *   EXTEND_S        sign-extension operators: ireduce to NUM_NARROW, sextend to NUM_TYPE
 *   LOAD, STORE     heap accesses: IR op, value type, access size in MEM_SIZE
 */
import { Op } from '../ir/opcodes';
import { IntCC, FloatCC } from '../ir/immediates';
import * as T from '../ir/types';
import { OP_COUNT, OP_PREFIX_FC } from '../wasm/opcodes';

export const enum NumKind { None, Unary, Binary, Icmp, Fcmp, Eqz, Convert, ExtendS, Load, Store }

export const NUM_KIND = new Uint8Array(OP_COUNT);
export const NUM_IROP = new Uint16Array(OP_COUNT);
export const NUM_TYPE = new Uint8Array(OP_COUNT);
export const NUM_CC = new Uint8Array(OP_COUNT);
export const NUM_NARROW = new Uint8Array(OP_COUNT);
export const MEM_SIZE = new Uint8Array(OP_COUNT);

function set(op: number, kind: NumKind, irop: Op, type: T.Type, cc = 0): void {
  NUM_KIND[op] = kind; NUM_IROP[op] = irop; NUM_TYPE[op] = type; NUM_CC[op] = cc;
}

const ICC = [IntCC.Eq, IntCC.Ne, IntCC.Slt, IntCC.Ult, IntCC.Sgt, IntCC.Ugt, IntCC.Sle, IntCC.Ule, IntCC.Sge, IntCC.Uge];
const FCC = [FloatCC.Eq, FloatCC.Ne, FloatCC.Lt, FloatCC.Gt, FloatCC.Le, FloatCC.Ge];
const IUN = [Op.Clz, Op.Ctz, Op.Popcnt];
const IBIN = [Op.Iadd, Op.Isub, Op.Imul, Op.Sdiv, Op.Udiv, Op.Srem, Op.Urem, Op.Band, Op.Bor, Op.Bxor, Op.Ishl, Op.Sshr, Op.Ushr, Op.Rotl, Op.Rotr];
const FUN = [Op.Fabs, Op.Fneg, Op.Ceil, Op.Floor, Op.Trunc, Op.Nearest, Op.Sqrt];
const FBIN = [Op.Fadd, Op.Fsub, Op.Fmul, Op.Fdiv, Op.Fmin, Op.Fmax, Op.Fcopysign];

set(0x45, NumKind.Eqz, Op.Icmp, T.I32);
ICC.forEach((cc, k) => set(0x46 + k, NumKind.Icmp, Op.Icmp, T.I32, cc));
set(0x50, NumKind.Eqz, Op.Icmp, T.I64);
ICC.forEach((cc, k) => set(0x51 + k, NumKind.Icmp, Op.Icmp, T.I64, cc));
FCC.forEach((cc, k) => set(0x5b + k, NumKind.Fcmp, Op.Fcmp, T.F32, cc));
FCC.forEach((cc, k) => set(0x61 + k, NumKind.Fcmp, Op.Fcmp, T.F64, cc));
IUN.forEach((o, k) => set(0x67 + k, NumKind.Unary, o, T.I32));
IBIN.forEach((o, k) => set(0x6a + k, NumKind.Binary, o, T.I32));
IUN.forEach((o, k) => set(0x79 + k, NumKind.Unary, o, T.I64));
IBIN.forEach((o, k) => set(0x7c + k, NumKind.Binary, o, T.I64));
FUN.forEach((o, k) => set(0x8b + k, NumKind.Unary, o, T.F32));
FBIN.forEach((o, k) => set(0x92 + k, NumKind.Binary, o, T.F32));
FUN.forEach((o, k) => set(0x99 + k, NumKind.Unary, o, T.F64));
FBIN.forEach((o, k) => set(0xa0 + k, NumKind.Binary, o, T.F64));

const CONV: [number, Op, T.Type][] = [
  [0xa7, Op.Ireduce, T.I32],
  [0xa8, Op.FcvtToSint, T.I32], [0xa9, Op.FcvtToUint, T.I32], [0xaa, Op.FcvtToSint, T.I32], [0xab, Op.FcvtToUint, T.I32],
  [0xac, Op.Sextend, T.I64], [0xad, Op.Uextend, T.I64],
  [0xae, Op.FcvtToSint, T.I64], [0xaf, Op.FcvtToUint, T.I64], [0xb0, Op.FcvtToSint, T.I64], [0xb1, Op.FcvtToUint, T.I64],
  [0xb2, Op.FcvtFromSint, T.F32], [0xb3, Op.FcvtFromUint, T.F32], [0xb4, Op.FcvtFromSint, T.F32], [0xb5, Op.FcvtFromUint, T.F32],
  [0xb6, Op.Fdemote, T.F32],
  [0xb7, Op.FcvtFromSint, T.F64], [0xb8, Op.FcvtFromUint, T.F64], [0xb9, Op.FcvtFromSint, T.F64], [0xba, Op.FcvtFromUint, T.F64],
  [0xbb, Op.Fpromote, T.F64],
  [0xbc, Op.Bitcast, T.I32], [0xbd, Op.Bitcast, T.I64], [0xbe, Op.Bitcast, T.F32], [0xbf, Op.Bitcast, T.F64],
];
for (const [op, irop, t] of CONV) set(op, NumKind.Convert, irop, t);
const FC = OP_PREFIX_FC;
const SAT: [Op, T.Type][] = [
  [Op.FcvtToSintSat, T.I32], [Op.FcvtToUintSat, T.I32], [Op.FcvtToSintSat, T.I32], [Op.FcvtToUintSat, T.I32],
  [Op.FcvtToSintSat, T.I64], [Op.FcvtToUintSat, T.I64], [Op.FcvtToSintSat, T.I64], [Op.FcvtToUintSat, T.I64],
];
SAT.forEach(([irop, t], k) => set(FC + k, NumKind.Convert, irop, t));

const EXT: [number, T.Type, T.Type][] = [[0xc0, T.I8, T.I32], [0xc1, T.I16, T.I32], [0xc2, T.I8, T.I64], [0xc3, T.I16, T.I64], [0xc4, T.I32, T.I64]];
for (const [op, narrow, t] of EXT) { set(op, NumKind.ExtendS, Op.Sextend, t); NUM_NARROW[op] = narrow; }

const LOADS: [number, Op, T.Type, number][] = [
  [0x28, Op.Load, T.I32, 4], [0x29, Op.Load, T.I64, 8], [0x2a, Op.Load, T.F32, 4], [0x2b, Op.Load, T.F64, 8],
  [0x2c, Op.Sload8, T.I32, 1], [0x2d, Op.Uload8, T.I32, 1], [0x2e, Op.Sload16, T.I32, 2], [0x2f, Op.Uload16, T.I32, 2],
  [0x30, Op.Sload8, T.I64, 1], [0x31, Op.Uload8, T.I64, 1], [0x32, Op.Sload16, T.I64, 2], [0x33, Op.Uload16, T.I64, 2],
  [0x34, Op.Sload32, T.I64, 4], [0x35, Op.Uload32, T.I64, 4],
];
for (const [op, irop, t, size] of LOADS) { set(op, NumKind.Load, irop, t); MEM_SIZE[op] = size; }
const STORES: [number, Op, T.Type, number][] = [
  [0x36, Op.Store, T.I32, 4], [0x37, Op.Store, T.I64, 8], [0x38, Op.Store, T.F32, 4], [0x39, Op.Store, T.F64, 8],
  [0x3a, Op.Istore8, T.I32, 1], [0x3b, Op.Istore16, T.I32, 2], [0x3c, Op.Istore8, T.I64, 1], [0x3d, Op.Istore16, T.I64, 2],
  [0x3e, Op.Istore32, T.I64, 4],
];
for (const [op, irop, t, size] of STORES) { set(op, NumKind.Store, irop, t); MEM_SIZE[op] = size; }
