// Register allocator: a convenience builder for `RaFunction`.
//
// Used by the tests, the fuzzer and the benchmark; a lowering pass may fill
// the typed arrays of `RaFunction` directly instead. Not a hot path: it keeps
// plain growable arrays and converts them once in `finish()`.

import {
  INST_BRANCH,
  INST_MOVE,
  INST_RET,
  NUM_CLASSES,
  OperandConstraint as C,
  OperandKind as K,
  OperandPos as P,
  PReg,
  RaFunction,
  RegClass,
  assert,
  operand,
  pregClass,
  pregHw,
  fail,
} from './interface';

/** An operand as the builder takes it: [vreg, packed info word]. */
export type Op = [number, number];

export const useAny = (v: number): Op => [v, operand(C.Any, K.Use, P.Early)];
export const useReg = (v: number): Op => [v, operand(C.Reg, K.Use, P.Early)];
export const useLate = (v: number): Op => [v, operand(C.Reg, K.Use, P.Late)];
export const useStack = (v: number): Op => [v, operand(C.Stack, K.Use, P.Early)];
export const useFixed = (v: number, p: PReg): Op => [v, operand(C.Fixed, K.Use, P.Early, p)];
export const defAny = (v: number): Op => [v, operand(C.Any, K.Def, P.Late)];
export const defReg = (v: number): Op => [v, operand(C.Reg, K.Def, P.Late)];
export const defEarly = (v: number): Op => [v, operand(C.Reg, K.Def, P.Early)];
export const defStack = (v: number): Op => [v, operand(C.Stack, K.Def, P.Late)];
export const defFixed = (v: number, p: PReg): Op => [v, operand(C.Fixed, K.Def, P.Late, p)];
/** Def in the same register as operand `k` (a use) of the same instruction. */
export const defReuse = (v: number, k: number): Op => [v, operand(C.Reuse, K.Def, P.Late, k)];

export class FunctionBuilder {
  private vregCls: number[] = [];
  private blockStart: number[] = [];
  private blockParams: number[][] = [];
  private blockSuccs: number[][] = [];
  private blockArgs: number[][][] = [];
  private opStart: number[] = [];
  private opV: number[] = [];
  private opI: number[] = [];
  private flags: number[] = [];
  private clob: number[] = [];
  private masks: number[] = [];
  private cur = -1;

  vreg(cls: RegClass = RegClass.Int): number {
    this.vregCls.push(cls);
    return this.vregCls.length - 1;
  }

  vregs(n: number, cls: RegClass = RegClass.Int): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.vreg(cls));
    return out;
  }

  /** Creates `n` blocks (ids in layout order) to be filled with `begin`. */
  blocks(n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      this.blockParams.push([]);
      this.blockSuccs.push([]);
      this.blockArgs.push([]);
      this.blockStart.push(-1);
      out.push(this.blockParams.length - 1);
    }
    return out;
  }

  /** Starts filling block `b`; blocks must be begun in id order. */
  begin(b: number, params: number[] = []): void {
    if (!(b === this.cur + 1)) fail(`blocks must be filled in order (got ${b} after ${this.cur})`);
    this.cur = b;
    this.blockStart[b] = this.flags.length;
    this.blockParams[b] = params;
  }

  /** Registers a clobber set; returns its index for `inst`. */
  clobberSet(regs: PReg[]): number {
    const base = this.masks.length;
    for (let c = 0; c < NUM_CLASSES; c++) this.masks.push(0);
    for (const p of regs) this.masks[base + pregClass(p)] |= 1 << pregHw(p);
    return base / NUM_CLASSES;
  }

  inst(ops: Op[], flags = 0, clobbers = -1): number {
    assert(this.cur >= 0, 'no current block');
    this.opStart.push(this.opV.length);
    for (const [v, info] of ops) {
      this.opV.push(v);
      this.opI.push(info);
    }
    this.flags.push(flags);
    this.clob.push(clobbers);
    return this.flags.length - 1;
  }

  /** dst = src as a recognised move. */
  move(dst: number, src: number): number {
    return this.inst([useAny(src), defAny(dst)], INST_MOVE);
  }

  /** Terminator with successors and their branch args. */
  branch(succs: number[], args: number[][] = [], ops: Op[] = []): number {
    this.blockSuccs[this.cur] = succs;
    this.blockArgs[this.cur] = succs.map((_, k) => args[k] ?? []);
    return this.inst(ops, INST_BRANCH);
  }

  jump(target: number, args: number[] = []): number {
    return this.branch([target], [args]);
  }

  ret(ops: Op[] = []): number {
    return this.inst(ops, INST_BRANCH | INST_RET);
  }

  finish(loopDepth: number[] | null = null): RaFunction {
    const nb = this.blockParams.length;
    assert(this.cur === nb - 1, 'not every block was filled');
    const ni = this.flags.length;
    const blockInstStart = new Int32Array(nb + 1);
    for (let b = 0; b < nb; b++) blockInstStart[b] = this.blockStart[b];
    blockInstStart[nb] = ni;
    const blockSuccStart = new Int32Array(nb + 1);
    const succ: number[] = [];
    const argStart: number[] = [];
    const args: number[] = [];
    const preds: number[][] = [];
    for (let b = 0; b < nb; b++) preds.push([]);
    for (let b = 0; b < nb; b++) {
      blockSuccStart[b] = succ.length;
      const ss = this.blockSuccs[b];
      for (let k = 0; k < ss.length; k++) {
        succ.push(ss[k]);
        argStart.push(args.length);
        for (const a of this.blockArgs[b][k]) args.push(a);
        preds[ss[k]].push(b);
      }
    }
    blockSuccStart[nb] = succ.length;
    argStart.push(args.length);
    const blockPredStart = new Int32Array(nb + 1);
    const pred: number[] = [];
    const blockParamStart = new Int32Array(nb + 1);
    const params: number[] = [];
    for (let b = 0; b < nb; b++) {
      blockPredStart[b] = pred.length;
      for (const p of preds[b]) pred.push(p);
      blockParamStart[b] = params.length;
      for (const p of this.blockParams[b]) params.push(p);
    }
    blockPredStart[nb] = pred.length;
    blockParamStart[nb] = params.length;
    const instOpStart = new Int32Array(ni + 1);
    for (let i = 0; i < ni; i++) instOpStart[i] = this.opStart[i];
    instOpStart[ni] = this.opV.length;
    return {
      numBlocks: nb,
      numInsts: ni,
      numVRegs: this.vregCls.length,
      vregClass: Uint8Array.from(this.vregCls),
      blockInstStart,
      blockSuccStart,
      succPool: Int32Array.from(succ),
      blockPredStart,
      predPool: Int32Array.from(pred),
      blockParamStart,
      paramPool: Int32Array.from(params),
      succArgStart: Int32Array.from(argStart),
      argPool: Int32Array.from(args),
      instOpStart,
      opVReg: Int32Array.from(this.opV),
      opInfo: Int32Array.from(this.opI),
      instFlags: Uint8Array.from(this.flags),
      instClobbers: Int32Array.from(this.clob),
      clobberMasks: Int32Array.from(this.masks),
      blockLoopDepth: loopDepth === null ? null : Uint8Array.from(loopDepth),
    };
  }
}

export { INST_BRANCH, INST_MOVE, INST_RET };
