/**
 * Lowering rules for 128-bit vector (SIMD) operations (isa/x64): integer lane
 * arithmetic, bitwise operations, shifts, comparisons and reductions. Lane access,
 * shuffles, widening/narrowing live in lower-simd-lanes.ts; float lanes and
 * conversions in lower-simd-float.ts; the shared building blocks in
 * lower-simd-util.ts.
 *
 * The driver (lower.ts) tries `simdRules[op]` first for every instruction with a
 * 128-bit vector type (controlling type, argument or result) and falls back to the
 * scalar table, whose generic rules handle what is not lane-specific: whole-vector
 * loads and stores (movdqu), select / select_spectre_guard (XSel), bitcasts between
 * same-class types, parameters, results, block arguments, moves and 16-byte spills.
 *
 * Baseline: SSE4.1 (with SSSE3's pshufb, pabs*, phadd*, pmulhrsw, pmaddubsw).
 * SSE4.2 gives pcmpgtq for i64x2 signed compares; AVX gives three-operand forms.
 * Sequences that x86 lacks (i64x2 multiply, i8x16 shifts, i64x2 sshr/abs/min/max,
 * unsigned compares) are built from the ones it has; each says how.
 */
import { Op } from '../../ir/opcodes';
import { IntCC, FloatCC } from '../../ir/immediates';
import * as T from '../../ir/types';
import { AluOp, Cond, ShiftOp, SseOp } from './encode';
import { FP_PTEST, K, USE_REG, defReuse } from './inst';
import { CondSpec, Lower, registerRule, registerSimdRule, simdCondRules, simdDeferrable, unsupported } from './lower';
import { aluI, setcc } from './lower-int';
import {
  B_ONE, Q_SIGN, W_00FF, W_8000, W_ONE, binValues, bitsel, blendv, byLane, constInto, deferredOp, constVec, gprToX, gt64, newG, newX, ones, splatBytes, typeOf, vbin,
  vbinConst, vbinReg, vnot, vshiftI, vunary, xToGpr, zeros,
} from './lower-simd-util';
import './lower-simd-lanes';
import './lower-simd-float';

/** vconst: the 16 bytes from the constant pool (xorps for zero, pcmpeqd for all-ones). */
registerRule(Op.Vconst, (cx, i) => {
  const f = cx.f;
  const b = f.constants[f.iImm0[i]]!;
  let bytes = b;
  if (b.length !== 16) {
    bytes = new Uint8Array(16);
    bytes.set(b.subarray(0, 16));
  }
  constInto(cx, bytes, cx.def(i));
});

function vecType(cx: Lower, i: number, what: string): T.Type {
  const t = cx.f.iType[i];
  if (!T.isVector(t) || T.bits(t) !== 128) unsupported(`${what} on ${T.typeName(t)}`);
  return t;
}

function intVecType(cx: Lower, i: number, what: string): T.Type {
  const t = vecType(cx, i, what);
  if (!T.isIntLane(t) || T.laneBits(t) > 64) unsupported(`${what} on ${T.typeName(t)}`);
  return t;
}

// ---- arithmetic ----

/** A lane-wise binary op with one SSE instruction per lane width (NaN: no such form). */
function laneBinary(op: Op, ops: [SseOp, SseOp, SseOp, SseOp], commutative: boolean, what: string): void {
  registerSimdRule(op, (cx, i) => {
    const t = intVecType(cx, i, what);
    const sop = byLane(t, ops[0], ops[1], ops[2], ops[3]);
    if (sop === NO) unsupported(`${what} on ${T.typeName(t)}`);
    const f = cx.f;
    binValues(cx, sop, f.arg(i, 0), f.arg(i, 1), cx.def(i), commutative);
  });
}
const NO = 0 as SseOp;

laneBinary(Op.Iadd, [SseOp.PADDB, SseOp.PADDW, SseOp.PADDD, SseOp.PADDQ], true, 'iadd');
laneBinary(Op.Isub, [SseOp.PSUBB, SseOp.PSUBW, SseOp.PSUBD, SseOp.PSUBQ], false, 'isub');
laneBinary(Op.SaddSat, [SseOp.PADDSB, SseOp.PADDSW, NO, NO], true, 'sadd_sat');
laneBinary(Op.UaddSat, [SseOp.PADDUSB, SseOp.PADDUSW, NO, NO], true, 'uadd_sat');
laneBinary(Op.SsubSat, [SseOp.PSUBSB, SseOp.PSUBSW, NO, NO], false, 'ssub_sat');
laneBinary(Op.UsubSat, [SseOp.PSUBUSB, SseOp.PSUBUSW, NO, NO], false, 'usub_sat');
laneBinary(Op.AvgRound, [SseOp.PAVGB, SseOp.PAVGW, NO, NO], true, 'avg_round');
laneBinary(Op.Umulhi, [NO, SseOp.PMULHUW, NO, NO], true, 'umulhi');
laneBinary(Op.Smulhi, [NO, SseOp.PMULHW, NO, NO], true, 'smulhi');
laneBinary(Op.X86Pmulhrsw, [NO, SseOp.PMULHRSW, NO, NO], true, 'x86_pmulhrsw');

