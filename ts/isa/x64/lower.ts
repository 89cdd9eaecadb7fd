/**
 * Lowering driver (isa/x64): IR function -> VCode on virtual registers.
 *
 * Pipeline position: after the block order (blockorder.ts), before register
 * allocation. Rules, one per opcode, live in lower-int.ts, lower-float.ts,
 * lower-mem.ts, lower-call.ts and lower-simd.ts (128-bit vectors) and register
 * themselves in `scalarRules` / `simdRules`; this file owns the walk, the mapping of
 * IR values to vregs, and the machinery that lets a rule fuse the instruction that
 * defines one of its operands (README.md in this folder shows how a rule is written).
 *
 * Fusion by deferral. Instructions are lowered forwards, block by block. An
 * instruction whose single result has exactly one use, in the same block, and whose
 * kind some rule can fuse (icmp, fcmp, iadd/ishl/uextend for address modes, loads)
 * is *deferred*: nothing is emitted at its position. Its user either fuses it
 * (compare+branch, compare+cmov, load into an ALU operand, base+index*scale+disp) or
 * asks for the value with `put`, which emits the deferred instruction right there,
 * just before the user. Constants and stack addresses are deferred at every use
 * count and emitted at each use (immediates are folded; the rest is cheap to
 * rematerialise). Moving a pure instruction down to its single use changes nothing;
 * loads are different: they are kept in a queue and emitted, in order, before any
 * instruction that stores, calls, has side effects or may trap (including a load
 * that is not deferred), and before the block's terminator, so their order
 * relative to everything observable is preserved. A dead instruction (no uses, no
 * effects, cannot trap) is not lowered at all.
 */
import { Function, NONE, VK_PARAM, VK_RESULT, isValueArg } from '../../ir/function';
import { Op, opFlags, opName, F_CALL, F_CAN_TRAP, F_LOAD, F_SIDE_EFFECTS, F_STORE, F_TERMINATOR } from '../../ir/opcodes';
import { MF_BIG, MF_NOTRAP, memFlagsTrapCode } from '../../ir/immediates';
import * as T from '../../ir/types';
import { BlockOrder, VB_EDGE, VB_ENTRY } from './blockorder';
import { IsaFlags, hostIsaFlags } from './flags';
import {
  AM_CONST, AM_INCOMING, AM_REG, AM_SLOT, CC_FEQ, CC_FNE, DEF_REG, FP_CMP, FP_CMPI, FP_PTEST, FP_TEST, FP_TESTI, FP_TESTRR, FP_UCOM,
  INST_BRANCH, K,
  USE_ANY, USE_REG, VCode, defFixed,
} from './inst';
import { CallAbi, LocKind, irCallAbi } from './abi';
import { RegClass, gpr, xmm } from './regs';
import { Cond, SseOp } from './encode';

/** A lowering rule: emits the VCode for IR instruction `i` (results via `cx.def`). */
export type Rule = (cx: Lower, i: number) => void;

/** Rules for scalar (and type-generic) instructions, by opcode. */
export const scalarRules: (Rule | undefined)[] = new Array(Op.COUNT).fill(undefined);
/** Rules for instructions on 128-bit vectors, by opcode (lower-simd.ts); tried first for vector-typed instructions. */
export const simdRules: (Rule | undefined)[] = new Array(Op.COUNT).fill(undefined);

/**
 * Vector opcodes a vector rule may fuse into its user (lower-simd*.ts: widening into
 * multiplies and conversions, conversions into narrowing, reductions into branches):
 * deferred like the fusable scalar instructions when vector-typed and single-use.
 */
export const simdDeferrable = new Uint8Array(Op.COUNT);
/** Flags producers for deferred vector reductions used as conditions (vany_true, vall_true): fill `cond`. */
export const simdCondRules: (((cx: Lower, d: number, cond: CondSpec) => void) | undefined)[] = new Array(Op.COUNT).fill(undefined);

export function registerRule(op: Op, rule: Rule): void {
  scalarRules[op] = rule;
}
export function registerSimdRule(op: Op, rule: Rule): void {
  simdRules[op] = rule;
}

/** The function uses something this backend does not implement (a compile error, not a bug). */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}

export function unsupported(msg: string): never {
  throw new UnsupportedError(msg);
}

// per-instruction lowering state
const ST_NONE = 0;
const ST_DEFERRED = 1;
const ST_DONE = 2;
/** Fused into its user: never emitted. */
const ST_CONSUMED = 3;

/** An address mode being built (see computeAmode); reused. */
export class AmodeSpec {
  kind = AM_REG;
  base = -1;
  index = -1;
  shift = 0;
  disp = 0;
  aux = 0;
}

