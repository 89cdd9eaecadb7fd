/**
 * Seeded generator of SIMD programs for differential tests of the translator (test
 * support): one exported function `run(i32, i64, f32, f64)` that evaluates random
 * expression trees over every Wasm 2.0 SIMD operator (taken from the one opcode table,
 * wasm/opcodes.ts, with their immediates: lanes, shuffles, memargs) and stores the
 * results into the exported memory. Operands are built from constants (interesting
 * lane values), the parameters (splats, lane replacements), loads of a random data
 * segment, and other operators' results of any lane type (so bitcasts between lane
 * types are exercised), with blocks, ifs and locals carrying v128 values.
 *
 * Results are deterministic across engines: every operator whose result lanes are
 * floats is followed by a NaN canonicalisation (`bitselect(x, splat(nan), eq(x, x))`),
 * since Wasm leaves NaN payloads open. All accesses are in bounds. So the memory after
 * `run` must be the same bytes on V8, on derrick's native code and in the IR
 * interpreter.
 */
import { Bytes, F32, F64, I32, I64, V128, body, functype, module, name, section, u32, vec, s32 } from '../wasm/builder';
import { OP_CLASS, OP_COUNT, OP_IMM, OP_LANES, OP_NAME, OP_NPARAMS, OP_PREFIX_FD, OP_SIG, OP_ALIGN, Imm, OpClass } from '../../ts/wasm/opcodes';

/** Bytes of memory the program may touch (results in the first RESULT_BYTES). */
export const MEM_BYTES = 512;
export const RESULT_BYTES = 256;

interface SimdOp { sub: number; params: number[]; result: number; imm: Imm; lanes: number; align: number; floatResult: boolean }

const OPS: SimdOp[] = [];
for (let op = OP_PREFIX_FD; op < OP_COUNT; op++) {
  if (OP_IMM[op] === 0) continue;
  const cls = OP_CLASS[op];
  if (cls !== OpClass.Simple && cls !== OpClass.SimpleChecked) continue;
  const sig = OP_SIG[op];
  const params: number[] = [];
  for (let k = 0; k < OP_NPARAMS[op]; k++) params.push((sig >>> (8 * k)) & 0xff);
  const n = OP_NAME[op];
  OPS.push({
    sub: op - OP_PREFIX_FD, params, result: sig >>> 24, imm: OP_IMM[op] - 1, lanes: OP_LANES[op], align: OP_ALIGN[op],
    floatResult: /^f(32x4|64x2)\./.test(n) && !/\.(eq|ne|lt|gt|le|ge|extract_lane)$/.test(n),
  });
}
const byResult = (t: number): SimdOp[] => OPS.filter((o) => o.result === t);
const V_OPS = byResult(V128);
const SCALAR_OPS: Record<number, SimdOp[]> = { [I32]: byResult(I32), [I64]: byResult(I64), [F32]: byResult(F32), [F64]: byResult(F64) };
const STORE_OPS = OPS.filter((o) => o.result === 0);

/** Lane values that hit edge cases (as bytes of one 32-bit lane). */
const EDGE32 = [0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x3f800000, 0xbf800000,
  0x7f800000, 0xff800000, 0x7fc00000, 0x4f000000, 0xcf000000, 0x00000001, 0x80000001, 0x41200000, 0x3effffff];

class SimdGen {
  out: Bytes = [];
  /** v128 locals beyond the four parameters */
  nlocals = 2;
  constructor(private rand: () => number) {}

  int(n: number): number { return Math.floor(this.rand() * n); }
  emit(...b: number[]): void { this.out.push(...b); }

  v128Const(): void {
    const bytes = new Uint8Array(16);
    const dv = new DataView(bytes.buffer);
    const mode = this.int(4);
    for (let l = 0; l < 4; l++) {
      const x = mode === 0 ? this.int(0x100000000) : EDGE32[this.int(EDGE32.length)];
      dv.setUint32(4 * l, mode === 3 ? EDGE32[this.int(EDGE32.length)] ^ (this.int(2) << 31) : x, true);
    }
    if (mode === 2) for (let k = 0; k < 16; k++) if (this.int(4) === 0) bytes[k] = this.int(256);
    this.emit(0xfd, ...u32(0x0c), ...bytes);
  }

  /** An in-bounds address for an access of up to 16 bytes and a memarg: [address code, offset]. */
  addr(): [Bytes, number] {
    const a = this.int(MEM_BYTES - 16 - 16);
    const off = this.int(17);
    return [[0x41, ...s32(a)], off];
  }

  /** Canonicalise the NaN lanes of the float vector on the stack (f32x4 or f64x2). */
  canonNaN(f64: boolean): void {
    const t = 4 + this.nlocals; // the scratch local (nothing nests inside this sequence)
    // x -> bitselect(x, splat(nan), eq(x, x)): x where ordered, the canonical NaN elsewhere
    this.emit(0x21, t, 0x20, t);
    if (f64) this.emit(0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0xfd, ...u32(0x14));
    else this.emit(0x43, 0, 0, 0xc0, 0x7f, 0xfd, ...u32(0x13));
    this.emit(0x20, t, 0x20, t, 0xfd, ...u32(f64 ? 0x47 : 0x41));
    this.emit(0xfd, ...u32(0x52));
  }

