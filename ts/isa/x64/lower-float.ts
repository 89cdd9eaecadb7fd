/**
 * Lowering rules for scalar floating point (isa/x64): f32/f64 in the low lane of
 * xmm registers, SSE2 arithmetic, SSE4.1 rounding, FMA3 for `fma`.
 *
 * NaN results follow x86 (the first NaN operand quietened, else the negative
 * default NaN); the operands of non-commutative and commutative operations alike
 * keep their IR order, so the NaN that wins is the one the interpreter's x86 mode
 * predicts. fmin/fmax and the float-to-int conversions are pseudo-instructions
 * expanded by the emitter (emit.ts).
 */
import { Op } from '../../ir/opcodes';
import * as T from '../../ir/types';
import { Cond, SseOp } from './encode';
import {
  CVT_SAT, CVT_SIGNED, DEF_EARLY, DEF_REG, FP_CMPI, K, USE_ANY, USE_REG, defReuse,
} from './inst';
import { TRAP_INT_OVF } from '../../ir/immediates';
import { CondSpec, Lower, registerRule, scalarRules, unsupported } from './lower';
import { setcc, extend, movImm } from './lower-int';
import { RegClass } from './regs';


function isF32(t: T.Type): boolean {
  return t === T.F32;
}

function checkScalar(t: T.Type, what: string): void {
  if (t !== T.F32 && t !== T.F64) unsupported(`${what} on ${T.typeName(t)}`);
}

/** A 16-byte constant with `lo32`/`lo64` pattern in the low lane (the rest zero). */
function laneConst(is32: boolean, lo: number, hi: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, lo | 0, true);
  if (!is32) dv.setInt32(4, hi | 0, true);
  return b;
}

/** dst = a op [constant] (two-address, 16-byte constant). */
function withConst(cx: Lower, op: SseOp, a: number, bytes: Uint8Array, dst: number): void {
  const vc = cx.vc;
  const k = vc.begin(K.XRmM, 0, op);
  vc.op(a, USE_REG);
  cx.constAmode(bytes, cx.am);
  vc.setAmode(k, cx.am.kind, 0, 0, -1, -1, cx.am.aux);
  vc.op(dst, defReuse(0));
  cx.endInst();
}

function xrmr(cx: Lower, op: SseOp, a: number, b: number, dst: number, imm = 0): void {
  const vc = cx.vc;
  vc.begin(K.XRmR, 0, op, imm);
  vc.op(a, USE_REG);
  vc.op(b, USE_ANY);
  vc.op(dst, defReuse(0));
  cx.endInst();
}

/** AVX three-operand form: dst = a op b, no copy of a needed. */
function xvex(cx: Lower, op: SseOp, a: number, b: number, dst: number, imm = 0): void {
  const vc = cx.vc;
  vc.begin(K.XVex, 0, op, imm);
  vc.op(a, USE_REG);
  vc.op(b, USE_ANY);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

function xunary(cx: Lower, op: SseOp, src: number, dst: number, imm = 0): void {
  const vc = cx.vc;
  vc.begin(K.XUnary, 0, op, imm);
  vc.op(src, USE_ANY);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

// ---- constants ----

function fconst(cx: Lower, i: number): void {
  const f = cx.f;
  const op = f.iOp[i] as Op;
  const is32 = op === Op.F32const;
  const lo = f.iImm0[i];
  const hi = is32 ? 0 : f.iImm1[i];
  const vc = cx.vc;
  const zero = lo === 0 && hi === 0;
  const k = vc.begin(K.XConst, 0, is32 ? SseOp.MOVSS : SseOp.MOVSD, zero ? 1 : 0);
  if (!zero) {
    const b = new Uint8Array(is32 ? 4 : 8);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, lo, true);
    if (!is32) dv.setInt32(4, hi, true);
    cx.constAmode(b, cx.am);
    vc.setAmode(k, cx.am.kind, 0, 0, -1, -1, cx.am.aux);
  }
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
}
registerRule(Op.F32const, fconst);
registerRule(Op.F64const, fconst);

// ---- arithmetic ----

function arith(op32: SseOp, op64: SseOp): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    checkScalar(t, 'float arithmetic');
    const x = cx.put(f.arg(i, 0));
    const y = f.arg(i, 1);
    const ld = cx.sinkLoad(y, T.bytes(t));
    if (ld >= 0) {
      const trap = cx.loadAmode(ld, 0);
      const am = cx.am;
      const vc = cx.vc;
      const k = vc.begin(K.XRmM, 0, isF32(t) ? op32 : op64);
      vc.op(x, USE_REG);
      cx.applyAmode(k, am);
      vc.op(cx.def(i), defReuse(0));
      vc.trap[k] = trap;
      cx.endInst();
      return;
    }
    const yr = cx.put(y);
    if (cx.isa.avx) xvex(cx, isF32(t) ? op32 : op64, x, yr, cx.def(i));
    else xrmr(cx, isF32(t) ? op32 : op64, x, yr, cx.def(i));
  };
}
registerRule(Op.Fadd, arith(SseOp.ADDSS, SseOp.ADDSD));
registerRule(Op.Fsub, arith(SseOp.SUBSS, SseOp.SUBSD));
registerRule(Op.Fmul, arith(SseOp.MULSS, SseOp.MULSD));
registerRule(Op.Fdiv, arith(SseOp.DIVSS, SseOp.DIVSD));