/** min/max: i8 (pminsb/pminub), i16 (pminsw/pminuw), i32 (pminsd/pminud); i64 by compare and blend. */
function minMax(op: Op, ops: [SseOp, SseOp, SseOp], signed: boolean, isMin: boolean): void {
  registerSimdRule(op, (cx, i) => {
    const t = intVecType(cx, i, 'min/max');
    const f = cx.f;
    if (T.laneBits(t) < 64) {
      binValues(cx, byLane(t, ops[0], ops[1], ops[2], NO), f.arg(i, 0), f.arg(i, 1), cx.def(i), true);
      return;
    }
    const x = cx.put(f.arg(i, 0));
    const y = cx.put(f.arg(i, 1));
    const gt = newX(cx);
    gt64(cx, x, y, signed, gt);
    // max: x > y ? x : y; min: x > y ? y : x
    blendv(cx, SseOp.BLENDVPD, gt, isMin ? y : x, isMin ? x : y, cx.def(i));
  });
}
minMax(Op.Smin, [SseOp.PMINSB, SseOp.PMINSW, SseOp.PMINSD], true, true);
minMax(Op.Smax, [SseOp.PMAXSB, SseOp.PMAXSW, SseOp.PMAXSD], true, false);
minMax(Op.Umin, [SseOp.PMINUB, SseOp.PMINUW, SseOp.PMINUD], false, true);
minMax(Op.Umax, [SseOp.PMAXUB, SseOp.PMAXUW, SseOp.PMAXUD], false, false);

/** The widening (swiden/uwiden low/high) deferred behind `v`, or -1. */
function deferredWiden(cx: Lower, v: number): number {
  const d = cx.deferredDef(v);
  if (d < 0) return -1;
  const op = cx.f.iOp[d] as Op;
  return op === Op.SwidenLow || op === Op.SwidenHigh || op === Op.UwidenLow || op === Op.UwidenHigh ? d : -1;
}

for (const op of [Op.SwidenLow, Op.SwidenHigh, Op.UwidenLow, Op.UwidenHigh, Op.Imul, Op.FcvtToSintSat, Op.FcvtToUintSat,
  Op.VanyTrue, Op.VallTrue, Op.Fcmp, Op.Bitcast]) simdDeferrable[op] = 1;

/**
 * Extending multiply: imul of two like widenings of i16x8 or i32x4 lanes. i32x4:
 * pmullw/pmulh(u)w give the low and high halves of the products, interleaved by
 * punpckl/hwd. i64x2: pmul(u)dq multiplies the even dwords, so pshufd first moves
 * the wanted dwords there.
 */
function extmul(cx: Lower, i: number, t: T.Type): boolean {
  const f = cx.f;
  const dx = deferredWiden(cx, f.arg(i, 0));
  const dy = deferredWiden(cx, f.arg(i, 1));
  if (dx < 0 || dy < 0 || f.iOp[dx] !== f.iOp[dy] || T.laneBits(t) < 32) return false;
  const op = f.iOp[dx] as Op;
  const signed = op === Op.SwidenLow || op === Op.SwidenHigh;
  const high = op === Op.SwidenHigh || op === Op.UwidenHigh;
  cx.consume(dx);
  cx.consume(dy);
  const a = cx.put(f.arg(dx, 0));
  const b = cx.put(f.arg(dy, 0));
  if (T.laneBits(t) === 32) {
    const lo = newX(cx);
    vbin(cx, SseOp.PMULLW, a, b, lo);
    const hi = newX(cx);
    vbin(cx, signed ? SseOp.PMULHW : SseOp.PMULHUW, a, b, hi);
    vbin(cx, high ? SseOp.PUNPCKHWD : SseOp.PUNPCKLWD, lo, hi, cx.def(i));
    return true;
  }
  const sa = newX(cx);
  vunary(cx, SseOp.PSHUFD, a, sa, high ? 0xfa : 0x50);
  const sb = newX(cx);
  vunary(cx, SseOp.PSHUFD, b, sb, high ? 0xfa : 0x50);
  vbin(cx, signed ? SseOp.PMULDQ : SseOp.PMULUDQ, sa, sb, cx.def(i));
  return true;
}

