/**
 * Float vector rules (isa/x64): f32x4 / f64x2 arithmetic, fmin/fmax, sign
 * operations, rounding, fma, comparisons and the vector conversions. Registered
 * with `registerSimdRule`; loaded by lower-simd.ts.
 *
 * NaN bits follow x86 (the first NaN operand quietened, else the negative default
 * NaN), as the interpreter's x86 mode predicts. fmin/fmax give the Wasm results on
 * ordered lanes (-0 < +0) and, on NaN lanes, the NaN the interpreter's x86 mode
 * models: fmin the negative default NaN, fmax the default NaN with the sign of the
 * first NaN operand.
 */
import { Op } from '../../ir/opcodes';
import { FloatCC } from '../../ir/immediates';
import * as T from '../../ir/types';
import { SseOp } from './encode';
import { CVT_SAT, CVT_SIGNED, DEF_EARLY, K, USE_ANY, USE_REG, defReuse } from './inst';
import { Lower, registerSimdRule, unsupported } from './lower';
import {
  binValues, blendv, deferredOp, gprToX, newG, newX, splatBytes, typeOf, vbin, vbinConst, vconstBytes, vshiftI, vunary, xToGpr,
  zeros,
} from './lower-simd-util';
import { RegClass } from './regs';

function floatVec(cx: Lower, i: number, what: string): T.Type {
  const t = cx.f.iType[i];
  if (t !== T.F32X4 && t !== T.F64X2) unsupported(`${what} on ${T.typeName(t)}`);
  return t;
}

function is32(t: T.Type): boolean {
  return T.laneBits(t) === 32;
}

const S_SIGN = splatBytes(4, 0x80000000);
const S_ABS = splatBytes(4, 0x7fffffff);
const D_SIGN = splatBytes(8, 0, 0x80000000);
const D_ABS = splatBytes(8, -1, 0x7fffffff);
/** 0xffff per dword; 2^31 as f32; 2^52 as f64 and its high dword; 2^31 - 1 and 2^32 - 1 as f64. */
const S_FFFF = splatBytes(4, 0xffff);
const S_TWO31 = splatBytes(4, 0x4f000000);
const D_TWO52 = splatBytes(8, 0, 0x43300000);
const S_TWO52_HI = splatBytes(4, 0x43300000);
const D_I32_MAX = splatBytes(8, 0xffc00000 | 0, 0x41dfffff);
const D_U32_MAX = splatBytes(8, 0xffe00000 | 0, 0x41efffff);

/** The sign bit of every lane. */
function signMask(t: T.Type): Uint8Array {
  return is32(t) ? S_SIGN : D_SIGN;
}
/** Everything but the sign bit of every lane. */
function absMask(t: T.Type): Uint8Array {
  return is32(t) ? S_ABS : D_ABS;
}

// ---- arithmetic ----

function arith(op: Op, ps: SseOp, pd: SseOp): void {
  registerSimdRule(op, (cx, i) => {
    const t = floatVec(cx, i, 'float arithmetic');
    const f = cx.f;
    // operands keep their order: the first NaN operand is the one x86 returns
    binValues(cx, is32(t) ? ps : pd, f.arg(i, 0), f.arg(i, 1), cx.def(i), false);
  });
}
arith(Op.Fadd, SseOp.ADDPS, SseOp.ADDPD);
arith(Op.Fsub, SseOp.SUBPS, SseOp.SUBPD);
arith(Op.Fmul, SseOp.MULPS, SseOp.MULPD);
arith(Op.Fdiv, SseOp.DIVPS, SseOp.DIVPD);

registerSimdRule(Op.Sqrt, (cx, i) => {
  const t = floatVec(cx, i, 'sqrt');
  vunary(cx, is32(t) ? SseOp.SQRTPS : SseOp.SQRTPD, cx.put(cx.f.arg(i, 0)), cx.def(i));
});