function minmax(isMin: boolean): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    checkScalar(t, 'fmin/fmax');
    const vc = cx.vc;
    const x = cx.put(f.arg(i, 0));
    let y = cx.put(f.arg(i, 1));
    if (y === x) y = cx.copy(y);
    vc.begin(K.XMinMax, T.bytes(t), isMin ? 1 : 0);
    vc.op(x, USE_REG);
    vc.op(y, USE_REG);
    vc.op(cx.def(i), defReuse(0));
    cx.endInst();
  };
}
registerRule(Op.Fmin, minmax(true));
registerRule(Op.Fmax, minmax(false));

registerRule(Op.Sqrt, (cx, i) => {
  const t = cx.f.iType[i];
  checkScalar(t, 'sqrt');
  xunary(cx, isF32(t) ? SseOp.SQRTSS : SseOp.SQRTSD, cx.put(cx.f.arg(i, 0)), cx.def(i));
});

function round(mode: number): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const t = cx.f.iType[i];
    checkScalar(t, 'rounding');
    if (!cx.isa.sse41) unsupported('rounding needs SSE4.1');
    xunary(cx, isF32(t) ? SseOp.ROUNDSS : SseOp.ROUNDSD, cx.put(cx.f.arg(i, 0)), cx.def(i), mode | 8);
  };
}
registerRule(Op.Nearest, round(0));
registerRule(Op.Floor, round(1));
registerRule(Op.Ceil, round(2));
registerRule(Op.Trunc, round(3));

registerRule(Op.Fneg, (cx, i) => {
  const t = cx.f.iType[i];
  checkScalar(t, 'fneg');
  const is32 = isF32(t);
  withConst(cx, SseOp.XORPS, cx.put(cx.f.arg(i, 0)), laneConst(is32, is32 ? 0x80000000 : 0, 0x80000000), cx.def(i));
});

registerRule(Op.Fabs, (cx, i) => {
  const t = cx.f.iType[i];
  checkScalar(t, 'fabs');
  const is32 = isF32(t);
  withConst(cx, SseOp.ANDPS, cx.put(cx.f.arg(i, 0)), laneConst(is32, is32 ? 0x7fffffff : -1, 0x7fffffff), cx.def(i));
});

registerRule(Op.Fcopysign, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  checkScalar(t, 'fcopysign');
  const is32 = isF32(t);
  const vc = cx.vc;
  const x = cx.put(f.arg(i, 0));
  const y = cx.put(f.arg(i, 1));
  const mag = vc.newVReg(RegClass.Float);
  withConst(cx, SseOp.ANDPS, x, laneConst(is32, is32 ? 0x7fffffff : -1, 0x7fffffff), mag);
  const sign = vc.newVReg(RegClass.Float);
  withConst(cx, SseOp.ANDPS, y, laneConst(is32, is32 ? 0x80000000 : 0, 0x80000000), sign);
  xrmr(cx, SseOp.ORPS, mag, sign, cx.def(i));
});

registerRule(Op.Fma, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  checkScalar(t, 'fma');
  if (!cx.isa.fma) unsupported('fma needs FMA3');
  const vc = cx.vc;
  const a = cx.put(f.arg(i, 0));
  const b = cx.put(f.arg(i, 1));
  const c = cx.put(f.arg(i, 2));
  vc.begin(K.Fma, T.bytes(t));
  vc.op(a, USE_REG);
  vc.op(b, USE_ANY);
  vc.op(c, USE_REG);
  vc.op(cx.def(i), defReuse(2));
  cx.endInst();
});

// ---- comparisons ----

