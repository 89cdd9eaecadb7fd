/**
 * Lowering rules for scalar integer operations and control flow (isa/x64).
 *
 * Narrow types (i8, i16) live in 32-bit registers whose upper bits are undefined:
 * add, sub, mul, logic and left shifts work at 32 bits; comparisons, right shifts,
 * rotates, division, bit counts and overflow flags work at the type's own width (or
 * on an extended copy). Shift and rotate amounts are taken modulo the type width
 * (x86 masks 8/16-bit shift counts by 31, so narrow shifts mask explicitly).
 */
import { Op } from '../../ir/opcodes';
import * as T from '../../ir/types';
import { AluOp, BitOp, Cond, ShiftOp, UnaryOp } from './encode';
import {
  AM_REG, CVT_SAT, DEF_EARLY, DEF_REG, DIV_S, DIV_SREM, DIV_U, DIV_UREM, FP_CMP, FP_CMPI, FP_TEST, INST_BRANCH, INST_RET, K,
  USE_ANY, USE_REG, defFixed, defReuse, useFixed,
} from './inst';
import { CondSpec, Lower, aluSize, invertCC, registerRule, unsupported } from './lower';
import { Gpr, RegClass, gpr } from './regs';
import { divideByConstant } from './lower-divconst';

const RAX = gpr(Gpr.RAX);
const RDX = gpr(Gpr.RDX);
const RCX = gpr(Gpr.RCX);

void CVT_SAT;

/** dst = imm64 (lo, hi) in a new vreg. */
export function movImm(cx: Lower, lo: number, hi: number): number {
  const vc = cx.vc;
  const d = vc.newVReg(RegClass.Int);
  vc.begin(K.MovImm, 8, 0, lo | 0, hi | 0);
  vc.op(d, DEF_REG);
  cx.endInst();
  return d;
}

/** Emit `dst = a op b` (b a vreg) into `dst`. */
export function alu(cx: Lower, op: AluOp, size: number, a: number, b: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.Alu, size, op);
  vc.op(a, USE_REG);
  vc.op(b, USE_ANY);
  vc.op(dst, defReuse(0));
  cx.endInst();
}

/** Emit `dst = a op imm` into `dst`. */
export function aluI(cx: Lower, op: AluOp, size: number, a: number, imm: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.AluI, size, op, imm | 0);
  vc.op(a, USE_REG);
  vc.op(dst, defReuse(0));
  cx.endInst();
}

/** A new int vreg = ext(src) from `from` bytes (zero- or sign-extended to `to` bytes). */
export function extend(cx: Lower, src: number, from: number, signed: boolean, to: number): number {
  const vc = cx.vc;
  const d = vc.newVReg(RegClass.Int);
  vc.begin(K.Ext, to, from, signed ? 1 : 0);
  vc.op(src, USE_ANY);
  vc.op(d, DEF_REG);
  cx.endInst();
  return d;
}

/** Unary not/neg into a new vreg. */
function unary(cx: Lower, op: UnaryOp, size: number, a: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.Unary, size, op);
  vc.op(a, USE_REG);
  vc.op(dst, defReuse(0));
  cx.endInst();
}

