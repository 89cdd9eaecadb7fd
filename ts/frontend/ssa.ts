/**
 * On-the-fly SSA construction for the FunctionBuilder (frontend/), after Braun,
 * Buchwald, Hack, Leißa, Mallon and Zwinkau, "Simple and Efficient Construction
 * of Static Single Assignment Form" (CC 2013), with block parameters in place of
 * phi instructions.
 *
 * - A variable's current definition per block lives in a dense Uint32Array per
 *   variable, indexed by block (value + 1; 0 = none), grown on demand.
 * - Reading a variable in a block without a local definition: in an unsealed block
 *   add a parameter and remember it as incomplete; in a sealed block with one
 *   predecessor, continue in that predecessor; with several, add a parameter, read
 *   the variable at the end of every predecessor and pass it as a branch argument.
 * - A parameter whose incoming values are all the same value (or itself) is
 *   removed, its arguments deleted from every incoming edge, and the parameter
 *   becomes an alias of that value. Parameters that received the removed one as
 *   an argument are then re-checked, since they may have become trivial too
 *   (Braun et al.'s recursive tryRemoveTrivialPhi, here with a worklist).
 * - A variable read where it was never defined (entry block, unreachable code)
 *   reads as zero (an iconst/fNconst/vconst 0 at the top of that block).
 * - No recursion: reads run on an explicit stack of frames.
 */
import { Function, Block, Value, NONE, VK_PARAM } from '../ir/function';
import { Op } from '../ir/opcodes';
import * as T from '../ir/types';

export type Variable = number;

/** Variables are dense ids; the limit keeps a runaway client from exhausting memory. */
const VAR_LIMIT = 1 << 24;

// frame kinds of the explicit read stack
const FR_USE = 0;
const FR_SINGLE = 1;
const FR_MULTI = 2;

export class SSABuilder {
  /** Definitions per variable, indexed by block: value + 1, 0 = none. */
  private defs: Uint32Array[] = [];
  varTypes: T.Type[] = [];
  sealed = new Uint8Array(16);
  /** Predecessor edges per block: block-call ids. */
  preds: number[][] = [];
  /** Source block of each block call made by the builder. */
  bcSrc: number[] = [];
  /** Incomplete parameters of unsealed blocks: flat (var, param) pairs. */
  incomplete: number[][] = [];

  /** Variable of each parameter this builder created. */
  private paramVar = new Map<Value, Variable>();
  /** For each created parameter: (block, parameter) pairs it was passed to as an argument. */
  private phiUsers = new Map<Value, number[]>();
  /** Parameters whose argument lists are still being filled (not yet checkable). */
  private filling = new Set<Value>();

  // explicit stack for reads
  private stK: number[] = [];
  private stB: number[] = [];
  private stP: number[] = [];
  private stI: number[] = [];
  private results: Value[] = [];
  /** Blocks on the current single-predecessor walk (to detect unreachable cycles). */
  private walkMark = new Uint32Array(16);
  private walkEpoch = 0;

  constructor(private f: Function) {}

  declareVar(t: T.Type): Variable {
    if (this.varTypes.length >= VAR_LIMIT) throw new Error('too many variables');
    this.varTypes.push(t);
    this.defs.push(new Uint32Array(16));
    return this.varTypes.length - 1;
  }

  ensureBlock(b: Block): void {
    if (b >= this.sealed.length) {
      const s = new Uint8Array(Math.max(b + 1, this.sealed.length * 2));
      s.set(this.sealed);
      this.sealed = s;
    }
    if (b >= this.walkMark.length) {
      const w = new Uint32Array(Math.max(b + 1, this.walkMark.length * 2));
      w.set(this.walkMark);
      this.walkMark = w;
    }
    while (this.preds.length <= b) { this.preds.push([]); this.incomplete.push([]); }
  }

  def(v: Variable, b: Block, val: Value): void {
    let d = this.defs[v];
    if (b >= d.length) {
      const n = new Uint32Array(Math.max(b + 1, d.length * 2));
      n.set(d);
      this.defs[v] = d = n;
    }
    d[b] = val + 1;
  }

  private getDef(v: Variable, b: Block): Value {
    const d = this.defs[v];
    return b < d.length && d[b] !== 0 ? d[b] - 1 : NONE;
  }

  addEdge(bc: number, src: Block): void {
    const t = this.f.bcBlock[bc];
    this.ensureBlock(t);
    this.preds[t].push(bc);
    this.bcSrc[bc] = src;
  }