registerRule(Op.Fcmp, (cx, i) => {
  const f = cx.f;
  checkScalar(f.iType[i], 'fcmp');
  const cond = new CondSpec();
  cx.fcompare(f.arg(i, 0), f.arg(i, 1), f.iImm0[i], cond);
  setcc(cx, cond, cond.cc, cx.def(i));
});

// ---- conversions ----

registerRule(Op.Fpromote, (cx, i) => {
  const f = cx.f;
  if (f.iType[i] !== T.F64 || f.vType[f.resolve(f.arg(i, 0))] !== T.F32) unsupported('fpromote other than f32 -> f64');
  xunary(cx, SseOp.CVTSS2SD, cx.put(f.arg(i, 0)), cx.def(i));
});

registerRule(Op.Fdemote, (cx, i) => {
  const f = cx.f;
  if (f.iType[i] !== T.F32 || f.vType[f.resolve(f.arg(i, 0))] !== T.F64) unsupported('fdemote other than f64 -> f32');
  xunary(cx, SseOp.CVTSD2SS, cx.put(f.arg(i, 0)), cx.def(i));
});

function gprToX(cx: Lower, op: SseOp, src: number, dst: number): void {
  const vc = cx.vc;
  vc.begin(K.GprToX, 0, op);
  vc.op(src, USE_ANY);
  vc.op(dst, DEF_REG);
  cx.endInst();
}

registerRule(Op.FcvtFromSint, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  const from = f.vType[f.resolve(f.arg(i, 0))];
  checkScalar(t, 'fcvt_from_sint');
  if (!T.isInt(from) || from === T.I128) unsupported(`fcvt_from_sint from ${T.typeName(from)}`);
  let x = cx.put(f.arg(i, 0));
  if (T.bytes(from) < 4) x = extend(cx, x, T.bytes(from), true, 4);
  const q = from === T.I64;
  gprToX(cx, isF32(t) ? (q ? SseOp.CVTSI2SS_Q : SseOp.CVTSI2SS) : (q ? SseOp.CVTSI2SD_Q : SseOp.CVTSI2SD), x, cx.def(i));
});

registerRule(Op.FcvtFromUint, (cx, i) => {
  const f = cx.f;
  const t = f.iType[i];
  const from = f.vType[f.resolve(f.arg(i, 0))];
  checkScalar(t, 'fcvt_from_uint');
  if (!T.isInt(from) || from === T.I128) unsupported(`fcvt_from_uint from ${T.typeName(from)}`);
  let x = cx.put(f.arg(i, 0));
  const vc = cx.vc;
  if (from === T.I64) {
    vc.begin(K.CvtU64ToF, T.bytes(t));
    vc.op(x, USE_REG);
    vc.op(cx.def(i), DEF_EARLY);
    vc.op(vc.newVReg(RegClass.Int), DEF_EARLY);
    vc.op(vc.newVReg(RegClass.Int), DEF_EARLY);
    cx.endInst();
    return;
  }
  // zero-extended to 64 bits, the value is a non-negative i64
  if (!cx.isZext(f.arg(i, 0))) x = extend(cx, x, T.bytes(from), false, 4);
  gprToX(cx, isF32(t) ? SseOp.CVTSI2SS_Q : SseOp.CVTSI2SD_Q, x, cx.def(i));
});

function toInt(signed: boolean, sat: boolean): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const t = f.iType[i];
    const from = f.vType[f.resolve(f.arg(i, 0))];
    checkScalar(from, 'float to int conversion');
    if (!T.isInt(t) || t === T.I128) unsupported(`float to ${T.typeName(t)} conversion`);
    const vc = cx.vc;
    const narrow = T.bytes(t) < 4;
    const src = cx.put(f.arg(i, 0));
    const d = narrow ? vc.newVReg(RegClass.Int) : cx.def(i);
    vc.begin(K.CvtToInt, T.bytes(from), (signed ? CVT_SIGNED : 0) | (sat ? CVT_SAT : 0), narrow ? 4 : T.bytes(t));
    vc.op(src, USE_REG);
    vc.op(d, DEF_EARLY);
    vc.op(vc.newVReg(RegClass.Float), DEF_EARLY);
    cx.endInst();
    if (!narrow) return;
    // i8/i16: the 32-bit conversion, then the narrower range
    const bits = T.bits(t);
    const lo = signed ? -(2 ** (bits - 1)) : 0;
    const hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
    const c = new CondSpec();
    if (sat) {
      let v = d;
      for (const [bound, cc] of (signed ? [[hi, Cond.G], [lo, Cond.L]] : [[hi, Cond.A]]) as [number, Cond][]) {
        const k = movImm(cx, bound, bound < 0 ? -1 : 0);
        const out = vc.newVReg(RegClass.Int);
        // out = v <cc> bound ? bound : v
        vc.begin(K.Cmov, 4, FP_CMPI | (cc << 4), bound, 4);
        vc.op(v, USE_ANY);
        vc.op(k, USE_ANY);
        vc.op(v, USE_REG);
        vc.op(out, defReuse(2));
        cx.endInst();
        v = out;
      }
      cx.alias(i, 0, v);
      return;
    }
    for (const [bound, cc] of (signed ? [[hi, Cond.G], [lo, Cond.L]] : [[hi, Cond.A]]) as [number, Cond][]) {
      c.fp = FP_CMPI; c.size = 4; c.x = d; c.y = -1; c.imm = bound;
      const k = cx.beginCond(K.TrapIf, c, cc);
      vc.trap[k] = TRAP_INT_OVF;
      cx.endInst();
    }
    cx.alias(i, 0, d);
  };
}
registerRule(Op.FcvtToSint, toInt(true, false));
registerRule(Op.FcvtToUint, toInt(false, false));
registerRule(Op.FcvtToSintSat, toInt(true, true));
registerRule(Op.FcvtToUintSat, toInt(false, true));