/** Setcc from a producer into a new vreg. */
export function setcc(cx: Lower, c: CondSpec, cc: number, dst: number): void {
  const vc = cx.vc;
  cx.beginCond(K.Setcc, c, cc);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

// ---- constants ----

registerRule(Op.Iconst, (cx, i) => {
  const f = cx.f;
  const vc = cx.vc;
  vc.begin(K.MovImm, 8, 0, f.iImm0[i], f.iType[i] === T.I64 ? f.iImm1[i] : 0);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

// ---- arithmetic and logic ----

function binary(op: AluOp, commutative: boolean): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    if (!T.isInt(t) || t === T.I128) unsupported(`alu op ${op} on ${T.typeName(t)}`);
    const size = aluSize(t);
    let x = f.arg(i, 0);
    let y = f.arg(i, 1);
    if (commutative && cx.isIconst(x) && !cx.isIconst(y)) { const s = x; x = y; y = s; }
    const imm = cx.imm32(y, size);
    const vc = cx.vc;
    if (op === AluOp.And && cx.isIconst(y)) {
      // masks of the low 8, 16 or 32 bits are zero-extensions (three-operand, shorter)
      const lo = cx.iconstLo(y);
      const hi = t === T.I64 ? cx.iconstHi(y) : 0;
      const from = hi !== 0 ? 0 : lo === 0xff ? 1 : lo === 0xffff ? 2 : lo === -1 && t === T.I64 ? 4 : 0;
      if (from !== 0 && from < T.bytes(t)) {
        const a = cx.put(x);
        if (from === 4) {
          vc.begin(K.Mov32, 4);
          vc.op(a, USE_REG);
        } else {
          vc.begin(K.Ext, 4, from, 0);
          vc.op(a, USE_ANY);
        }
        vc.op(cx.def(i), DEF_REG);
        cx.endInst();
        return;
      }
    }
    // x stays live after this add: a three-operand lea saves the copy a two-address add needs
    const lea = op === AluOp.Add && cx.useCount(x) > 1 && !cx.isIconst(x);
    if (!Number.isNaN(imm)) {
      const a = cx.put(x);
      if (lea && T.bytes(t) >= 4) {
        const k = vc.begin(K.Lea, size);
        const b = vc.op(a, USE_REG);
        vc.setAmode(k, AM_REG, imm, 0, b, -1, 0);
        vc.op(cx.def(i), DEF_REG);
        cx.endInst();
        return;
      }
      aluI(cx, op, size, a, imm, cx.def(i));
      return;
    }
    if (T.bytes(t) === size) {
      // fuse a single-use load; the other operand first, so loads it needs come out in order
      let ld = -1;
      let a = -1;
      if (commutative && cx.deferredLoad(x) >= 0 && cx.deferredLoad(y) < 0) { const s = x; x = y; y = s; }
      if (cx.deferredLoad(y) >= 0 && cx.deferredLoad(x) < 0) {
        a = cx.put(x);
        ld = cx.sinkLoad(y, size);
      }
      if (ld >= 0) {
        const trap = cx.loadAmode(ld, 0);
        const am = cx.am;
        const k = vc.begin(K.AluM, size, op);
        vc.op(a, USE_REG);
        cx.applyAmode(k, am);
        vc.op(cx.def(i), defReuse(0));
        vc.trap[k] = trap;
        cx.endInst();
        return;
      }
      if (a >= 0 && !lea) {
        alu(cx, op, size, a, cx.put(y), cx.def(i));
        return;
      }
    }
    if (commutative && !lea && cx.useCount(x) > 1 && cx.useCount(y) === 1 && !cx.isIconst(y)) {
      // two-address: overwrite the operand that dies here, not the one that lives on
      const s = x; x = y; y = s;
    }
    const a = cx.put(x);
    const b = cx.put(y);
    if (lea && T.bytes(t) >= 4) {
      const k = vc.begin(K.Lea, size);
      const bo = vc.op(a, USE_REG);
      const io = vc.op(b, USE_REG);
      vc.setAmode(k, AM_REG, 0, 0, bo, io, 0);
      vc.op(cx.def(i), DEF_REG);
      cx.endInst();
      return;
    }
    alu(cx, op, size, a, b, cx.def(i));
  };
}

registerRule(Op.Iadd, binary(AluOp.Add, true));
registerRule(Op.Isub, binary(AluOp.Sub, false));
registerRule(Op.Band, binary(AluOp.And, true));
registerRule(Op.Bor, binary(AluOp.Or, true));
registerRule(Op.Bxor, binary(AluOp.Xor, true));

function binaryNot(op: AluOp): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    if (!T.isInt(t) || t === T.I128) unsupported(`alu-not op ${op} on ${T.typeName(t)}`);
    const size = aluSize(t);
    const x = cx.put(f.arg(i, 0));
    const y = cx.put(f.arg(i, 1));
    const ny = cx.vc.newVReg(RegClass.Int);
    unary(cx, UnaryOp.Not, size, y, ny);
    alu(cx, op, size, x, ny, cx.def(i));
  };
}
registerRule(Op.BandNot, binaryNot(AluOp.And));
registerRule(Op.BorNot, binaryNot(AluOp.Or));
registerRule(Op.BxorNot, binaryNot(AluOp.Xor));

registerRule(Op.Bnot, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`bnot on ${T.typeName(t)}`);
  unary(cx, UnaryOp.Not, aluSize(t), cx.put(cx.f.arg(i, 0)), cx.def(i));
});

registerRule(Op.Ineg, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`ineg on ${T.typeName(t)}`);
  unary(cx, UnaryOp.Neg, aluSize(t), cx.put(cx.f.arg(i, 0)), cx.def(i));
});

