/**
 * The Wasm → IR translator (translate/, after wasm/ and before the backend): one
 * function body at a time, as cranelift-wasm does it. An operand stack of IR values
 * and a control stack of frames (block, loop, if/else, the function) follow the
 * operators; locals are FunctionBuilder Variables (SSA built on the fly, Braun et al.);
 * block results and loop parameters are IR block parameters. Memories, tables,
 * globals, calls and builtins go through the VMContext layout of runtime/vmoffsets.ts
 * (environ.ts emits those sequences).
 *
 * The body must be valid (decodeModule validates by default): the translator trusts
 * types and indices, and only decodes.
 *
 * Control:
 * - block: an exit block with one parameter per result. loop: a header block with one
 *   parameter per parameter (entered by a jump), and an exit block. if: a `brif` to a
 *   then-block and an else-block (both without parameters: the if's parameters stay on
 *   the operand stack, and are stashed for the else arm), plus the exit block. An if
 *   without else gets `jump exit(params)` in its else-block at `end`.
 * - Branches pass the top values to the target (a loop's header or a block's exit); a
 *   branch to the function frame returns (br_if/br_table go through a shared return
 *   block, created on demand).
 * - A block is sealed once all its predecessors exist: then/else blocks at once, exit
 *   blocks and loop headers at their `end`. Exits nothing branches to stay out of the
 *   layout.
 * - After an unconditional transfer (br, br_table, return, unreachable) the code up to
 *   the matching else/end is unreachable: operators are skipped, only their nesting is
 *   counted (deadDepth).
 *
 * Every instruction gets the byte offset of its operator in f.iLine (source map for
 * traps). Traps: integer division and remainder and trapping float→int conversions
 * trap inside the IR op (int_divz, int_ovf, bad_toint); `unreachable` is
 * `trap TRAP_UNREACHABLE`; memory, tables, call_indirect: environ.ts.
 */
import { Function, Block, Value, NONE, VK_RESULT } from '../ir/function';
import { Op } from '../ir/opcodes';
import { IntCC } from '../ir/immediates';
import * as T from '../ir/types';
import { FunctionBuilder } from '../frontend/builder';
import { OperatorReader } from '../wasm/operators';
import { OP_CLASS, OpClass, OP_PREFIX_FD, opName } from '../wasm/opcodes';
import type { ModuleEnv } from '../wasm/types';
import { irType, wasmSignature, funcName, TRAP_UNREACHABLE } from '../runtime/vmoffsets';
import { NUM_KIND, NUM_IROP, NUM_TYPE, NUM_CC, NUM_NARROW, NumKind } from './optable';
import { FuncEnvironment, TranslateOptions } from './environ';
import { SimdTranslator } from './simd';

export type { TranslateOptions };

// frame kinds
const K_BLOCK = 0;
const K_LOOP = 1;
const K_IF = 2;
const K_ELSE = 3;
const K_FUNC = 4;