function round(op: Op, mode: number): void {
  registerSimdRule(op, (cx, i) => {
    const t = floatVec(cx, i, 'rounding');
    vunary(cx, is32(t) ? SseOp.ROUNDPS : SseOp.ROUNDPD, cx.put(cx.f.arg(i, 0)), cx.def(i), mode | 8);
  });
}
round(Op.Nearest, 0);
round(Op.Floor, 1);
round(Op.Ceil, 2);
round(Op.Trunc, 3);

registerSimdRule(Op.Fneg, (cx, i) => {
  const t = floatVec(cx, i, 'fneg');
  vbinConst(cx, SseOp.XORPS, cx.put(cx.f.arg(i, 0)), signMask(t), cx.def(i));
});

registerSimdRule(Op.Fabs, (cx, i) => {
  const t = floatVec(cx, i, 'fabs');
  vbinConst(cx, SseOp.ANDPS, cx.put(cx.f.arg(i, 0)), absMask(t), cx.def(i));
});

registerSimdRule(Op.Fcopysign, (cx, i) => {
  const t = floatVec(cx, i, 'fcopysign');
  const f = cx.f;
  const x = cx.put(f.arg(i, 0));
  const y = cx.put(f.arg(i, 1));
  const mag = newX(cx);
  vbinConst(cx, SseOp.ANDPS, x, absMask(t), mag);
  const sign = newX(cx);
  vbinConst(cx, SseOp.ANDPS, y, signMask(t), sign);
  vbin(cx, SseOp.ORPS, mag, sign, cx.def(i));
});

registerSimdRule(Op.Fma, (cx, i) => {
  const t = floatVec(cx, i, 'fma');
  if (!cx.isa.fma) unsupported('fma needs FMA3');
  const f = cx.f;
  const vc = cx.vc;
  const a = cx.put(f.arg(i, 0));
  const b = cx.put(f.arg(i, 1));
  const c = cx.put(f.arg(i, 2));
  vc.begin(K.Fma, T.laneBits(t) >> 3, 0, 0, 1);
  vc.op(a, USE_REG);
  vc.op(b, USE_ANY);
  vc.op(c, USE_REG);
  vc.op(cx.def(i), defReuse(2));
  cx.endInst();
});

/**
 * fmin: minps both ways; on ordered lanes they agree except for zeros of opposite
 * signs, where or-ing gives -0. On NaN lanes (found with cmpunord) the or is forced
 * to all-ones and the payload cleared: the negative default NaN.
 */
registerSimdRule(Op.Fmin, (cx, i) => {
  const t = floatVec(cx, i, 'fmin');
  const f = cx.f;
  const s = is32(t);
  const x = cx.put(f.arg(i, 0));
  const y = cx.put(f.arg(i, 1));
  const m1 = newX(cx);
  vbin(cx, s ? SseOp.MINPS : SseOp.MINPD, x, y, m1);
  const m2 = newX(cx);
  vbin(cx, s ? SseOp.MINPS : SseOp.MINPD, y, x, m2);
  const o = newX(cx);
  vbin(cx, SseOp.ORPS, m1, m2, o);
  const nan = newX(cx);
  vbin(cx, s ? SseOp.CMPPS : SseOp.CMPPD, o, o, nan, 3);
  const all = newX(cx);
  vbin(cx, SseOp.ORPS, o, nan, all);
  const pay = newX(cx);
  vshiftI(cx, s ? SseOp.PSRLD_I : SseOp.PSRLQ_I, nan, s ? 10 : 13, pay);
  vbin(cx, SseOp.ANDNPS, pay, all, cx.def(i));
});

/**
 * fmax: maxps both ways and-ed (ordered lanes: +0 wins over -0). NaN lanes: addps
 * gives the first NaN operand quietened; its payload is cleared (sign, exponent
 * and quiet bit stay) and blended in where cmpunord says so.
 */