registerRule(Op.Imul, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`imul on ${T.typeName(t)}`);
  const size = aluSize(t);
  let x = f.arg(i, 0);
  let y = f.arg(i, 1);
  if (cx.isIconst(x) && !cx.isIconst(y)) { const s = x; x = y; y = s; }
  const vc = cx.vc;
  const imm = cx.imm32(y, size);
  if (Number.isNaN(imm) && cx.useCount(x) > 1 && cx.useCount(y) === 1) { const s = x; x = y; y = s; }
  if (!Number.isNaN(imm)) {
    const a = cx.put(x);
    vc.begin(K.ImulI, size, 0, imm);
    vc.op(a, USE_ANY);
    vc.op(cx.def(i), DEF_REG);
    cx.endInst();
    return;
  }
  const a = cx.put(x);
  const b = cx.put(y);
  vc.begin(K.Imul, size);
  vc.op(a, USE_REG);
  vc.op(b, USE_ANY);
  vc.op(cx.def(i), defReuse(0));
  cx.endInst();
});

/** hi = high half of the double-width product (umulhi/smulhi). */
function mulhi(signed: boolean): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    const vc = cx.vc;
    if (t === T.I8 || t === T.I16) {
      const w = T.bytes(t);
      const a = extend(cx, cx.put(f.arg(i, 0)), w, signed, 4);
      const b = extend(cx, cx.put(f.arg(i, 1)), w, signed, 4);
      const p = vc.newVReg(RegClass.Int);
      vc.begin(K.Imul, 4);
      vc.op(a, USE_REG);
      vc.op(b, USE_ANY);
      vc.op(p, defReuse(0));
      cx.endInst();
      vc.begin(K.ShiftI, 4, signed ? ShiftOp.Sar : ShiftOp.Shr, w * 8);
      vc.op(p, USE_REG);
      vc.op(cx.def(i), defReuse(0));
      cx.endInst();
      return;
    }
    if (t !== T.I32 && t !== T.I64) unsupported(`mulhi on ${T.typeName(t)}`);
    const a = cx.put(f.arg(i, 0));
    let b = cx.put(f.arg(i, 1));
    if (b === a) b = cx.copy(b);
    vc.begin(K.MulWide, T.bytes(t), signed ? 1 : 0);
    vc.op(a, useFixed(RAX));
    vc.op(b, USE_ANY);
    vc.op(vc.newVReg(RegClass.Int), defFixed(RAX));
    vc.op(cx.def(i), defFixed(RDX));
    cx.endInst();
  };
}
registerRule(Op.Umulhi, mulhi(false));
registerRule(Op.Smulhi, mulhi(true));

/** Division and remainder: rax:rdx by a register, with the checks CLIF requires. */
function divide(signed: boolean, rem: boolean): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    if (!T.isInt(t) || t === T.I128) unsupported(`division on ${T.typeName(t)}`);
    const vc = cx.vc;
    const narrow = T.bytes(t) < 4;
    const size = narrow ? 4 : T.bytes(t);
    if (cx.isIconst(f.arg(i, 1))) {
      const d = (BigInt(cx.iconstHi(f.arg(i, 1)) >>> 0) << 32n) | BigInt(cx.iconstLo(f.arg(i, 1)) >>> 0);
      const r = divideByConstant(cx, t, signed, rem, f.arg(i, 0), d);
      if (r >= 0) {
        cx.alias(i, 0, r);
        return;
      }
    }
    let x = cx.put(f.arg(i, 0));
    let y = cx.put(f.arg(i, 1));
    if (narrow) {
      x = extend(cx, x, T.bytes(t), signed, 4);
      y = extend(cx, y, T.bytes(t), signed, 4);
    } else if (x === y) {
      y = cx.copy(y);
    }
    let hi: number;
    if (signed) {
      hi = vc.newVReg(RegClass.Int);
      vc.begin(K.SignExtRdx, size);
      vc.op(x, useFixed(RAX));
      vc.op(hi, defFixed(RDX));
      cx.endInst();
    } else {
      hi = vc.newVReg(RegClass.Int);
      vc.begin(K.MovImm, 8, 0, 0, 0);
      vc.op(hi, DEF_REG);
      cx.endInst();
    }
    const kind = signed ? (rem ? DIV_SREM : DIV_S) : (rem ? DIV_UREM : DIV_U);
    const min = narrow && signed ? (t === T.I8 ? -128 : -32768) : 0;
    vc.begin(K.Div, size, kind, min);
    vc.op(x, useFixed(RAX));
    vc.op(hi, useFixed(RDX));
    vc.op(y, USE_REG);
    const q = rem ? vc.newVReg(RegClass.Int) : cx.def(i);
    const r = rem ? cx.def(i) : vc.newVReg(RegClass.Int);
    vc.op(q, defFixed(RAX));
    vc.op(r, defFixed(RDX));
    cx.endInst();
  };
}
registerRule(Op.Udiv, divide(false, false));
registerRule(Op.Urem, divide(false, true));
registerRule(Op.Sdiv, divide(true, false));
registerRule(Op.Srem, divide(true, true));