/** Register class of an IR type. */
export function classOf(t: T.Type): RegClass {
  // f128 travels as an opaque 128-bit value (moves, loads, stores, selects)
  if (!T.isCoreType(t) && t !== T.F128) unsupported(`values of type ${T.typeName(t)}`);
  return T.isInt(t) ? RegClass.Int : RegClass.Float;
}

/** Operand size for integer ALU work on type `t`: 8 for i64, else 4 (narrow upper bits are don't-care). */
export function aluSize(t: T.Type): number {
  return t === T.I64 ? 8 : 4;
}

/** Steps of the stack-limit global value chain, for the prologue. */
export interface StackLimitChain {
  /** Where the vmctx parameter is: a register (hw) or an incoming stack offset. */
  vmctxReg: number;
  vmctxStack: number;
  /** `load` (offset) or `add` (offset) steps in order. */
  ops: number[];
  offsets: number[];
}

export class Lower {
  f!: Function;
  readonly vc = new VCode();
  readonly order = new BlockOrder();
  isa: IsaFlags = hostIsaFlags();

  /** vreg of each IR value (-1: none yet). */
  private valueVReg = new Int32Array(256);
  private uses = new Uint32Array(0);
  /** The instruction using a value (meaningful when it has one use). */
  private user = new Uint32Array(256);
  private state = new Uint8Array(256);
  /** Length of the chain of deferred instructions ending at each deferred instruction. */
  private deferDepth = new Uint8Array(256);
  private pending: number[] = [];

  /** IR instruction being lowered (for source locations and trap codes). */
  cur = NONE;
  /** Its source location. */
  curLine = 0;
  /** The function's own convention. */
  abi!: CallAbi;
  /** vreg of the hidden return-area pointer, or -1. */
  retPtr = -1;
  /** Bytes of outgoing arguments + call return areas (max over calls). */
  outgoing = 0;
  /** Offset of each explicit stack slot in the slot area, and the area's size. */
  slotOffset: number[] = [];
  slotArea = 0;
  stackLimit: StackLimitChain | null = null;
  /** IR instructions lowered (statistics). */
  irInsts = 0;

  readonly am = new AmodeSpec();

  lower(f: Function, isa: IsaFlags): VCode {
    this.f = f;
    this.isa = isa;
    const vc = this.vc;
    vc.reset();
    this.pending.length = 0;
    this.outgoing = 0;
    this.retPtr = -1;
    this.irInsts = 0;
    const nv = f.valueCount;
    if (this.valueVReg.length < nv) {
      this.valueVReg = new Int32Array(nv * 2);
      this.user = new Uint32Array(nv * 2);
    }
    this.valueVReg.fill(-1, 0, nv);
    if (this.state.length < f.instCount) {
      this.state = new Uint8Array(f.instCount * 2);
      this.deferDepth = new Uint8Array(f.instCount * 2);
    }
    this.state.fill(ST_NONE, 0, f.instCount);
    this.countUses();
    this.layoutSlots();
    this.order.compute(f);
    this.abi = irCallAbi(f.sig.params.map((p) => p.type), f.sig.returns.map((p) => p.type));
    this.stackLimit = this.stackLimitChain();

    const ord = this.order;
    for (let vb = 0; vb < ord.count; vb++) {
      const kind = ord.vKind[vb];
      const irb = ord.vIrBlock[vb];
      if (kind === VB_ENTRY) {
        vc.beginBlock([], 0, false);
        const params = this.emitArgs();
        this.cur = NONE;
        this.curLine = 0;
        vc.begin(K.Jmp, 0);
        this.endInst(INST_BRANCH);
        vc.addSucc(ord.irToV[irb], params);
      } else if (kind === VB_EDGE) {
        vc.beginBlock([], 0, false);
        const term = f.bLast[irb];
        this.cur = term;
        this.curLine = f.iLine[term];
        const c = f.dest(term, ord.vEdgeDest[vb]);
        const args = this.blockCallArgs(c);
        vc.begin(K.Jmp, 0);
        this.endInst(INST_BRANCH);
        vc.addSucc(ord.vEdgeTarget[vb], args);
      } else {
        const isEntry = irb === f.firstBlock && !ord.syntheticEntry;
        const params: number[] = [];
        if (!isEntry) for (let k = 0; k < f.bParamLen[irb]; k++) params.push(this.valueReg(f.blockParam(irb, k)));
        vc.beginBlock(params, 0, false);
        if (isEntry) {
          const p = this.emitArgs();
          for (let k = 0; k < p.length; k++) this.setValueReg(f.blockParam(irb, k), p[k]);
        }
        this.lowerBlock(irb);
      }
    }
    vc.finishBlocks();
    return vc;
  }

  // ---- per-function analyses ----