registerSimdRule(Op.Fmax, (cx, i) => {
  const t = floatVec(cx, i, 'fmax');
  const f = cx.f;
  const s = is32(t);
  const x = cx.put(f.arg(i, 0));
  const y = cx.put(f.arg(i, 1));
  const m1 = newX(cx);
  vbin(cx, s ? SseOp.MAXPS : SseOp.MAXPD, x, y, m1);
  const m2 = newX(cx);
  vbin(cx, s ? SseOp.MAXPS : SseOp.MAXPD, y, x, m2);
  const a = newX(cx);
  vbin(cx, SseOp.ANDPS, m1, m2, a);
  const n = newX(cx);
  vbin(cx, s ? SseOp.ADDPS : SseOp.ADDPD, x, y, n);
  const nan = newX(cx);
  vbin(cx, s ? SseOp.CMPPS : SseOp.CMPPD, x, y, nan, 3);
  const pay = newX(cx);
  vshiftI(cx, s ? SseOp.PSRLD_I : SseOp.PSRLQ_I, nan, s ? 10 : 13, pay);
  const nn = newX(cx);
  vbin(cx, SseOp.ANDNPS, pay, n, nn);
  blendv(cx, s ? SseOp.BLENDVPS : SseOp.BLENDVPD, nan, nn, a, cx.def(i));
});

// ---- comparisons ----

// cmpps predicates
const EQ = 0;
const LT = 1;
const LE = 2;
const UNORD = 3;
const NEQ = 4;
const NLT = 5;
const NLE = 6;
const ORD = 7;

/** dst = x <cc> y per lane (all-ones / zero). */
export function fcmpVec(cx: Lower, cc: FloatCC, t: T.Type, xv: number, yv: number, dst: number): void {
  const op = is32(t) ? SseOp.CMPPS : SseOp.CMPPD;
  const x = cx.put(xv);
  const y = cx.put(yv);
  switch (cc) {
    case FloatCC.Eq: vbin(cx, op, x, y, dst, EQ); return;
    case FloatCC.Ne: vbin(cx, op, x, y, dst, NEQ); return;
    case FloatCC.Lt: vbin(cx, op, x, y, dst, LT); return;
    case FloatCC.Le: vbin(cx, op, x, y, dst, LE); return;
    case FloatCC.Gt: vbin(cx, op, y, x, dst, LT); return;
    case FloatCC.Ge: vbin(cx, op, y, x, dst, LE); return;
    case FloatCC.Ord: vbin(cx, op, x, y, dst, ORD); return;
    case FloatCC.Uno: vbin(cx, op, x, y, dst, UNORD); return;
    // unordered or x > y = not (x <= y); and so on
    case FloatCC.Ugt: vbin(cx, op, x, y, dst, NLE); return;
    case FloatCC.Uge: vbin(cx, op, x, y, dst, NLT); return;
    case FloatCC.Ult: vbin(cx, op, y, x, dst, NLE); return;
    case FloatCC.Ule: vbin(cx, op, y, x, dst, NLT); return;
    case FloatCC.One: {
      const a = newX(cx);
      vbin(cx, op, x, y, a, ORD);
      const b = newX(cx);
      vbin(cx, op, x, y, b, NEQ);
      vbin(cx, SseOp.ANDPS, a, b, dst);
      return;
    }
    default: {
      // ueq: unordered or equal
      const a = newX(cx);
      vbin(cx, op, x, y, a, UNORD);
      const b = newX(cx);
      vbin(cx, op, x, y, b, EQ);
      vbin(cx, SseOp.ORPS, a, b, dst);
    }
  }
}

registerSimdRule(Op.Fcmp, (cx, i) => {
  const f = cx.f;
  const t = typeOf(cx, f.arg(i, 0));
  if (t !== T.F32X4 && t !== T.F64X2) unsupported(`fcmp on ${T.typeName(t)}`);
  fcmpVec(cx, f.iImm0[i] as FloatCC, t, f.arg(i, 0), f.arg(i, 1), cx.def(i));
});

// ---- conversions ----

registerSimdRule(Op.FvpromoteLow, (cx, i) => {
  const f = cx.f;
  if (typeOf(cx, f.arg(i, 0)) !== T.F32X4) unsupported('fvpromote_low other than f32x4 -> f64x2');
  vunary(cx, SseOp.CVTPS2PD, cx.put(f.arg(i, 0)), cx.def(i));
});