// ---- shifts and rotates ----

function shift(op: ShiftOp): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    if (!T.isInt(t) || t === T.I128) unsupported(`shift on ${T.typeName(t)}`);
    const vc = cx.vc;
    const bits = T.bits(t);
    const isRotate = op === ShiftOp.Rol || op === ShiftOp.Ror;
    // left shifts ignore the upper bits; right shifts and rotates need the true width
    const size = op === ShiftOp.Shl ? aluSize(t) : T.bytes(t);
    const x = cx.put(f.arg(i, 0));
    const amt = f.arg(i, 1);
    if (cx.isIconst(amt)) {
      const k = cx.iconstLo(amt) & (bits - 1);
      if (k === 0) {
        cx.alias(i, 0, x);
        return;
      }
      vc.begin(K.ShiftI, size, op, k);
      vc.op(x, USE_REG);
      vc.op(cx.def(i), defReuse(0));
      cx.endInst();
      return;
    }
    let c = cx.put(amt);
    if (bits < 32 && !isRotate) {
      const m = vc.newVReg(RegClass.Int);
      aluI(cx, AluOp.And, 4, c, bits - 1, m);
      c = m;
    } else if (c === x) {
      c = cx.copy(c);
    }
    vc.begin(K.Shift, size, op);
    vc.op(x, USE_REG);
    vc.op(c, useFixed(RCX));
    vc.op(cx.def(i), defReuse(0));
    cx.endInst();
  };
}
registerRule(Op.Ishl, shift(ShiftOp.Shl));
registerRule(Op.Ushr, shift(ShiftOp.Shr));
registerRule(Op.Sshr, shift(ShiftOp.Sar));
registerRule(Op.Rotl, shift(ShiftOp.Rol));
registerRule(Op.Rotr, shift(ShiftOp.Ror));

// ---- bit counting ----

function bitOp(cx: Lower, op: BitOp, size: number, src: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.Bit, size, op);
  vc.op(src, USE_ANY);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

/** Leading or trailing zeros of `x` at `size` (4, 8): lzcnt/tzcnt, or bsr/bsf without them. */
function countZeros(cx: Lower, leading: boolean, size: number, x: number, dst: number): void {
  if (leading ? cx.isa.lzcnt : cx.isa.bmi1) {
    bitOp(cx, leading ? BitOp.Lzcnt : BitOp.Tzcnt, size, x, dst);
    return;
  }
  const vc = cx.vc;
  vc.begin(K.BitScan, size, leading ? 0 : 1);
  vc.op(x, USE_ANY);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

function shiftI(cx: Lower, op: ShiftOp, size: number, x: number, k: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.ShiftI, size, op, k);
  vc.op(x, USE_REG);
  vc.op(dst, defReuse(0));
  cx.endInst();
}

/** x & mask, with a 64-bit mask built in a register when it is not an imm32. */
function andMask(cx: Lower, size: number, x: number, lo: number, hi: number, dst: number): void {
  if (size === 4) aluI(cx, AluOp.And, 4, x, lo, dst);
  else alu(cx, AluOp.And, 8, x, movImm(cx, lo, hi), dst);
}

/** Population count without the popcnt instruction (the SWAR sum of bit fields). */
function popcountSwar(cx: Lower, size: number, x: number, dst: number): void {
  const vc = cx.vc;
  const n = (): number => vc.newVReg(RegClass.Int);
  const t1 = n(); shiftI(cx, ShiftOp.Shr, size, x, 1, t1);
  const t2 = n(); andMask(cx, size, t1, 0x55555555, 0x55555555, t2);
  const x2 = n(); alu(cx, AluOp.Sub, size, x, t2, x2);
  const t3 = n(); andMask(cx, size, x2, 0x33333333, 0x33333333, t3);
  const t4 = n(); shiftI(cx, ShiftOp.Shr, size, x2, 2, t4);
  const t5 = n(); andMask(cx, size, t4, 0x33333333, 0x33333333, t5);
  const x3 = n(); alu(cx, AluOp.Add, size, t3, t5, x3);
  const t6 = n(); shiftI(cx, ShiftOp.Shr, size, x3, 4, t6);
  const x4 = n(); alu(cx, AluOp.Add, size, x3, t6, x4);
  const x5 = n(); andMask(cx, size, x4, 0x0f0f0f0f, 0x0f0f0f0f, x5);
  const x6 = n();
  if (size === 4) {
    vc.begin(K.ImulI, 4, 0, 0x01010101);
    vc.op(x5, USE_ANY);
    vc.op(x6, DEF_REG);
    cx.endInst();
  } else {
    const h = movImm(cx, 0x01010101, 0x01010101);
    vc.begin(K.Imul, 8);
    vc.op(x5, USE_REG);
    vc.op(h, USE_ANY);
    vc.op(x6, defReuse(0));
    cx.endInst();
  }
  shiftI(cx, ShiftOp.Shr, size, x6, size * 8 - 8, dst);
}