registerSimdRule(Op.Imul, (cx, i) => {
  const t = intVecType(cx, i, 'imul');
  const f = cx.f;
  if (extmul(cx, i, t)) return;
  switch (T.laneBits(t)) {
    case 16: binValues(cx, SseOp.PMULLW, f.arg(i, 0), f.arg(i, 1), cx.def(i), true); return;
    case 32: binValues(cx, SseOp.PMULLD, f.arg(i, 0), f.arg(i, 1), cx.def(i), true); return;
    case 64: {
      // a * b mod 2^64 = lo(a)lo(b) + ((hi(a)lo(b) + lo(a)hi(b)) << 32), with pmuludq (32 x 32 -> 64)
      const a = cx.put(f.arg(i, 0));
      const b = cx.put(f.arg(i, 1));
      const ah = newX(cx);
      vshiftI(cx, SseOp.PSRLQ_I, a, 32, ah);
      const t1 = newX(cx);
      vbin(cx, SseOp.PMULUDQ, ah, b, t1);
      const bh = newX(cx);
      vshiftI(cx, SseOp.PSRLQ_I, b, 32, bh);
      const t2 = newX(cx);
      vbin(cx, SseOp.PMULUDQ, bh, a, t2);
      const s = newX(cx);
      vbin(cx, SseOp.PADDQ, t1, t2, s);
      const hi = newX(cx);
      vshiftI(cx, SseOp.PSLLQ_I, s, 32, hi);
      const lo = newX(cx);
      vbin(cx, SseOp.PMULUDQ, a, b, lo);
      vbin(cx, SseOp.PADDQ, lo, hi, cx.def(i));
      return;
    }
    default: {
      // i8x16: multiply the even and the odd bytes as words, keep the low bytes
      const a = cx.put(f.arg(i, 0));
      const b = cx.put(f.arg(i, 1));
      const even = newX(cx);
      vbin(cx, SseOp.PMULLW, a, b, even);
      const evenLo = newX(cx);
      vbinConst(cx, SseOp.PAND, even, W_00FF, evenLo);
      const ao = newX(cx);
      vshiftI(cx, SseOp.PSRLW_I, a, 8, ao);
      const bo = newX(cx);
      vshiftI(cx, SseOp.PSRLW_I, b, 8, bo);
      const odd = newX(cx);
      vbin(cx, SseOp.PMULLW, ao, bo, odd);
      const oddHi = newX(cx);
      vshiftI(cx, SseOp.PSLLW_I, odd, 8, oddHi);
      vbin(cx, SseOp.POR, evenLo, oddHi, cx.def(i));
    }
  }
});

registerSimdRule(Op.Ineg, (cx, i) => {
  const t = intVecType(cx, i, 'ineg');
  const x = cx.put(cx.f.arg(i, 0));
  vbin(cx, byLane(t, SseOp.PSUBB, SseOp.PSUBW, SseOp.PSUBD, SseOp.PSUBQ), zeros(cx), x, cx.def(i));
});

registerSimdRule(Op.Iabs, (cx, i) => {
  const t = intVecType(cx, i, 'iabs');
  const x = cx.put(cx.f.arg(i, 0));
  if (T.laneBits(t) < 64) {
    vunary(cx, byLane(t, SseOp.PABSB, SseOp.PABSW, SseOp.PABSD, NO), x, cx.def(i));
    return;
  }
  // i64x2: blend -x over x where x is negative (blendvpd reads the sign bits)
  const neg = newX(cx);
  vbin(cx, SseOp.PSUBQ, zeros(cx), x, neg);
  blendv(cx, SseOp.BLENDVPD, x, neg, x, cx.def(i));
});

registerSimdRule(Op.SqmulRoundSat, (cx, i) => {
  const t = intVecType(cx, i, 'sqmul_round_sat');
  if (t !== T.I16X8) unsupported(`sqmul_round_sat on ${T.typeName(t)}`);
  const f = cx.f;
  // pmulhrsw gives 0x8000 only for MIN * MIN, where the saturated result is 0x7fff
  const r = newX(cx);
  binValues(cx, SseOp.PMULHRSW, f.arg(i, 0), f.arg(i, 1), r, true);
  const m = newX(cx);
  vbinConst(cx, SseOp.PCMPEQW, r, W_8000, m);
  vbin(cx, SseOp.PXOR, r, m, cx.def(i));
});

/**
 * Pairwise sums of widened lanes: iadd_pairwise(widen_low x, widen_high x) is the
 * horizontal sum of adjacent lane pairs of x (pmaddubsw / pmaddwd with ones), and
 * iadd_pairwise of two such i16x8 extending multiplies of a and b is pmaddwd(a, b).
 */
