/**
 * FunctionBuilder (frontend/): the API the Wasm translator (and tests) use to
 * emit IR. It places instructions at the end of the current block, records
 * branch edges, and builds SSA on the fly from Variables (frontend/ssa.ts).
 *
 * Usage:
 *   const b = new FunctionBuilder(f);
 *   const entry = b.createBlock(); b.appendBlockParamsForFunctionParams(entry);
 *   b.switchToBlock(entry); b.sealBlock(entry);
 *   const x = b.declareVar(I32); b.defVar(x, b.blockParam(entry, 0));
 *   ... b.binary(Op.Iadd, b.useVar(x), one) ... b.jump(loop, []) ...
 *   b.sealAllBlocks(); b.finalize();
 *
 * Blocks are sealed when all their predecessors have been emitted (sealBlock),
 * or all at the end (sealAllBlocks). finalize() replaces alias uses by their
 * targets and drops the aliases left by removed parameters.
 */
import { Function, Block, Value, Inst, NONE, VK_ALIAS, VK_NONE, Signature } from '../ir/function';
import { Op, opFlags, F_TERMINATOR, opTv, TV_NONE } from '../ir/opcodes';
import { IntCC, FloatCC } from '../ir/immediates';
import * as T from '../ir/types';
import { SSABuilder, Variable } from './ssa';

export { Variable };

export class FunctionBuilder {
  readonly ssa: SSABuilder;
  private cur: Block = NONE;
  /** Source location written to `f.iLine` of every instruction emitted (0 = none; the
   * Wasm translator sets the operator's byte offset). */
  srcLoc = 0;
  // reusable argument arrays, so emitting an instruction allocates no JS object
  private readonly a1 = [0];
  private readonly a2 = [0, 0];
  private readonly a3 = [0, 0, 0];
  private static readonly NO_ARGS: number[] = [];

  constructor(readonly f: Function) {
    this.ssa = new SSABuilder(f);
  }

  // ---------------- blocks ----------------

  createBlock(): Block {
    const b = this.f.makeBlock();
    this.ssa.ensureBlock(b);
    return b;
  }

  /** Make `b` current, appending it to the layout the first time. */
  switchToBlock(b: Block): void {
    if (!this.f.isBlockInLayout(b)) this.f.appendBlockToLayout(b);
    this.cur = b;
  }

  currentBlock(): Block { return this.cur; }

  appendBlockParam(b: Block, t: T.Type): Value { return this.f.appendBlockParam(b, t); }
  blockParam(b: Block, k: number): Value { return this.f.blockParam(b, k); }

  appendBlockParamsForFunctionParams(b: Block): void {
    for (const p of this.f.sig.params) this.f.appendBlockParam(b, p.type);
  }

  sealBlock(b: Block): void { this.ssa.seal(b); }

  sealAllBlocks(): void {
    for (let b = 0; b < this.f.blockCount; b++) if (this.f.blockExists(b)) this.ssa.seal(b);
  }

  /** Has the current block got its terminator? */
  isFilled(): boolean {
    const last = this.f.bLast[this.cur];
    return last !== NONE && (opFlags[this.f.iOp[last]] & F_TERMINATOR) !== 0;
  }

  // ---------------- variables ----------------

  declareVar(t: T.Type): Variable { return this.ssa.declareVar(t); }
  defVar(v: Variable, val: Value): void {
    if (this.f.vType[this.f.resolve(val)] !== this.ssa.varTypes[v]) {
      throw new Error(`defVar: variable ${v} is ${T.typeName(this.ssa.varTypes[v])}, value is ${T.typeName(this.f.vType[val])}`);
    }
    this.ssa.def(v, this.cur, val);
  }
  useVar(v: Variable): Value { return this.ssa.use(v, this.cur); }

  // ---------------- instructions ----------------

  /** Emit `op` at the end of the current block. For opcodes whose type is inferred, `ctrl` may be INVALID. */
  ins(op: Op, ctrl: T.Type, args: ArrayLike<number>, imm0 = 0, imm1 = 0): Inst {
    if (this.cur === NONE) throw new Error('no current block');
    if (this.isFilled()) throw new Error(`block${this.cur} is already terminated`);
    const f = this.f;
    const tv = opTv[op];
    if (tv >= 0 && ctrl === T.INVALID) ctrl = f.vType[f.resolve(args[tv])];
    if (tv === TV_NONE && op !== Op.Call && op !== Op.CallIndirect) ctrl = T.INVALID;
    const i = f.makeInst(op, ctrl, args, imm0, imm1);
    f.iLine[i] = this.srcLoc;
    f.appendInst(this.cur, i);
    return i;
  }

  /** Emit and return the first result. */
  val(op: Op, ctrl: T.Type, args: ArrayLike<number>, imm0 = 0, imm1 = 0): Value {
    return this.f.firstResult(this.ins(op, ctrl, args, imm0, imm1));
  }