  /** The value of variable `v` at the current end of block `b`. */
  use(v: Variable, b: Block): Value {
    // fast path: a definition in this block (the common case)
    const d0 = this.defs[v];
    if (b < d0.length && d0[b] !== 0) return d0[b] - 1;
    const f = this.f;
    const t = this.varTypes[v];
    if (++this.walkEpoch === 0xffffffff) { this.walkMark.fill(0); this.walkEpoch = 1; }
    this.push(FR_USE, b, 0, 0);
    while (this.stK.length > 0) {
      const k = this.stK.pop()!, blk = this.stB.pop()!, p = this.stP.pop()!, idx = this.stI.pop()!;
      if (k === FR_USE) {
        const d = this.getDef(v, blk);
        if (d !== NONE) { this.results.push(d); continue; }
        this.ensureBlock(blk);
        if (!this.sealed[blk]) {
          const param = f.appendBlockParam(blk, t);
          this.paramVar.set(param, v);
          this.incomplete[blk].push(v, param);
          this.def(v, blk, param);
          this.results.push(param);
          continue;
        }
        const ps = this.preds[blk];
        if (ps.length === 0) {
          const z = this.zero(blk, t);
          this.def(v, blk, z);
          this.results.push(z);
        } else if (ps.length === 1 && this.walkMark[blk] !== this.walkEpoch) {
          // (a block seen twice on one walk is an unreachable cycle: use a parameter there)
          this.walkMark[blk] = this.walkEpoch;
          this.push(FR_SINGLE, blk, 0, 0);
          this.push(FR_USE, this.bcSrc[ps[0]], 0, 0);
        } else {
          const param = f.appendBlockParam(blk, t);
          this.paramVar.set(param, v);
          this.filling.add(param);
          this.def(v, blk, param);
          this.push(FR_MULTI, blk, param, 0);
        }
      } else if (k === FR_SINGLE) {
        // cache the value found up the single-predecessor chain
        this.def(v, blk, this.results[this.results.length - 1]);
      } else {
        const ps = this.preds[blk];
        if (idx > 0) this.pushArg(ps[idx - 1], this.results.pop()!, blk, p);
        if (idx < ps.length) {
          this.push(FR_MULTI, blk, p, idx + 1);
          this.push(FR_USE, this.bcSrc[ps[idx]], 0, 0);
        } else {
          this.filling.delete(p);
          this.results.push(this.removeTrivial(v, blk, p));
        }
      }
    }
    return this.results.pop()!;
  }

  /** Seal `b`: its predecessor set is final; complete its incomplete parameters. */
  seal(b: Block): void {
    this.ensureBlock(b);
    if (this.sealed[b]) return;
    const inc = this.incomplete[b];
    this.incomplete[b] = [];
    this.sealed[b] = 1;
    const ps = this.preds[b];
    // none of these parameters has its arguments yet: keep cascades from inspecting them early
    for (let k = 1; k < inc.length; k += 2) this.filling.add(inc[k]);
    for (let k = 0; k < inc.length; k += 2) {
      const v = inc[k], param = inc[k + 1];
      for (let e = 0; e < ps.length; e++) {
        const val = this.use(v, this.bcSrc[ps[e]]);
        this.pushArg(ps[e], val, b, param);
      }
      this.filling.delete(param);
      this.removeTrivial(v, b, param);
    }
  }

  /** Pass `val` on edge `bc` for parameter `param` of `blk`, remembering phi-to-phi uses. */
  private pushArg(bc: number, val: Value, blk: Block, param: Value): void {
    this.f.blockCallPushArg(bc, val);
    const r = this.f.resolve(val);
    if (this.paramVar.has(r)) this.usersOf(r).push(blk, param);
  }

  /**
   * If every incoming value of `param` is the same value X (or `param`), replace `param`
   * by X, then re-check the parameters `param` flowed into. Returns what `param` now is.
   */
  private removeTrivial(v: Variable, b: Block, param: Value): Value {
    const res = this.removeOne(v, b, param);
    if (res === param) return param;
    const work: number[] = [param];
    while (work.length > 0) {
      const gone = work.pop()!;
      const users = this.phiUsers.get(gone);
      if (users === undefined) continue;
      this.phiUsers.delete(gone);
      // the users now use what `gone` became; if that is a parameter, they are its users too
      const target = this.f.resolve(gone);
      const moved = this.paramVar.has(target) ? this.usersOf(target) : undefined;
      for (let k = 0; k < users.length; k += 2) {
        const ub = users[k], up = users[k + 1];
        if (this.f.vKind[up] !== VK_PARAM || this.f.vDef[up] !== ub) continue;
        // only sealed, completely filled parameters can be judged now; the others are judged later
        if (this.sealed[ub] && !this.filling.has(up) && this.removeOne(this.paramVar.get(up)!, ub, up) !== up) {
          work.push(up);
          continue;
        }
        if (moved !== undefined) moved.push(ub, up);
      }
    }
    return res;
  }

  private usersOf(v: Value): number[] {
    let u = this.phiUsers.get(v);
    if (u === undefined) { u = []; this.phiUsers.set(v, u); }
    return u;
  }

  private removeOne(v: Variable, b: Block, param: Value): Value {
    const f = this.f;
    const ps = this.preds[b];
    const idx = f.vNum[param];
    let same = NONE;
    for (let e = 0; e < ps.length; e++) {
      const a = f.resolve(f.pool[f.bcArgStart[ps[e]] + idx]);
      if (a === param || a === same) continue;
      if (same !== NONE) return param; // two different values: a real parameter
      same = a;
    }
    if (same === NONE) {
      // only self-references (or no predecessors): undefined on every path
      same = this.zero(b, f.vType[param]);
    }
    for (let e = 0; e < ps.length; e++) f.blockCallRemoveArg(ps[e], idx);
    f.removeBlockParam(b, idx);
    f.makeAlias(param, same);
    if (this.getDef(v, b) === param) this.def(v, b, same);
    return same;
  }

  /** A zero of type `t`, materialised at the top of block `b`. */
  private zero(b: Block, t: T.Type): Value {
    const f = this.f;
    let i: number;
    if (T.isVector(t)) {
      f.constants.push(new Uint8Array(16));
      i = f.makeInst(Op.Vconst, t, [], f.constants.length - 1);
    } else if (t === T.F32) i = f.makeInst(Op.F32const, T.INVALID, []);
    else if (t === T.F64) i = f.makeInst(Op.F64const, T.INVALID, []);
    else i = f.makeInst(Op.Iconst, t, []);
    if (f.bFirst[b] === NONE) f.appendInst(b, i); else f.insertInstBefore(i, f.bFirst[b]);
    return f.firstResult(i);
  }

  private push(k: number, b: number, p: number, i: number): void {
    this.stK.push(k); this.stB.push(b); this.stP.push(p); this.stI.push(i);
  }
}
