/**
 * Generated CLIF for the vector lowering tests (test helper, not a test file): one
 * small function per (opcode, type, variant) the x64 backend lowers, with lane-aware
 * inputs (per-lane special floats and edge integers), so that every rule of
 * lower-simd*.ts and every branch of its sequences (shift amounts, lane indices,
 * shuffle patterns, compare conditions, constant operands, fused loads) is run
 * natively and compared with the interpreter in its x86 NaN mode.
 */
import * as T from '../../ts/ir/types';

export interface SimdCase {
  /** CLIF text of one function named `%f` (renamed by the file builder). */
  text: string;
  params: T.Type[];
  what: string;
}

const INTS = [T.I8X16, T.I16X8, T.I32X4, T.I64X2];
const FLOATS = [T.F32X4, T.F64X2];
const tn = T.typeName;

/** A pseudo-random 16-byte constant literal as i8x16 lanes. */
function bytesLit(r: () => number, bias: number): string {
  const b: number[] = [];
  for (let k = 0; k < 16; k++) {
    const x = r();
    b.push(bias === 0 ? x & 0xff : (x % 3 === 0 ? 0 : x % 3 === 1 ? 0xff : x & 0xff));
  }
  return `[${b.join(' ')}]`;
}

function fn(params: T.Type[], ret: string, body: string[], what: string, extra: string[] = []): SimdCase {
  const sig = params.map(tn).join(', ');
  const bp = params.map((t, k) => `v${k}: ${tn(t)}`).join(', ');
  return {
    text: `function %f(${sig}) -> ${ret} {\n${extra.map((l) => `    ${l}\n`).join('')}block0(${bp}):\n${body.map((l) => `    ${l}\n`).join('')}}\n`,
    params,
    what,
  };
}

/** `vN = vconst` of type t from random bytes (through a bitcast for float lanes). */
function constOf(r: () => number, t: T.Type, name: string, tmp: string): string[] {
  if (T.isIntLane(t) && T.laneBits(t) === 8) return [`${name} = vconst.i8x16 ${bytesLit(r, 1)}`];
  return [`${tmp} = vconst.i8x16 ${bytesLit(r, 1)}`, `${name} = bitcast.${tn(t)} little ${tmp}`];
}