  iconst(t: T.Type, n: number): Value {
    // n is a JS integer (|n| < 2^53); stored zero-extended to the type width
    const lo = n | 0;
    const hi = Math.floor(n / 4294967296) | 0;
    const bits = T.bits(t);
    const l = bits >= 32 ? lo : lo & ((1 << bits) - 1);
    const h = bits === 64 ? hi : 0;
    return this.val(Op.Iconst, t, FunctionBuilder.NO_ARGS, l, h);
  }
  iconst64(lo: number, hi: number): Value { return this.val(Op.Iconst, T.I64, FunctionBuilder.NO_ARGS, lo, hi); }
  f32const(bits: number): Value { return this.val(Op.F32const, T.INVALID, FunctionBuilder.NO_ARGS, bits); }
  f64const(lo: number, hi: number): Value { return this.val(Op.F64const, T.INVALID, FunctionBuilder.NO_ARGS, lo, hi); }
  unary(op: Op, a: Value): Value { return this.val(op, T.INVALID, this.args1(a)); }
  binary(op: Op, a: Value, b: Value): Value { return this.val(op, T.INVALID, this.args2(a, b)); }
  convert(op: Op, to: T.Type, a: Value): Value { return this.val(op, to, this.args1(a)); }
  icmp(cc: IntCC, a: Value, b: Value): Value { return this.val(Op.Icmp, T.INVALID, this.args2(a, b), cc); }
  fcmp(cc: FloatCC, a: Value, b: Value): Value { return this.val(Op.Fcmp, T.INVALID, this.args2(a, b), cc); }
  select(c: Value, a: Value, b: Value): Value { const s = this.a3; s[0] = c; s[1] = a; s[2] = b; return this.val(Op.Select, T.INVALID, s); }
  load(t: T.Type, flags: number, addr: Value, offset: number): Value { return this.val(Op.Load, t, this.args1(addr), flags, offset); }
  store(flags: number, v: Value, addr: Value, offset: number): Inst { return this.ins(Op.Store, T.INVALID, this.args2(v, addr), flags, offset); }
  call(fn: number, args: Value[]): Inst { return this.ins(Op.Call, T.INVALID, args, fn); }
  trap(code: number): Inst { return this.ins(Op.Trap, T.INVALID, FunctionBuilder.NO_ARGS, code); }
  trapz(c: Value, code: number): Inst { return this.ins(Op.Trapz, T.INVALID, this.args1(c), code); }
  trapnz(c: Value, code: number): Inst { return this.ins(Op.Trapnz, T.INVALID, this.args1(c), code); }

  private args1(a: Value): number[] { this.a1[0] = a; return this.a1; }
  private args2(a: Value, b: Value): number[] { const s = this.a2; s[0] = a; s[1] = b; return s; }

  // ---------------- declarations ----------------

  /** Add a signature to the function's table (for call_indirect / imports); returns sigN. */
  importSignature(sig: Signature): number { this.f.sigs.push(sig); return this.f.sigs.length - 1; }

  /** Declare an external function `name` (e.g. `%f` or `u0:3`) with signature `sig`; returns fnN. */
  importFunction(name: string, sig: number, colocated = false): number {
    this.f.extFuncs.push({ name, sig, colocated });
    return this.f.extFuncs.length - 1;
  }

  /** A stack slot of `size` bytes; returns ssN. */
  createStackSlot(size: number, align = 1): number {
    this.f.stackSlots.push({ kind: 'explicit_slot', size, align });
    return this.f.stackSlots.length - 1;
  }

  /** A 128-bit vector constant of type `t` from 16 little-endian bytes. */
  vconst(t: T.Type, bytes: Uint8Array): Value {
    if (bytes.length !== T.bytes(t)) throw new Error(`vconst: ${bytes.length} bytes for ${T.typeName(t)}`);
    this.f.constants.push(bytes.slice());
    return this.val(Op.Vconst, t, FunctionBuilder.NO_ARGS, this.f.constants.length - 1);
  }

  /** `call_indirect sigN, callee(args)`. */
  callIndirect(sig: number, callee: Value, args: Value[]): Inst {
    return this.ins(Op.CallIndirect, T.INVALID, [callee, ...args], sig);
  }

  // ---------------- terminators (record SSA edges) ----------------

  jump(target: Block, args: Value[]): Inst {
    const c = this.edge(target, args);
    return this.ins(Op.Jump, T.INVALID, FunctionBuilder.NO_ARGS, c);
  }

  brif(cond: Value, thenB: Block, thenArgs: Value[], elseB: Block, elseArgs: Value[]): Inst {
    const c1 = this.edge(thenB, thenArgs);
    const c2 = this.edge(elseB, elseArgs);
    return this.ins(Op.Brif, T.INVALID, this.args1(cond), c1, c2);
  }

  /** br_table: `entries[k]` for index k, `dflt` otherwise. */
  brTable(index: Value, dflt: Block, dfltArgs: Value[], entries: { block: Block; args: Value[] }[]): Inst {
    const calls = [this.edge(dflt, dfltArgs)];
    for (const e of entries) calls.push(this.edge(e.block, e.args));
    const j = this.f.makeJumpTable(calls);
    return this.ins(Op.BrTable, T.INVALID, this.args1(index), j);
  }

  ret(vals: Value[]): Inst { return this.ins(Op.Return, T.INVALID, vals); }

  private edge(target: Block, args: Value[]): number {
    const c = this.f.makeBlockCall(target, args);
    this.ssa.addEdge(c, this.cur);
    return c;
  }

  /** Finish: every block must be sealed; alias uses are replaced by their targets. */
  finalize(): void {
    const f = this.f;
    for (let b = 0; b < f.blockCount; b++) {
      if (f.blockExists(b) && !this.ssa.sealed[b]) throw new Error(`finalize: block${b} is not sealed`);
    }
    f.resolveAllAliases();
    for (let v = 0; v < f.valueCount; v++) if (f.vKind[v] === VK_ALIAS) f.vKind[v] = VK_NONE;
  }
}