function pairwiseWidened(cx: Lower, i: number, t: T.Type): boolean {
  const f = cx.f;
  const xv = f.arg(i, 0);
  const yv = f.arg(i, 1);
  const mx = deferredOp(cx, xv, Op.Imul);
  const my = deferredOp(cx, yv, Op.Imul);
  if (mx >= 0 && my >= 0 && t === T.I32X4) {
    const w = [deferredWiden(cx, f.arg(mx, 0)), deferredWiden(cx, f.arg(mx, 1)), deferredWiden(cx, f.arg(my, 0)), deferredWiden(cx, f.arg(my, 1))];
    const ops = w.map((d) => (d < 0 ? -1 : f.iOp[d]));
    const src = w.map((d) => (d < 0 ? -1 : f.resolve(f.arg(d, 0))));
    if (ops[0] === Op.SwidenLow && ops[1] === Op.SwidenLow && ops[2] === Op.SwidenHigh && ops[3] === Op.SwidenHigh &&
      src[0] === src[2] && src[1] === src[3] && typeOf(cx, f.arg(w[0], 0)) === T.I16X8) {
      for (const d of [mx, my, ...w]) cx.consume(d);
      const a = cx.put(f.arg(w[0], 0));
      vbin(cx, SseOp.PMADDWD, a, cx.put(f.arg(w[1], 0)), cx.def(i));
      return true;
    }
    return false;
  }
  const dx = deferredWiden(cx, xv);
  const dy = deferredWiden(cx, yv);
  if (dx < 0 || dy < 0 || f.resolve(f.arg(dx, 0)) !== f.resolve(f.arg(dy, 0))) return false;
  const signed = f.iOp[dx] === Op.SwidenLow && f.iOp[dy] === Op.SwidenHigh;
  const unsigned = f.iOp[dx] === Op.UwidenLow && f.iOp[dy] === Op.UwidenHigh;
  if (!signed && !unsigned) return false;
  const st = typeOf(cx, f.arg(dx, 0));
  if (st !== T.I8X16 && st !== T.I16X8) return false;
  cx.consume(dx);
  cx.consume(dy);
  const x = cx.put(f.arg(dx, 0));
  const dst = cx.def(i);
  if (st === T.I8X16) {
    // pmaddubsw: unsigned bytes of the first operand times signed bytes of the second
    if (signed) vbin(cx, SseOp.PMADDUBSW, constVec(cx, B_ONE), x, dst);
    else vbinConst(cx, SseOp.PMADDUBSW, x, B_ONE, dst);
    return true;
  }
  if (signed) { vbinConst(cx, SseOp.PMADDWD, x, W_ONE, dst); return true; }
  // unsigned words: bias to signed, sum, add the bias (2 * 0x8000) back
  const b = newX(cx);
  vbinConst(cx, SseOp.PXOR, x, W_8000, b);
  const s = newX(cx);
  vbinConst(cx, SseOp.PMADDWD, b, W_ONE, s);
  vbinConst(cx, SseOp.PADDD, s, D_10000, dst);
  return true;
}

registerSimdRule(Op.IaddPairwise, (cx, i) => {
  const t = intVecType(cx, i, 'iadd_pairwise');
  const f = cx.f;
  if (pairwiseWidened(cx, i, t)) return;
  if (t === T.I16X8 || t === T.I32X4) {
    const x = cx.put(f.arg(i, 0));
    vbin(cx, t === T.I16X8 ? SseOp.PHADDW : SseOp.PHADDD, x, cx.put(f.arg(i, 1)), cx.def(i));
    return;
  }
  if (t === T.I8X16) {
    // pairs of bytes summed as words (low byte = the wrapped sum), then packed
    const sums = (v: number): number => {
      const lo = newX(cx);
      vbinConst(cx, SseOp.PAND, v, W_00FF, lo);
      const hi = newX(cx);
      vshiftI(cx, SseOp.PSRLW_I, v, 8, hi);
      const s = newX(cx);
      vbin(cx, SseOp.PADDW, lo, hi, s);
      const m = newX(cx);
      vbinConst(cx, SseOp.PAND, s, W_00FF, m);
      return m;
    };
    const a = sums(cx.put(f.arg(i, 0)));
    const b = sums(cx.put(f.arg(i, 1)));
    vbin(cx, SseOp.PACKUSWB, a, b, cx.def(i));
    return;
  }
  // i64x2: [a0 + a1, b0 + b1]
  const a = cx.put(f.arg(i, 0));
  const b = cx.put(f.arg(i, 1));
  const lo = newX(cx);
  vbinReg(cx, SseOp.PUNPCKLQDQ, a, b, lo);
  const hi = newX(cx);
  vbin(cx, SseOp.PUNPCKHQDQ, a, b, hi);
  vbin(cx, SseOp.PADDQ, lo, hi, cx.def(i));
});

registerSimdRule(Op.X86Pmaddubsw, (cx, i) => {
  const f = cx.f;
  binValues(cx, SseOp.PMADDUBSW, f.arg(i, 0), f.arg(i, 1), cx.def(i), false);
});

registerSimdRule(Op.X86Pshufb, (cx, i) => {
  const f = cx.f;
  binValues(cx, SseOp.PSHUFB, f.arg(i, 0), f.arg(i, 1), cx.def(i), false);
});

registerSimdRule(Op.X86Blendv, (cx, i) => {
  const t = vecType(cx, i, 'x86_blendv');
  const f = cx.f;
  let m = cx.put(f.arg(i, 0));
  const x = cx.put(f.arg(i, 1));
  const y = cx.put(f.arg(i, 2));
  let op: SseOp;
  switch (T.laneBits(t)) {
    case 8: op = SseOp.PBLENDVB; break;
    case 16: {
      // no word blend: spread each word's sign over both of its bytes
      const s = newX(cx);
      vshiftI(cx, SseOp.PSRAW_I, m, 15, s);
      m = s;
      op = SseOp.PBLENDVB;
      break;
    }
    case 32: op = SseOp.BLENDVPS; break;
    default: op = SseOp.BLENDVPD; break;
  }
  blendv(cx, op, m, x, y, cx.def(i));
});

