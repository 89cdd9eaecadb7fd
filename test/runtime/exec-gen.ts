/**
 * A seeded generator of small valid modules that terminate, for differential
 * execution against Node's engine (test support).
 *
 * Each module has a few functions of random signatures over i32/i64/f32/f64, one
 * memory page, mutable globals and a table. Bodies are built type-directed: integer and
 * float arithmetic (division, remainder and conversions that trap), comparisons,
 * select, blocks, ifs, br/br_if/br_table, counted loops (a dedicated counter local, so
 * every loop ends), memory loads/stores at masked or raw addresses (some out of
 * bounds), memory.size/grow/fill/copy, globals, direct calls to higher-numbered
 * functions only (no recursion) and call_indirect into a table of leaf functions
 * (index out of bounds, null and signature mismatch included).
 *
 * NaN payloads are not portable between engines (the spec leaves them open), so float
 * values reach memory, globals and reinterpretations only through a NaN filter
 * (`x == x ? x : 0`); results that are NaN are compared as NaN.
 */
import { Bytes, F32, F64, FUNCREF, I32, I64, body, functype, module, name, s32, section, u32, vec } from '../wasm/builder';

const end = 0x0b;
const NUM = [I32, I64, F32, F64];

export interface GenModule {
  bytes: Uint8Array;
  /** per exported function f<i>: parameter types */
  params: number[][];
  results: number[][];
}

interface FuncSig {
  params: number[];
  results: number[];
}

class BodyGen {
  out: Bytes = [];
  locals: number[] = [];
  /** branch label types, innermost last */
  labels: number[][] = [];
  depth = 0;
  loopCounters: number[] = [];
  constructor(
    private readonly rand: () => number,
    private readonly self: number,
    private readonly sigs: FuncSig[],
    /** type indices of the functions in the table (type i is function i's signature) */
    private readonly leafTypes: number[],
  ) {}

  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  emit(...b: number[]): void {
    for (const x of b) this.out.push(x);
  }
  newLocal(t: number): number {
    this.locals.push(t);
    return this.locals.length - 1;
  }