registerSimdRule(Op.Fvdemote, (cx, i) => {
  const f = cx.f;
  if (typeOf(cx, f.arg(i, 0)) !== T.F64X2) unsupported('fvdemote other than f64x2 -> f32x4');
  vunary(cx, SseOp.CVTPD2PS, cx.put(f.arg(i, 0)), cx.def(i));
});

registerSimdRule(Op.X86Cvtt2dq, (cx, i) => {
  const f = cx.f;
  const st = typeOf(cx, f.arg(i, 0));
  if (st !== T.F32X4 && st !== T.F64X2) unsupported(`x86_cvtt2dq of ${T.typeName(st)}`);
  vunary(cx, st === T.F32X4 ? SseOp.CVTTPS2DQ : SseOp.CVTTPD2DQ, cx.put(f.arg(i, 0)), cx.def(i));
});

/** The two 64-bit lanes of an xmm vreg in new GPR vregs. */
function lanes64(cx: Lower, x: number): [number, number] {
  const lo = newG(cx);
  xToGpr(cx, SseOp.MOVQ_S, x, lo);
  const hi = newG(cx);
  xToGpr(cx, SseOp.PEXTRQ, x, hi, 1);
  return [lo, hi];
}

/** dst = [lo, hi] from two f64 scalars (their low lanes). */
function joinF64(cx: Lower, lo: number, hi: number, dst: number): void {
  vbin(cx, SseOp.UNPCKLPD, lo, hi, dst);
}

registerSimdRule(Op.FcvtFromSint, (cx, i) => {
  const f = cx.f;
  const t = floatVec(cx, i, 'fcvt_from_sint');
  const v = f.arg(i, 0);
  const st = typeOf(cx, v);
  if (t === T.F32X4) {
    if (st !== T.I32X4) unsupported(`fcvt_from_sint ${T.typeName(st)} -> f32x4`);
    vunary(cx, SseOp.CVTDQ2PS, cx.put(v), cx.def(i));
    return;
  }
  if (st !== T.I64X2) unsupported(`fcvt_from_sint ${T.typeName(st)} -> f64x2`);
  // swiden_low of i32x4: cvtdq2pd converts the low two dwords directly
  const d = deferredOp(cx, v, Op.SwidenLow);
  if (d >= 0 && typeOf(cx, f.arg(d, 0)) === T.I32X4) {
    cx.consume(d);
    vunary(cx, SseOp.CVTDQ2PD, cx.put(f.arg(d, 0)), cx.def(i));
    return;
  }
  const [lo, hi] = lanes64(cx, cx.put(v));
  const flo = newX(cx);
  gprToX(cx, SseOp.CVTSI2SD_Q, lo, flo);
  const fhi = newX(cx);
  gprToX(cx, SseOp.CVTSI2SD_Q, hi, fhi);
  joinF64(cx, flo, fhi, cx.def(i));
});