const NIBBLE_POPCNT = new Uint8Array(16);
for (let k = 0; k < 16; k++) NIBBLE_POPCNT[k] = (k & 1) + ((k >> 1) & 1) + ((k >> 2) & 1) + ((k >> 3) & 1);
const B_0F = splatBytes(1, 0x0f);
const D_10000 = splatBytes(4, 0x10000);

registerSimdRule(Op.Popcnt, (cx, i) => {
  const t = intVecType(cx, i, 'popcnt');
  // per nibble of every byte: a 16-entry table lookup with pshufb
  const x = cx.put(cx.f.arg(i, 0));
  const table = NIBBLE_POPCNT;
  const nib = B_0F;
  const lo = newX(cx);
  vbinConst(cx, SseOp.PAND, x, nib, lo);
  const h = newX(cx);
  vshiftI(cx, SseOp.PSRLW_I, x, 4, h);
  const hi = newX(cx);
  vbinConst(cx, SseOp.PAND, h, nib, hi);
  const cl = newX(cx);
  vbin(cx, SseOp.PSHUFB, constVec(cx, table), lo, cl);
  const ch = newX(cx);
  vbin(cx, SseOp.PSHUFB, constVec(cx, table), hi, ch);
  if (t === T.I8X16) { vbin(cx, SseOp.PADDB, cl, ch, cx.def(i)); return; }
  // wider lanes: sum the byte counts (pairs with pmaddubsw, then pmaddwd; qwords with psadbw)
  const bytes = newX(cx);
  vbin(cx, SseOp.PADDB, cl, ch, bytes);
  if (t === T.I64X2) { vbin(cx, SseOp.PSADBW, bytes, zeros(cx), cx.def(i)); return; }
  const words = t === T.I16X8 ? cx.def(i) : newX(cx);
  vbinConst(cx, SseOp.PMADDUBSW, bytes, B_ONE, words);
  if (t === T.I32X4) vbinConst(cx, SseOp.PMADDWD, words, W_ONE, cx.def(i));
});

// ---- bitwise ----

function bitwise(op: Op, intOp: SseOp, fOp: SseOp): void {
  registerSimdRule(op, (cx, i) => {
    const t = vecType(cx, i, 'bitwise op');
    const f = cx.f;
    binValues(cx, T.isIntLane(t) ? intOp : fOp, f.arg(i, 0), f.arg(i, 1), cx.def(i), true);
  });
}
bitwise(Op.Band, SseOp.PAND, SseOp.ANDPS);
bitwise(Op.Bor, SseOp.POR, SseOp.ORPS);
bitwise(Op.Bxor, SseOp.PXOR, SseOp.XORPS);

/** band_not x, y = x & ~y = pandn(y, x). */
registerSimdRule(Op.BandNot, (cx, i) => {
  vecType(cx, i, 'band_not');
  const f = cx.f;
  const x = cx.put(f.arg(i, 0));
  vbin(cx, SseOp.PANDN, cx.put(f.arg(i, 1)), x, cx.def(i));
});

function binaryNot(op: Op, sop: SseOp): void {
  registerSimdRule(op, (cx, i) => {
    vecType(cx, i, 'bitwise op');
    const f = cx.f;
    const x = cx.put(f.arg(i, 0));
    const ny = newX(cx);
    vnot(cx, cx.put(f.arg(i, 1)), ny);
    vbin(cx, sop, x, ny, cx.def(i));
  });
}
binaryNot(Op.BorNot, SseOp.POR);
binaryNot(Op.BxorNot, SseOp.PXOR);

registerSimdRule(Op.Bnot, (cx, i) => {
  vecType(cx, i, 'bnot');
  vnot(cx, cx.put(cx.f.arg(i, 0)), cx.def(i));
});

/**
 * Wasm's pmin/pmax as translated (bitselect on an fcmp lt, the mask maybe bitcast):
 * bitselect(lt(a, b), a, b) is minps a, b and bitselect(lt(b, a), a, b) is maxps a, b,
 * NaNs and zeros included (x86 returns the second operand unless the compare holds).
 */
function pseudoMinMax(cx: Lower, i: number): boolean {
  const f = cx.f;
  const t = f.iType[i];
  if (t !== T.F32X4 && t !== T.F64X2) return false;
  const bc = deferredOp(cx, f.arg(i, 0), Op.Bitcast);
  const cmp = deferredOp(cx, bc >= 0 ? f.arg(bc, 0) : f.arg(i, 0), Op.Fcmp);
  if (cmp < 0 || f.iImm0[cmp] !== FloatCC.Lt || typeOf(cx, f.arg(cmp, 0)) !== t) return false;
  const a = f.resolve(f.arg(i, 1));
  const b = f.resolve(f.arg(i, 2));
  const p = f.resolve(f.arg(cmp, 0));
  const q = f.resolve(f.arg(cmp, 1));
  let min: boolean;
  if (p === a && q === b) min = true;
  else if (p === b && q === a) min = false;
  else return false;
  if (bc >= 0) cx.consume(bc);
  cx.consume(cmp);
  const s = t === T.F32X4;
  const x = cx.put(a);
  vbin(cx, min ? (s ? SseOp.MINPS : SseOp.MINPD) : (s ? SseOp.MAXPS : SseOp.MAXPD), x, cx.put(b), cx.def(i));
  return true;
}

