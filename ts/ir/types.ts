/**
 * IR value types, as one-byte ids (ir/ — the first file of the IR layer).
 *
 * A type id packs a lane kind and log2(lane count): `id = lane | (log2Lanes << 4)`.
 * Scalars have log2Lanes 0. Lane kinds: i8 i16 i32 i64 i128 f16 f32 f64 f128.
 * No boolean type: comparisons produce i8 (scalars) or all-ones lanes (vectors).
 * Vectors are at most 128 bits wide; the narrow ones (i32x2, i8x8, ...) parse so
 * that files mentioning them can be read, but they are not "core".
 */

export type Type = number;

export const INVALID: Type = 0;
export const I8: Type = 1;
export const I16: Type = 2;
export const I32: Type = 3;
export const I64: Type = 4;
export const I128: Type = 5;
export const F16: Type = 6;
export const F32: Type = 7;
export const F64: Type = 8;
export const F128: Type = 9;

const LANE_NAMES = ['', 'i8', 'i16', 'i32', 'i64', 'i128', 'f16', 'f32', 'f64', 'f128'];
const LANE_BITS = [0, 8, 16, 32, 64, 128, 16, 32, 64, 128];

export function vec(lane: Type, lanes: number): Type {
  return lane | ((31 - Math.clz32(lanes)) << 4);
}

export const I8X16 = vec(I8, 16);
export const I16X8 = vec(I16, 8);
export const I32X4 = vec(I32, 4);
export const I64X2 = vec(I64, 2);
export const F32X4 = vec(F32, 4);
export const F64X2 = vec(F64, 2);

export function laneOf(t: Type): Type { return t & 15; }
export function laneCount(t: Type): number { return 1 << (t >> 4); }
export function laneBits(t: Type): number { return LANE_BITS[t & 15]; }
export function bits(t: Type): number { return LANE_BITS[t & 15] << (t >> 4); }
export function bytes(t: Type): number { return bits(t) >> 3; }
export function isVector(t: Type): boolean { return (t >> 4) !== 0; }
export function isIntLane(t: Type): boolean { const l = t & 15; return l >= 1 && l <= 5; }
export function isFloatLane(t: Type): boolean { const l = t & 15; return l >= 6 && l <= 9; }
export function isInt(t: Type): boolean { return isIntLane(t) && !isVector(t); }
export function isFloat(t: Type): boolean { return isFloatLane(t) && !isVector(t); }
export function isValid(t: Type): boolean { const l = t & 15; return l >= 1 && l <= 9 && bits(t) <= 128; }

/** The integer type with the same lane layout (f32x4 -> i32x4, f64 -> i64). */
export function asInt(t: Type): Type {
  const l = t & 15;
  const il = l === F16 ? I16 : l === F32 ? I32 : l === F64 ? I64 : l === F128 ? I128 : l;
  return il | (t & 0xf0);
}

/** Lanes twice as wide, half as many (swiden_low: i8x16 -> i16x8; scalars: i32 -> i64). */
export function widen(t: Type): Type {
  const l = t & 15;
  const wl = l === F32 ? F64 : l === F16 ? F32 : l === F64 ? F128 : l + 1;
  const log = t >> 4;
  return wl | ((log === 0 ? 0 : log - 1) << 4);
}

/** Lanes half as wide, twice as many (snarrow: i32x4 -> i16x8; scalars: i64 -> i32). */
export function narrow(t: Type): Type {
  const l = t & 15;
  const nl = l === F64 ? F32 : l === F32 ? F16 : l === F128 ? F64 : l - 1;
  const log = t >> 4;
  return nl | ((log === 0 ? 0 : log + 1) << 4);
}

/** Type with the same lanes but twice the lane width, same count (iconcat i64 -> i128). */
export function doubleWidth(t: Type): Type { return (t & 0xf0) | ((t & 15) + 1); }
export function halfWidth(t: Type): Type { return (t & 0xf0) | ((t & 15) - 1); }

export function typeName(t: Type): string {
  if (!isValid(t)) return `invalid${t}`;
  const n = LANE_NAMES[t & 15];
  return isVector(t) ? `${n}x${laneCount(t)}` : n;
}

const BY_NAME = new Map<string, Type>();
for (let l = 1; l <= 9; l++) {
  for (let log = 0; log <= 7; log++) {
    const t = l | (log << 4);
    if (bits(t) <= 128) BY_NAME.set(typeName(t), t);
  }
}

/** The type named `s`, or INVALID. */
export function parseType(s: string): Type { return BY_NAME.get(s) ?? INVALID; }

/** A type the core of the project implements end to end (no i128/f16/f128/narrow vectors). */
export function isCoreType(t: Type): boolean {
  const l = t & 15;
  if (l === I128 || l === F16 || l === F128) return false;
  return !isVector(t) || bits(t) === 128;
}
