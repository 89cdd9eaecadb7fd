/**
 * Type-directed generator of random valid modules (test support for the validator).
 *
 * Where the mutation fuzzer (fuzz.ts) starts from the spec modules, this builds
 * function bodies from scratch: nested blocks, loops and ifs with multi-value block
 * types (by type index), br/br_if/br_table to enclosing labels, stack-polymorphic code
 * after unreachable/br/return, calls, call_indirect, locals, globals, memory and table
 * operators, references and SIMD. Every generated module is valid by construction, so
 * both derrick and V8 must accept it; operator swaps on top (fuzz.ts mutateOperator)
 * then probe the rejections.
 */
import { Bytes, EXTERNREF, F32, F64, FUNCREF, I32, I64, V128, body, functype, module, name, s32, section, u32, vec } from './builder';

const end = 0x0b;
const TYPES = [I32, I64, F32, F64, V128, FUNCREF, EXTERNREF];

/** Fixed module context the bodies can refer to. */
const SIG_TYPES: [number[], number[]][] = [
  [[], []], // 0: the start-like type
  [[I32], [I32]],
  [[I32, I64], [F32]],
  [[], [I32, I64]],
  [[F64, F64], [F64, I32]],
  [[V128], [V128]],
];
const GLOBALS: [number, boolean][] = [[I32, true], [F64, false], [I64, true], [V128, true], [FUNCREF, true]];

class Gen {
  out: Bytes = [];
  /** Label stack, innermost last: the types a branch to it carries. */
  labels: number[][] = [];
  locals: number[] = [];
  depth = 0;
  constructor(private rand: () => number) {}

