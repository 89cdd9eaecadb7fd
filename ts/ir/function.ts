/**
 * The IR function: data-flow graph and layout in typed-array columns (ir/).
 *
 * Entities are dense numeric ids: values, instructions, blocks, block calls
 * (a branch destination with its arguments), jump tables, plus small side tables
 * for stack slots, global values, signatures, external functions and constants.
 * Variable-length lists (arguments, results, block parameters, jump-table entries)
 * live in one pooled Uint32Array addressed by (start, length); a list that grows
 * and is not at the end of the pool is moved to the end (the old copy is garbage
 * until the function is reset).
 *
 * Numbering may have holes: the parser keeps the `v12`/`block3` numbers of the
 * text so that diagnostics and round trips talk about the same names. A hole is a
 * value with kind VK_NONE or a block without the BF_EXISTS flag.
 *
 * Instruction immediates (three Int32 columns), by format:
 *   UnaryImm: imm0/imm1 = low/high 32 bits of the 64-bit constant (zero-extended to the type width)
 *   UnaryIeee16/32: imm0 = bits; UnaryIeee64: imm0/imm1 = low/high bits; UnaryConst, Shuffle: imm0 = constant
 *   BinaryImm8/TernaryImm8: imm0 = lane; IntCompare/FloatCompare: imm0 = condition code
 *   Load/Store: imm0 = mem flags, imm1 = offset; LoadNoOffset/StoreNoOffset: imm0 = flags
 *   AtomicRmw: imm0 = flags, imm1 = AtomicOp; AtomicCas: imm0 = flags
 *   StackAddr: imm0 = slot, imm1 = offset; FuncAddr/Call: imm0 = ext func; CallIndirect: imm0 = sig
 *   UnaryGlobalValue: imm0 = global value
 *   Jump: imm0 = block call; Brif: imm0/imm1 = then/else block calls; BranchTable: imm0 = jump table
 *   TryCall: imm0 = ext func, imm1 = sig, imm2 = jump table [normal, handlers...] with tags in exTags;
 *   TryCallIndirect: same with the callee as argument 0 (imm0 unused)
 *   Block-call arguments of try_call destinations may be the call's results or the
 *   exception payload: encoded as BCA_RET | k / BCA_EXN | k instead of a value.
 *   Trap/CondTrap/IntAddTrap: imm0 = trap code
 */
import { Op, Fmt, opFormat, opResults, opFlags, tokType, F_BRANCH } from './opcodes';
import * as T from './types';

export const NONE = 0xffffffff;

/** Block-call argument kinds besides plain values (only in try_call destinations). */
export const BCA_RET = 0x40000000;
export const BCA_EXN = 0x80000000;
/** Is a block-call argument a plain value (not a try_call `retN`/`exnN`)? */
export function isValueArg(x: number): boolean { return x < BCA_RET; }

export type Value = number;
export type Inst = number;
export type Block = number;

// value kinds
export const VK_NONE = 0;
export const VK_RESULT = 1;
export const VK_PARAM = 2;
export const VK_ALIAS = 3;

// block flags
export const BF_EXISTS = 1;
export const BF_IN_LAYOUT = 2;
export const BF_COLD = 4;

export interface AbiParam { type: T.Type; ext: '' | 'uext' | 'sext'; purpose: string }
export interface Signature { params: AbiParam[]; returns: AbiParam[]; callConv: string }
export interface StackSlotData { kind: string; size: number; align: number }
export type GlobalValueData =
  | { kind: 'vmctx' }
  | { kind: 'load'; base: number; offset: number; type: T.Type; flags: number }
  | { kind: 'iadd_imm'; base: number; offset: number; type: T.Type }
  | { kind: 'symbol'; name: string; offset: number; colocated: boolean; type: T.Type };
export interface ExtFuncData { name: string; sig: number; colocated: boolean }