registerSimdRule(Op.Bitselect, (cx, i) => {
  vecType(cx, i, 'bitselect');
  const f = cx.f;
  if (pseudoMinMax(cx, i)) return;
  const c = cx.put(f.arg(i, 0));
  const x = cx.put(f.arg(i, 1));
  const y = cx.put(f.arg(i, 2));
  bitsel(cx, c, x, y, cx.def(i));
});

registerSimdRule(Op.Bmask, (cx, i) => {
  const f = cx.f;
  const st = typeOf(cx, f.arg(i, 0));
  const t = f.iType[i];
  if (!T.isVector(st) || !T.isVector(t) || T.laneBits(st) !== T.laneBits(t)) unsupported(`bmask ${T.typeName(st)} -> ${T.typeName(t)}`);
  // lane != 0: not (lane == 0)
  const x = cx.put(f.arg(i, 0));
  const z = newX(cx);
  vbin(cx, pcmpeq(st), x, zeros(cx), z);
  vnot(cx, z, cx.def(i));
});

function pcmpeq(t: T.Type): SseOp {
  return byLane(t, SseOp.PCMPEQB, SseOp.PCMPEQW, SseOp.PCMPEQD, SseOp.PCMPEQQ);
}

// ---- shifts ----

/**
 * Shifts by a scalar amount, masked to the lane width. x86 shifts words, dwords
 * and qwords (by an immediate or by the low 64 bits of an xmm register); bytes and
 * arithmetic qword shifts are built from those.
 */
function vshift(op: Op): void {
  registerSimdRule(op, (cx, i) => {
    const t = intVecType(cx, i, 'shift');
    const f = cx.f;
    const w = T.laneBits(t);
    const x = cx.put(f.arg(i, 0));
    const amt = f.arg(i, 1);
    if (T.isVector(typeOf(cx, amt))) unsupported('shift by a vector amount');
    const dst = cx.def(i);
    if (cx.isIconst(amt)) {
      const n = cx.iconstLo(amt) & (w - 1);
      if (n === 0) { cx.alias(i, 0, x); return; }
      shiftConst(cx, op, t, x, n, dst);
      return;
    }
    // the masked amount in an xmm register (x86 shifts by xmm counts do not mask)
    const g = cx.put(amt);
    const m = newG(cx);
    aluI(cx, AluOp.And, 4, g, w - 1, m);
    shiftVar(cx, op, t, x, m, dst);
  });
}
vshift(Op.Ishl);
vshift(Op.Ushr);
vshift(Op.Sshr);

function shiftConst(cx: Lower, op: Op, t: T.Type, x: number, n: number, dst: number): void {
  const w = T.laneBits(t);
  if (w === 8) {
    if (op === Op.Sshr) {
      // bytes spread into the high halves of words, shifted arithmetically, packed back
      const lo = newX(cx);
      vbin(cx, SseOp.PUNPCKLBW, x, x, lo);
      const hi = newX(cx);
      vbin(cx, SseOp.PUNPCKHBW, x, x, hi);
      const slo = newX(cx);
      vshiftI(cx, SseOp.PSRAW_I, lo, n + 8, slo);
      const shi = newX(cx);
      vshiftI(cx, SseOp.PSRAW_I, hi, n + 8, shi);
      vbin(cx, SseOp.PACKSSWB, slo, shi, dst);
      return;
    }
    // word shift, then clear the bits that crossed from the neighbouring byte
    const s = newX(cx);
    vshiftI(cx, op === Op.Ishl ? SseOp.PSLLW_I : SseOp.PSRLW_I, x, n, s);
    const mask = op === Op.Ishl ? (0xff << n) & 0xff : 0xff >> n;
    vbinConst(cx, SseOp.PAND, s, splatBytes(1, mask), dst);
    return;
  }
  if (w === 64 && op === Op.Sshr) {
    // (x >>> n ^ m) - m with m = the sign bit shifted alike: sign-extends from bit 63 - n
    const s = newX(cx);
    vshiftI(cx, SseOp.PSRLQ_I, x, n, s);
    const m = n < 32 ? splatBytes(8, 0, 0x80000000 >>> n) : splatBytes(8, 0x80000000 >>> (n - 32), 0);
    const xr = newX(cx);
    vbinConst(cx, SseOp.PXOR, s, m, xr);
    vbinConst(cx, SseOp.PSUBQ, xr, m, dst);
    return;
  }
  const sop = op === Op.Ishl ? byLane(t, NO, SseOp.PSLLW_I, SseOp.PSLLD_I, SseOp.PSLLQ_I)
    : op === Op.Ushr ? byLane(t, NO, SseOp.PSRLW_I, SseOp.PSRLD_I, SseOp.PSRLQ_I)
      : byLane(t, NO, SseOp.PSRAW_I, SseOp.PSRAD_I, NO);
  vshiftI(cx, sop, x, n, dst);
}