registerSimdRule(Op.FcvtFromUint, (cx, i) => {
  const f = cx.f;
  const t = floatVec(cx, i, 'fcvt_from_uint');
  const v = f.arg(i, 0);
  const st = typeOf(cx, v);
  if (t === T.F32X4) {
    if (st !== T.I32X4) unsupported(`fcvt_from_uint ${T.typeName(st)} -> f32x4`);
    // exact halves: low 16 bits, and the high 16 bits halved (both exact in f32);
    // hi/2 * 2 + lo rounds once
    const x = cx.put(v);
    const lo = newX(cx);
    vbinConst(cx, SseOp.PAND, x, S_FFFF, lo);
    const hi = newX(cx);
    vbin(cx, SseOp.PSUBD, x, lo, hi);
    const flo = newX(cx);
    vunary(cx, SseOp.CVTDQ2PS, lo, flo);
    const h2 = newX(cx);
    vshiftI(cx, SseOp.PSRLD_I, hi, 1, h2);
    const fh = newX(cx);
    vunary(cx, SseOp.CVTDQ2PS, h2, fh);
    const fh2 = newX(cx);
    vbin(cx, SseOp.ADDPS, fh, fh, fh2);
    vbin(cx, SseOp.ADDPS, fh2, flo, cx.def(i));
    return;
  }
  if (st !== T.I64X2) unsupported(`fcvt_from_uint ${T.typeName(st)} -> f64x2`);
  const d = deferredOp(cx, v, Op.UwidenLow);
  if (d >= 0 && typeOf(cx, f.arg(d, 0)) === T.I32X4) {
    // u32 in the low mantissa bits of 2^52: (2^52 + x) - 2^52 is exact
    cx.consume(d);
    const x = cx.put(f.arg(d, 0));
    const m = newX(cx);
    vbinConst(cx, SseOp.UNPCKLPS, x, S_TWO52_HI, m);
    vbinConst(cx, SseOp.SUBPD, m, D_TWO52, cx.def(i));
    return;
  }
  const [lo, hi] = lanes64(cx, cx.put(v));
  const cvt = (g: number): number => {
    const vc = cx.vc;
    const r = newX(cx);
    vc.begin(K.CvtU64ToF, 8);
    vc.op(g, USE_REG);
    vc.op(r, DEF_EARLY);
    vc.op(newG(cx), DEF_EARLY);
    vc.op(newG(cx), DEF_EARLY);
    cx.endInst();
    return r;
  };
  joinF64(cx, cvt(lo), cvt(hi), cx.def(i));
});

/** Per 64-bit lane: saturating f64 -> i64 with the scalar sequence, then joined. */
function toIntSat64(cx: Lower, x: number, signed: boolean, dst: number): void {
  const vc = cx.vc;
  const conv = (lane: number): number => {
    const r = newG(cx);
    vc.begin(K.CvtToInt, 8, (signed ? CVT_SIGNED : 0) | CVT_SAT, 8);
    vc.op(lane, USE_REG);
    vc.op(r, DEF_EARLY);
    vc.op(vc.newVReg(RegClass.Float), DEF_EARLY);
    cx.endInst();
    return r;
  };
  const hiLane = newX(cx);
  vunary(cx, SseOp.PSHUFD, x, hiLane, 0xee);
  const lo = conv(x);
  const hi = conv(hiLane);
  const v = newX(cx);
  gprToX(cx, SseOp.MOVQ, lo, v);
  const vcc = cx.vc;
  vcc.begin(K.XRmR, 0, SseOp.PINSRQ, 1);
  vcc.op(v, USE_REG);
  vcc.op(hi, USE_REG);
  vcc.op(dst, defReuse(0));
  cx.endInst();
}

registerSimdRule(Op.FcvtToSintSat, (cx, i) => {
  const f = cx.f;
  const t = cx.f.iType[i];
  const st = typeOf(cx, f.arg(i, 0));
  if (t === T.I32X4 && st === T.F32X4) {
    // NaN lanes zeroed; cvttps2dq gives 0x80000000 when out of range, which for
    // positive inputs must become 0x7fffffff (xor with the all-ones of "positive
    // input, negative result")
    const x = cx.put(f.arg(i, 0));
    const ord = newX(cx);
    vbin(cx, SseOp.CMPPS, x, x, ord, EQ);
    const xz = newX(cx);
    vbin(cx, SseOp.ANDPS, x, ord, xz);
    const pos = newX(cx);
    vbin(cx, SseOp.PXOR, ord, xz, pos);
    const r = newX(cx);
    vunary(cx, SseOp.CVTTPS2DQ, xz, r);
    const ovf = newX(cx);
    vbin(cx, SseOp.PAND, pos, r, ovf);
    const m = newX(cx);
    vshiftI(cx, SseOp.PSRAD_I, ovf, 31, m);
    vbin(cx, SseOp.PXOR, r, m, cx.def(i));
    return;
  }
  if (t === T.I64X2 && st === T.F64X2) { toIntSat64(cx, cx.put(f.arg(i, 0)), true, cx.def(i)); return; }
  unsupported(`fcvt_to_sint_sat ${T.typeName(st)} -> ${T.typeName(t)}`);
});