registerRule(Op.Clz, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`clz on ${T.typeName(t)}`);
  const x = cx.put(cx.f.arg(i, 0));
  if (T.bytes(t) >= 4) {
    countZeros(cx, true, T.bytes(t), x, cx.def(i));
    return;
  }
  const z = extend(cx, x, T.bytes(t), false, 4);
  const n = cx.vc.newVReg(RegClass.Int);
  countZeros(cx, true, 4, z, n);
  aluI(cx, AluOp.Sub, 4, n, 32 - T.bits(t), cx.def(i));
});

registerRule(Op.Ctz, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`ctz on ${T.typeName(t)}`);
  const x = cx.put(cx.f.arg(i, 0));
  if (T.bytes(t) >= 4) {
    countZeros(cx, false, T.bytes(t), x, cx.def(i));
    return;
  }
  const o = cx.vc.newVReg(RegClass.Int);
  aluI(cx, AluOp.Or, 4, x, 1 << T.bits(t), o);
  countZeros(cx, false, 4, o, cx.def(i));
});

registerRule(Op.Popcnt, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`popcnt on ${T.typeName(t)}`);
  let x = cx.put(cx.f.arg(i, 0));
  if (T.bytes(t) < 4 && !cx.isZext(cx.f.arg(i, 0))) x = extend(cx, x, T.bytes(t), false, 4);
  const size = T.bytes(t) === 8 ? 8 : 4;
  if (cx.isa.popcnt) bitOp(cx, BitOp.Popcnt, size, x, cx.def(i));
  else popcountSwar(cx, size, x, cx.def(i));
});

/** cls x = clz(x ^ (x >> (w-1) arithmetic)) - 1: leading bits equal to the sign bit, minus one. */
registerRule(Op.Cls, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`cls on ${T.typeName(t)}`);
  const vc = cx.vc;
  let x = cx.put(cx.f.arg(i, 0));
  const w = T.bytes(t);
  const size = w === 8 ? 8 : 4;
  if (w < 4) x = extend(cx, x, w, true, 4);
  const s = vc.newVReg(RegClass.Int);
  shiftI(cx, ShiftOp.Sar, size, x, size * 8 - 1, s);
  const y = vc.newVReg(RegClass.Int);
  alu(cx, AluOp.Xor, size, s, x, y);
  const n = vc.newVReg(RegClass.Int);
  countZeros(cx, true, size, y, n);
  aluI(cx, AluOp.Sub, 4, n, 1 + (size - w) * 8, cx.def(i));
});

/** bitrev: bswap, then swap nibbles, bit pairs and bits with masks; narrow types shift the result down. */
registerRule(Op.Bitrev, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`bitrev on ${T.typeName(t)}`);
  const vc = cx.vc;
  const size = t === T.I64 ? 8 : 4;
  const n = (): number => vc.newVReg(RegClass.Int);
  const x = cx.put(cx.f.arg(i, 0));
  let v = n();
  vc.begin(K.Bswap, size);
  vc.op(x, USE_REG);
  vc.op(v, defReuse(0));
  cx.endInst();
  for (const [k, m] of [[4, 0x0f0f0f0f], [2, 0x33333333], [1, 0x55555555]]) {
    const hi = n(); shiftI(cx, ShiftOp.Shr, size, v, k, hi);
    const hm = n(); andMask(cx, size, hi, m, m, hm);
    const lm = n(); andMask(cx, size, v, m, m, lm);
    const lo = n(); shiftI(cx, ShiftOp.Shl, size, lm, k, lo);
    const o = n(); alu(cx, AluOp.Or, size, hm, lo, o);
    v = o;
  }
  const bits = T.bits(t);
  if (bits < 32) shiftI(cx, ShiftOp.Shr, 4, v, 32 - bits, cx.def(i));
  else cx.alias(i, 0, v);
});