function shiftVar(cx: Lower, op: Op, t: T.Type, x: number, g: number, dst: number): void {
  const w = T.laneBits(t);
  if (w === 8) {
    if (op === Op.Sshr) {
      const g8 = newG(cx);
      aluI(cx, AluOp.Add, 4, g, 8, g8);
      const c = newX(cx);
      gprToX(cx, SseOp.MOVD, g8, c);
      const lo = newX(cx);
      vbin(cx, SseOp.PUNPCKLBW, x, x, lo);
      const hi = newX(cx);
      vbin(cx, SseOp.PUNPCKHBW, x, x, hi);
      const slo = newX(cx);
      vbin(cx, SseOp.PSRAW, lo, c, slo);
      const shi = newX(cx);
      vbin(cx, SseOp.PSRAW, hi, c, shi);
      vbin(cx, SseOp.PACKSSWB, slo, shi, dst);
      return;
    }
    const c = newX(cx);
    gprToX(cx, SseOp.MOVD, g, c);
    const s = newX(cx);
    vbin(cx, op === Op.Ishl ? SseOp.PSLLW : SseOp.PSRLW, x, c, s);
    // the byte mask: 0xff shifted alike, broadcast to every byte
    const m = newX(cx);
    if (op === Op.Ishl) {
      // word 0xffff << n: its low byte is (0xff << n) & 0xff; pshufb with zero indices broadcasts it
      const m1 = newX(cx);
      vbin(cx, SseOp.PSLLW, ones(cx), c, m1);
      vbin(cx, SseOp.PSHUFB, m1, zeros(cx), m);
    } else {
      // word 0x00ff >> n has 0xff >> n in its low byte and 0 above; packuswb makes bytes of them
      const m0 = newX(cx);
      vshiftI(cx, SseOp.PSRLW_I, ones(cx), 8, m0);
      const m1 = newX(cx);
      vbin(cx, SseOp.PSRLW, m0, c, m1);
      vbin(cx, SseOp.PACKUSWB, m1, m1, m);
    }
    vbin(cx, SseOp.PAND, s, m, dst);
    return;
  }
  const c = newX(cx);
  gprToX(cx, SseOp.MOVD, g, c);
  if (w === 64 && op === Op.Sshr) {
    const s = newX(cx);
    vbin(cx, SseOp.PSRLQ, x, c, s);
    const m = newX(cx);
    vbin(cx, SseOp.PSRLQ, constVec(cx, Q_SIGN), c, m);
    const xr = newX(cx);
    vbin(cx, SseOp.PXOR, s, m, xr);
    vbin(cx, SseOp.PSUBQ, xr, m, dst);
    return;
  }
  const sop = op === Op.Ishl ? byLane(t, NO, SseOp.PSLLW, SseOp.PSLLD, SseOp.PSLLQ)
    : op === Op.Ushr ? byLane(t, NO, SseOp.PSRLW, SseOp.PSRLD, SseOp.PSRLQ)
      : byLane(t, NO, SseOp.PSRAW, SseOp.PSRAD, NO);
  vbin(cx, sop, x, c, dst);
}

// ---- comparisons ----