registerSimdRule(Op.FcvtToUintSat, (cx, i) => {
  const f = cx.f;
  const t = cx.f.iType[i];
  const st = typeOf(cx, f.arg(i, 0));
  if (t === T.I32X4 && st === T.F32X4) {
    // negative and NaN lanes to 0 (maxps returns its second operand, 0, for NaN);
    // r1 = cvtt(x) is right below 2^31 (else 0x80000000); r2 = cvtt(x - 2^31) is the
    // rest above 2^31, forced to 0x7fffffff at 2^32 and up and to 0 below 2^31
    const x = cx.put(f.arg(i, 0));
    const xp = newX(cx);
    vbin(cx, SseOp.MAXPS, x, zeros(cx), xp);
    const two31 = S_TWO31;
    const r1 = newX(cx);
    vunary(cx, SseOp.CVTTPS2DQ, xp, r1);
    const d = newX(cx);
    vbinConst(cx, SseOp.SUBPS, xp, two31, d);
    const big = newX(cx);
    vbinConst(cx, SseOp.CMPPS, d, two31, big, NLT);
    const r2 = newX(cx);
    vunary(cx, SseOp.CVTTPS2DQ, d, r2);
    const r2b = newX(cx);
    vbin(cx, SseOp.PXOR, r2, big, r2b);
    const r2c = newX(cx);
    vbin(cx, SseOp.PMAXSD, r2b, zeros(cx), r2c);
    vbin(cx, SseOp.PADDD, r2c, r1, cx.def(i));
    return;
  }
  if (t === T.I64X2 && st === T.F64X2) { toIntSat64(cx, cx.put(f.arg(i, 0)), false, cx.def(i)); return; }
  unsupported(`fcvt_to_uint_sat ${T.typeName(st)} -> ${T.typeName(t)}`);
});

/**
 * f64x2 -> i32x4 with saturation and zeroed upper lanes, as Wasm's
 * i32x4.trunc_sat_f64x2_{s,u}_zero is written: snarrow (uunarrow) of the i64x2
 * saturating conversion with a zero vector. Signed: NaN lanes clamp to 0 and large
 * ones to INT32_MAX with minpd (cvttpd2dq saturates below to INT32_MIN itself).
 * Unsigned: clamp to [0, 2^32 - 1] (maxpd turns NaN into 0), truncate, add 2^52 so
 * the integer sits in the low mantissa dword, gather those dwords with shufps.
 */
export function truncSatZero(cx: Lower, i: number, signed: boolean): boolean {
  const f = cx.f;
  const d = deferredOp(cx, f.arg(i, 0), signed ? Op.FcvtToSintSat : Op.FcvtToUintSat);
  if (d < 0 || typeOf(cx, f.arg(d, 0)) !== T.F64X2) return false;
  const z = vconstBytes(cx, f.arg(i, 1));
  if (z === null || !z.every((b) => b === 0)) return false;
  cx.consume(d);
  const x = cx.put(f.arg(d, 0));
  const dst = cx.def(i);
  if (signed) {
    const ord = newX(cx);
    vbin(cx, SseOp.CMPPD, x, x, ord, EQ);
    const lim = newX(cx);
    vbinConst(cx, SseOp.ANDPD, ord, D_I32_MAX, lim);
    const c = newX(cx);
    vbin(cx, SseOp.MINPD, x, lim, c);
    vunary(cx, SseOp.CVTTPD2DQ, c, dst);
    return true;
  }
  const zero = zeros(cx);
  const p = newX(cx);
  vbin(cx, SseOp.MAXPD, x, zero, p);
  const c = newX(cx);
  vbinConst(cx, SseOp.MINPD, p, D_U32_MAX, c);
  const t = newX(cx);
  vunary(cx, SseOp.ROUNDPD, c, t, 3 | 8);
  const m = newX(cx);
  vbinConst(cx, SseOp.ADDPD, t, D_TWO52, m);
  vbin(cx, SseOp.SHUFPS, m, zero, dst, 0x88);
  return true;
}

void NEQ;