registerRule(Op.Bswap, (cx, i) => {
  const t = cx.f.iType[i];
  if (t !== T.I16 && t !== T.I32 && t !== T.I64) unsupported(`bswap on ${T.typeName(t)}`);
  const vc = cx.vc;
  const src = cx.put(cx.f.arg(i, 0));
  vc.begin(K.Bswap, T.bytes(t));
  vc.op(src, USE_REG);
  vc.op(cx.def(i), defReuse(0));
  cx.endInst();
});

registerRule(Op.Iabs, (cx, i) => {
  const t = cx.f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`iabs on ${T.typeName(t)}`);
  const vc = cx.vc;
  const src = cx.put(cx.f.arg(i, 0));
  vc.begin(K.Iabs, T.bytes(t));
  vc.op(src, USE_REG);
  vc.op(cx.def(i), DEF_EARLY);
  cx.endInst();
});

function minmax(cc: Cond): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    if (!T.isInt(t) || t === T.I128) unsupported(`min/max on ${T.typeName(t)}`);
    const vc = cx.vc;
    const x = cx.put(f.arg(i, 0));
    const y = cx.put(f.arg(i, 1));
    // dst = y; cmp x, y; cmovcc dst, x
    vc.begin(K.Cmov, T.bytes(t), FP_CMP | (cc << 4), 0, aluSize(t));
    vc.op(x, USE_REG);
    vc.op(y, USE_ANY);
    vc.op(x, USE_ANY);
    vc.op(y, USE_REG);
    vc.op(cx.def(i), defReuse(3));
    cx.endInst();
  };
}
registerRule(Op.Smin, minmax(Cond.L));
registerRule(Op.Smax, minmax(Cond.G));
registerRule(Op.Umin, minmax(Cond.B));
registerRule(Op.Umax, minmax(Cond.A));

// ---- conversions ----