  private countUses(): void {
    const f = this.f;
    if (this.uses.length < f.valueCount) this.uses = new Uint32Array(f.valueCount * 2);
    const uses = this.uses;
    uses.fill(0, 0, f.valueCount);
    const user = this.user;
    for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
      for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
        const s = f.iArgStart[i];
        const n = f.iArgLen[i];
        for (let k = 0; k < n; k++) {
          const v = f.resolve(f.pool[s + k]);
          uses[v]++;
          user[v] = i;
        }
        const dn = f.destCount(i);
        for (let d = 0; d < dn; d++) {
          const c = f.dest(i, d);
          for (let k = 0; k < f.bcArgLen[c]; k++) {
            const a = f.pool[f.bcArgStart[c] + k];
            if (!isValueArg(a)) continue;
            const v = f.resolve(a);
            uses[v]++;
            user[v] = i;
          }
        }
      }
    }
  }

  private layoutSlots(): void {
    const f = this.f;
    this.slotOffset.length = 0;
    let off = 0;
    for (const s of f.stackSlots) {
      const align = Math.min(Math.max(s.align, 1), 16);
      off = (off + align - 1) & -align;
      this.slotOffset.push(off);
      off += s.size;
    }
    this.slotArea = (off + 15) & ~15;
  }

  /** The stack_limit global value as a chain of loads/adds from the vmctx parameter. */
  private stackLimitChain(): StackLimitChain | null {
    const f = this.f;
    if (f.stackLimit === NONE) return null;
    const ops: number[] = [];
    const offsets: number[] = [];
    let gv = f.stackLimit;
    for (let guard = 0; ; guard++) {
      if (guard > 64) unsupported('stack_limit: global value chain too long');
      const g = f.globalValues[gv];
      if (g === undefined) unsupported(`stack_limit: undeclared gv${gv}`);
      if (g.kind === 'vmctx') break;
      if (g.kind === 'load') {
        ops.push(0);
        offsets.push(g.offset);
        gv = g.base;
      } else if (g.kind === 'iadd_imm') {
        ops.push(1);
        offsets.push(g.offset);
        gv = g.base;
      } else {
        unsupported(`stack_limit: global value kind ${g.kind}`);
      }
    }
    ops.reverse();
    offsets.reverse();
    const k = f.sig.params.findIndex((p) => p.purpose === 'vmctx');
    if (k < 0) unsupported('stack_limit needs a vmctx parameter');
    const loc = this.abi.params[k];
    return {
      vmctxReg: loc.kind === LocKind.Reg ? loc.reg : -1,
      vmctxStack: loc.kind === LocKind.Stack ? loc.offset : -1,
      ops, offsets,
    };
  }

  /** Entry: the Args instruction and loads of stack parameters; returns the parameters' vregs. */
  private emitArgs(): number[] {
    const f = this.f;
    const vc = this.vc;
    const abi = this.abi;
    this.cur = NONE;
    this.curLine = 0;
    const out: number[] = [];
    const n = f.sig.params.length;
    for (let k = 0; k < n; k++) out.push(vc.newVReg(classOf(f.sig.params[k].type)));
    if (abi.retAreaReg >= 0) this.retPtr = vc.newVReg(RegClass.Int);
    vc.begin(K.Args, 0);
    for (let k = 0; k < n; k++) {
      const loc = abi.params[k];
      if (loc.kind === LocKind.Reg) vc.op(out[k], defFixed(loc.float ? xmm(loc.reg) : gpr(loc.reg)));
    }
    if (this.retPtr >= 0) vc.op(this.retPtr, defFixed(gpr(abi.retAreaReg)));
    this.endInst();
    for (let k = 0; k < n; k++) {
      const loc = abi.params[k];
      if (loc.kind !== LocKind.Stack) continue;
      const t = loc.type;
      let i: number;
      if (T.isInt(t)) i = vc.begin(K.Load, T.bytes(t) <= 4 ? 4 : 8, 0, 0);
      else i = vc.begin(K.XLoad, 0, T.bytes(t) === 4 ? SseOp.MOVSS : T.bytes(t) === 8 ? SseOp.MOVSD : SseOp.MOVDQU);
      vc.op(out[k], DEF_REG);
      vc.setAmode(i, AM_INCOMING, loc.offset, 0, -1, -1, 0);
      this.endInst();
    }
    return out;
  }

  // ---- the walk ----

  private lowerBlock(b: number): void {
    const f = this.f;
    for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
      const op = f.iOp[i] as Op;
      const fl = opFlags[op];
      if (this.state[i] !== ST_NONE) continue;
      this.irInsts++;
      if (isRemat(op)) {
        this.state[i] = ST_DEFERRED;
        continue;
      }
      if ((fl & F_TERMINATOR) === 0 && this.isDead(i)) continue;
      if ((T.isVector(f.iType[i]) ? simdDeferrable[op] !== 0 : canDefer(op)) && f.iResLen[i] === 1 &&
        (fl & F_LOAD) === 0 && this.singleLocalUse(i) && this.deferOk(i)) {
        this.state[i] = ST_DEFERRED;
        continue;
      }
      if (isPlainLoad(op) && this.singleLocalUse(i) && (f.iImm0[i] & MF_BIG) === 0 && this.deferOk(i)) {
        this.state[i] = ST_DEFERRED;
        this.pending.push(i);
        continue;
      }
      if ((fl & (F_STORE | F_CALL | F_SIDE_EFFECTS | F_CAN_TRAP | F_TERMINATOR | F_LOAD)) !== 0) this.flushPending(-1);
      this.lowerInst(i);
    }
  }

  /**
   * May `i` be deferred? Chains of deferred instructions are emitted by recursion
   * when their last user asks for them, so their depth is bounded (MAX_DEFER_DEPTH):
   * a long chain (a thousand nested single-use adds) is emitted as it comes.
   */
  private deferOk(i: number): boolean {
    const f = this.f;
    let depth = 0;
    for (let k = 0; k < f.iArgLen[i]; k++) {
      const v = f.resolve(f.pool[f.iArgStart[i] + k]);
      if (f.vKind[v] !== VK_RESULT) continue;
      const d = f.vDef[v];
      if (this.state[d] === ST_DEFERRED && !isRemat(f.iOp[d] as Op) && this.deferDepth[d] > depth) depth = this.deferDepth[d];
    }
    if (depth >= MAX_DEFER_DEPTH) return false;
    this.deferDepth[i] = depth + 1;
    return true;
  }

  /** Number of uses of value `v` (aliases resolved) in the function. */
  useCount(v: number): number {
    return this.uses[this.f.resolve(v)];
  }

  /** Does the single result of `i` have exactly one use, in `i`'s block? */
  private singleLocalUse(i: number): boolean {
    const f = this.f;
    const v = f.pool[f.iResStart[i]];
    return this.uses[v] === 1 && f.iBlock[this.user[v]] === f.iBlock[i];
  }

  private isDead(i: number): boolean {
    const f = this.f;
    const op = f.iOp[i] as Op;
    const fl = opFlags[op];
    if ((fl & (F_STORE | F_CALL | F_SIDE_EFFECTS | F_TERMINATOR)) !== 0) return false;
    if ((fl & F_CAN_TRAP) !== 0) {
      if ((fl & F_LOAD) === 0 || (f.iImm0[i] & MF_NOTRAP) === 0) return false;
    }
    for (let k = 0; k < f.iResLen[i]; k++) if (this.uses[f.pool[f.iResStart[i] + k]] !== 0) return false;
    return true;
  }

  private lowerInst(i: number): void {
    const f = this.f;
    const saveCur = this.cur;
    const saveLine = this.curLine;
    this.cur = i;
    this.curLine = f.iLine[i];
    const op = f.iOp[i] as Op;
    let rule: Rule | undefined = simdRules[op];
    if (rule === undefined || !this.isVectorInst(i)) rule = scalarRules[op];
    if (rule === undefined) unsupported(`opcode ${opName[op]}${this.isVectorInst(i) ? ' on vectors' : ''} is not implemented by the x64 backend`);
    this.state[i] = ST_DONE;
    rule(this, i);
    this.cur = saveCur;
    this.curLine = saveLine;
  }

  /** Does the instruction have a 128-bit vector controlling type, argument or result? */
  isVectorInst(i: number): boolean {
    const f = this.f;
    if (T.isVector(f.iType[i])) return true;
    for (let k = 0; k < f.iResLen[i]; k++) if (T.isVector(f.vType[f.pool[f.iResStart[i] + k]])) return true;
    for (let k = 0; k < f.iArgLen[i]; k++) if (T.isVector(f.vType[f.resolve(f.pool[f.iArgStart[i] + k])])) return true;
    return false;
  }

  /** Emit every pending load queued before `upto` (all of them when -1). */
  private flushPending(upto: number): void {
    const p = this.pending;
    let k = 0;
    for (; k < p.length; k++) {
      const i = p[k];
      if (i === upto) break;
      if (this.state[i] === ST_DEFERRED) this.lowerInst(i);
    }
    p.splice(0, upto === -1 ? p.length : k);
  }

  // ---- values ----

  /** The vreg of value `v` (a result or block parameter), created on first mention. */
  valueReg(v: number): number {
    v = this.f.resolve(v);
    let r = this.valueVReg[v];
    if (r < 0) {
      r = this.vc.newVReg(classOf(this.f.vType[v]));
      this.valueVReg[v] = r;
    }
    return r;
  }

  private setValueReg(v: number, r: number): void {
    this.valueVReg[this.f.resolve(v)] = r;
  }

  /** The vreg to write result `k` of the current instruction into. */
  def(i: number, k = 0): number {
    return this.valueReg(this.f.pool[this.f.iResStart[i] + k]);
  }

  /**
   * Make result `k` of `i` the same vreg as `src` (a copy that costs nothing), or
   * emit a move when the result already has a vreg of its own.
   */
  alias(i: number, k: number, src: number): void {
    const v = this.f.resolve(this.f.pool[this.f.iResStart[i] + k]);
    const have = this.valueVReg[v];
    if (have < 0) {
      this.valueVReg[v] = src;
      return;
    }
    this.move(have, src);
  }

  /** Emit dst = src (same class). */
  move(dst: number, src: number): void {
    const vc = this.vc;
    vc.begin(K.Move, 0);
    vc.op(src, USE_ANY);
    vc.op(dst, operandDefAny);
    this.endInst(4 /* INST_MOVE */);
  }

  /** A fresh vreg holding a copy of `src` (when one vreg cannot fill two roles of an instruction). */
  copy(src: number): number {
    const d = this.vc.newVReg(this.vc.vregClass[src]);
    this.move(d, src);
    return d;
  }

  /** Value `v` in a register: emits its deferred definition here if needed. */
  put(v: number): number {
    const f = this.f;
    v = f.resolve(v);
    if (f.vKind[v] === VK_RESULT) {
      const d = f.vDef[v];
      if (this.state[d] === ST_DEFERRED) {
        if (isRemat(f.iOp[d] as Op)) {
          // a fresh copy per use
          this.valueVReg[v] = -1;
          this.lowerInst(d);
          this.state[d] = ST_DEFERRED;
          const r = this.valueVReg[v];
          this.valueVReg[v] = -1;
          return r;
        }
        if (isPlainLoad(f.iOp[d] as Op)) this.flushPending(d);
        this.lowerInst(d);
      } else if (this.state[d] === ST_CONSUMED) {
        throw new Error(`lower: v${v} was fused into its user and cannot be used again`);
      }
    }
    return this.valueReg(v);
  }

  /** The instruction defining `v` if it is still deferred (a fusion candidate), else -1. */
  deferredDef(v: number): number {
    const f = this.f;
    v = f.resolve(v);
    if (f.vKind[v] !== VK_RESULT) return -1;
    const d = f.vDef[v];
    return this.state[d] === ST_DEFERRED ? d : -1;
  }

  /** The instruction defining `v` if it is a deferred (fusable) load, else -1. */
  deferredLoad(v: number): number {
    const d = this.deferredDef(v);
    return d >= 0 && isPlainLoad(this.f.iOp[d] as Op) ? d : -1;
  }

  /** The defining instruction of `v` (resolved), or -1 for block parameters. */
  defInst(v: number): number {
    const f = this.f;
    v = f.resolve(v);
    return f.vKind[v] === VK_RESULT ? f.vDef[v] : -1;
  }

  /** Mark a deferred instruction as fused into the current one. */
  consume(d: number): void {
    this.state[d] = ST_CONSUMED;
  }

  /** Is `v` an iconst? Then iconstLo/iconstHi give its bits (zero-extended to the type). */
  isIconst(v: number): boolean {
    const d = this.defInst(v);
    return d >= 0 && this.f.iOp[d] === Op.Iconst;
  }
  iconstLo(v: number): number {
    return this.f.iImm0[this.defInst(v)];
  }
  iconstHi(v: number): number {
    return this.f.iImm1[this.defInst(v)];
  }

  /**
   * `v` as an imm32 for an operation of `size` bytes, or NaN. At 8 bytes the
   * immediate is sign-extended, so the 64-bit value must be one; narrower
   * operations only look at the low bits.
   */
  imm32(v: number, size: number): number {
    if (!this.isIconst(v)) return NaN;
    const lo = this.iconstLo(v);
    if (size < 8) return lo | 0;
    const hi = this.iconstHi(v);
    return (hi === 0 && lo >= 0) || (hi === -1 && lo < 0) ? lo | 0 : NaN;
  }

  /**
   * Fuse a deferred plain load defining `v` into the current instruction as its
   * memory operand, when it reads exactly `width` bytes without extension. Earlier
   * queued loads are emitted first. Returns the load instruction (its address is
   * then computed with `loadAmode`), or -1. Vector loads only with `vector` (VEX
   * forms: a non-VEX SSE memory operand would need 16-byte alignment).
   */
  sinkLoad(v: number, width: number, vector = false): number {
    const d = this.deferredDef(v);
    if (d < 0) return -1;
    const f = this.f;
    const op = f.iOp[d] as Op;
    if (op !== Op.Load || T.bytes(f.iType[d]) !== width || (T.isVector(f.iType[d]) && !vector)) return -1;
    this.flushPending(d);
    const p = this.pending;
    if (p.length > 0 && p[0] === d) p.shift();
    this.state[d] = ST_CONSUMED;
    return d;
  }

  /** Address of load/store `d` (its address argument `addrArg` + offset) into `this.am`; returns the trap code. */
  loadAmode(d: number, addrArg: number): number {
    const f = this.f;
    this.computeAmode(f.arg(d, addrArg), f.iImm1[d], this.am);
    return memFlagsTrapCode(f.iImm0[d]);
  }

  /**
   * An address mode for `addr + offset`: folds a deferred stack_addr (slot
   * addressing), iadd (base + index), ishl by 0..3 (scaled index) and iconst
   * (displacement). Emits what it must (put) and leaves the result in `am`.
   */
  computeAmode(addr: number, offset: number, am: AmodeSpec): void {
    // `put` may emit deferred instructions whose rules build address modes or pool
    // operands in `this.am` (often the very `am` being built here): every field of
    // `am` is written only after the last `put`.
    const f = this.f;
    const d = this.deferredDef(addr);
    if (d >= 0) {
      const op = f.iOp[d] as Op;
      if (op === Op.StackAddr) {
        const disp = this.slotOffset[f.iImm0[d]] + f.iImm1[d] + offset;
        if (disp === (disp | 0)) {
          this.setAmodeFields(am, AM_SLOT, -1, -1, 0, disp);
          return;
        }
      } else if (op === Op.Iadd && f.iType[d] === T.I64) {
        let x = f.arg(d, 0);
        let y = f.arg(d, 1);
        if (this.isIconst(x)) { const t = x; x = y; y = t; }
        const c = this.imm32(y, 8);
        if (!Number.isNaN(c) && fitsI32(offset + c)) {
          this.consume(d);
          this.computeAmode(x, offset + c, am);
          return;
        }
        this.consume(d);
        // scaled index from a deferred ishl by 0..3
        let idx = y;
        let shift = 0;
        const s = this.deferredDef(y);
        if (s >= 0 && f.iOp[s] === Op.Ishl && f.iType[s] === T.I64 && this.isIconst(f.arg(s, 1))) {
          const k = this.iconstLo(f.arg(s, 1)) & 63;
          if (k <= 3) {
            this.consume(s);
            idx = f.arg(s, 0);
            shift = k;
          }
        }
        const base = this.put(x);
        const index = this.put(idx);
        this.setAmodeFields(am, AM_REG, base, index, shift, offset);
        return;
      }
    }
    // (an absolute address, an iconst, is a base register holding it: never a pool operand)
    const base = this.put(addr);
    this.setAmodeFields(am, AM_REG, base, -1, 0, offset);
  }

  private setAmodeFields(am: AmodeSpec, kind: number, base: number, index: number, shift: number, disp: number): void {
    am.kind = kind;
    am.base = base;
    am.index = index;
    am.shift = shift;
    am.disp = disp;
    am.aux = 0;
  }

  /** Attach `am` to instruction `i` (being built): adds the base/index operands. */
  applyAmode(i: number, am: AmodeSpec): void {
    const vc = this.vc;
    if (am.kind !== AM_REG) {
      vc.setAmode(i, am.kind, am.disp, 0, -1, -1, am.aux);
      return;
    }
    const b = vc.op(am.base, USE_REG);
    const x = am.index >= 0 ? vc.op(am.index, USE_REG) : -1;
    vc.setAmode(i, AM_REG, am.disp, am.shift, b, x, 0);
  }

  /** A pool constant as a memory operand. */
  constAmode(bytes: Uint8Array, am: AmodeSpec): void {
    am.kind = AM_CONST;
    am.base = -1;
    am.index = -1;
    am.shift = 0;
    am.disp = 0;
    am.aux = this.vc.constant(bytes);
  }

  /** Finish the instruction being built with the current source location; returns its index. */
  endInst(flags = 0): number {
    const i = this.vc.end(flags);
    this.vc.srcloc[i] = this.curLine;
    return i;
  }

  // ---- branches ----

  /** vregs of the arguments of block call `c` (emitting constants as needed). */
  blockCallArgs(c: number): number[] {
    const f = this.f;
    const out: number[] = [];
    for (let k = 0; k < f.bcArgLen[c]; k++) {
      const a = f.pool[f.bcArgStart[c] + k];
      if (!isValueArg(a)) unsupported('exception-handling block arguments');
      out.push(this.put(a));
    }
    return out;
  }

  /**
   * Successor list of terminator `term` for the VCode block being built: computes
   * the branch arguments (call before beginning the terminator instruction, since it
   * may emit) and returns a function that adds the successor slots.
   */
  prepareSuccs(term: number): { targets: number[]; args: number[][] } {
    const f = this.f;
    const ord = this.order;
    const b = f.iBlock[term];
    const base = ord.destBase[b];
    const n = f.destCount(term);
    const targets: number[] = [];
    const args: number[][] = [];
    for (let d = 0; d < n; d++) {
      targets.push(ord.destV[base + d]);
      args.push(ord.destEdge[base + d] !== 0 ? [] : this.blockCallArgs(f.dest(term, d)));
    }
    return { targets, args };
  }

  addSuccs(s: { targets: number[]; args: number[][] }): void {
    for (let k = 0; k < s.targets.length; k++) this.vc.addSucc(s.targets[k], s.args[k]);
  }

  /**
   * Is `v`'s vreg known to hold its value zero-extended to 64 bits? Every i32 is
   * (an invariant of this backend and its calling convention: 32-bit operations
   * zero the upper half, loads and moves keep it, ireduce to i32 emits a 32-bit mov,
   * and i32 arguments and results cross calls zero-extended). Narrow values are when
   * they come from a compare, an overflow flag or a plain narrow load (movzx).
   */
  isZext(v: number): boolean {
    const f = this.f;
    v = f.resolve(v);
    const t = f.vType[v];
    if (t === T.I32) return true;
    if ((t !== T.I8 && t !== T.I16) || f.vKind[v] === VK_PARAM) return false;
    const d = f.vDef[v];
    switch (f.iOp[d] as Op) {
      case Op.Icmp: case Op.Fcmp: case Op.Load:
        return true;
      case Op.SaddOverflow: case Op.UaddOverflow: case Op.SsubOverflow: case Op.UsubOverflow:
      case Op.SmulOverflow: case Op.UmulOverflow:
        return f.vNum[v] === 1;
      default:
        return false;
    }
  }

  // ---- conditions ----

  /**
   * The flags producer for "`v` is true" (non-zero): a deferred icmp or fcmp defining
   * `v` is fused (consumed), otherwise `test v, v`. Emits what it must; fills `cond`.
   */
  condOf(v: number, cond: CondSpec): void {
    const f = this.f;
    const d = this.deferredDef(v);
    if (d >= 0 && f.iOp[d] === Op.Icmp) {
      this.consume(d);
      this.compare(f.arg(d, 0), f.arg(d, 1), f.iImm0[d], cond);
      return;
    }
    if (d >= 0 && f.iOp[d] === Op.Fcmp) {
      this.consume(d);
      this.fcompare(f.arg(d, 0), f.arg(d, 1), f.iImm0[d], cond);
      return;
    }
    const vr = d >= 0 ? simdCondRules[f.iOp[d]] : undefined;
    if (vr !== undefined) {
      this.consume(d);
      vr(this, d, cond);
      return;
    }
    if (d >= 0 && f.iOp[d] === Op.Band && T.isInt(f.iType[d])) {
      // "band x, y is non-zero": test x, y (no result needed)
      this.testBand(d, cond);
      cond.cc = Cond.NE;
      return;
    }
    const x = this.put(v);
    cond.fp = FP_TEST;
    cond.cc = Cond.NE;
    cond.size = T.bytes(f.vType[f.resolve(v)]);
    cond.x = x;
    cond.y = -1;
    cond.imm = 0;
  }

  /** Flags for integer comparison `x <cc> y` (IntCC). */
  compare(x: number, y: number, intcc: number, cond: CondSpec): void {
    const size = T.bytes(this.f.vType[this.f.resolve(x)]);
    let cc = INTCC_TO_COND[intcc];
    if (this.isIconst(x) && !this.isIconst(y)) {
      const t = x; x = y; y = t;
      cc = swapCond(cc);
    }
    if ((cc === Cond.E || cc === Cond.NE) && this.isIconst(y) && this.iconstLo(y) === 0 && this.iconstHi(y) === 0) {
      const d = this.deferredDef(x);
      if (d >= 0 && this.f.iOp[d] === Op.Band) {
        // (x & m) == 0: test x, m
        this.testBand(d, cond);
        cond.cc = cc;
        return;
      }
    }
    const imm = this.imm32(y, size);
    const xr = this.put(x);
    const yr = Number.isNaN(imm) ? this.put(y) : -1;
    cond.size = size;
    cond.fp = Number.isNaN(imm) ? FP_CMP : FP_CMPI;
    cond.x = xr;
    cond.y = yr;
    cond.imm = Number.isNaN(imm) ? 0 : imm;
    cond.cc = cc;
  }

  /** Fuse deferred `band` d into a test of its operands (ZF set when the and is zero). */
  private testBand(d: number, cond: CondSpec): void {
    const f = this.f;
    this.consume(d);
    const size = T.bytes(f.iType[d]);
    let a = f.arg(d, 0);
    let b = f.arg(d, 1);
    if (this.isIconst(a)) { const s = a; a = b; b = s; }
    const imm = this.imm32(b, size);
    const xr = this.put(a);
    const yr = Number.isNaN(imm) ? this.put(b) : -1;
    cond.fp = Number.isNaN(imm) ? FP_TESTRR : FP_TESTI;
    cond.size = size;
    cond.x = xr;
    cond.y = yr;
    cond.imm = Number.isNaN(imm) ? 0 : imm;
  }

  /** Flags for float comparison `x <cc> y` (FloatCC). */
  fcompare(x: number, y: number, floatcc: number, cond: CondSpec): void {
    const swap = FLOATCC_SWAP[floatcc] !== 0;
    const xr = this.put(swap ? y : x);
    const yr = this.put(swap ? x : y);
    cond.fp = FP_UCOM;
    cond.size = T.bytes(this.f.vType[this.f.resolve(x)]);
    cond.cc = FLOATCC_TO_COND[floatcc];
    cond.x = xr;
    cond.y = yr;
    cond.imm = 0;
  }

  /** Add the producer's operands to the instruction being built. */
  addProducer(cond: CondSpec): void {
    const vc = this.vc;
    switch (cond.fp) {
      case FP_TEST: vc.op(cond.x, USE_REG); break;
      case FP_CMP: vc.op(cond.x, USE_REG); vc.op(cond.y, USE_ANY); break;
      case FP_CMPI: case FP_TESTI: vc.op(cond.x, USE_ANY); break;
      case FP_TESTRR: case FP_PTEST: vc.op(cond.x, USE_REG); vc.op(cond.y, USE_ANY); break;
      default: vc.op(cond.x, USE_REG); vc.op(cond.y, USE_ANY); break;
    }
  }

  /** Begin an instruction of `kind` carrying the producer `cond` (and its operands). */
  beginCond(kind: K, cond: CondSpec, cc: number, c = 0): number {
    const i = this.vc.begin(kind, cond.size, cond.fp | (cc << 4), cond.imm, c);
    this.addProducer(cond);
    return i;
  }
}

