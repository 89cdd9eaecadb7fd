/**
 * Division and remainder by a constant without a divide instruction (isa/x64):
 * powers of two become shifts and masks, other divisors a multiplication by a
 * "magic" reciprocal and shifts (Granlund & Montgomery, "Division by Invariant
 * Integers using Multiplication", PLDI 1994; Warren, "Hacker's Delight", ch. 10).
 * Remainders are x - q * d. Narrow types work on 32-bit extended copies.
 *
 * Used by lower-int.ts's division rule for divisors other than 0 (which must
 * trap), -1 and the minimum (whose signed cases need the overflow checks of the
 * divide sequence). The magic numbers are computed once per such division with
 * BigInt arithmetic, off the common path.
 */
import * as T from '../../ir/types';
import { AluOp, ShiftOp, UnaryOp } from './encode';
import { DEF_REG, K, USE_ANY, USE_REG, defFixed, defReuse, useFixed } from './inst';
import { Lower } from './lower';
import { Gpr, RegClass, gpr } from './regs';
import { alu, aluI, extend, movImm } from './lower-int';

const RAX = gpr(Gpr.RAX);
const RDX = gpr(Gpr.RDX);

/** Unsigned magic (m < 2^(N+1)) and shift s: floor(x / d) = floor(x * m / 2^(N+s)) for x < 2^N. */
function magicU(d: bigint, n: number): { m: bigint; s: number } {
  const N = BigInt(n);
  for (let s = 0; s <= n; s++) {
    const p = 1n << (N + BigInt(s));
    const m = (p + d - 1n) / d;
    if (m * d - p <= 1n << BigInt(s)) return { m, s };
  }
  throw new Error('magicU: no magic number');
}

/** Signed magic (Hacker's Delight, figure 10-1): m as an N-bit pattern and shift s. */
function magicS(d: bigint, n: number): { m: bigint; s: number } {
  const N = BigInt(n);
  const mask = (1n << N) - 1n;
  const two = 1n << (N - 1n);
  const ad = d < 0n ? -d : d;
  const t = two + (d < 0n ? 1n : 0n);
  const anc = t - 1n - (t % ad);
  let p = n - 1;
  let q1 = two / anc;
  let r1 = two - q1 * anc;
  let q2 = two / ad;
  let r2 = two - q2 * ad;
  let delta: bigint;
  do {
    p++;
    q1 *= 2n; r1 *= 2n;
    if (r1 >= anc) { q1++; r1 -= anc; }
    q2 *= 2n; r2 *= 2n;
    if (r2 >= ad) { q2++; r2 -= ad; }
    delta = ad - r2;
  } while (q1 < delta || (q1 === delta && r1 === 0n));
  let m = (q2 + 1n) & mask;
  if (d < 0n) m = (-m) & mask;
  return { m, s: p - n };
}