  pick<T>(xs: T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  emit(...b: number[]): void {
    this.out.push(...b);
  }

  /** Push one value of type t. */
  expr(t: number): void {
    this.depth++;
    const deep = this.depth > 6;
    const locals = this.locals.map((lt, i) => [lt, i]).filter(([lt]) => lt === t);
    const r = this.rand();
    if (locals.length > 0 && r < 0.25) this.emit(0x20, ...u32(this.pick(locals)[1]));
    else if (deep || r < 0.45) this.leaf(t);
    else if (r < 0.55) {
      // block with one result, sometimes ending in a branch out
      this.emit(0x02, t);
      this.labels.push([t]);
      this.stmts();
      this.expr(t);
      if (this.chance(0.3)) {
        this.emit(0x0c, 0); // br 0 with the value
        this.polymorphic();
      }
      this.labels.pop();
      this.emit(end);
    } else if (r < 0.62) {
      this.expr(I32);
      this.emit(0x04, t);
      this.labels.push([t]);
      this.expr(t);
      this.emit(0x05);
      this.expr(t);
      this.labels.pop();
      this.emit(end);
    } else if (r < 0.68 && t !== V128 && t !== FUNCREF && t !== EXTERNREF) {
      this.expr(t);
      this.expr(t);
      this.expr(I32);
      this.emit(0x1b); // select
    } else if (r < 0.72) {
      this.expr(t);
      this.expr(t);
      this.expr(I32);
      this.emit(0x1c, 1, t); // typed select
    } else this.compute(t);
    this.depth--;
  }

  leaf(t: number): void {
    switch (t) {
      case I32: return this.emit(0x41, ...s32(Math.floor(this.rand() * 2000) - 1000));
      case I64: return this.emit(0x42, ...s32(Math.floor(this.rand() * 300) - 150));
      case F32: return this.emit(0x43, 0, 0, 0x80, 0x3f);
      case F64: return this.emit(0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f);
      case V128: return this.emit(0xfd, 0x0c, ...new Array<number>(16).fill(7));
      case FUNCREF: return this.chance(0.5) ? this.emit(0xd0, FUNCREF) : this.emit(0xd2, 0);
      default: return this.emit(0xd0, EXTERNREF);
    }
  }

  /** An operator producing t from generated operands. */
  compute(t: number): void {
    const r = this.rand();
    switch (t) {
      case I32:
        if (r < 0.2) { this.expr(I32); this.expr(I32); this.emit(this.pick([0x6a, 0x6b, 0x71, 0x46, 0x4d])); }
        else if (r < 0.3) { this.expr(I64); this.emit(0xa7); } // i32.wrap_i64
        else if (r < 0.4) { this.expr(I32); this.emit(0x28, 2, ...u32(Math.floor(this.rand() * 100))); } // i32.load
        else if (r < 0.5) { this.expr(V128); this.emit(0xfd, 0x15, Math.floor(this.rand() * 16)); } // extract_lane_s
        else if (r < 0.6) { this.expr(this.pick([FUNCREF, EXTERNREF])); this.emit(0xd1); } // ref.is_null
        else if (r < 0.7) { this.emit(0x3f, 0); } // memory.size
        else if (r < 0.8) { this.expr(I32); this.emit(0x10, 1); } // call f1: [i32] -> [i32]
        else if (r < 0.9) { this.expr(I32); this.expr(I32); this.emit(0x11, 1, 0); } // call_indirect type 1
        else { this.emit(0x23, 0); } // global.get 0
        return;
      case I64:
        if (r < 0.4) { this.expr(I64); this.expr(I64); this.emit(this.pick([0x7c, 0x7e, 0x83])); }
        else if (r < 0.6) { this.expr(I32); this.emit(0xad); } // i64.extend_i32_u
        else if (r < 0.8) { this.expr(I32); this.emit(0x29, 3, 8); } // i64.load
        else { this.expr(V128); this.emit(0xfd, 0x1d, Math.floor(this.rand() * 2)); } // i64x2.extract_lane
        return;
      case F32:
        if (r < 0.5) { this.expr(F32); this.expr(F32); this.emit(this.pick([0x92, 0x94, 0x96])); }
        else if (r < 0.8) { this.expr(I32); this.expr(I64); this.emit(0x10, 2); } // call f2: [i32 i64] -> [f32]
        else { this.expr(F64); this.emit(0xb6); } // f32.demote_f64
        return;
      case F64:
        if (r < 0.5) { this.expr(F64); this.expr(F64); this.emit(this.pick([0xa0, 0xa2, 0xa4])); }
        else if (r < 0.7) { this.emit(0x23, 1); } // global.get 1
        else { this.expr(I32); this.emit(0xb7); } // f64.convert_i32_s
        return;
      case V128:
        if (r < 0.3) {
          this.expr(V128);
          this.expr(V128);
          this.emit(0xfd, ...this.pick([[0xae, 0x01], [0x4e], [0x51]])); // i32x4.add (two-byte sub-opcode), v128.and, v128.xor
        }
        else if (r < 0.5) { this.expr(I32); this.emit(0xfd, 0x11); } // i32x4.splat
        else if (r < 0.7) { this.expr(I32); this.emit(0xfd, 0x00, 4, 0); } // v128.load
        else if (r < 0.85) { this.expr(V128); this.expr(V128); this.emit(0xfd, 0x0d, ...Array.from({ length: 16 }, () => Math.floor(this.rand() * 32))); } // shuffle
        else { this.expr(V128); this.emit(0x10, 5); } // call f5: [v128] -> [v128]
        return;
      case FUNCREF:
        this.expr(I32);
        this.emit(0x25, 0); // table.get 0
        return;
      default:
        this.leaf(t);
    }
  }

  /** Statements: code with no net stack effect. */
  stmts(): void {
    const n = Math.floor(this.rand() * 4);
    for (let i = 0; i < n; i++) this.stmt();
  }

  stmt(): void {
    this.depth++;
    const r = this.rand();
    if (this.depth > 6 || r < 0.15) this.emit(0x01); // nop
    else if (r < 0.35 && this.locals.length > 0) {
      const i = Math.floor(this.rand() * this.locals.length);
      this.expr(this.locals[i]);
      if (this.chance(0.5)) this.emit(0x21, ...u32(i)); // local.set
      else this.emit(0x22, ...u32(i), 0x1a); // local.tee leaves the value: drop it
    } else if (r < 0.45) {
      this.expr(this.pick(TYPES));
      this.emit(0x1a); // drop
    } else if (r < 0.55) {
      // multi-value block by type index: [i32 i64] -> [f32], result dropped
      this.expr(I32);
      this.expr(I64);
      this.emit(0x02, 2);
      this.labels.push([F32]);
      this.emit(0x1a, 0x1a);
      this.stmts();
      this.expr(F32);
      this.labels.pop();
      this.emit(end, 0x1a);
    } else if (r < 0.62) {
      // loop whose label takes its parameter: [i32] -> [i32]
      this.expr(I32);
      this.emit(0x03, 1);
      this.labels.push([I32]);
      this.expr(I32);
      this.emit(0x0d, 0); // br_if 0 (to the loop head, carrying the i32)
      this.labels.pop();
      this.emit(end, 0x1a);
    } else if (r < 0.7 && this.labels.length > 0) {
      // br_if to a random enclosing label: its operands, the condition, then drop them again
      const d = Math.floor(this.rand() * this.labels.length);
      const lt = this.labels[this.labels.length - 1 - d];
      for (const t of lt) this.expr(t);
      this.expr(I32);
      this.emit(0x0d, ...u32(d));
      for (let k = 0; k < lt.length; k++) this.emit(0x1a);
    } else if (r < 0.8) {
      // a block left by br_table or an unconditional branch, followed by dead code
      this.emit(0x02, 0x40);
      this.labels.push([]);
      this.stmts();
      const targets = this.labels.map((l, i) => [l, i] as const).filter(([l]) => l.length === 0).map(([, i]) => this.labels.length - 1 - i);
      if (this.chance(0.5)) {
        this.expr(I32);
        this.emit(0x0e, ...u32(targets.length), ...targets.flatMap((d) => u32(d)), 0);
      } else this.emit(this.pick([0x00, 0x0f])); // unreachable, return (the function has no results)
      this.polymorphic();
      this.labels.pop();
      this.emit(end);
    } else if (r < 0.88) {
      this.expr(I32);
      if (this.chance(0.5)) {
        this.expr(I32);
        this.emit(0x36, 2, 0); // i32.store
      } else {
        this.expr(I64);
        this.emit(0x37, 3, 16); // i64.store offset 16
      }
    } else if (r < 0.94) {
      this.expr(I32);
      this.emit(0x24, 0); // global.set 0
    } else {
      this.expr(I32);
      this.expr(I32);
      this.expr(I32);
      this.emit(0xfc, 11, 0); // memory.fill
    }
    this.depth--;
  }

  /** Dead code after an unconditional branch: operators on unknown operands. */
  polymorphic(): void {
    const r = this.rand();
    if (r < 0.3) this.emit(0x6a, 0x1a); // i32.add on unknowns, drop
    else if (r < 0.5) this.emit(0x1b, 0x1a); // select of unknowns
    else if (r < 0.6) this.emit(0xd1, 0x1a); // ref.is_null of an unknown
    else if (r < 0.7) this.emit(0xfd, 0xae, 0x01, 0x1a); // i32x4.add on unknowns
  }
}

/** One random valid module: six functions with the SIG_TYPES types; function 0 is generated. */
export function generateModule(rand: () => number): Uint8Array {
  const g = new Gen(rand);
  const nlocals = Math.floor(rand() * 5);
  for (let i = 0; i < nlocals; i++) g.locals.push(TYPES[Math.floor(rand() * TYPES.length)]);
  g.labels.push([]); // the function's own label: type 0 has no results
  g.stmts();
  g.stmts();
  g.emit(end);
  const bodies = SIG_TYPES.map(([ps, rs], i) => {
    if (i === 0) return body(g.locals.map((t) => [1, t] as [number, number]), g.out);
    // the callees: produce their results from constants
    const code: Bytes = [];
    for (const t of rs) code.push(...constOf(t));
    return body([], [...code, end]);
  });
  return module(
    section(1, vec(SIG_TYPES.map(([p, r]) => functype(p, r)))),
    section(3, vec(SIG_TYPES.map((_, i) => [i]))),
    section(4, vec([[FUNCREF, 0x00, 10]])),
    section(5, vec([[0x00, 1]])),
    section(6, vec(GLOBALS.map(([t, m]) => [t, m ? 1 : 0, ...constOf(t), end]))),
    section(7, vec([[...name('f'), 0, 0]])), // exported: ref.func 0 is declared
    section(10, vec(bodies)),
  );
}

function constOf(t: number): Bytes {
  switch (t) {
    case I32: return [0x41, 0];
    case I64: return [0x42, 0];
    case F32: return [0x43, 0, 0, 0, 0];
    case F64: return [0x44, 0, 0, 0, 0, 0, 0, 0, 0];
    case V128: return [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
    default: return [0xd0, t];
  }
}
