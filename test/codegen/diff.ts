/**
 * Differential testing helpers (test helper, not a test file): interesting and
 * random input values by type, a taint check for functions whose parameters reach
 * memory addresses (arbitrary addresses must not be dereferenced natively), and a
 * comparison of one call in the interpreter (x86 NaN mode) and as native code.
 */
import { Function, NONE, isValueArg } from '../../ts/ir/function';
import { Op, opFormat, Fmt } from '../../ts/ir/opcodes';
import * as T from '../../ts/ir/types';
import { ClifFile } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { Executor, ExecResult, slotsEqual, formatSlots } from '../../ts/ir/runtest';
import { trapName } from '../../ts/ir/immediates';
import { genLanes } from './simd-gen';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return (x ^ (x >>> 14)) >>> 0;
  };
}

const F32_SPECIAL = [0, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0xbfc00000, 0x7fc00000, 0xffc00000,
  0x7fc00001, 0x7f800001, 0xff800001, 0x7f800000, 0xff800000, 0x00000001, 0x80000001, 0x7f7fffff, 0xff7fffff,
  0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000, 0x5effffff, 0x4f800000, 0x5f800000,
  0x3f7fffff, 0xbf7fffff, 0x40490fdb, 0x3fc00000, 0x40200000];
const F64_SPECIAL: [number, number][] = [[0, 0], [0, 0x80000000], [0, 0x3ff00000], [0, 0xbff00000], [0, 0x3fe00000],
  [0, 0xbff80000], [0, 0x7ff80000], [0, 0xfff80000], [1, 0x7ff80000], [1, 0x7ff00000], [1, 0xfff00000], [0, 0x7ff00000],
  [0, 0xfff00000], [1, 0], [1, 0x80000000], [0xffffffff, 0x7fefffff], [0, 0x41e00000], [0, 0xc1e00000],
  [0x00200000, 0xc1e00000], [0xffc00000, 0x41dfffff], [0, 0x43e00000], [0, 0xc3e00000], [0xffffffff, 0x43dfffff],
  [0, 0x41f00000], [0, 0x43f00000], [0xffffffff, 0x3fefffff], [0x54442d18, 0x400921fb], [0, 0x3ff80000], [0, 0x40040000]];

/** Fill slot `k` of `out` with a value of type `t`: special values, edge integers or random bits. */
export function genValue(r: () => number, t: T.Type, out: Uint32Array, k: number): void {
  const w = k * 4;
  out[w] = 0; out[w + 1] = 0; out[w + 2] = 0; out[w + 3] = 0;
  const pick = r() % 3;
  if (T.isVector(t)) {
    // lane by lane: special floats, edge integers, random bits (simd-gen.ts)
    genLanes(r, t, out, k);
    return;
  }
  if (t === T.F32) {
    out[w] = pick === 0 ? r() : pick === 1 ? F32_SPECIAL[r() % F32_SPECIAL.length] : (0x3f800000 + ((r() % 0x1000000) << 4)) ^ (r() & 0x80000000);
    return;
  }
  if (t === T.F64) {
    if (pick === 0) { out[w] = r(); out[w + 1] = r(); return; }
    if (pick === 1) { const [lo, hi] = F64_SPECIAL[r() % F64_SPECIAL.length]; out[w] = lo; out[w + 1] = hi; return; }
    out[w] = r();
    out[w + 1] = ((0x3f000000 + (r() % 0x01000000)) ^ (r() & 0x80000000)) >>> 0;
    return;
  }
  const bits = T.bits(t);
  let lo = 0;
  let hi = 0;
  if (pick === 0) { lo = r(); hi = r(); }
  else if (pick === 1) {
    // edges: 0, 1, -1, min, max, small, width-related shift amounts
    switch (r() % 8) {
      case 0: lo = 0; break;
      case 1: lo = 1; break;
      case 2: lo = 0xffffffff; hi = 0xffffffff; break;
      case 3: if (bits === 64) hi = 0x80000000; else lo = 2 ** (bits - 1); break;
      case 4: if (bits === 64) { lo = 0xffffffff; hi = 0x7fffffff; } else lo = 2 ** (bits - 1) - 1; break;
      case 5: lo = bits + (r() % 3) - 1; break;
      default: lo = r() % 16; if (r() & 1) { lo = -lo >>> 0; hi = 0xffffffff; } break;
    }
  } else { lo = r() % 256; if (r() & 1) { lo = -lo >>> 0; hi = 0xffffffff; } }
  if (bits < 32) lo &= (1 << bits) - 1;
  if (bits <= 32) hi = 0;
  out[w] = lo >>> 0;
  out[w + 1] = hi >>> 0;
}