function lohi(v: bigint): [number, number] {
  return [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
}

function newInt(cx: Lower): number {
  return cx.vc.newVReg(RegClass.Int);
}

function shiftI(cx: Lower, op: ShiftOp, size: number, x: number, k: number): number {
  const d = newInt(cx);
  const vc = cx.vc;
  vc.begin(K.ShiftI, size, op, k);
  vc.op(x, USE_REG);
  vc.op(d, defReuse(0));
  cx.endInst();
  return d;
}

/** The high half of the product x * m (one-operand mul/imul). */
function mulhi(cx: Lower, size: number, x: number, m: bigint, signed: boolean): number {
  const [lo, hi] = lohi(m);
  const k = movImm(cx, lo, size === 8 ? hi : 0);
  const vc = cx.vc;
  const h = newInt(cx);
  vc.begin(K.MulWide, size, signed ? 1 : 0);
  vc.op(x, useFixed(RAX));
  vc.op(k, USE_ANY);
  vc.op(newInt(cx), defFixed(RAX));
  vc.op(h, defFixed(RDX));
  cx.endInst();
  return h;
}

/** x - q * d in a new vreg. */
function remainder(cx: Lower, size: number, x: number, q: number, d: bigint): number {
  const dst = newInt(cx);
  const vc = cx.vc;
  const p = newInt(cx);
  const dv = BigInt.asIntN(64, d);
  if (dv >= -(2n ** 31n) && dv < 2n ** 31n) {
    vc.begin(K.ImulI, size, 0, Number(dv));
    vc.op(q, USE_ANY);
    vc.op(p, DEF_REG);
    cx.endInst();
  } else {
    const [lo, hi] = lohi(d);
    const k = movImm(cx, lo, hi);
    vc.begin(K.Imul, size);
    vc.op(q, USE_REG);
    vc.op(k, USE_ANY);
    vc.op(p, defReuse(0));
    cx.endInst();
  }
  alu(cx, AluOp.Sub, size, x, p, dst);
  return dst;
}

/**
 * Lower `x / d` or `x % d` (d a constant, not 0, -1 or the minimum) of type `t`;
 * returns the result's vreg, or -1 when `d` is not handled here.
 */
export function divideByConstant(cx: Lower, t: T.Type, signed: boolean, rem: boolean, xv: number, dRaw: bigint): number {
  const bits = T.bits(t);
  const n = bits < 32 ? 32 : bits;
  const size = n / 8;
  // the divisor as a signed or unsigned value of the type's width
  const d = signed ? BigInt.asIntN(bits, dRaw) : BigInt.asUintN(bits, dRaw);
  if (d === 0n || (signed && (d === -1n || d === -(1n << BigInt(bits - 1))))) return -1;
  let x = cx.put(xv);
  if (bits < 32) x = extend(cx, x, bits / 8, signed, 4);
  if (!signed) {
    if ((d & (d - 1n)) === 0n) {
      const k = d.toString(2).length - 1;
      if (!rem) return k === 0 ? x : shiftI(cx, ShiftOp.Shr, size, x, k);
      const dst = newInt(cx);
      if (d - 1n < 2n ** 31n) aluI(cx, AluOp.And, size, x, Number(d - 1n), dst);
      else {
        const [lo, hi] = lohi(d - 1n);
        alu(cx, AluOp.And, size, x, movImm(cx, lo, hi), dst);
      }
      return dst;
    }
    const { m, s } = magicU(d, n);
    let q: number;
    if (m < 1n << BigInt(n)) {
      q = mulhi(cx, size, x, m, false);
      if (s > 0) q = shiftI(cx, ShiftOp.Shr, size, q, s);
    } else {
      // m needs N + 1 bits: q = (((x - t) >> 1) + t) >> (s - 1), t = mulhi(x, m - 2^N)
      const th = mulhi(cx, size, x, m - (1n << BigInt(n)), false);
      const diff = newInt(cx);
      alu(cx, AluOp.Sub, size, x, th, diff);
      const half = shiftI(cx, ShiftOp.Shr, size, diff, 1);
      const sum = newInt(cx);
      alu(cx, AluOp.Add, size, half, th, sum);
      q = s > 1 ? shiftI(cx, ShiftOp.Shr, size, sum, s - 1) : sum;
    }
    return rem ? remainder(cx, size, x, q, d) : q;
  }
  const ad = d < 0n ? -d : d;
  let q: number;
  if ((ad & (ad - 1n)) === 0n) {
    // q = (x + (x < 0 ? |d| - 1 : 0)) >> k, negated for negative d
    const k = ad.toString(2).length - 1;
    if (k === 0) {
      q = x;
    } else {
      const sign = shiftI(cx, ShiftOp.Sar, size, x, n - 1);
      const bias = shiftI(cx, ShiftOp.Shr, size, sign, n - k);
      const sum = newInt(cx);
      alu(cx, AluOp.Add, size, x, bias, sum);
      q = shiftI(cx, ShiftOp.Sar, size, sum, k);
    }
  } else {
    const { m, s } = magicS(d, n);
    q = mulhi(cx, size, x, m, true);
    const mNeg = (m >> BigInt(n - 1)) !== 0n;
    if (d > 0n && mNeg) {
      const a = newInt(cx);
      alu(cx, AluOp.Add, size, q, x, a);
      q = a;
    } else if (d < 0n && !mNeg) {
      const a = newInt(cx);
      alu(cx, AluOp.Sub, size, q, x, a);
      q = a;
    }
    if (s > 0) q = shiftI(cx, ShiftOp.Sar, size, q, s);
    const sgn = shiftI(cx, ShiftOp.Shr, size, q, n - 1);
    const a = newInt(cx);
    alu(cx, AluOp.Add, size, q, sgn, a);
    return rem ? remainder(cx, size, x, a, d) : a;
  }
  if (d < 0n) {
    const neg = newInt(cx);
    const vc = cx.vc;
    vc.begin(K.Unary, size, UnaryOp.Neg);
    vc.op(q, USE_REG);
    vc.op(neg, defReuse(0));
    cx.endInst();
    q = neg;
  }
  return rem ? remainder(cx, size, x, q, d) : q;
}