export function simdCases(r: () => number): SimdCase[] {
  const out: SimdCase[] = [];
  const bin = (op: string, types: T.Type[], commutative: boolean): void => {
    for (const t of types) {
      out.push(fn([t, t], tn(t), [`v2 = ${op} v0, v1`, 'return v2'], `${op}.${tn(t)}`));
      if (!T.isIntLane(t)) continue;
      // a constant operand (folded from the pool), on the right and, if commutative, the left
      out.push(fn([t], tn(t), [...constOf(r, t, 'v1', 'v9'), `v2 = ${op} v0, v1`, 'return v2'], `${op}.${tn(t)} const`));
      if (commutative) out.push(fn([t], tn(t), [...constOf(r, t, 'v1', 'v9'), `v2 = ${op} v1, v0`, 'return v2'], `${op}.${tn(t)} const-left`));
      // the same operand twice
      out.push(fn([t], tn(t), [`v2 = ${op} v0, v0`, 'return v2'], `${op}.${tn(t)} same`));
    }
    // an operand loaded from memory (fused with AVX; any alignment), right and left
    for (const t of types) {
      const off = 16 + (r() % 16);
      const body = (expr: string): string[] => ['v8 = stack_addr.i64 ss0', 'store v0, v8', 'store v1, v8+16', 'store v0, v8+32',
        `v2 = load.${tn(t)} v8+${off}`, `v3 = ${expr}`, 'return v3'];
      out.push(fn([t, t], tn(t), body(`${op} v0, v2`), `${op}.${tn(t)} load+${off}`, ['ss0 = explicit_slot 48']));
      if (commutative) out.push(fn([t, t], tn(t), body(`${op} v2, v1`), `${op}.${tn(t)} load-left+${off}`, ['ss0 = explicit_slot 48']));
    }
  };
  const un = (op: string, types: T.Type[]): void => {
    for (const t of types) out.push(fn([t], tn(t), [`v1 = ${op} v0`, 'return v1'], `${op}.${tn(t)}`));
  };
  const I8_16 = [T.I8X16, T.I16X8];
  bin('iadd', INTS, true);
  bin('isub', INTS, false);
  bin('imul', INTS, true);
  for (const op of ['smin', 'smax', 'umin', 'umax']) bin(op, INTS, true);
  for (const op of ['uadd_sat', 'sadd_sat', 'avg_round']) bin(op, I8_16, true);
  for (const op of ['usub_sat', 'ssub_sat']) bin(op, I8_16, false);
  for (const op of ['umulhi', 'smulhi', 'sqmul_round_sat', 'x86_pmulhrsw']) bin(op, [T.I16X8], true);
  for (const op of ['band', 'bor', 'bxor']) bin(op, [...INTS, ...FLOATS], true);
  for (const op of ['band_not', 'bor_not', 'bxor_not']) bin(op, [...INTS, ...FLOATS], false);
  bin('iadd_pairwise', INTS, false);
  bin('x86_pmaddubsw', [T.I8X16], false);
  bin('x86_pshufb', [T.I8X16], false);
  bin('swizzle', [T.I8X16], false);
  un('ineg', INTS);
  un('iabs', INTS);
  un('bnot', [...INTS, ...FLOATS]);
  un('popcnt', INTS);
  for (const t of INTS) out.push(fn([t], tn(t), ['v1 = bmask.' + tn(t) + ' v0', 'return v1'], `bmask.${tn(t)}`));

  // shifts: by a parameter of several widths, and by every constant up to past the width
  for (const op of ['ishl', 'ushr', 'sshr']) {
    for (const t of INTS) {
      for (const at of [T.I32, T.I64, T.I8]) out.push(fn([t, at], tn(t), [`v2 = ${op} v0, v1`, 'return v2'], `${op}.${tn(t)} by ${tn(at)}`));
      for (let n = 0; n <= T.laneBits(t) + 1; n += n < 9 ? 1 : T.laneBits(t) === 64 ? 7 : 3) {
        out.push(fn([t], tn(t), [`v1 = iconst.i32 ${n}`, `v2 = ${op} v0, v1`, 'return v2'], `${op}.${tn(t)} by ${n}`));
      }
    }
  }

  // comparisons
  for (const cc of ['eq', 'ne', 'slt', 'sge', 'sgt', 'sle', 'ult', 'uge', 'ugt', 'ule']) {
    for (const t of INTS) out.push(fn([t, t], tn(t), [`v2 = icmp ${cc} v0, v1`, 'return v2'], `icmp ${cc}.${tn(t)}`));
  }
  for (const cc of ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'ord', 'uno', 'one', 'ueq', 'ult', 'ule', 'ugt', 'uge']) {
    for (const t of FLOATS) out.push(fn([t, t], tn(T.asInt(t)), [`v2 = fcmp ${cc} v0, v1`, 'return v2'], `fcmp ${cc}.${tn(t)}`));
  }

  // floats
  for (const op of ['fadd', 'fsub', 'fmul', 'fdiv', 'fmin', 'fmax', 'fcopysign']) bin(op, FLOATS, false);
  for (const op of ['fneg', 'fabs', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest']) un(op, FLOATS);
  for (const t of FLOATS) out.push(fn([t, t, t], tn(t), ['v3 = fma v0, v1, v2', 'return v3'], `fma.${tn(t)}`));

  // conversions
  out.push(fn([T.I32X4], 'f32x4', ['v1 = fcvt_from_sint.f32x4 v0', 'return v1'], 'fcvt_from_sint.f32x4'));
  out.push(fn([T.I32X4], 'f32x4', ['v1 = fcvt_from_uint.f32x4 v0', 'return v1'], 'fcvt_from_uint.f32x4'));
  out.push(fn([T.I64X2], 'f64x2', ['v1 = fcvt_from_sint.f64x2 v0', 'return v1'], 'fcvt_from_sint.f64x2'));
  out.push(fn([T.I64X2], 'f64x2', ['v1 = fcvt_from_uint.f64x2 v0', 'return v1'], 'fcvt_from_uint.f64x2'));
  out.push(fn([T.I32X4], 'f64x2', ['v1 = swiden_low v0', 'v2 = fcvt_from_sint.f64x2 v1', 'return v2'], 'fcvt_from_sint(swiden_low)'));
  out.push(fn([T.I32X4], 'f64x2', ['v1 = uwiden_low v0', 'v2 = fcvt_from_uint.f64x2 v1', 'return v2'], 'fcvt_from_uint(uwiden_low)'));
  out.push(fn([T.F32X4], 'i32x4', ['v1 = fcvt_to_sint_sat.i32x4 v0', 'return v1'], 'fcvt_to_sint_sat.i32x4'));
  out.push(fn([T.F32X4], 'i32x4', ['v1 = fcvt_to_uint_sat.i32x4 v0', 'return v1'], 'fcvt_to_uint_sat.i32x4'));
  out.push(fn([T.F64X2], 'i64x2', ['v1 = fcvt_to_sint_sat.i64x2 v0', 'return v1'], 'fcvt_to_sint_sat.i64x2'));
  out.push(fn([T.F64X2], 'i64x2', ['v1 = fcvt_to_uint_sat.i64x2 v0', 'return v1'], 'fcvt_to_uint_sat.i64x2'));
  out.push(fn([T.F64X2], 'i32x4', ['v1 = fcvt_to_sint_sat.i64x2 v0', 'v2 = vconst.i64x2 [0 0]', 'v3 = snarrow v1, v2', 'return v3'], 'snarrow(fcvt_to_sint_sat.i64x2, 0)'));
  out.push(fn([T.F64X2], 'i32x4', ['v1 = fcvt_to_uint_sat.i64x2 v0', 'v2 = vconst.i64x2 [0 0]', 'v3 = uunarrow v1, v2', 'return v3'], 'uunarrow(fcvt_to_uint_sat.i64x2, 0)'));
  out.push(fn([T.F32X4], 'f64x2', ['v1 = fvpromote_low v0', 'return v1'], 'fvpromote_low'));
  out.push(fn([T.F64X2], 'f32x4', ['v1 = fvdemote v0', 'return v1'], 'fvdemote'));
  out.push(fn([T.F32X4], 'i32x4', ['v1 = x86_cvtt2dq.i32x4 v0', 'return v1'], 'x86_cvtt2dq'));

  // lanes
  for (const t of [...INTS, ...FLOATS]) {
    const lt = T.laneOf(t);
    out.push(fn([lt], tn(t), [`v1 = splat.${tn(t)} v0`, 'return v1'], `splat.${tn(t)}`));
    out.push(fn([lt], tn(t), [`v1 = scalar_to_vector.${tn(t)} v0`, 'return v1'], `scalar_to_vector.${tn(t)}`));
    for (let l = 0; l < T.laneCount(t); l++) {
      out.push(fn([t], tn(lt), [`v1 = extractlane v0, ${l}`, 'return v1'], `extractlane.${tn(t)} ${l}`));
      out.push(fn([t, lt], tn(t), [`v2 = insertlane v0, v1, ${l}`, 'return v2'], `insertlane.${tn(t)} ${l}`));
    }
    out.push(fn([t], 'i8', ['v1 = vany_true v0', 'return v1'], `vany_true.${tn(t)}`));
    out.push(fn([t], 'i8', ['v1 = vall_true v0', 'return v1'], `vall_true.${tn(t)}`));
    for (const rt of ['i8', 'i16', 'i32', 'i64']) {
      if (T.laneCount(t) > 8 && rt === 'i8') continue;
      out.push(fn([t], rt, [`v1 = vhigh_bits.${rt} v0`, 'return v1'], `vhigh_bits.${rt} of ${tn(t)}`));
    }
    out.push(fn([t, t, t], tn(t), ['v3 = bitselect v0, v1, v2', 'return v3'], `bitselect.${tn(t)}`));
    out.push(fn([t, t, t], tn(t), ['v3 = x86_blendv v0, v1, v2', 'return v3'], `x86_blendv.${tn(t)}`));
    out.push(fn([T.I32, t, t], tn(t), ['v3 = select v0, v1, v2', 'return v3'], `select.${tn(t)}`));
    // constants of a splat
    out.push(fn([], tn(t), [T.isFloatLane(t) ? `v0 = ${tn(lt)}const ${T.laneBits(t) === 32 ? '-0x1.8p1' : '0x1.8p-3'}` : `v0 = iconst.${tn(lt)} ${r() & 0xff}`,
      `v1 = splat.${tn(t)} v0`, 'return v1'], `splat.${tn(t)} const`));
    // fused loads: through a stack slot written from the parameters
    const lb = T.laneBits(t) >> 3;
    const loadBody = (tail: string[]): string[] => ['v8 = stack_addr.i64 ss0', 'store v0, v8', 'store v1, v8+16', ...tail];
    const off = (r() % (16 / lb)) * lb + 8;
    out.push(fn([t, t], tn(t), loadBody([`v2 = load.${tn(lt)} v8+${off}`, `v3 = splat.${tn(t)} v2`, 'return v3']), `splat(load).${tn(t)}`, ['ss0 = explicit_slot 32']));
    out.push(fn([t, t], tn(t), loadBody([`v2 = load.${tn(lt)} v8+${off}`, `v3 = scalar_to_vector.${tn(t)} v2`, 'return v3']), `scalar_to_vector(load).${tn(t)}`, ['ss0 = explicit_slot 32']));
    out.push(fn([t, t], tn(t), loadBody([`v2 = load.${tn(lt)} v8+${off}`, `v3 = insertlane v1, v2, ${r() % T.laneCount(t)}`, 'return v3']), `insertlane(load).${tn(t)}`, ['ss0 = explicit_slot 32']));
  }
  for (const [op, rt] of [['uload8x8', 'i16x8'], ['sload8x8', 'i16x8'], ['uload16x4', 'i32x4'], ['sload16x4', 'i32x4'], ['uload32x2', 'i64x2'], ['sload32x2', 'i64x2']]) {
    out.push(fn([T.I8X16, T.I8X16], rt, ['v8 = stack_addr.i64 ss0', 'store v0, v8', 'store v1, v8+16', `v2 = ${op}.${rt} v8+${r() % 25}`, 'return v2'], op, ['ss0 = explicit_slot 32']));
  }

  // widening and narrowing
  for (const op of ['swiden_low', 'swiden_high', 'uwiden_low', 'uwiden_high']) {
    for (const t of [T.I8X16, T.I16X8, T.I32X4]) out.push(fn([t], tn(T.widen(t)), [`v1 = ${op} v0`, 'return v1'], `${op}.${tn(t)}`));
  }
  for (const op of ['snarrow', 'unarrow', 'uunarrow']) {
    for (const t of [T.I16X8, T.I32X4, T.I64X2]) {
      out.push(fn([t, t], tn(T.narrow(t)), [`v2 = ${op} v0, v1`, 'return v2'], `${op}.${tn(t)}`));
      out.push(fn([t], tn(T.narrow(t)), [`v1 = vconst.${tn(t)} [${new Array(T.laneCount(t)).fill(0).join(' ')}]`, `v2 = ${op} v0, v1`, 'return v2'], `${op}.${tn(t)} zero`));
    }
  }

  // fusions: extending multiplies, pairwise sums of widened lanes, dot products, reductions as conditions
  for (const w of ['swiden_low', 'swiden_high', 'uwiden_low', 'uwiden_high']) {
    for (const t of [T.I8X16, T.I16X8, T.I32X4]) {
      out.push(fn([t, t], tn(T.widen(t)), [`v2 = ${w} v0`, `v3 = ${w} v1`, 'v4 = imul v2, v3', 'return v4'], `imul(${w}).${tn(t)}`));
    }
  }
  for (const t of [T.I8X16, T.I16X8]) {
    for (const [lo, hi] of [['swiden_low', 'swiden_high'], ['uwiden_low', 'uwiden_high'], ['swiden_low', 'uwiden_high']]) {
      out.push(fn([t], tn(T.widen(t)), [`v1 = ${lo} v0`, `v2 = ${hi} v0`, 'v3 = iadd_pairwise v1, v2', 'return v3'], `iadd_pairwise(${lo}, ${hi}).${tn(t)}`));
    }
  }
  out.push(fn([T.I16X8, T.I16X8], 'i32x4', ['v2 = swiden_low v0', 'v3 = swiden_low v1', 'v4 = imul v2, v3', 'v5 = swiden_high v0',
    'v6 = swiden_high v1', 'v7 = imul v5, v6', 'v8 = iadd_pairwise v4, v7', 'return v8'], 'dot i16x8'));
  for (const t of [...INTS, ...FLOATS]) {
    for (const red of ['vany_true', 'vall_true']) {
      out.push({
        text: `function %f(${tn(t)}) -> i32 {\nblock0(v0: ${tn(t)}):\n    v1 = ${red} v0\n    brif v1, block1, block2\nblock1:\n    v2 = iconst.i32 1\n    return v2\nblock2:\n    v3 = iconst.i32 2\n    return v3\n}\n`,
        params: [t], what: `brif ${red}.${tn(t)}`,
      });
      out.push(fn([t, T.I64, T.I64], 'i64', [`v3 = ${red} v0`, 'v4 = select v3, v1, v2', 'return v4'], `select ${red}.${tn(t)}`));
    }
  }

  // shuffles: random masks over one or two sources, zeroed lanes, and the patterns with short forms
  const masks: number[][] = [];
  const seq = (f: (l: number) => number): number[] => Array.from({ length: 16 }, (_, l) => f(l));
  masks.push(seq((l) => l), seq((l) => l + 16), seq((l) => 15 - l), seq((l) => (l + 5) & 15), seq((l) => l + 3), seq((l) => (l + 20) & 31));
  for (const w of [1, 2, 4, 8]) {
    for (const hi of [0, 8]) masks.push(seq((l) => (((l / w) | 0) & 1) * 16 + hi + ((l >> 1) & ~(w - 1)) + (l % w)));
  }
  masks.push(seq((l) => ((l >> 1) & 1 ? 16 : 0) + l)); // word blend
  masks.push(seq((l) => ((l >> 2) < 2 ? 0 : 16) + ((((l >> 2) * 3) & 3) << 2) + (l & 3))); // shufps
  masks.push(seq((l) => ((((l >> 2) * 3 + 1) & 3) << 2) + (l & 3))); // pshufd
  for (let k = 0; k < 6; k++) masks.push(seq(() => r() % 32));
  for (let k = 0; k < 3; k++) masks.push(seq(() => r() % 16));
  masks.push(seq((l) => (l & 1 ? 40 : l))); // lanes past 31 read as zero
  for (const m of masks) {
    out.push(fn([T.I8X16, T.I8X16], 'i8x16', [`v2 = shuffle v0, v1, [${m.join(' ')}]`, 'return v2'], `shuffle [${m.join(' ')}]`));
  }
  out.push(fn([T.I8X16], 'i8x16', [`v2 = shuffle v0, v0, [${masks[masks.length - 3].join(' ')}]`, 'return v2'], 'shuffle same'));
  return out;
}

/** The cases as one CLIF file with functions %f0, %f1, ... */
export function simdFile(cases: SimdCase[]): string {
  return 'test run\ntarget x86_64\n\n' + cases.map((c, k) => c.text.replace('function %f(', `function %f${k}(`)).join('\n');
}

const F32S = [0, 0x80000000, 0x3f800000, 0xbf800000, 0x7fc00000, 0xffc00000, 0x7fc00001, 0x7f800001, 0xff800001,
  0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff, 0x4f000000, 0xcf000000, 0x4effffff, 0x4f800000, 0x4f7fffff,
  0x3fc00000, 0xbfc00000, 0x40200000, 0x3f000000, 0xbf000000];
const F64S: [number, number][] = [[0, 0], [0, 0x80000000], [0, 0x3ff00000], [0, 0xbff00000], [0, 0x7ff80000],
  [0, 0xfff80000], [1, 0x7ff80000], [1, 0x7ff00000], [1, 0xfff00000], [0, 0x7ff00000], [0, 0xfff00000], [1, 0],
  [0, 0x41e00000], [0, 0xc1e00000], [0, 0x43e00000], [0, 0xc3e00000], [0, 0x43f00000], [0xffffffff, 0x41efffff],
  [0, 0x3ff80000], [0, 0xbff80000], [0, 0x40040000], [0, 0x3fe00000]];

/** Fill slot `k` of `out` with a value of type `t`, lane by lane (vectors) or as a scalar. */
export function genLanes(r: () => number, t: T.Type, out: Uint32Array, k: number): void {
  const w = k * 4;
  out.fill(0, w, w + 4);
  const lt = T.laneOf(t);
  const n = T.isVector(t) ? T.laneCount(t) : 1;
  const bytes = new Uint8Array(out.buffer, out.byteOffset + 16 * k, 16);
  const dv = new DataView(out.buffer, out.byteOffset + 16 * k, 16);
  const mode = r() % 4;
  for (let l = 0; l < n; l++) {
    const pick = mode === 3 ? r() % 3 : mode;
    if (lt === T.F32) {
      dv.setUint32(4 * l, pick === 0 ? r() : pick === 1 ? F32S[r() % F32S.length] : (0x3f800000 + ((r() % 0x2000000) << 3)) ^ (r() & 0x80000000), true);
    } else if (lt === T.F64) {
      let lo = r();
      let hi = r();
      if (pick === 1) [lo, hi] = F64S[r() % F64S.length];
      else if (pick === 2) hi = ((0x3fe00000 + (r() % 0x02000000)) ^ (r() & 0x80000000)) >>> 0;
      dv.setUint32(8 * l, lo, true);
      dv.setUint32(8 * l + 4, hi, true);
    } else {
      const lb = T.laneBits(lt) >> 3;
      const edge = [0, 1, -1, -2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];
      for (let b = 0; b < lb; b++) {
        let v: number;
        if (pick === 0) v = r() & 0xff;
        else if (pick === 1) {
          const e = edge[r() % edge.length];
          v = b < 4 ? (e >>> (8 * b)) & 0xff : e < 0 ? 0xff : 0;
          if (lb === 8 && b === 7 && (r() & 1) === 0) v ^= 0x80;
        } else v = b === 0 ? r() % 20 : r() % 7 === 0 ? 0xff : 0;
        bytes[l * lb + b] = v;
      }
    }
  }
}