function growU32(a: Uint32Array, n: number): Uint32Array {
  if (n <= a.length) return a;
  const b = new Uint32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Translates function bodies. One translator can be reused for many functions (its
 * stacks are kept); each call fills the Function it is given (reset first).
 */
export class FuncTranslator {
  private readonly envc: FuncEnvironment;
  private readonly simd: SimdTranslator;
  private b!: FunctionBuilder;
  private f!: Function;
  private env!: ModuleEnv;

  // operand stack
  private stack = new Uint32Array(256);
  private sp = 0;
  // control frames (columns)
  private cKind = new Uint8Array(32);
  private cHeight = new Uint32Array(32);
  private cParams = new Uint32Array(32);
  private cResults = new Uint32Array(32);
  /** exit block (block, if, loop: the block after `end`) */
  private cExit = new Uint32Array(32);
  /** loop: header; if: else-block */
  private cAlt = new Uint32Array(32);
  private cStash = new Uint32Array(32);
  private cBranched = new Uint8Array(32);
  private nctl = 0;
  /** stashed if-parameters (for the else arm) */
  private stash = new Uint32Array(64);
  private nstash = 0;
  private reachable = true;
  private deadDepth = 0;
  private retBlock: Block = NONE;
  private scratch: Value[] = [];
  // block type of the last block/loop/if read
  private btParams: Uint8Array = new Uint8Array(0);
  private btResults: Uint8Array = new Uint8Array(0);
  private readonly noTypes = new Uint8Array(0);
  private readonly singleTypes = new Map<number, Uint8Array>();
  private numResultsFunc = 0;
  /** Operators read so far, and the uextend of a compare made by operator number `extSeq`. */
  private opSeq = 0;
  private extVal: Value = NONE;
  private extSeq = -1;
  private vars = 0;

  constructor(readonly options: TranslateOptions = {}) {
    this.envc = new FuncEnvironment(options);
    this.simd = new SimdTranslator(this.envc);
  }

  /** Translate defined-or-imported-index `funcIndex` (must be a defined function) of `env` into `f`. */
  translate(env: ModuleEnv, funcIndex: number, f: Function = new Function()): Function {
    const def = funcIndex - env.numImportedFuncs;
    if (!(def >= 0 && def < env.bodyStart.length)) throw new Error(`translate: function ${funcIndex} is not a defined function`);
    f.reset();
    this.f = f;
    this.env = env;
    const ft = env.types[env.funcTypes[funcIndex]];
    f.name = funcName(funcIndex);
    f.sig = wasmSignature(ft);
    const b = new FunctionBuilder(f);
    this.b = b;
    const entry = b.createBlock();
    b.appendBlockParamsForFunctionParams(entry);
    b.switchToBlock(entry);
    b.sealBlock(entry);
    b.srcLoc = env.bodyStart[def];
    const vmctx = f.blockParam(entry, 0);
    this.envc.begin(env, f, b, entry, vmctx);
    this.simd.begin(f, b, env.bytes);

    // locals: parameters, then the declared groups (zero by the SSA builder's rule for
    // variables read before any definition)
    const r = new OperatorReader(env.bytes, env.bodyStart[def], env.bodyEnd[def]);
    const np = ft.params.length;
    for (let i = 0; i < np; i++) {
      const v = b.declareVar(irType(ft.params[i]));
      b.defVar(v, f.blockParam(entry, 2 + i));
    }
    let nlocals = np;
    const groups = r.u32();
    for (let g = 0; g < groups; g++) {
      const count = r.u32();
      const t = irType(r.u8());
      for (let k = 0; k < count; k++) b.declareVar(t);
      nlocals += count;
    }
    this.vars = nlocals;

    this.sp = 0;
    this.nctl = 0;
    this.nstash = 0;
    this.reachable = true;
    this.deadDepth = 0;
    this.retBlock = NONE;
    this.numResultsFunc = ft.results.length;
    this.opSeq = 0;
    this.extVal = NONE;
    this.extSeq = -1;
    this.pushFrame(K_FUNC, 0, 0, ft.results.length, NONE, NONE);
    this.run(r, ft.results);
    b.sealAllBlocks();
    b.finalize();
    return f;
  }

  private run(r: OperatorReader, funcResults: Uint8Array): void {
    const b = this.b;
    for (;;) {
      const op = r.read();
      b.srcLoc = r.opPos;
      this.opSeq++;
      const cls = OP_CLASS[op] as OpClass;
      if (!this.reachable) {
        if (cls === OpClass.Block || cls === OpClass.Loop || cls === OpClass.If) { this.deadDepth++; continue; }
        if (cls === OpClass.End || cls === OpClass.Else) {
          if (this.deadDepth > 0) { if (cls === OpClass.End) this.deadDepth--; continue; }
        } else continue;
      }
      if (cls === OpClass.Simple || cls === OpClass.SimpleChecked) {
        this.simple(op, r);
        continue;
      }
      switch (cls) {
        case OpClass.Unreachable:
          b.trap(TRAP_UNREACHABLE);
          this.reachable = false;
          break;
        case OpClass.Block: {
          this.blockType(r.blockType);
          const exit = this.blockWithParams(this.btResults);
          this.pushFrame(K_BLOCK, this.sp - this.btParams.length, this.btParams.length, this.btResults.length, exit, NONE);
          break;
        }
        case OpClass.Loop: {
          this.blockType(r.blockType);
          const n = this.btParams.length;
          const header = this.blockWithParams(this.btParams);
          const exit = this.blockWithParams(this.btResults);
          b.jump(header, this.top(n));
          this.sp -= n;
          for (let k = 0; k < n; k++) this.push(this.f.blockParam(header, k));
          b.switchToBlock(header);
          this.pushFrame(K_LOOP, this.sp - n, n, this.btResults.length, exit, header);
          break;
        }
        case OpClass.If: {
          this.blockType(r.blockType);
          const cond = this.condition(this.pop());
          const n = this.btParams.length;
          const thenB = b.createBlock();
          const elseB = b.createBlock();
          const exit = this.blockWithParams(this.btResults);
          b.brif(cond, thenB, [], elseB, []);
          b.sealBlock(thenB);
          b.sealBlock(elseB);
          const st = this.nstash;
          this.stash = growU32(this.stash, st + n) as Uint32Array<ArrayBuffer>;
          for (let k = 0; k < n; k++) this.stash[st + k] = this.stack[this.sp - n + k];
          this.nstash = st + n;
          b.switchToBlock(thenB);
          this.pushFrame(K_IF, this.sp - n, n, this.btResults.length, exit, elseB);
          this.cStash[this.nctl - 1] = st;
          break;
        }
        case OpClass.Else: {
          const k = this.nctl - 1;
          if (this.reachable) {
            b.jump(this.cExit[k], this.top(this.cResults[k]));
            this.cBranched[k] = 1;
          }
          this.sp = this.cHeight[k];
          const n = this.cParams[k], st = this.cStash[k];
          for (let i = 0; i < n; i++) this.push(this.stash[st + i]);
          b.switchToBlock(this.cAlt[k]);
          this.cKind[k] = K_ELSE;
          this.reachable = true;
          break;
        }
        case OpClass.End:
          if (this.end(funcResults)) return;
          break;
        case OpClass.Br:
          this.br(r.imm);
          this.reachable = false;
          break;
        case OpClass.BrIf: {
          const cond = this.condition(this.pop());
          const k = this.nctl - 1 - r.imm;
          const next = b.createBlock();
          const [target, n] = this.branchTarget(k);
          b.brif(cond, target, this.top(n), next, []);
          b.sealBlock(next);
          b.switchToBlock(next);
          break;
        }
        case OpClass.BrTable:
          this.brTable(r);
          this.reachable = false;
          break;
        case OpClass.Return:
          b.ret(this.top(this.numResultsFunc));
          this.reachable = false;
          break;
        case OpClass.Call: {
          const callee = r.imm;
          const ft = this.env.types[this.env.funcTypes[callee]];
          const n = ft.params.length;
          this.canonicalTop(n);
          const args = this.envc.callArgs(this.stack, this.sp - n, n);
          this.sp -= n;
          this.pushResults(this.envc.call(callee, args));
          break;
        }
        case OpClass.CallIndirect: {
          const idx = this.pop();
          const ft = this.env.types[r.imm];
          const n = ft.params.length;
          this.canonicalTop(n);
          const args = this.envc.callArgs(this.stack, this.sp - n, n);
          this.sp -= n;
          this.pushResults(this.envc.callIndirect(r.imm, r.imm2, idx, args));
          break;
        }
        case OpClass.Drop:
          this.sp--;
          break;
        case OpClass.Select: case OpClass.SelectT: {
          const c = this.condition(this.pop());
          let y = this.pop();
          let x = this.pop();
          const f = this.f;
          if (f.vType[f.resolve(x)] !== f.vType[f.resolve(y)]) {
            // vectors of different lane types: meet at the canonical type
            x = this.canonical(x);
            y = this.canonical(y);
          }
          this.push(b.select(c, x, y));
          break;
        }
        case OpClass.LocalGet:
          this.push(b.useVar(r.imm));
          break;
        case OpClass.LocalSet:
          b.defVar(r.imm, this.canonical(this.pop()));
          break;
        case OpClass.LocalTee:
          b.defVar(r.imm, this.canonical(this.stack[this.sp - 1]));
          break;
        case OpClass.GlobalGet:
          this.push(this.envc.globalGet(r.imm));
          break;
        case OpClass.GlobalSet:
          this.envc.globalSet(r.imm, this.pop());
          break;
        case OpClass.TableGet: {
          const idx = this.pop();
          this.push(this.envc.tableGet(r.imm, idx));
          break;
        }
        case OpClass.TableSet: {
          const v = this.pop();
          const idx = this.pop();
          this.envc.tableSet(r.imm, idx, v);
          break;
        }
        case OpClass.RefNull:
          this.push(b.iconst(T.I64, 0));
          break;
        case OpClass.RefIsNull: {
          const x = this.pop();
          this.push(b.convert(Op.Uextend, T.I32, b.icmp(IntCC.Eq, x, b.iconst(T.I64, 0))));
          break;
        }
        case OpClass.RefFunc:
          this.push(this.envc.refFunc(r.imm));
          break;
        case OpClass.MemoryInit: {
          const len = this.pop(), src = this.pop(), dst = this.pop();
          this.envc.memoryInit(0, r.imm, dst, src, len);
          break;
        }
        case OpClass.DataDrop:
          this.envc.dataDrop(r.imm);
          break;
        case OpClass.TableInit: {
          const len = this.pop(), src = this.pop(), dst = this.pop();
          this.envc.tableInit(r.imm2, r.imm, dst, src, len);
          break;
        }
        case OpClass.ElemDrop:
          this.envc.elemDrop(r.imm);
          break;
        case OpClass.TableCopy: {
          const len = this.pop(), src = this.pop(), dst = this.pop();
          this.envc.tableCopy(r.imm, r.imm2, dst, src, len);
          break;
        }
        case OpClass.TableGrow: {
          const delta = this.pop(), init = this.pop();
          this.push(this.envc.tableGrow(r.imm, init, delta));
          break;
        }
        case OpClass.TableSize:
          this.push(this.envc.tableSize(r.imm));
          break;
        case OpClass.TableFill: {
          const len = this.pop(), val = this.pop(), dst = this.pop();
          this.envc.tableFill(r.imm, dst, val, len);
          break;
        }
        default:
          throw new Error(`translate: operator ${opName(op)} has no translation`);
      }
    }
  }

  /** Operators typed by a fixed signature: numeric, memory, constants, bulk memory. */
  private simple(op: number, r: OperatorReader): void {
    const b = this.b;
    const kind = NUM_KIND[op] as NumKind;
    switch (kind) {
      case NumKind.Binary: {
        const y = this.pop();
        const x = this.pop();
        this.push(b.binary(NUM_IROP[op], x, y));
        return;
      }
      case NumKind.Unary:
        this.push(b.unary(NUM_IROP[op], this.pop()));
        return;
      case NumKind.Icmp: case NumKind.Fcmp: {
        const y = this.pop();
        const x = this.pop();
        const c = kind === NumKind.Icmp ? b.icmp(NUM_CC[op], x, y) : b.fcmp(NUM_CC[op], x, y);
        this.pushCompare(b.convert(Op.Uextend, T.I32, c));
        return;
      }
      case NumKind.Eqz: {
        const x = this.pop();
        const c = b.icmp(IntCC.Eq, x, b.iconst(NUM_TYPE[op], 0));
        this.pushCompare(b.convert(Op.Uextend, T.I32, c));
        return;
      }
      case NumKind.Convert:
        this.push(b.convert(NUM_IROP[op], NUM_TYPE[op], this.pop()));
        return;
      case NumKind.ExtendS: {
        const x = this.pop();
        this.push(b.convert(Op.Sextend, NUM_TYPE[op], b.convert(Op.Ireduce, NUM_NARROW[op], x)));
        return;
      }
      case NumKind.Load: {
        const idx = this.pop();
        this.push(this.envc.load(op, 0, idx, r.offset));
        return;
      }
      case NumKind.Store: {
        const v = this.pop();
        const idx = this.pop();
        this.envc.store(op, 0, idx, v, r.offset);
        return;
      }
      default:
    }
    switch (op) {
      case 0x01: return; // nop
      case 0x41: this.push(b.iconst(T.I32, r.lo)); return;
      case 0x42: this.push(b.iconst64(r.lo, r.hi)); return;
      case 0x43: this.push(b.f32const(r.lo)); return;
      case 0x44: this.push(b.f64const(r.lo, r.hi)); return;
      case 0x3f: this.push(this.envc.memorySize(0)); return;
      case 0x40: this.push(this.envc.memoryGrow(0, this.pop())); return;
      case 0x10a: { // memory.copy
        const len = this.pop(), src = this.pop(), dst = this.pop();
        this.envc.memoryCopy(0, 0, dst, src, len);
        return;
      }
      case 0x10b: { // memory.fill
        const len = this.pop(), val = this.pop(), dst = this.pop();
        this.envc.memoryFill(0, dst, val, len);
        return;
      }
      default:
        if (op >= OP_PREFIX_FD) { this.simd.translate(op, r, this); return; }
        throw new Error(`translate: operator ${opName(op)} has no translation`);
    }
  }

  // ---------------------------------------------------------------- control

  /** `end`: close the top frame; true at the end of the function. */
  private end(funcResults: Uint8Array): boolean {
    const b = this.b;
    const k = this.nctl - 1;
    const kind = this.cKind[k];
    if (kind === K_FUNC) {
      const n = funcResults.length;
      if (this.retBlock !== NONE) {
        if (this.reachable) b.jump(this.retBlock, this.top(n));
        b.switchToBlock(this.retBlock);
        b.sealBlock(this.retBlock);
        const ps: Value[] = [];
        for (let i = 0; i < n; i++) ps.push(this.f.blockParam(this.retBlock, i));
        b.ret(ps);
      } else if (this.reachable) {
        b.ret(this.top(n));
      }
      this.nctl = 0;
      return true;
    }
    const exit = this.cExit[k];
    if (this.reachable) {
      b.jump(exit, this.top(this.cResults[k]));
      this.cBranched[k] = 1;
    }
    if (kind === K_IF) {
      // no else arm: the else-block passes the parameters through (params = results)
      b.switchToBlock(this.cAlt[k]);
      const n = this.cParams[k], st = this.cStash[k];
      const args = this.scratchArgs(n);
      for (let i = 0; i < n; i++) args[i] = this.canonical(this.stash[st + i]);
      b.jump(exit, args);
      this.cBranched[k] = 1;
    }
    if (kind === K_LOOP) b.sealBlock(this.cAlt[k]);
    if (kind === K_IF || kind === K_ELSE) this.nstash = this.cStash[k];
    this.sp = this.cHeight[k];
    this.nctl--;
    b.sealBlock(exit);
    if (this.cBranched[k] !== 0) {
      b.switchToBlock(exit);
      const n = this.cResults[k];
      for (let i = 0; i < n; i++) this.push(this.f.blockParam(exit, i));
      this.reachable = true;
    } else {
      this.reachable = false;
    }
    return false;
  }

  /** Target block of a branch to frame k and the number of values it takes. */
  private branchTarget(k: number): [Block, number] {
    switch (this.cKind[k]) {
      case K_LOOP: return [this.cAlt[k], this.cParams[k]];
      case K_FUNC: return [this.returnBlock(), this.cResults[k]];
      default:
        this.cBranched[k] = 1;
        return [this.cExit[k], this.cResults[k]];
    }
  }

  private br(depth: number): void {
    const k = this.nctl - 1 - depth;
    if (this.cKind[k] === K_FUNC) {
      this.b.ret(this.top(this.cResults[k]));
      return;
    }
    const [target, n] = this.branchTarget(k);
    this.b.jump(target, this.top(n));
  }

  private brTable(r: OperatorReader): void {
    const idx = this.pop();
    const count = r.brCount;
    const entries: { block: Block; args: Value[] }[] = [];
    for (let i = 0; i < count; i++) {
      const [block, n] = this.branchTarget(this.nctl - 1 - r.brTargets[i]);
      entries.push({ block, args: this.topCopy(n) });
    }
    const [dflt, n] = this.branchTarget(this.nctl - 1 - r.imm);
    this.b.brTable(idx, dflt, this.topCopy(n), entries);
  }

  /** The block that returns its parameters (for br_if/br_table to the function frame). */
  private returnBlock(): Block {
    if (this.retBlock === NONE) {
      const rb = this.b.createBlock();
      this.retBlock = rb;
      const results = this.f.sig.returns;
      for (let i = 0; i < results.length; i++) this.f.appendBlockParam(rb, results[i].type);
    }
    return this.retBlock;
  }

  private blockType(bt: number): void {
    if (bt === -64) { this.btParams = this.noTypes; this.btResults = this.noTypes; return; }
    if (bt < 0) {
      const t = bt + 0x80;
      let a = this.singleTypes.get(t);
      if (a === undefined) { a = new Uint8Array([t]); this.singleTypes.set(t, a); }
      this.btParams = this.noTypes;
      this.btResults = a;
      return;
    }
    const ft = this.env.types[bt];
    this.btParams = ft.params;
    this.btResults = ft.results;
  }

  private blockWithParams(types: Uint8Array): Block {
    const blk = this.b.createBlock();
    for (let i = 0; i < types.length; i++) this.f.appendBlockParam(blk, irType(types[i]));
    return blk;
  }

  private pushFrame(kind: number, height: number, params: number, results: number, exit: Block, alt: Block): void {
    const k = this.nctl++;
    if (k >= this.cKind.length) {
      const n = k * 2;
      const g8 = (a: Uint8Array): Uint8Array<ArrayBuffer> => { const x = new Uint8Array(n); x.set(a); return x; };
      this.cKind = g8(this.cKind); this.cBranched = g8(this.cBranched);
      this.cHeight = growU32(this.cHeight, n) as Uint32Array<ArrayBuffer>;
      this.cParams = growU32(this.cParams, n) as Uint32Array<ArrayBuffer>;
      this.cResults = growU32(this.cResults, n) as Uint32Array<ArrayBuffer>;
      this.cExit = growU32(this.cExit, n) as Uint32Array<ArrayBuffer>;
      this.cAlt = growU32(this.cAlt, n) as Uint32Array<ArrayBuffer>;
      this.cStash = growU32(this.cStash, n) as Uint32Array<ArrayBuffer>;
    }
    this.cKind[k] = kind;
    this.cHeight[k] = height;
    this.cParams[k] = params;
    this.cResults[k] = results;
    this.cExit[k] = exit;
    this.cAlt[k] = alt;
    this.cStash[k] = this.nstash;
    this.cBranched[k] = 0;
  }

  /**
   * A condition for brif/select: the i32 `uextend` of a compare (or of a vector
   * any/all-true reduction) is replaced by its i8 (any non-zero integer is true), so
   * the backend can fuse compare and branch; the uextend is left unused if nothing
   * else reads it.
   */
  private condition(v: Value): Value {
    const f = this.f;
    if (f.vKind[v] !== VK_RESULT) return v;
    const i = f.vDef[v];
    if (f.iOp[i] !== Op.Uextend) return v;
    const a = f.resolve(f.arg(i, 0));
    if (f.vKind[a] !== VK_RESULT) return v;
    const op = f.iOp[f.vDef[a]];
    if (op !== Op.Icmp && op !== Op.Fcmp && op !== Op.VanyTrue && op !== Op.VallTrue) return v;
    // made by the operator just before this one and popped at once: nothing else can
    // use it (no local.tee in between), and it is the block's last instruction
    if (v === this.extVal && this.extSeq === this.opSeq - 1 && f.bLast[this.b.currentBlock()] === i) f.removeInst(i);
    return a;
  }

  pushCompare(v: Value): void {
    this.push(v);
    this.extVal = v;
    this.extSeq = this.opSeq;
  }

  // ---------------------------------------------------------------- operand stack

  /**
   * `v` in the type boundaries need (block and function parameters, locals, calls):
   * a vector of another lane type than the canonical i8x16 is bitcast (simd.ts).
   */
  private canonical(v: Value): Value {
    const t = this.f.vType[this.f.resolve(v)];
    return t === T.I8X16 || !T.isVector(t) ? v : this.simd.as(v, T.I8X16);
  }

  /** The top n stack values in canonical types, in place. */
  private canonicalTop(n: number): void {
    const s = this.stack;
    for (let i = this.sp - n; i < this.sp; i++) s[i] = this.canonical(s[i]);
  }

  push(v: Value): void {
    if (this.sp >= this.stack.length) this.stack = growU32(this.stack, this.sp + 1) as Uint32Array<ArrayBuffer>;
    this.stack[this.sp++] = v;
  }

  pop(): Value {
    return this.stack[--this.sp];
  }

  /** The top n values (a scratch array, valid until the next call). */
  private top(n: number): Value[] {
    const a = this.scratchArgs(n);
    for (let i = 0; i < n; i++) a[i] = this.canonical(this.stack[this.sp - n + i]);
    return a;
  }

  private topCopy(n: number): Value[] {
    const a: Value[] = new Array(n);
    for (let i = 0; i < n; i++) a[i] = this.canonical(this.stack[this.sp - n + i]);
    return a;
  }

  private scratchArgs(n: number): Value[] {
    const a = this.scratch;
    a.length = n;
    return a;
  }

  private pushResults(inst: number): void {
    const f = this.f;
    const n = f.resultCount(inst);
    for (let i = 0; i < n; i++) this.push(f.result(inst, i));
  }
}

/** Translate one defined function (index in the module's function index space) into a new Function. */
export function translateFunction(env: ModuleEnv, funcIndex: number, options: TranslateOptions = {}): Function {
  return new FuncTranslator(options).translate(env, funcIndex);
}