registerRule(Op.Uextend, (cx, i) => {
  const f = cx.f;
  const from = f.vType[f.resolve(f.arg(i, 0))];
  const to = f.iType[i];
  if (!T.isInt(from) || !T.isInt(to) || to === T.I128 || from === T.I128) unsupported(`uextend ${T.typeName(from)} -> ${T.typeName(to)}`);
  const x = cx.put(f.arg(i, 0));
  const fb = T.bytes(from);
  if (fb === T.bytes(to) || cx.isZext(f.arg(i, 0))) {
    cx.alias(i, 0, x);
    return;
  }
  const vc = cx.vc;
  vc.begin(K.Ext, 4, fb, 0);
  vc.op(x, USE_ANY);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

registerRule(Op.Sextend, (cx, i) => {
  const f = cx.f;
  const from = f.vType[f.resolve(f.arg(i, 0))];
  const to = f.iType[i];
  if (!T.isInt(from) || !T.isInt(to) || to === T.I128 || from === T.I128) unsupported(`sextend ${T.typeName(from)} -> ${T.typeName(to)}`);
  const x = cx.put(f.arg(i, 0));
  if (T.bytes(from) === T.bytes(to)) {
    cx.alias(i, 0, x);
    return;
  }
  const vc = cx.vc;
  vc.begin(K.Ext, to === T.I64 ? 8 : 4, T.bytes(from), 1);
  vc.op(x, USE_ANY);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

registerRule(Op.Ireduce, (cx, i) => {
  const f = cx.f;
  const from = f.vType[f.resolve(f.arg(i, 0))];
  if (!T.isInt(from) || from === T.I128) unsupported(`ireduce from ${T.typeName(from)}`);
  const x = cx.put(f.arg(i, 0));
  if (f.iType[i] !== T.I32) {
    cx.alias(i, 0, x);
    return;
  }
  // i32 values are kept zero-extended (see Lower.isZext)
  const vc = cx.vc;
  vc.begin(K.Mov32, 4);
  vc.op(x, USE_REG);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

registerRule(Op.Bmask, (cx, i) => {
  const f = cx.f;
  const from = f.vType[f.resolve(f.arg(i, 0))];
  const to = f.iType[i];
  if (!T.isInt(from) || !T.isInt(to) || to === T.I128 || from === T.I128) unsupported('bmask on i128');
  const vc = cx.vc;
  const src = cx.put(f.arg(i, 0));
  vc.begin(K.Bmask, T.bytes(from), 0, T.bytes(to));
  vc.op(src, USE_REG);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

// ---- comparisons and selects ----

registerRule(Op.Icmp, (cx, i) => {
  const f = cx.f;
  const cond = new CondSpec();
  const t = f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`icmp on ${T.typeName(t)}`);
  cx.compare(f.arg(i, 0), f.arg(i, 1), f.iImm0[i], cond);
  setcc(cx, cond, cond.cc, cx.def(i));
});

function select(cx: Lower, i: number): void {
  const f = cx.f;
  const cond = new CondSpec();
  const t = f.vType[f.pool[f.iResStart[i]]];
  if (t === T.I128) unsupported('select on i128');
  const vc = cx.vc;
  cx.condOf(f.arg(i, 0), cond);
  let x = cx.put(f.arg(i, 1));
  let y = cx.put(f.arg(i, 2));
  let cc = cond.cc;
  if (T.isInt(t)) {
    if (cc === 16 /* CC_FEQ */) {
      // cmov has no "equal and ordered": select the other way on "not equal or unordered"
      const s = x; x = y; y = s;
      cc = invertCC(cc);
    }
    cx.beginCond(K.Cmov, cond, cc, aluSize(t));
    const np = vc.opCount();
    vc.op(x, USE_ANY);
    vc.op(y, USE_REG);
    vc.op(cx.def(i), defReuse(np + 1));
    cx.endInst();
    return;
  }
  cx.beginCond(K.XSel, cond, cc);
  const np = vc.opCount();
  vc.op(x, USE_ANY);
  vc.op(y, USE_REG);
  vc.op(cx.def(i), defReuse(np + 1));
  cx.endInst();
}
registerRule(Op.Select, select);
registerRule(Op.SelectSpectreGuard, select);

/** bitselect c, x, y = (x & c) | (y & ~c) = ((x ^ y) & c) ^ y. */
registerRule(Op.Bitselect, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`bitselect on ${T.typeName(t)}`);
  const size = aluSize(t);
  const vc = cx.vc;
  const c = cx.put(f.arg(i, 0));
  const x = cx.put(f.arg(i, 1));
  const y = cx.put(f.arg(i, 2));
  const t1 = vc.newVReg(RegClass.Int);
  alu(cx, AluOp.Xor, size, x, y, t1);
  const t2 = vc.newVReg(RegClass.Int);
  alu(cx, AluOp.And, size, t1, c, t2);
  alu(cx, AluOp.Xor, size, t2, y, cx.def(i));
});

// ---- arithmetic with overflow flags ----

function addSubOverflow(op: AluOp, cc: Cond): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    if (!T.isInt(t) || t === T.I128) unsupported(`overflow arithmetic on ${T.typeName(t)}`);
    const vc = cx.vc;
    const x = cx.put(f.arg(i, 0));
    const y = cx.put(f.arg(i, 1));
    vc.begin(K.AluSetcc, T.bytes(t), op | (cc << 4));
    vc.op(x, USE_REG);
    vc.op(y, USE_ANY);
    vc.op(cx.def(i, 0), defReuse(0));
    vc.op(cx.def(i, 1), DEF_REG);
    cx.endInst();
  };
}
registerRule(Op.SaddOverflow, addSubOverflow(AluOp.Add, Cond.O));
registerRule(Op.UaddOverflow, addSubOverflow(AluOp.Add, Cond.B));
registerRule(Op.SsubOverflow, addSubOverflow(AluOp.Sub, Cond.O));
registerRule(Op.UsubOverflow, addSubOverflow(AluOp.Sub, Cond.B));

registerRule(Op.SmulOverflow, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`smul_overflow on ${T.typeName(t)}`);
  const vc = cx.vc;
  if (t === T.I8) {
    // the 16-bit product of sign-extended bytes is exact; overflow iff it is not a sign-extended byte
    const a = extend(cx, cx.put(f.arg(i, 0)), 1, true, 4);
    const b = extend(cx, cx.put(f.arg(i, 1)), 1, true, 4);
    const p = cx.def(i, 0);
    vc.begin(K.Imul, 4);
    vc.op(a, USE_REG);
    vc.op(b, USE_ANY);
    vc.op(p, defReuse(0));
    cx.endInst();
    const e = extend(cx, p, 1, true, 4);
    const cond = new CondSpec();
    cond.fp = FP_CMP; cond.size = 4; cond.x = p; cond.y = e; cond.imm = 0;
    setcc(cx, cond, Cond.NE, cx.def(i, 1));
    return;
  }
  const x = cx.put(f.arg(i, 0));
  const y = cx.put(f.arg(i, 1));
  vc.begin(K.ImulSetcc, T.bytes(t));
  vc.op(x, USE_REG);
  vc.op(y, USE_ANY);
  vc.op(cx.def(i, 0), defReuse(0));
  vc.op(cx.def(i, 1), DEF_REG);
  cx.endInst();
});

registerRule(Op.UmulOverflow, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`umul_overflow on ${T.typeName(t)}`);
  const vc = cx.vc;
  if (t === T.I8) {
    const a = extend(cx, cx.put(f.arg(i, 0)), 1, false, 4);
    const b = extend(cx, cx.put(f.arg(i, 1)), 1, false, 4);
    const p = cx.def(i, 0);
    vc.begin(K.Imul, 4);
    vc.op(a, USE_REG);
    vc.op(b, USE_ANY);
    vc.op(p, defReuse(0));
    cx.endInst();
    const cond = new CondSpec();
    cond.fp = FP_CMPI; cond.size = 4; cond.x = p; cond.y = -1; cond.imm = 0xff;
    setcc(cx, cond, Cond.A, cx.def(i, 1));
    return;
  }
  const x = cx.put(f.arg(i, 0));
  let y = cx.put(f.arg(i, 1));
  if (y === x) y = cx.copy(y);
  const hi = vc.newVReg(RegClass.Int);
  vc.begin(K.MulWide, T.bytes(t), 0);
  vc.op(x, useFixed(RAX));
  vc.op(y, USE_ANY);
  vc.op(cx.def(i, 0), defFixed(RAX));
  vc.op(hi, defFixed(RDX));
  cx.endInst();
  const cond = new CondSpec();
  cond.fp = FP_TEST; cond.size = T.bytes(t); cond.x = hi; cond.y = -1; cond.imm = 0;
  setcc(cx, cond, Cond.NE, cx.def(i, 1));
});

