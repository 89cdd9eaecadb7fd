/**
 * Numeric literals of the CLIF text format (ir/): integers (decimal, hex, `_`
 * separators) and IEEE floats in Cranelift's notation (hex floats `0x1.8p3`,
 * `0.0`, `±Inf`, `±NaN`, `NaN:0xPAYLOAD`, `sNaN:0xPAYLOAD`), for every float
 * width (f16, f32, f64, f128).
 *
 * This is edge code (text in, bits out): it uses BigInt for exactness. Nothing
 * here runs per instruction of a compiled function.
 */

export interface FloatFormat { expBits: number; mantBits: number }
export const FMT_F16: FloatFormat = { expBits: 5, mantBits: 10 };
export const FMT_F32: FloatFormat = { expBits: 8, mantBits: 23 };
export const FMT_F64: FloatFormat = { expBits: 11, mantBits: 52 };
export const FMT_F128: FloatFormat = { expBits: 15, mantBits: 112 };

export function floatFormatForBits(bits: number): FloatFormat {
  return bits === 16 ? FMT_F16 : bits === 32 ? FMT_F32 : bits === 64 ? FMT_F64 : FMT_F128;
}

/**
 * Parse an integer literal (optional sign, decimal or 0x hex, `_` allowed) into a
 * bit pattern of `bits` width. Hex literals are raw bit patterns; decimals are
 * two's complement. Returns undefined when malformed or out of range
 * (a value is in range if it fits as either signed or unsigned).
 */
export function parseIntBits(text: string, bits: number): bigint | undefined {
  let s = text;
  let neg = false;
  if (s.startsWith('-')) { neg = true; s = s.slice(1); } else if (s.startsWith('+')) s = s.slice(1);
  s = s.replace(/_/g, '');
  let mag: bigint;
  if (/^0x[0-9a-fA-F]+$/.test(s)) {
    mag = BigInt(s);
    if (mag >> BigInt(bits) !== 0n) return undefined;
  } else if (/^[0-9]+$/.test(s)) {
    mag = BigInt(s);
    const lim = neg ? 1n << BigInt(bits - 1) : 1n << BigInt(bits);
    if (mag > lim || (!neg && mag === lim)) return undefined;
  } else {
    return undefined;
  }
  return BigInt.asUintN(bits, neg ? -mag : mag);
}