/**
 * Do the function's parameters flow (through any instruction or block argument)
 * into a load/store address or an indirect callee? Then arbitrary inputs could make
 * native code touch arbitrary memory, which the interpreter would report as a trap.
 */
export function paramsReachAddresses(file: ClifFile, f: Function, seen = new Set<Function>()): boolean {
  if (seen.has(f)) return false;
  seen.add(f);
  const tainted = new Uint8Array(f.valueCount);
  const entry = f.firstBlock;
  for (let k = 0; k < f.bParamLen[entry]; k++) tainted[f.blockParam(entry, k)] = 1;
  const isT = (v: number): boolean => tainted[f.resolve(v)] !== 0;
  for (let changed = true; changed;) {
    changed = false;
    for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
      for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
        let any = false;
        for (let k = 0; k < f.argCount(i); k++) if (isT(f.arg(i, k))) any = true;
        const fmt = opFormat[f.iOp[i]] as Fmt;
        if (any && (fmt === Fmt.Load || fmt === Fmt.Store || fmt === Fmt.LoadNoOffset || fmt === Fmt.StoreNoOffset ||
          fmt === Fmt.AtomicRmw || fmt === Fmt.AtomicCas || f.iOp[i] === Op.CallIndirect || f.iOp[i] === Op.ReturnCallIndirect)) {
          // only the address operand matters for stores, but be conservative
          return true;
        }
        if (any && (f.iOp[i] === Op.Call || f.iOp[i] === Op.ReturnCall)) {
          // tainted arguments: does the callee (in this file) let them reach memory?
          const callee = file.functions.find((p) => p.func.name === f.extFuncs[f.iImm0[i]]!.name);
          if (callee === undefined || paramsReachAddresses(file, callee.func, seen)) return true;
        }
        if (any) {
          for (let k = 0; k < f.resultCount(i); k++) {
            const r = f.result(i, k);
            if (tainted[r] === 0) { tainted[r] = 1; changed = true; }
          }
        }
        for (let d = 0; d < f.destCount(i); d++) {
          const c = f.dest(i, d);
          for (let k = 0; k < f.bcArgLen[c]; k++) {
            const a = f.pool[f.bcArgStart[c] + k];
            if (!isValueArg(a) || !isT(a)) continue;
            const p = f.blockParam(f.bcBlock[c], k);
            if (tainted[p] === 0) { tainted[p] = 1; changed = true; }
          }
        }
      }
    }
  }
  return false;
}

export interface Mismatch {
  func: string;
  args: string;
  interp: string;
  native: string;
}

function show(r: ExecResult, types: T.Type[]): string {
  if (r.kind === 'ok') return formatSlots(r.results, types);
  if (r.kind === 'trap') return `trap ${trapName(r.code)}`;
  return `error ${r.message.split('\n')[0]}`;
}

/**
 * Run function `index` of `file` on `args` in both executors. Returns a mismatch,
 * or undefined when they agree or the comparison does not apply (the interpreter
 * could not run it, ran out of fuel or overflowed its stack; native code could not
 * compile it).
 */
export function compareCall(interp: Interpreter, native: Executor, file: ClifFile, index: number, args: Uint32Array): Mismatch | undefined | 'skip' {
  const f = file.functions[index].func;
  const rt = f.sig.returns.map((p) => p.type);
  const a = interp.call(file, index, args);
  if (a.kind === 'error') return 'skip';
  if (a.kind === 'trap' && trapName(a.code) === 'stk_ovf') return 'skip';
  const b = native.call(file, index, args);
  if (b.kind === 'error' && /compile error|link error/.test(b.message)) return 'skip';
  let same: boolean;
  if (a.kind === 'ok' && b.kind === 'ok') same = slotsEqual(a.results, b.results, rt);
  else if (a.kind === 'trap' && b.kind === 'trap') same = a.code === b.code;
  else same = false;
  if (same) return undefined;
  const pt = f.sig.params.map((p) => p.type);
  return { func: f.name, args: formatSlots(args, pt), interp: show(a, rt), native: show(b, rt) };
}