registerRule(Op.UaddOverflowTrap, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  if (!T.isInt(t) || t === T.I128) unsupported(`uadd_overflow_trap on ${T.typeName(t)}`);
  const vc = cx.vc;
  const x = cx.put(f.arg(i, 0));
  const y = cx.put(f.arg(i, 1));
  const k = vc.begin(K.Alu, T.bytes(t), AluOp.Add, 0, Cond.B + 1);
  vc.op(x, USE_REG);
  vc.op(y, USE_ANY);
  vc.op(cx.def(i), defReuse(0));
  vc.trap[k] = f.iImm0[i];
  cx.endInst();
});

// ---- control flow ----

registerRule(Op.Nop, () => undefined);

registerRule(Op.Jump, (cx, i) => {
  const s = cx.prepareSuccs(i);
  cx.vc.begin(K.Jmp, 0);
  cx.endInst(INST_BRANCH);
  cx.addSuccs(s);
});

registerRule(Op.Brif, (cx, i) => {
  const f = cx.f;
  const s = cx.prepareSuccs(i);
  const cond = new CondSpec();
  cx.condOf(f.arg(i, 0), cond);
  cx.beginCond(K.Br, cond, cond.cc);
  cx.endInst(INST_BRANCH);
  cx.addSuccs(s);
});

registerRule(Op.BrTable, (cx, i) => {
  const f = cx.f;
  const vc = cx.vc;
  const s = cx.prepareSuccs(i);
  if (s.targets.length === 1) {
    // no table entries: a jump to the default
    vc.begin(K.Jmp, 0);
    cx.endInst(INST_BRANCH);
    cx.addSuccs(s);
    return;
  }
  // a zero-extending copy: the table sequence clobbers its index register
  const idx = vc.newVReg(RegClass.Int);
  const src = cx.put(f.arg(i, 0));
  vc.begin(K.Mov32, 4);
  vc.op(src, USE_REG);
  vc.op(idx, DEF_REG);
  cx.endInst();
  vc.begin(K.BrTable, 4);
  vc.op(idx, USE_REG);
  cx.endInst(INST_BRANCH);
  cx.addSuccs(s);
});

registerRule(Op.Trap, (cx, i) => {
  const k = cx.vc.begin(K.Ud2, 0);
  cx.vc.trap[k] = cx.f.iImm0[i];
  cx.endInst(INST_BRANCH | INST_RET);
});

function condTrap(onZero: boolean): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const cond = new CondSpec();
    cx.condOf(f.arg(i, 0), cond);
    const k = cx.beginCond(K.TrapIf, cond, onZero ? invertCC(cond.cc) : cond.cc);
    cx.vc.trap[k] = f.iImm0[i];
    cx.endInst();
  };
}
registerRule(Op.Trapz, condTrap(true));
registerRule(Op.Trapnz, condTrap(false));