const INF_RE = /^([+-]?)Inf$/;
const NAN_RE = /^([+-]?)(s?)NaN(?::0x([0-9a-fA-F_]+))?$/;
const HEX_RE = /^([+-]?)0x([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?(?:p([+-]?[0-9]+))?$/;

/** Parse a float literal into the bits of format `f`, or undefined. */
export function parseFloatBits(text: string, f: FloatFormat): bigint | undefined {
  const { expBits, mantBits } = f;
  const total = 1 + expBits + mantBits;
  const signBit = 1n << BigInt(total - 1);
  const expMax = (1n << BigInt(expBits)) - 1n;
  let m = INF_RE.exec(text);
  if (m !== null) return (m[1] === '-' ? signBit : 0n) | (expMax << BigInt(mantBits));
  m = NAN_RE.exec(text);
  if (m !== null) {
    const sign = m[1] === '-' ? signBit : 0n;
    const quiet = 1n << BigInt(mantBits - 1);
    let payload = m[3] !== undefined ? BigInt('0x' + m[3].replace(/_/g, '')) : 0n;
    if (payload >= quiet) return undefined;
    if (m[2] === 's') { if (payload === 0n) return undefined; } else payload |= quiet;
    return sign | (expMax << BigInt(mantBits)) | payload;
  }
  m = HEX_RE.exec(text);
  if (m !== null) {
    const intPart = (m[2] ?? '').replace(/_/g, '');
    const fracPart = (m[3] ?? '').replace(/_/g, '');
    if (intPart === '' && fracPart === '') return undefined;
    let mant = BigInt('0x0' + intPart + fracPart);
    const exp2 = (m[4] !== undefined ? Number(m[4]) : 0) - 4 * fracPart.length;
    const sign = m[1] === '-' ? signBit : 0n;
    return sign | roundToFormat(mant, exp2, f);
  }
  // plain decimal (e.g. `0.0`, `-0.0`, `1.5`): exact for f32/f64 via JS numbers
  if (/^[+-]?[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?$/.test(text)) {
    const x = Number(text.replace(/_/g, ''));
    if (f === FMT_F64) { const dv = new DataView(new ArrayBuffer(8)); dv.setFloat64(0, x, true); return dv.getBigUint64(0, true); }
    if (f === FMT_F32) { const dv = new DataView(new ArrayBuffer(4)); dv.setFloat32(0, x, true); return BigInt(dv.getUint32(0, true)); }
    if (x === 0) return Object.is(x, -0) ? signBit : 0n;
    return undefined;
  }
  return undefined;
}

/** Round mant * 2^exp2 (mant >= 0) to the nearest representable magnitude (ties to even). */
export function roundToFormat(mant: bigint, exp2: number, f: FloatFormat): bigint {
  const { expBits, mantBits } = f;
  if (mant === 0n) return 0n;
  const bias = (1 << (expBits - 1)) - 1;
  const nbits = mant.toString(2).length;
  // value = 1.xxx * 2^(e) where e = exp2 + nbits - 1
  let e = exp2 + nbits - 1;
  const minExp = 1 - bias;
  // number of mantissa bits to keep (including the leading one)
  let keep = mantBits + 1;
  if (e < minExp) keep -= minExp - e;
  const shift = nbits - keep; // bits to drop from mant
  let q: bigint;
  if (keep <= 0 && shift > nbits) {
    q = 0n;
  } else if (shift > 0) {
    const s = BigInt(shift);
    q = mant >> s;
    const rem = mant & ((1n << s) - 1n);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  } else {
    q = mant << BigInt(-shift);
  }
  if (e < minExp) {
    // subnormal (q may have rounded up into the normal range, which the encoding handles)
    return q;
  }
  if (q >> BigInt(mantBits + 1) !== 0n) { q >>= 1n; e += 1; }
  const biased = e + bias;
  if (biased >= (1 << expBits) - 1) return BigInt((1 << expBits) - 1) << BigInt(mantBits); // overflow: Inf
  return (BigInt(biased) << BigInt(mantBits)) | (q & ((1n << BigInt(mantBits)) - 1n));
}

/** Cranelift-style text for float bits of format `f`. */
export function formatFloatBits(bitsIn: bigint, f: FloatFormat): string {
  const { expBits, mantBits } = f;
  const total = 1 + expBits + mantBits;
  const neg = (bitsIn >> BigInt(total - 1)) & 1n;
  const exp = Number((bitsIn >> BigInt(mantBits)) & ((1n << BigInt(expBits)) - 1n));
  const mant = bitsIn & ((1n << BigInt(mantBits)) - 1n);
  const sign = neg ? '-' : '';
  const expMax = (1 << expBits) - 1;
  if (exp === expMax) {
    if (mant === 0n) return neg ? '-Inf' : '+Inf';
    const quiet = 1n << BigInt(mantBits - 1);
    const s = neg ? '-' : '+';
    if (mant & quiet) {
      const payload = mant & (quiet - 1n);
      return payload === 0n ? `${s}NaN` : `${s}NaN:0x${payload.toString(16)}`;
    }
    return `${s}sNaN:0x${mant.toString(16)}`;
  }
  if (exp === 0 && mant === 0n) return `${sign}0.0`;
  const bias = (1 << (expBits - 1)) - 1;
  // hex digits: mantissa padded to a multiple of 4 bits
  const digits = Math.ceil(mantBits / 4);
  const padded = mant << BigInt(digits * 4 - mantBits);
  const frac = padded.toString(16).padStart(digits, '0');
  if (exp === 0) return `${sign}0x0.${frac}p${1 - bias}`;
  return `${sign}0x1.${frac}p${exp - bias}`;
}

/** Text for an integer immediate given its bits and width: small values in decimal, others in hex. */
export function formatIntBits(bitsIn: bigint, width: number): string {
  const signed = BigInt.asIntN(width, bitsIn);
  if (signed >= -10000n && signed <= 10000n) return signed.toString();
  return '0x' + BigInt.asUintN(width, bitsIn).toString(16);
}