/** dst = per-lane integer comparison x <cc> y (all-ones / zero lanes). */
export function icmpVec(cx: Lower, cc: IntCC, t: T.Type, xv: number, yv: number, dst: number): void {
  const w = T.laneBits(t);
  const eq = pcmpeq(t);
  if (cc === IntCC.Eq) { binValues(cx, eq, xv, yv, dst, true); return; }
  if (cc === IntCC.Ne) {
    const e = newX(cx);
    binValues(cx, eq, xv, yv, e, true);
    vnot(cx, e, dst);
    return;
  }
  const x = cx.put(xv);
  const y = cx.put(yv);
  if (w === 64) {
    const signed = cc === IntCC.Slt || cc === IntCC.Sge || cc === IntCC.Sgt || cc === IntCC.Sle;
    // gt: x > y; lt: y > x; le: not gt; ge: not lt
    const swap = cc === IntCC.Slt || cc === IntCC.Ult || cc === IntCC.Sge || cc === IntCC.Uge;
    const invert = cc === IntCC.Sle || cc === IntCC.Ule || cc === IntCC.Sge || cc === IntCC.Uge;
    if (!invert) { gt64(cx, swap ? y : x, swap ? x : y, signed, dst); return; }
    const g = newX(cx);
    gt64(cx, swap ? y : x, swap ? x : y, signed, g);
    vnot(cx, g, dst);
    return;
  }
  const gt = byLane(t, SseOp.PCMPGTB, SseOp.PCMPGTW, SseOp.PCMPGTD, NO);
  switch (cc) {
    case IntCC.Sgt: vbin(cx, gt, x, y, dst); return;
    case IntCC.Slt: vbin(cx, gt, y, x, dst); return;
    case IntCC.Sge: case IntCC.Sle: case IntCC.Uge: case IntCC.Ule: {
      // x >= y  <=>  max(x, y) == x;  x <= y  <=>  min(x, y) == x
      const op = cc === IntCC.Sge ? byLane(t, SseOp.PMAXSB, SseOp.PMAXSW, SseOp.PMAXSD, NO)
        : cc === IntCC.Sle ? byLane(t, SseOp.PMINSB, SseOp.PMINSW, SseOp.PMINSD, NO)
          : cc === IntCC.Uge ? byLane(t, SseOp.PMAXUB, SseOp.PMAXUW, SseOp.PMAXUD, NO)
            : byLane(t, SseOp.PMINUB, SseOp.PMINUW, SseOp.PMINUD, NO);
      const m = newX(cx);
      vbin(cx, op, x, y, m);
      vbin(cx, eq, m, x, dst);
      return;
    }
    default: {
      // ugt = not (min(x, y) == x); ult = not (max(x, y) == x)
      const op = cc === IntCC.Ugt ? byLane(t, SseOp.PMINUB, SseOp.PMINUW, SseOp.PMINUD, NO)
        : byLane(t, SseOp.PMAXUB, SseOp.PMAXUW, SseOp.PMAXUD, NO);
      const m = newX(cx);
      vbin(cx, op, x, y, m);
      const e = newX(cx);
      vbin(cx, eq, m, x, e);
      vnot(cx, e, dst);
    }
  }
}

registerSimdRule(Op.Icmp, (cx, i) => {
  const f = cx.f;
  const t = typeOf(cx, f.arg(i, 0));
  if (!T.isVector(t) || T.bits(t) !== 128 || !T.isIntLane(t) || T.laneBits(t) > 64) unsupported(`icmp on ${T.typeName(t)}`);
  icmpVec(cx, f.iImm0[i] as IntCC, t, f.arg(i, 0), f.arg(i, 1), cx.def(i));
});

// ---- reductions ----

function ptestCond(cx: Lower, x: number, cc: Cond, c: CondSpec): void {
  c.fp = FP_PTEST;
  c.size = 16;
  c.x = x;
  c.y = x;
  c.imm = 0;
  c.cc = cc;
}

function ptestSetcc(cx: Lower, x: number, cc: Cond, dst: number): void {
  const c = new CondSpec();
  ptestCond(cx, x, cc, c);
  setcc(cx, c, cc, dst);
}

/** All-ones in the lanes of vector value `v` that are zero. */
function zeroLanes(cx: Lower, v: number): number {
  const t = typeOf(cx, v);
  const x = cx.put(v);
  const z = newX(cx);
  vbin(cx, pcmpeq(t), x, zeros(cx), z);
  return z;
}

/** x is all zero / has no zero lane, as a ptest condition (fused into brif, select, trapz...). */
simdCondRules[Op.VanyTrue] = (cx, d, c) => {
  ptestCond(cx, cx.put(cx.f.arg(d, 0)), Cond.NE, c);
};
simdCondRules[Op.VallTrue] = (cx, d, c) => {
  ptestCond(cx, zeroLanes(cx, cx.f.arg(d, 0)), Cond.E, c);
};

registerSimdRule(Op.VanyTrue, (cx, i) => {
  vecType(cx, i, 'vany_true');
  ptestSetcc(cx, cx.put(cx.f.arg(i, 0)), Cond.NE, cx.def(i));
});

registerSimdRule(Op.VallTrue, (cx, i) => {
  vecType(cx, i, 'vall_true');
  // no lane equal to zero
  ptestSetcc(cx, zeroLanes(cx, cx.f.arg(i, 0)), Cond.E, cx.def(i));
});

registerSimdRule(Op.VhighBits, (cx, i) => {
  const f = cx.f;
  const st = typeOf(cx, f.arg(i, 0));
  if (!T.isVector(st) || T.bits(st) !== 128) unsupported(`vhigh_bits of ${T.typeName(st)}`);
  const x = cx.put(f.arg(i, 0));
  const dst = cx.def(i);
  switch (T.laneBits(st)) {
    case 8: xToGpr(cx, SseOp.PMOVMSKB, x, dst); return;
    case 32: xToGpr(cx, SseOp.MOVMSKPS, x, dst); return;
    case 64: xToGpr(cx, SseOp.MOVMSKPD, x, dst); return;
    default: {
      // words: signed-saturating packs keep the signs; the high byte repeats the low one
      const p = newX(cx);
      vbin(cx, SseOp.PACKSSWB, x, x, p);
      const m = newG(cx);
      xToGpr(cx, SseOp.PMOVMSKB, p, m);
      const vc = cx.vc;
      vc.begin(K.ShiftI, 4, ShiftOp.Shr, 8);
      vc.op(m, USE_REG);
      vc.op(dst, defReuse(0));
      cx.endInst();
    }
  }
});