/** A flags producer and condition (see inst.ts, "Flags producers"). */
export class CondSpec {
  fp = FP_TEST;
  cc = 0;
  size = 4;
  x = -1;
  y = -1;
  imm = 0;
}

/** Invert an extended condition (x86 cc, CC_FEQ, CC_FNE). */
export function invertCC(cc: number): number {
  if (cc < 16) return cc ^ 1;
  return cc === CC_FEQ ? CC_FNE : CC_FEQ;
}

/** The condition for swapped operands (a < b  <=>  b > a). */
export function swapCond(cc: number): number {
  switch (cc as Cond) {
    case Cond.L: return Cond.G;
    case Cond.G: return Cond.L;
    case Cond.LE: return Cond.GE;
    case Cond.GE: return Cond.LE;
    case Cond.B: return Cond.A;
    case Cond.A: return Cond.B;
    case Cond.BE: return Cond.AE;
    case Cond.AE: return Cond.BE;
    default: return cc;
  }
}

/** IntCC (eq ne slt sge sgt sle ult uge ugt ule) to x86 conditions. */
export const INTCC_TO_COND = [Cond.E, Cond.NE, Cond.L, Cond.GE, Cond.G, Cond.LE, Cond.B, Cond.AE, Cond.A, Cond.BE];
/** FloatCC (eq ne lt le gt ge ord uno one ueq ult ule ugt uge) after ucomis of (x, y) or, when swapped, (y, x). */
const FLOATCC_TO_COND = [CC_FEQ, CC_FNE, Cond.A, Cond.AE, Cond.A, Cond.AE, Cond.NP, Cond.P, Cond.NE, Cond.E,
  Cond.B, Cond.BE, Cond.B, Cond.BE];
const FLOATCC_SWAP = [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1];

const operandDefAny = 0 | (1 << 3) | (1 << 4); // Any, Def, Late
/** Longest chain of deferred instructions (bounds the recursion that emits them). */
const MAX_DEFER_DEPTH = 8;

function fitsI32(x: number): boolean {
  return x === (x | 0);
}

/** Instructions emitted afresh at each use (or folded): constants and addresses without operands. */
function isRemat(op: Op): boolean {
  return op === Op.Iconst || op === Op.F32const || op === Op.F64const || op === Op.Vconst || op === Op.StackAddr ||
    op === Op.FuncAddr;
}

/** Pure instructions some rule can fuse into its user. */
function canDefer(op: Op): boolean {
  return op === Op.Icmp || op === Op.Fcmp || op === Op.Iadd || op === Op.Ishl || op === Op.Uextend || op === Op.Band;
}

function isPlainLoad(op: Op): boolean {
  return op === Op.Load || op === Op.Uload8 || op === Op.Sload8 || op === Op.Uload16 || op === Op.Sload16 ||
    op === Op.Uload32 || op === Op.Sload32;
}

export { USE_REG, USE_ANY, DEF_REG };