registerRule(Op.Bitcast, (cx, i) => {
  const f = cx.f;
  const to = f.iType[i];
  const from = f.vType[f.resolve(f.arg(i, 0))];
  if (!T.isCoreType(to) || !T.isCoreType(from) || T.bytes(to) !== T.bytes(from)) unsupported(`bitcast ${T.typeName(from)} -> ${T.typeName(to)}`);
  const x = cx.put(f.arg(i, 0));
  const vc = cx.vc;
  const fromInt = T.isInt(from);
  const toInt_ = T.isInt(to);
  if (fromInt === toInt_) {
    cx.alias(i, 0, x);
    return;
  }
  const q = T.bytes(to) === 8;
  if (fromInt) {
    gprToX(cx, q ? SseOp.MOVQ : SseOp.MOVD, x, cx.def(i));
    return;
  }
  vc.begin(K.XToGpr, 0, q ? SseOp.MOVQ_S : SseOp.MOVD_S);
  vc.op(x, USE_REG);
  vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

// ---- bitwise operations on float-class values (scalars and whole vectors) ----

/** Wrap the integer rule of `op` so that float and vector types take `rule`. */
function floatClass(op: Op, rule: (cx: Lower, i: number) => void): void {
  const intRule = scalarRules[op]!;
  registerRule(op, (cx, i) => (T.isInt(cx.f.iType[i]) ? intRule(cx, i) : rule(cx, i)));
}

function bitop(sse: SseOp): (cx: Lower, i: number) => void {
  return (cx, i) => {
    const f = cx.f;
    const a = cx.put(f.arg(i, 0));
    const b = cx.put(f.arg(i, 1));
    if (cx.isa.avx) xvex(cx, sse, a, b, cx.def(i));
    else xrmr(cx, sse, a, b, cx.def(i));
  };
}
floatClass(Op.Band, bitop(SseOp.ANDPS));
floatClass(Op.Bor, bitop(SseOp.ORPS));
floatClass(Op.Bxor, bitop(SseOp.XORPS));
/** band_not x, y = x & ~y = andnps(y, x). */
floatClass(Op.BandNot, (cx, i) => {
  const f = cx.f;
  const x = cx.put(f.arg(i, 0));
  xrmr(cx, SseOp.ANDNPS, cx.put(f.arg(i, 1)), x, cx.def(i));
});
floatClass(Op.Bnot, (cx, i) => {
  const ones = new Uint8Array(16).fill(0xff);
  withConst(cx, SseOp.XORPS, cx.put(cx.f.arg(i, 0)), ones, cx.def(i));
});
/** bitselect c, x, y = (x & c) | (y & ~c). */
floatClass(Op.Bitselect, (cx, i) => {
  const f = cx.f;
  const vc = cx.vc;
  const c = cx.put(f.arg(i, 0));
  const x = cx.put(f.arg(i, 1));
  const y = cx.put(f.arg(i, 2));
  const t1 = vc.newVReg(RegClass.Float);
  xrmr(cx, SseOp.ANDPS, x, c, t1);
  const t2 = vc.newVReg(RegClass.Float);
  xrmr(cx, SseOp.ANDNPS, c, y, t2);
  xrmr(cx, SseOp.ORPS, t1, t2, cx.def(i));
});