  constant(t: number): void {
    const special = this.chance(0.25);
    switch (t) {
      case I32: {
        const v = special ? this.pick([0, 1, -1, 0x7fffffff, -0x80000000, 31, 32, 65535, 65536]) : (this.int(2000) - 1000);
        this.emit(0x41, ...s32(v));
        return;
      }
      case I64: {
        // i64.const of up to 63-bit signed LEB: use a 32-bit value, sometimes shifted up.
        const v = special ? this.pick([0, 1, -1, 0x7fffffff, -0x80000000, 63, 64]) : (this.int(2000) - 1000);
        this.emit(0x42, ...s32(v));
        if (this.chance(0.2)) this.emit(0x42, 32, 0x86); // i64.shl by 32
        return;
      }
      case F32: {
        const v = special ? this.pick([0, -0, 0.5, -1.5, 1e30, -1e-30, Infinity, -Infinity, NaN, 2147483648, 4294967296]) : (this.int(2000) - 1000) / 8;
        const b = new Uint8Array(4);
        new DataView(b.buffer).setFloat32(0, v, true);
        this.emit(0x43, ...b);
        return;
      }
      default: {
        const v = special ? this.pick([0, -0, 0.5, -1.5, 1e300, -1e-300, Infinity, -Infinity, NaN, 9.3e18, -9.3e18, 2 ** 63]) : (this.int(2000) - 1000) / 8;
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, v, true);
        this.emit(0x44, ...b);
      }
    }
  }

  /** A value of type t with NaNs replaced by 0 (t float). */
  noNaN(t: number): void {
    this.expr(t);
    this.filterNaN(t);
  }

  /** Replaces a NaN on top of the stack (type t, float) by 0; consumes no randomness. */
  filterNaN(t: number): void {
    const tmp = this.newLocal(t);
    this.emit(0x22, ...u32(tmp)); // local.tee
    this.constant0(t);
    this.emit(0x20, ...u32(tmp), 0x20, ...u32(tmp));
    this.emit(t === F32 ? 0x5b : 0x61); // f.eq
    this.emit(0x1b); // select: tmp == tmp ? tmp : 0 (select picks the first when the condition is nonzero)
  }

  constant0(t: number): void {
    if (t === F32) this.emit(0x43, 0, 0, 0, 0);
    else this.emit(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  /** An address: mostly inside the page, sometimes anything. */
  address(): void {
    this.expr(I32);
    if (this.chance(0.85)) this.emit(0x41, ...s32(0xfff0), 0x71); // i32.and 0xfff0: in bounds for every access size
  }

  expr(t: number): void {
    this.depth++;
    const deep = this.depth > 5;
    const r = this.rand();
    const locals = this.locals.map((lt, i) => [lt, i] as const).filter(([lt]) => lt === t);
    if (locals.length > 0 && (r < 0.2 || (deep && r < 0.6))) this.emit(0x20, ...u32(this.pick(locals)[1]));
    else if (deep || r < 0.3) this.constant(t);
    else if (r < 0.38) this.block(t);
    else if (r < 0.44) this.ifElse(t);
    else if (r < 0.48) {
      this.expr(t);
      this.expr(t);
      this.expr(I32);
      this.emit(0x1b);
    } else if (r < 0.52) this.call(t);
    else if (r < 0.55) this.callIndirect(t);
    else if (r < 0.6) this.emit(0x23, ...u32(NUM.indexOf(t))); // global.get (globals 0..3 are i32 i64 f32 f64)
    else this.compute(t);
    this.depth--;
  }

  block(t: number): void {
    this.emit(0x02, t);
    this.pushLabel([t], false);
    this.stmts();
    this.expr(t);
    if (this.chance(0.3)) {
      // br_if out with a value, then the fall-through value
      this.emit(0x1a);
      this.expr(t);
      this.expr(I32);
      this.emit(0x0d, 0);
    }
    this.popLabel();
    this.emit(end);
  }

  ifElse(t: number): void {
    this.expr(I32);
    this.emit(0x04, t);
    this.pushLabel([t], false);
    this.expr(t);
    this.emit(0x05);
    this.expr(t);
    this.popLabel();
    this.emit(end);
  }

  call(t: number): void {
    const cands: number[] = [];
    for (let j = this.self + 1; j < this.sigs.length; j++) if (this.sigs[j].results.length > 0 && this.sigs[j].results[0] === t) cands.push(j);
    if (cands.length === 0) return this.compute(t);
    const j = this.pick(cands);
    for (const p of this.sigs[j].params) this.expr(p);
    this.emit(0x10, ...u32(j));
    for (let k = 1; k < this.sigs[j].results.length; k++) this.emit(0x1a); // keep only the first result... from the top
    // Results are pushed in order; dropping from the top leaves result 0 only when it is first.
  }

  callIndirect(t: number): void {
    // The table holds only the last two functions; calling them from themselves could
    // recurse, so only lower-numbered functions use call_indirect.
    if (this.self >= this.sigs.length - 2) return this.compute(t);
    const cands = this.leafTypes.filter((ti) => this.sigs[ti].results[0] === t);
    if (cands.length === 0) return this.compute(t);
    const ti = this.pick(cands);
    const sig = this.sigs[ti];
    for (const p of sig.params) this.expr(p);
    if (this.chance(0.8)) this.emit(0x41, ...s32(this.int(6))); // index: mostly in bounds (table of 5, one null)
    else this.expr(I32);
    this.emit(0x11, ...u32(ti), 0);
    for (let k = 1; k < sig.results.length; k++) this.emit(0x1a);
  }

  compute(t: number): void {
    const r = this.rand();
    switch (t) {
      case I32:
        if (r < 0.3) { this.expr(I32); this.expr(I32); this.emit(this.pick([0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78])); }
        else if (r < 0.4) { this.expr(I32); this.expr(I32); this.emit(this.pick([0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f])); }
        else if (r < 0.45) { this.expr(I32); this.emit(this.pick([0x45, 0x67, 0x68, 0x69, 0xc0, 0xc1])); }
        else if (r < 0.5) { this.expr(I64); this.emit(this.pick([0xa7, 0x50])); }
        else if (r < 0.55) { this.expr(I64); this.expr(I64); this.emit(this.pick([0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a])); }
        else if (r < 0.6) { const f = this.pick([F32, F64]); this.expr(f); this.expr(f); this.emit(f === F32 ? this.pick([0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60]) : this.pick([0x61, 0x62, 0x63, 0x64, 0x65, 0x66])); }
        else if (r < 0.66) this.truncate(I32);
        else if (r < 0.69) { this.noNaN(F32); this.emit(0xbc); } // i32.reinterpret_f32
        else if (r < 0.8) { this.address(); this.emit(...this.pick([[0x28, 2], [0x2c, 0], [0x2d, 0], [0x2e, 1], [0x2f, 1]]), ...u32(this.int(4) * 4)); }
        else if (r < 0.85) { this.emit(0x3f, 0); } // memory.size
        else if (r < 0.88) { this.expr(I32); this.emit(0x41, 3, 0x71, 0x40, 0); } // memory.grow (delta & 3)
        else { this.expr(I32); this.expr(I32); this.emit(this.pick([0x6a, 0x6b, 0x6c])); }
        return;
      case I64:
        if (r < 0.35) { this.expr(I64); this.expr(I64); this.emit(this.pick([0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a])); }
        else if (r < 0.45) { this.expr(I64); this.emit(this.pick([0x79, 0x7a, 0x7b, 0xc2, 0xc3, 0xc4])); }
        else if (r < 0.55) { this.expr(I32); this.emit(this.pick([0xac, 0xad])); }
        else if (r < 0.65) this.truncate(I64);
        else if (r < 0.7) { this.noNaN(F64); this.emit(0xbd); } // i64.reinterpret_f64
        else if (r < 0.85) { this.address(); this.emit(...this.pick([[0x29, 3], [0x30, 0], [0x31, 0], [0x32, 1], [0x33, 1], [0x34, 2], [0x35, 2]]), ...u32(this.int(2) * 8)); }
        else { this.expr(I64); this.expr(I64); this.emit(this.pick([0x7c, 0x7d, 0x7e])); }
        return;
      case F32:
        if (r < 0.35) { this.expr(F32); this.expr(F32); this.binary(F32, this.pick([0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98])); }
        else if (r < 0.5) { this.expr(F32); this.emit(this.pick([0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91])); }
        else if (r < 0.65) { const it = this.pick([I32, I64]); this.expr(it); this.emit(it === I32 ? this.pick([0xb2, 0xb3]) : this.pick([0xb4, 0xb5])); }
        else if (r < 0.75) { this.expr(F64); this.emit(0xb6); }
        else if (r < 0.85) { this.expr(I32); this.emit(0xbe); } // f32.reinterpret_i32
        else { this.address(); this.emit(0x2a, 2, ...u32(this.int(4) * 4)); }
        return;
      default:
        if (r < 0.35) { this.expr(F64); this.expr(F64); this.binary(F64, this.pick([0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6])); }
        else if (r < 0.5) { this.expr(F64); this.emit(this.pick([0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f])); }
        else if (r < 0.65) { const it = this.pick([I32, I64]); this.expr(it); this.emit(it === I32 ? this.pick([0xb7, 0xb8]) : this.pick([0xb9, 0xba])); }
        else if (r < 0.75) { this.expr(F32); this.emit(0xbb); }
        else if (r < 0.85) { this.expr(I64); this.emit(0xbf); } // f64.reinterpret_i64
        else { this.address(); this.emit(0x2b, 3, ...u32(this.int(2) * 8)); }
    }
  }

  /**
   * A float binary operator on the two operands on the stack. copysign reads the sign
   * of its second operand, and a NaN's sign is not portable (the spec leaves it
   * open): that operand goes through the NaN filter.
   */
  binary(t: number, op: number): void {
    if (op === 0x98 || op === 0xa6) this.filterNaN(t);
    this.emit(op);
  }

  /** A float operand converted to integer type `to`: trapping or saturating. */
  truncate(to: number): void {
    const from = this.pick([F32, F64]);
    this.expr(from);
    const sat = this.chance(0.4);
    if (to === I32) {
      if (sat) this.emit(0xfc, from === F32 ? this.pick([0, 1]) : this.pick([2, 3]));
      else this.emit(from === F32 ? this.pick([0xa8, 0xa9]) : this.pick([0xaa, 0xab]));
    } else if (sat) this.emit(0xfc, from === F32 ? this.pick([4, 5]) : this.pick([6, 7]));
    else this.emit(from === F32 ? this.pick([0xae, 0xaf]) : this.pick([0xb0, 0xb1]));
  }

  stmts(): void {
    const n = this.int(3);
    for (let i = 0; i < n; i++) this.stmt();
  }

  stmt(): void {
    this.depth++;
    const r = this.rand();
    if (this.depth > 5 || r < 0.1) this.emit(0x01);
    else if (r < 0.3) {
      const t = this.pick(NUM);
      const i = this.newLocalOrExisting(t);
      if (t === F32 || t === F64) this.noNaN(t); else this.expr(t);
      this.emit(0x21, ...u32(i));
    } else if (r < 0.4) {
      const t = this.pick(NUM);
      if (t === F32 || t === F64) this.noNaN(t); else this.expr(t);
      this.emit(0x24, ...u32(NUM.indexOf(t))); // global.set
    } else if (r < 0.55) {
      const t = this.pick(NUM);
      this.address();
      if (t === F32 || t === F64) this.noNaN(t); else this.expr(t);
      switch (t) {
        case I32: this.emit(...this.pick([[0x36, 2], [0x3a, 0], [0x3b, 1]]), ...u32(this.int(4) * 4)); break;
        case I64: this.emit(...this.pick([[0x37, 3], [0x3c, 0], [0x3d, 1], [0x3e, 2]]), ...u32(this.int(2) * 8)); break;
        case F32: this.emit(0x38, 2, ...u32(this.int(4) * 4)); break;
        default: this.emit(0x39, 3, ...u32(this.int(2) * 8));
      }
    } else if (r < 0.63) this.loop();
    else if (r < 0.7 && this.labels.length > 0) {
      // br_if to an enclosing label with its operands, then drop them again
      const d = this.int(this.labels.length);
      const lt = this.labels[this.labels.length - 1 - d];
      if (!this.isLoopLabel(d)) {
        for (const t of lt) this.expr(t);
        this.expr(I32);
        this.emit(0x0d, ...u32(d));
        for (let k = 0; k < lt.length; k++) this.emit(0x1a);
      } else this.emit(0x01);
    } else if (r < 0.78) {
      this.emit(0x02, 0x40);
      this.pushLabel([], false);
      this.stmts();
      const targets: number[] = [];
      for (let d = 0; d < this.labels.length; d++) {
        if (this.labels[this.labels.length - 1 - d].length === 0 && !this.isLoopLabel(d)) targets.push(d);
      }
      if (this.chance(0.6)) {
        this.expr(I32);
        const n = 1 + this.int(3);
        const list: Bytes = [];
        for (let k = 0; k < n; k++) list.push(...u32(this.pick(targets)));
        this.emit(0x0e, ...u32(n), ...list, ...u32(this.pick(targets)));
      } else if (this.chance(0.3)) this.emit(0x00); // unreachable
      else { this.expr(I32); this.emit(0x0d, 0); }
      this.popLabel();
      this.emit(end);
    } else if (r < 0.84) {
      this.expr(this.pick(NUM));
      this.emit(0x1a);
    } else if (r < 0.9) {
      // memory.fill / memory.copy with masked or raw operands
      this.address();
      if (this.chance(0.5)) { this.expr(I32); this.expr(I32); this.emit(0x41, ...s32(0x3f), 0x71, 0xfc, 11, 0); } else { this.address(); this.expr(I32); this.emit(0x41, ...s32(0x3f), 0x71, 0xfc, 10, 0, 0); }
    } else {
      this.expr(I32);
      this.emit(0x04, 0x40);
      this.pushLabel([], false);
      this.stmts();
      this.emit(0x05);
      this.stmts();
      this.popLabel();
      this.emit(end);
    }
    this.depth--;
  }

  /** Labels of loops take no branches but the counter's (a branch back would bypass it). */
  loopFlags: boolean[] = [];

  pushLabel(types: number[], isLoop: boolean): void {
    this.labels.push(types);
    this.loopFlags.push(isLoop);
  }

  popLabel(): void {
    this.labels.pop();
    this.loopFlags.pop();
  }
  isLoopLabel(d: number): boolean {
    return this.loopFlags[this.loopFlags.length - 1 - d] === true;
  }

  newLocalOrExisting(t: number): number {
    // Never a loop counter: writing one could restart its loop forever.
    const existing = this.locals.map((lt, i) => [lt, i] as const).filter(([lt, i]) => lt === t && !this.counters.has(i));
    if (existing.length > 0 && this.chance(0.7)) return this.pick(existing)[1];
    return this.newLocal(t);
  }

  /** locals that count loop iterations (never written by generated statements) */
  counters = new Set<number>();

  loop(): void {
    const c = this.newLocal(I32);
    this.counters.add(c);
    this.emit(0x41, ...s32(1 + this.int(4)), 0x21, ...u32(c)); // counter = 1..4
    this.emit(0x03, 0x40);
    this.pushLabel([], true);
    this.stmts();
    // counter -= 1; br_if 0 (counter != 0)
    this.emit(0x20, ...u32(c), 0x41, 1, 0x6b, 0x22, ...u32(c), 0x0d, 0);
    this.popLabel();
    this.emit(end);
  }
}

export function generateExecModule(rand: () => number): GenModule {
  const nFuncs = 3 + Math.floor(rand() * 4);
  const sigs: FuncSig[] = [];
  for (let i = 0; i < nFuncs; i++) {
    const np = Math.floor(rand() * 4);
    const nr = rand() < 0.15 ? 0 : rand() < 0.15 ? 2 : 1;
    const params: number[] = [];
    const results: number[] = [];
    for (let k = 0; k < np; k++) params.push(NUM[Math.floor(rand() * 4)]);
    for (let k = 0; k < nr; k++) results.push(NUM[Math.floor(rand() * 4)]);
    sigs.push({ params, results });
  }
  // One type per function (type i = function i's signature). The table holds the last
  // two functions; direct calls go to higher-numbered functions only, so nothing recurses.
  const leafTypes = [nFuncs - 1, nFuncs - 2];
  const bodies: Bytes[] = [];
  for (let i = 0; i < nFuncs; i++) {
    const g = new BodyGen(rand, i, sigs, leafTypes);
    // parameters are the first locals
    g.locals = [...sigs[i].params];
    const nParams = g.locals.length;
    g.pushLabel([...sigs[i].results], false);
    g.stmts();
    for (const t of sigs[i].results) g.expr(t);
    g.emit(end);
    const extra = g.locals.slice(nParams);
    bodies.push(body(extra.map((t) => [1, t] as [number, number]), g.out));
  }
  const globals: Bytes[] = [
    [I32, 1, 0x41, 5, end], [I64, 1, 0x42, 7, end], [F32, 1, 0x43, 0, 0, 0x20, 0x41, end], [F64, 1, 0x44, 0, 0, 0, 0, 0, 0, 0x24, 0x40, end],
  ];
  const exports: Bytes[] = sigs.map((_, i) => [...name(`f${i}`), 0, ...u32(i)]);
  exports.push([...name('mem'), 2, 0]);
  for (let k = 0; k < 4; k++) exports.push([...name(`g${k}`), 3, k]);
  // table of 5: [last, second to last, null, last, second to last]
  const elemFuncs = [nFuncs - 1, nFuncs - 2];
  const bytes = module(
    section(1, vec(sigs.map((s) => functype(s.params, s.results)))),
    section(3, vec(sigs.map((_, i) => u32(i)))),
    section(4, vec([[FUNCREF, 0x00, 5]])),
    section(5, vec([[0x01, 1, 3]])),
    section(6, vec(globals)),
    section(7, vec(exports)),
    section(9, vec([
      [0x00, 0x41, 0, end, ...vec([u32(elemFuncs[0]), u32(elemFuncs[1])])],
      [0x00, 0x41, 3, end, ...vec([u32(elemFuncs[0]), u32(elemFuncs[1])])],
    ])),
    section(10, vec(bodies)),
    section(11, vec([[0x00, 0x41, 16, end, ...u32(8), 1, 2, 3, 4, 0xff, 0x80, 0x7f, 0]])),
  );
  return { bytes, params: sigs.map((s) => s.params), results: sigs.map((s) => s.results) };
}

export { I32, I64, F32, F64 };
