/**
 * Bit-exact float helpers for the reference interpreter (ir/): correctly rounded
 * fused multiply-add and integer-to-float conversion (exact BigInt arithmetic,
 * then one rounding), round-half-even, and the IEEE/Wasm fmin/fmax rules.
 * JS arithmetic on doubles is already exact for + - * / sqrt of f64, and for
 * f32 those operations computed in f64 then rounded once are exact too
 * (53 >= 2*24 + 2), so only these need care.
 */
import { roundToFormat, FloatFormat, FMT_F16, FMT_F32, FMT_F64 } from './literals';

const f64b = new Float64Array(1);
const u64b = new BigUint64Array(f64b.buffer);
const f32b = new Float32Array(1);
const u32b = new Uint32Array(f32b.buffer);

/** Decompose a finite double into sign, integer mantissa and binary exponent (x = ±m·2^e). */
function decompose(x: number): { neg: boolean; m: bigint; e: number } {
  f64b[0] = x;
  const bits = u64b[0];
  const neg = (bits >> 63n) !== 0n;
  const ex = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  if (ex === 0) return { neg, m: frac, e: -1074 };
  return { neg, m: frac | (1n << 52n), e: ex - 1075 };
}

/** The double or float (as a double) with bits from roundToFormat, with a sign. */
function compose(neg: boolean, mag: bigint, fmt: FloatFormat): number {
  if (fmt === FMT_F16) return f16BitsToNumber(Number(mag) | (neg ? 0x8000 : 0));
  if (fmt === FMT_F64) {
    u64b[0] = mag | (neg ? 1n << 63n : 0n);
    return f64b[0];
  }
  u32b[0] = Number(mag) | (neg ? 0x80000000 : 0);
  return f32b[0];
}

/** Correctly rounded a*b+c in format `fmt` (the inputs are exactly representable in it). */
export function fmaExact(a: number, b: number, c: number, fmt: FloatFormat): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) {
    // a finite product (exact, even if it would overflow) plus an infinite c is c;
    // otherwise the unfused formula gives the right special value
    if (Number.isFinite(a) && Number.isFinite(b) && !Number.isNaN(c)) return c;
    return a * b + c;
  }
  const pa = decompose(a), pb = decompose(b), pc = decompose(c);
  const pm = pa.m * pb.m;
  const pe = pa.e + pb.e;
  const pneg = pa.neg !== pb.neg;
  if (pm === 0n && pc.m === 0n) {
    // sign of an exact zero sum: -0 only if both are -0
    return pneg && pc.neg ? -0 : 0;
  }
  // align exponents
  const e = Math.min(pe, pc.e);
  const sp = (pneg ? -pm : pm) << BigInt(pe - e);
  const sc = (pc.neg ? -pc.m : pc.m) << BigInt(pc.e - e);
  const sum = sp + sc;
  if (sum === 0n) return 0; // exact cancellation rounds to +0 in round-to-nearest
  const neg = sum < 0n;
  const mag = roundToFormat(neg ? -sum : sum, e, fmt);
  return compose(neg, mag, fmt);
}

/** Correctly rounded conversion of an integer to format `fmt`. */
export function intToFloat(x: bigint, fmt: FloatFormat): number {
  if (x === 0n) return 0;
  const neg = x < 0n;
  const mag = roundToFormat(neg ? -x : x, 0, fmt);
  return compose(neg, mag, fmt);
}

/** Round half to even (Wasm `nearest`), keeping the sign of zero. */
export function roundEven(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const t = Math.trunc(x);
  const d = Math.abs(x - t);
  let r: number;
  if (d < 0.5) r = t;
  else if (d > 0.5) r = t + Math.sign(x);
  else r = t % 2 === 0 ? t : t + Math.sign(x);
  return r === 0 ? (x < 0 ? -0 : 0) : r;
}

/** The value of f16 bits as a double (exact). NaNs keep sign and payload in the top mantissa bits. */
export function f16BitsToNumber(b: number): number {
  const neg = (b & 0x8000) !== 0;
  const e = (b >> 10) & 0x1f, m = b & 0x3ff;
  let x: number;
  if (e === 0x1f) {
    if (m === 0) x = Infinity;
    else {
      u64b[0] = 0x7ff0000000000000n | (BigInt(m) << 42n);
      x = f64b[0];
    }
  } else if (e === 0) x = m * 2 ** -24;
  else x = (1024 + m) * 2 ** (e - 25);
  if (!neg) return x;
  if (Number.isNaN(x)) { f64b[0] = x; u64b[0] |= 1n << 63n; return f64b[0]; }
  return -x;
}

/** A double rounded to f16 bits (round to nearest even; NaN payload truncated, kept quiet). */
export function numberToF16Bits(x: number): number {
  f64b[0] = x;
  const bits = u64b[0];
  const neg = (bits >> 63n) !== 0n ? 0x8000 : 0;
  if (Number.isNaN(x)) {
    const payload = Number((bits >> 42n) & 0x3ffn);
    return neg | 0x7c00 | 0x200 | payload;
  }
  if (x === 0) return neg;
  if (!Number.isFinite(x)) return neg | 0x7c00;
  const d = decompose(Math.abs(x));
  return neg | Number(roundToFormat(d.m, d.e, FMT_F16));
}

export { FMT_F16, FMT_F32, FMT_F64 };