  scalar(t: number, depth: number): void {
    const r = this.rand();
    if (depth > 0 && r < 0.5) {
      const ops = SCALAR_OPS[t];
      if (ops.length > 0) { this.operator(ops[this.int(ops.length)], depth); return; }
    }
    switch (t) {
      case I32: if (r < 0.75) this.emit(0x20, 0); else this.emit(0x41, ...s32(EDGE32[this.int(EDGE32.length)] | 0)); return;
      case I64: this.emit(0x20, 1); return;
      case F32: this.emit(0x20, 2); return;
      default: this.emit(0x20, 3);
    }
  }

  vector(depth: number): void {
    const r = this.rand();
    if (depth <= 0 || r < 0.2) {
      const q = this.rand();
      if (q < 0.4) this.v128Const();
      else if (q < 0.7) this.emit(0x20, 4 + this.int(this.nlocals)); // a v128 local
      else { const [a, off] = this.addr(); this.emit(...a, 0xfd, ...u32(0), 4, ...u32(off)); } // v128.load
      return;
    }
    if (r < 0.27) {
      // a block or an if carrying a v128 (canonicalised at the boundary)
      if (this.rand() < 0.5) {
        this.emit(0x02, V128);
        this.vector(depth - 1);
        this.emit(0x0b);
      } else {
        this.scalar(I32, depth - 1);
        this.emit(0x04, V128);
        this.vector(depth - 1);
        this.emit(0x05);
        this.vector(depth - 1);
        this.emit(0x0b);
      }
      return;
    }
    if (r < 0.32) {
      // local.tee into a v128 local
      this.vector(depth - 1);
      this.emit(0x22, 4 + this.int(this.nlocals));
      return;
    }
    if (r < 0.36) {
      this.vector(depth - 1);
      this.vector(depth - 1);
      this.scalar(I32, depth - 1);
      this.emit(0x1b); // select
      return;
    }
    this.operator(V_OPS[this.int(V_OPS.length)], depth);
  }

  operator(o: SimdOp, depth: number): void {
    const mem = o.imm === Imm.MemArg || o.imm === Imm.MemArgLane;
    let off = 0;
    for (let k = 0; k < o.params.length; k++) {
      const p = o.params[k];
      if (k === 0 && mem) {
        const [a, o2] = this.addr();
        this.emit(...a);
        off = o2;
      } else if (p === V128) this.vector(depth - 1);
      else this.scalar(p, depth - 1);
    }
    this.emit(0xfd, ...u32(o.sub));
    switch (o.imm) {
      case Imm.MemArg: this.emit(...u32(this.int(o.align + 1)), ...u32(off)); break;
      case Imm.MemArgLane: this.emit(...u32(this.int(o.align + 1)), ...u32(off), this.int(o.lanes)); break;
      case Imm.Lane: this.emit(this.int(o.lanes)); break;
      case Imm.Shuffle: for (let k = 0; k < 16; k++) this.emit(this.int(32)); break;
      case Imm.V128: for (let k = 0; k < 16; k++) this.emit(this.int(256)); break;
      default:
    }
    if (o.floatResult) this.canonNaN(OP_NAME[OP_PREFIX_FD + o.sub].startsWith('f64x2'));
  }

  statement(slot: number): void {
    const r = this.rand();
    if (r < 0.75) {
      // results[slot] = vector
      this.emit(0x41, ...s32(16 * slot));
      this.vector(4);
      this.emit(0xfd, ...u32(0x0b), 4, 0);
    } else if (r < 0.85) {
      this.emit(0x41, ...s32(16 * slot));
      this.scalar(I32, 3);
      this.emit(0x36, 2, 0); // i32.store
    } else if (r < 0.92) {
      const o = STORE_OPS[this.int(STORE_OPS.length)];
      this.operator(o, 3);
    } else {
      this.vector(3);
      this.emit(0x21, 4 + this.int(this.nlocals)); // local.set
    }
  }
}

/** One program; `run` writes into memory[0, RESULT_BYTES) (and may store elsewhere below MEM_BYTES). */
export function genSimdModule(rand: () => number, statements = 8): Uint8Array {
  const g = new SimdGen(rand);
  // locals: parameters 0..3, v128 locals 4 .. 3 + nlocals, the scratch v128 of canonNaN
  for (let s = 0; s < statements; s++) g.statement(s % (RESULT_BYTES / 16));
  g.emit(0x0b);
  const data = new Uint8Array(MEM_BYTES);
  for (let k = 0; k < MEM_BYTES; k++) data[k] = Math.floor(rand() * 256);
  return module(
    section(1, vec([functype([I32, I64, F32, F64], [])])),
    section(3, vec([[0]])),
    section(5, vec([[0x00, 1]])),
    section(7, vec([[...name('run'), 0x00, 0], [...name('mem'), 0x02, 0]])),
    section(10, vec([body([[g.nlocals + 1, V128]], g.out)])),
    section(11, vec([[0x00, 0x41, 0x00, 0x0b, ...u32(MEM_BYTES), ...data]])),
  );
}