function grow32(a: Uint32Array<ArrayBuffer>, n: number): Uint32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Uint32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function grow16(a: Uint16Array<ArrayBuffer>, n: number): Uint16Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Uint16Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function grow8(a: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Uint8Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

export function defaultSignature(): Signature { return { params: [], returns: [], callConv: 'fast' }; }

export class Function {
  name = '';
  sig: Signature = defaultSignature();

  // values
  valueCount = 0;
  vType = new Uint8Array(64);
  vKind = new Uint8Array(64);
  /** Defining instruction or block, or alias target. */
  vDef = new Uint32Array(64);
  /** Result index or parameter index. */
  vNum = new Uint32Array(64);

  // instructions
  instCount = 0;
  iOp = new Uint16Array(64);
  iType = new Uint8Array(64);
  iArgStart = new Uint32Array(64);
  iArgLen = new Uint32Array(64);
  iResStart = new Uint32Array(64);
  iResLen = new Uint32Array(64);
  iImm0 = new Int32Array(64);
  iImm1 = new Int32Array(64);
  iImm2 = new Int32Array(64);
  iBlock = new Uint32Array(64);
  iPrev = new Uint32Array(64);
  iNext = new Uint32Array(64);
  /** Source line (parser) or 0. */
  iLine = new Int32Array(64);

  // blocks
  blockCount = 0;
  bFlags = new Uint8Array(16);
  bParamStart = new Uint32Array(16);
  bParamLen = new Uint32Array(16);
  bFirst = new Uint32Array(16);
  bLast = new Uint32Array(16);
  bPrev = new Uint32Array(16);
  bNext = new Uint32Array(16);
  firstBlock: Block = NONE;
  lastBlock: Block = NONE;

  // block calls: destination block + argument list
  bcCount = 0;
  bcBlock = new Uint32Array(16);
  bcArgStart = new Uint32Array(16);
  bcArgLen = new Uint32Array(16);

  // jump tables: list of block calls, default first
  jtCount = 0;
  jtStart = new Uint32Array(4);
  jtLen = new Uint32Array(4);

  // the list pool
  pool = new Uint32Array(256);
  poolLen = 0;

  stackSlots: StackSlotData[] = [];
  globalValues: (GlobalValueData | undefined)[] = [];
  sigs: (Signature | undefined)[] = [];
  extFuncs: (ExtFuncData | undefined)[] = [];
  constants: (Uint8Array | undefined)[] = [];
  /** Constants declared in the preamble (`constN = ...`), printed there and referenced by name. */
  declaredConsts = new Set<number>();
  stackLimit: number = NONE;
  /** Exception tags of try_call tables, by jump table: tag number per handler, -1 = default. */
  exTags: (number[] | undefined)[] = [];

  /** Forget all contents but keep the column buffers, so one Function can be reused for many compilations. */
  reset(): void {
    this.name = '';
    this.sig = defaultSignature();
    this.valueCount = 0; this.instCount = 0; this.blockCount = 0; this.bcCount = 0; this.jtCount = 0; this.poolLen = 0;
    this.firstBlock = NONE; this.lastBlock = NONE;
    this.stackSlots = []; this.globalValues = []; this.sigs = []; this.extFuncs = []; this.constants = [];
    this.declaredConsts = new Set<number>(); this.exTags = []; this.stackLimit = NONE;
  }

  // ---------------- pool ----------------

  /** Copy `vals` into the pool; returns the start. */
  poolAlloc(vals: ArrayLike<number>): number {
    const n = vals.length;
    const start = this.poolLen;
    this.pool = grow32(this.pool, start + n);
    for (let i = 0; i < n; i++) this.pool[start + i] = vals[i];
    this.poolLen = start + n;
    return start;
  }

  /** Append `x` to the list (start, len); returns the (possibly moved) start. */
  poolPush(start: number, len: number, x: number): number {
    if (start + len !== this.poolLen || len === 0) {
      const ns = this.poolLen;
      this.pool = grow32(this.pool, ns + len + 1);
      this.pool.copyWithin(ns, start, start + len);
      start = ns;
    } else {
      this.pool = grow32(this.pool, this.poolLen + 1);
    }
    this.pool[start + len] = x;
    this.poolLen = start + len + 1;
    return start;
  }

  // ---------------- values ----------------

  /** Make sure value ids below `n` exist (as holes if new). */
  ensureValues(n: number): void {
    if (n <= this.valueCount) return;
    this.vType = grow8(this.vType, n);
    this.vKind = grow8(this.vKind, n);
    this.vDef = grow32(this.vDef, n);
    this.vNum = grow32(this.vNum, n);
    for (let v = this.valueCount; v < n; v++) { this.vKind[v] = VK_NONE; this.vType[v] = 0; }
    this.valueCount = n;
  }

  private newValue(): Value {
    const v = this.valueCount;
    this.ensureValues(v + 1);
    return v;
  }

  /** Follow aliases to the defining value. */
  resolve(v: Value): Value {
    let n = 0;
    while (this.vKind[v] === VK_ALIAS) {
      v = this.vDef[v];
      if (++n > this.valueCount) throw new Error('alias cycle');
    }
    return v;
  }

  makeAlias(dest: Value, target: Value): void {
    this.ensureValues(dest + 1);
    this.vKind[dest] = VK_ALIAS;
    this.vDef[dest] = target;
    this.vType[dest] = this.vType[this.resolve(target)];
  }

  valueType(v: Value): T.Type { return this.vType[v]; }
  isValidValue(v: Value): boolean { return v < this.valueCount && this.vKind[v] !== VK_NONE; }

  // ---------------- blocks ----------------

  makeBlock(): Block { return this.makeBlockAt(this.blockCount); }

  makeBlockAt(b: Block): Block {
    if (b >= this.blockCount) {
      const n = b + 1;
      this.bFlags = grow8(this.bFlags, n);
      this.bParamStart = grow32(this.bParamStart, n);
      this.bParamLen = grow32(this.bParamLen, n);
      this.bFirst = grow32(this.bFirst, n);
      this.bLast = grow32(this.bLast, n);
      this.bPrev = grow32(this.bPrev, n);
      this.bNext = grow32(this.bNext, n);
      for (let i = this.blockCount; i < n; i++) this.bFlags[i] = 0;
      this.blockCount = n;
    }
    this.bFlags[b] = BF_EXISTS;
    this.bParamStart[b] = 0; this.bParamLen[b] = 0;
    this.bFirst[b] = NONE; this.bLast[b] = NONE; this.bPrev[b] = NONE; this.bNext[b] = NONE;
    return b;
  }

  blockExists(b: Block): boolean { return b < this.blockCount && (this.bFlags[b] & BF_EXISTS) !== 0; }
  isBlockInLayout(b: Block): boolean { return b < this.blockCount && (this.bFlags[b] & BF_IN_LAYOUT) !== 0; }

  appendBlockParam(b: Block, type: T.Type): Value {
    return this.appendBlockParamAs(b, this.newValue(), type);
  }

  appendBlockParamAs(b: Block, v: Value, type: T.Type): Value {
    this.ensureValues(v + 1);
    this.vKind[v] = VK_PARAM; this.vType[v] = type; this.vDef[v] = b; this.vNum[v] = this.bParamLen[b];
    this.bParamStart[b] = this.poolPush(this.bParamStart[b], this.bParamLen[b], v);
    this.bParamLen[b]++;
    return v;
  }

  /** Remove parameter `idx` of `b` (the value becomes a hole unless the caller aliases it). */
  removeBlockParam(b: Block, idx: number): void {
    const s = this.bParamStart[b], n = this.bParamLen[b];
    for (let i = idx; i + 1 < n; i++) {
      const v = this.pool[s + i + 1];
      this.pool[s + i] = v;
      this.vNum[v] = i;
    }
    this.bParamLen[b] = n - 1;
  }

  blockParam(b: Block, i: number): Value { return this.pool[this.bParamStart[b] + i]; }
  blockParamCount(b: Block): number { return this.bParamLen[b]; }

  appendBlockToLayout(b: Block): void {
    this.bFlags[b] |= BF_IN_LAYOUT;
    this.bPrev[b] = this.lastBlock;
    this.bNext[b] = NONE;
    if (this.lastBlock === NONE) this.firstBlock = b; else this.bNext[this.lastBlock] = b;
    this.lastBlock = b;
  }

  /** Insert `b` into the layout right after `after` (which is in the layout). */
  insertBlockAfter(b: Block, after: Block): void {
    const n = this.bNext[after];
    this.bFlags[b] |= BF_IN_LAYOUT;
    this.bPrev[b] = after; this.bNext[b] = n; this.bNext[after] = b;
    if (n === NONE) this.lastBlock = b; else this.bPrev[n] = b;
  }

  /** Take `b` out of the layout (its instructions stay attached to it). */
  removeBlockFromLayout(b: Block): void {
    const p = this.bPrev[b], n = this.bNext[b];
    if (p === NONE) this.firstBlock = n; else this.bNext[p] = n;
    if (n === NONE) this.lastBlock = p; else this.bPrev[n] = p;
    this.bPrev[b] = NONE; this.bNext[b] = NONE;
    this.bFlags[b] &= ~BF_IN_LAYOUT;
  }

  entryBlock(): Block { return this.firstBlock; }

  // ---------------- block calls and jump tables ----------------

  makeBlockCall(block: Block, args: ArrayLike<number>): number {
    const c = this.bcCount++;
    this.bcBlock = grow32(this.bcBlock, c + 1);
    this.bcArgStart = grow32(this.bcArgStart, c + 1);
    this.bcArgLen = grow32(this.bcArgLen, c + 1);
    this.bcBlock[c] = block;
    this.bcArgStart[c] = this.poolAlloc(args);
    this.bcArgLen[c] = args.length;
    return c;
  }

  blockCallPushArg(c: number, v: Value): void {
    this.bcArgStart[c] = this.poolPush(this.bcArgStart[c], this.bcArgLen[c], v);
    this.bcArgLen[c]++;
  }

  blockCallRemoveArg(c: number, idx: number): void {
    const s = this.bcArgStart[c], n = this.bcArgLen[c];
    this.pool.copyWithin(s + idx, s + idx + 1, s + n);
    this.bcArgLen[c] = n - 1;
  }

  makeJumpTable(blockCalls: ArrayLike<number>): number {
    const j = this.jtCount++;
    this.jtStart = grow32(this.jtStart, j + 1);
    this.jtLen = grow32(this.jtLen, j + 1);
    this.jtStart[j] = this.poolAlloc(blockCalls);
    this.jtLen[j] = blockCalls.length;
    return j;
  }

  /** Number of destinations of a branch (br_table: default + entries); 0 for other instructions. */
  destCount(inst: Inst): number {
    switch (opFormat[this.iOp[inst]]) {
      case Fmt.Jump: return 1;
      case Fmt.Brif: return 2;
      case Fmt.BranchTable: return this.jtLen[this.iImm0[inst]];
      case Fmt.TryCall: case Fmt.TryCallIndirect: return this.jtLen[this.iImm2[inst]];
      default: return 0;
    }
  }

  /** Block call of destination `i` (br_table: 0 is the default). */
  dest(inst: Inst, i: number): number {
    switch (opFormat[this.iOp[inst]]) {
      case Fmt.Jump: return this.iImm0[inst];
      case Fmt.Brif: return i === 0 ? this.iImm0[inst] : this.iImm1[inst];
      case Fmt.BranchTable: { const j = this.iImm0[inst]; return this.pool[this.jtStart[j] + i]; }
      case Fmt.TryCall: case Fmt.TryCallIndirect: { const j = this.iImm2[inst]; return this.pool[this.jtStart[j] + i]; }
      default: throw new Error('dest: not a branch');
    }
  }

  // ---------------- instructions ----------------

  /**
   * Create an instruction (not yet placed). Results are made from the opcode table,
   * or from the signature for calls; `resultIds` (parser) gives their numbers.
   */
  makeInst(op: Op, ctrl: T.Type, args: ArrayLike<number>, imm0 = 0, imm1 = 0, imm2 = 0, resultIds?: ArrayLike<number>): Inst {
    const i = this.instCount++;
    if (i >= this.iOp.length) {
      const n = i + 1;
      this.iOp = grow16(this.iOp, n); this.iType = grow8(this.iType, n);
      this.iArgStart = grow32(this.iArgStart, n); this.iArgLen = grow32(this.iArgLen, n);
      this.iResStart = grow32(this.iResStart, n); this.iResLen = grow32(this.iResLen, n);
      this.iImm0 = growI32(this.iImm0, n); this.iImm1 = growI32(this.iImm1, n); this.iImm2 = growI32(this.iImm2, n);
      this.iBlock = grow32(this.iBlock, n); this.iPrev = grow32(this.iPrev, n); this.iNext = grow32(this.iNext, n);
      this.iLine = growI32(this.iLine, n);
    }
    this.iOp[i] = op; this.iType[i] = ctrl;
    this.iArgStart[i] = this.poolAlloc(args); this.iArgLen[i] = args.length;
    this.iImm0[i] = imm0; this.iImm1[i] = imm1; this.iImm2[i] = imm2;
    this.iBlock[i] = NONE; this.iPrev[i] = NONE; this.iNext[i] = NONE; this.iLine[i] = 0;
    const nres = this.opResultCount(op, imm0);
    const rstart = this.poolLen;
    this.pool = grow32(this.pool, rstart + nres);
    this.poolLen += nres;
    for (let k = 0; k < nres; k++) {
      const v = resultIds !== undefined ? resultIds[k] : this.newValue();
      this.ensureValues(v + 1);
      this.vKind[v] = VK_RESULT; this.vType[v] = this.opResultType(op, ctrl, imm0, k); this.vDef[v] = i; this.vNum[v] = k;
      this.pool[rstart + k] = v;
    }
    this.iResStart[i] = rstart; this.iResLen[i] = nres;
    return i;
  }

  /** Number of results of `op` (calls: from the signature). */
  opResultCount(op: Op, imm0: number): number {
    switch (op) {
      case Op.Call: return this.sigs[this.extFuncs[imm0]!.sig]!.returns.length;
      case Op.CallIndirect: return this.sigs[imm0]!.returns.length;
      case Op.ReturnCall: case Op.ReturnCallIndirect: case Op.TryCall: case Op.TryCallIndirect: return 0;
      default: return opResults[op].length;
    }
  }

  /** Type of result `k` of `op` with controlling type `ctrl`. */
  opResultType(op: Op, ctrl: T.Type, imm0: number, k: number): T.Type {
    switch (op) {
      case Op.Call: return this.sigs[this.extFuncs[imm0]!.sig]!.returns[k].type;
      case Op.CallIndirect: return this.sigs[imm0]!.returns[k].type;
      case Op.F16const: return T.F16;
      case Op.F32const: return T.F32;
      case Op.F64const: return T.F64;
      case Op.F128const: return T.F128;
      default: return tokType(opResults[op][k], ctrl);
    }
  }

  /** Result types of `op` with controlling type `ctrl` (allocates; for tools and diagnostics). */
  resultTypes(op: Op, ctrl: T.Type, imm0: number): T.Type[] {
    const n = this.opResultCount(op, imm0);
    const out: T.Type[] = [];
    for (let k = 0; k < n; k++) out.push(this.opResultType(op, ctrl, imm0, k));
    return out;
  }

  appendInst(b: Block, i: Inst): void {
    this.iBlock[i] = b;
    const last = this.bLast[b];
    this.iPrev[i] = last;
    this.iNext[i] = NONE;
    if (last === NONE) this.bFirst[b] = i; else this.iNext[last] = i;
    this.bLast[b] = i;
  }

  /** Insert `i` before `before` in its block. */
  insertInstBefore(i: Inst, before: Inst): void {
    const b = this.iBlock[before];
    const p = this.iPrev[before];
    this.iBlock[i] = b; this.iPrev[i] = p; this.iNext[i] = before; this.iPrev[before] = i;
    if (p === NONE) this.bFirst[b] = i; else this.iNext[p] = i;
  }

  removeInst(i: Inst): void {
    const b = this.iBlock[i], p = this.iPrev[i], n = this.iNext[i];
    if (p === NONE) this.bFirst[b] = n; else this.iNext[p] = n;
    if (n === NONE) this.bLast[b] = p; else this.iPrev[n] = p;
    this.iBlock[i] = NONE; this.iPrev[i] = NONE; this.iNext[i] = NONE;
  }

  op(i: Inst): Op { return this.iOp[i]; }
  ctrlType(i: Inst): T.Type { return this.iType[i]; }
  argCount(i: Inst): number { return this.iArgLen[i]; }
  arg(i: Inst, k: number): Value { return this.pool[this.iArgStart[i] + k]; }
  setArg(i: Inst, k: number, v: Value): void { this.pool[this.iArgStart[i] + k] = v; }
  args(i: Inst): Uint32Array { return this.pool.subarray(this.iArgStart[i], this.iArgStart[i] + this.iArgLen[i]); }
  resultCount(i: Inst): number { return this.iResLen[i]; }
  result(i: Inst, k: number): Value { return this.pool[this.iResStart[i] + k]; }
  firstResult(i: Inst): Value { return this.iResLen[i] === 0 ? NONE : this.pool[this.iResStart[i]]; }
  isBranch(i: Inst): boolean { return (opFlags[this.iOp[i]] & F_BRANCH) !== 0; }

  /** Number of instructions placed in the layout. */
  layoutInstCount(): number {
    let n = 0;
    for (let b = this.firstBlock; b !== NONE; b = this.bNext[b]) for (let i = this.bFirst[b]; i !== NONE; i = this.iNext[i]) n++;
    return n;
  }

  /** Use counts of every value (aliases resolved), over instructions in the layout. */
  useCounts(): Uint32Array {
    const uses = new Uint32Array(this.valueCount);
    for (let b = this.firstBlock; b !== NONE; b = this.bNext[b]) {
      for (let i = this.bFirst[b]; i !== NONE; i = this.iNext[i]) {
        const s = this.iArgStart[i], n = this.iArgLen[i];
        for (let k = 0; k < n; k++) uses[this.resolve(this.pool[s + k])]++;
        const dn = this.destCount(i);
        for (let d = 0; d < dn; d++) {
          const c = this.dest(i, d);
          const cs = this.bcArgStart[c], cn = this.bcArgLen[c];
          for (let k = 0; k < cn; k++) { const a = this.pool[cs + k]; if (isValueArg(a)) uses[this.resolve(a)]++; }
        }
      }
    }
    return uses;
  }

  /** Replace every alias use by its target (in place). */
  resolveAllAliases(): void {
    for (let b = this.firstBlock; b !== NONE; b = this.bNext[b]) {
      for (let i = this.bFirst[b]; i !== NONE; i = this.iNext[i]) {
        const s = this.iArgStart[i], n = this.iArgLen[i];
        for (let k = 0; k < n; k++) this.pool[s + k] = this.resolve(this.pool[s + k]);
        const dn = this.destCount(i);
        for (let d = 0; d < dn; d++) {
          const c = this.dest(i, d);
          const cs = this.bcArgStart[c], cn = this.bcArgLen[c];
          for (let k = 0; k < cn; k++) { const a = this.pool[cs + k]; if (isValueArg(a)) this.pool[cs + k] = this.resolve(a); }
        }
      }
    }
  }
}
