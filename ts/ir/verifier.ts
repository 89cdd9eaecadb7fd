/**
 * The IR verifier (ir/). Run after building, after parsing and (in tests) after
 * every pass. It reports every violation it finds as (entity, message, line).
 *
 * Invariants checked:
 *  1. Entity references are valid: argument values are defined; block calls name
 *     blocks in the layout; stack slots, signatures, external functions,
 *     constants, global values and jump tables exist.
 *  2. The entry block's parameters match the signature's parameters; the entry
 *     block is not a branch target.
 *  3. Every block in the layout is non-empty and ends with its only terminator.
 *  4. Types satisfy the opcode table: the controlling type is in the opcode's set,
 *     operands and results have the types its rules give; conversions go the
 *     right way (uextend widens, ireduce narrows, bitcast keeps the size, ...).
 *  5. Branch arguments match the target block's parameters (count and types).
 *  6. `return` arguments match the signature's returns; call arguments and results
 *     match the callee signature; `return_call` callees return what we return.
 *  7. SSA dominance: every use is dominated by its definition (a value defined in
 *     the same block must come earlier). Unreachable blocks are not checked for it.
 *  8. Immediate sanity: lane indices are in range, `little` and `big` are not both
 *     set, shuffle masks index < 32, trap codes are valid (1..255).
 *  9. Aliases resolve without cycles to a defined value of the same type.
 * 10. Bookkeeping: block parameters and results record their definition and
 *     index; `iconst` immediates fit the type width.
 */
import { Function, NONE, VK_NONE, VK_ALIAS, VK_PARAM, VK_RESULT, Inst, BF_IN_LAYOUT, Signature, isValueArg, BCA_EXN, BCA_RET } from './function';
import { Op, Fmt, opFormat, opArgs, opCtrl, opFlags, opName, opTv, tokType, tokAccepts, ctrlAccepts, F_TERMINATOR, TV_NONE } from './opcodes';
import * as T from './types';
import { MF_BIG, MF_LITTLE } from './immediates';
import { DominatorTree } from './dominance';
import { instText } from './printer';

export interface VerifierDiagnostic { entity: string; message: string; line: number }

export class VerifierError extends Error {
  constructor(readonly diagnostics: VerifierDiagnostic[], fname: string) {
    super(`verifier: ${fname}: ` + diagnostics.map((d) => `${d.entity}: ${d.message}`).join('; '));
    this.name = 'VerifierError';
  }
}

/** Throw VerifierError if `f` breaks an invariant. */
export function verify(f: Function): void {
  const d = tryVerify(f);
  if (d.length > 0) throw new VerifierError(d, f.name);
}

export function tryVerify(f: Function): VerifierDiagnostic[] {
  return new Verifier(f).run();
}

class Verifier {
  private out: VerifierDiagnostic[] = [];
  private dom: DominatorTree | undefined;
  /** Position of each placed instruction within its block (for same-block dominance). */
  private pos: Uint32Array;
  private scratch: T.Type[] = [];

  constructor(private f: Function) {
    this.pos = new Uint32Array(f.instCount);
  }

  private err(entity: string, message: string, line = 0): void { this.out.push({ entity, message, line }); }
  private instErr(i: Inst, message: string): void {
    let text: string;
    try { text = instText(this.f, i); } catch { text = opName[this.f.iOp[i]]; }
    this.err(`inst${i} (${text})`, message, this.f.iLine[i]);
  }

  run(): VerifierDiagnostic[] {
    const f = this.f;
    this.checkAliases();
    const entry = f.firstBlock;
    if (entry === NONE) { this.err('function', 'no blocks'); return this.out; }
    // 2. entry params
    const ps = f.sig.params;
    if (f.bParamLen[entry] !== ps.length) {
      this.err(`block${entry}`, `entry block has ${f.bParamLen[entry]} parameters, signature has ${ps.length}`);
    } else {
      for (let k = 0; k < ps.length; k++) {
        const v = f.blockParam(entry, k);
        if (f.vType[v] !== ps[k].type) this.err(`block${entry}`, `entry parameter v${v} has type ${T.typeName(f.vType[v])}, signature says ${T.typeName(ps[k].type)}`);
      }
    }
    // 3. structure; positions; 10. parameter bookkeeping
    for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
      for (let k = 0; k < f.bParamLen[b]; k++) {
        const v = f.blockParam(b, k);
        if (f.vKind[v] !== VK_PARAM || f.vDef[v] !== b || f.vNum[v] !== k) this.err(`block${b}`, `parameter ${k} (v${v}) is not recorded as defined here`);
      }
      let n = 0;
      if (f.bFirst[b] === NONE) { this.err(`block${b}`, 'empty block (no terminator)'); continue; }
      for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
        this.pos[i] = n++;
        const term = (opFlags[f.iOp[i]] & F_TERMINATOR) !== 0;
        const last = f.iNext[i] === NONE;
        if (term && !last) this.instErr(i, 'terminator before the end of the block');
        if (!term && last) this.instErr(i, `block${b} does not end with a terminator`);
        if (f.iBlock[i] !== b) this.instErr(i, 'layout links disagree on the block');
      }
    }
    this.dom = new DominatorTree(f);
    for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
      for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) this.checkInst(b, i);
    }
    return this.out;
  }

  private checkAliases(): void {
    const f = this.f;
    for (let v = 0; v < f.valueCount; v++) {
      if (f.vKind[v] !== VK_ALIAS) continue;
      let t = v, n = 0;
      while (f.vKind[t] === VK_ALIAS && n <= f.valueCount) { t = f.vDef[t]; n++; }
      if (n > f.valueCount) { this.err(`v${v}`, 'alias cycle'); continue; }
      if (f.vKind[t] === VK_NONE) this.err(`v${v}`, `alias of undefined value v${t}`);
      else if (f.vType[t] !== f.vType[v]) this.err(`v${v}`, `alias type ${T.typeName(f.vType[v])} differs from v${t}: ${T.typeName(f.vType[t])}`);
    }
  }

  /** Check a use of `v` by instruction `i` in block `b`; returns the resolved value's type or INVALID. */
  private use(b: number, i: Inst, v: number): T.Type {
    const f = this.f;
    if (v >= f.valueCount || f.vKind[v] === VK_NONE) { this.instErr(i, `use of undefined value v${v}`); return T.INVALID; }
    let r = v, n = 0;
    while (f.vKind[r] === VK_ALIAS && n++ <= f.valueCount) r = f.vDef[r];
    if (f.vKind[r] === VK_NONE) return T.INVALID;
    // 7. dominance
    const dom = this.dom!;
    if (dom.isReachable(b)) {
      if (f.vKind[r] === VK_RESULT) {
        const di = f.vDef[r];
        const db = f.iBlock[di];
        if (db === NONE) this.instErr(i, `v${v} is defined by an instruction not in the layout`);
        else if (db === b ? this.pos[di] >= this.pos[i] : !dom.dominates(db, b)) this.instErr(i, `use of v${v} is not dominated by its definition`);
      } else if (f.vKind[r] === VK_PARAM) {
        const db = f.vDef[r];
        if ((f.bFlags[db] & BF_IN_LAYOUT) === 0 || !dom.dominates(db, b)) this.instErr(i, `use of v${v} is not dominated by its definition (block${db})`);
      }
    }
    return f.vType[r];
  }

  private checkBlockCall(b: number, i: Inst, c: number, trySig?: Signature): void {
    const f = this.f;
    const t = f.bcBlock[c];
    if (!f.isBlockInLayout(t)) { this.instErr(i, `branch to block${t}, which is not in the layout`); return; }
    if (t === f.firstBlock) this.instErr(i, 'branch to the entry block');
    const n = f.bcArgLen[c];
    if (n !== f.bParamLen[t]) { this.instErr(i, `block${t} takes ${f.bParamLen[t]} arguments, ${n} given`); return; }
    for (let k = 0; k < n; k++) {
      const x = f.pool[f.bcArgStart[c] + k];
      let at: T.Type;
      if (isValueArg(x)) at = this.use(b, i, x);
      else if (trySig === undefined) { this.instErr(i, 'retN/exnN arguments are only allowed in try_call destinations'); continue; }
      else if (x >= BCA_EXN) at = T.I64;
      else {
        const r = trySig.returns[x - BCA_RET];
        if (r === undefined) { this.instErr(i, `ret${x - BCA_RET} out of range`); continue; }
        at = r.type;
      }
      const pt = f.vType[f.blockParam(t, k)];
      if (at !== T.INVALID && at !== pt) this.instErr(i, `argument ${k} to block${t} has type ${T.typeName(at)}, parameter is ${T.typeName(pt)}`);
    }
  }

  private checkInst(b: number, i: Inst): void {
    const f = this.f;
    const op = f.iOp[i] as Op;
    const fmt = opFormat[op] as Fmt;
    const ct = f.iType[i];
    const na = f.iArgLen[i];
    const types = this.scratch;
    types.length = 0;
    for (let k = 0; k < na; k++) types.push(this.use(b, i, f.arg(i, k)));
    // 4. controlling type
    if (opTv[op] !== TV_NONE && !ctrlAccepts(opCtrl[op], ct)) {
      this.instErr(i, `controlling type ${T.typeName(ct)} not allowed for ${opName[op]}`);
      return;
    }
    // results
    if ((fmt === Fmt.Call && f.extFuncs[f.iImm0[i]] === undefined) || (fmt === Fmt.CallIndirect && f.sigs[f.iImm0[i]] === undefined)) {
      this.instErr(i, 'call to an undeclared function or signature');
      return;
    }
    const nres = f.opResultCount(op, f.iImm0[i]);
    if (nres !== f.iResLen[i]) this.instErr(i, `has ${f.iResLen[i]} results, expected ${nres}`);
    else for (let k = 0; k < nres; k++) {
      const rv = f.result(i, k);
      const want = f.opResultType(op, ct, f.iImm0[i], k);
      if (f.vType[rv] !== want) this.instErr(i, `result v${rv} has type ${T.typeName(f.vType[rv])}, expected ${T.typeName(want)}`);
      if (f.vKind[rv] !== VK_RESULT || f.vDef[rv] !== i || f.vNum[rv] !== k) this.instErr(i, `result v${rv} is not recorded as defined here`);
    }
    // operands by table
    const toks = opArgs[op];
    if (fmt !== Fmt.Call && fmt !== Fmt.CallIndirect && fmt !== Fmt.MultiAry && fmt !== Fmt.TryCall && fmt !== Fmt.TryCallIndirect) {
      if (toks.length !== na) { this.instErr(i, `has ${na} arguments, expected ${toks.length}`); return; }
      for (let k = 0; k < na; k++) {
        const at = types[k];
        if (at === T.INVALID) continue;
        const tt = tokType(toks[k], ct);
        if (tt !== T.INVALID) { if (at !== tt) this.instErr(i, `argument ${k} has type ${T.typeName(at)}, expected ${T.typeName(tt)}`); }
        else if (!tokAccepts(toks[k], at)) this.instErr(i, `argument ${k} has type ${T.typeName(at)}, not allowed here`);
      }
    }
    const a0 = types[0];
    switch (op) {
      case Op.Uextend: case Op.Sextend: if (a0 !== T.INVALID && T.bits(a0) >= T.bits(ct)) this.instErr(i, `${opName[op]} must widen (${T.typeName(a0)} -> ${T.typeName(ct)})`); break;
      case Op.Ireduce: if (a0 !== T.INVALID && T.bits(a0) <= T.bits(ct)) this.instErr(i, `ireduce must narrow (${T.typeName(a0)} -> ${T.typeName(ct)})`); break;
      case Op.Fpromote: if (a0 !== T.INVALID && T.bits(a0) >= T.bits(ct)) this.instErr(i, 'fpromote must widen'); break;
      case Op.Fdemote: if (a0 !== T.INVALID && T.bits(a0) <= T.bits(ct)) this.instErr(i, 'fdemote must narrow'); break;
      case Op.Bitcast: if (a0 !== T.INVALID && T.bits(a0) !== T.bits(ct)) this.instErr(i, `bitcast changes the size (${T.typeName(a0)} -> ${T.typeName(ct)})`); break;
      case Op.Iconst: {
        const w = T.bits(ct), lo = f.iImm0[i], hi = f.iImm1[i];
        const fits = w >= 64 || (hi === 0 && (w === 32 || (lo >>> 0) < 2 ** w));
        if (!fits) this.instErr(i, `immediate does not fit ${T.typeName(ct)}`);
        break;
      }
      case Op.Extractlane: case Op.Insertlane: if (f.iImm0[i] >= T.laneCount(ct)) this.instErr(i, `lane ${f.iImm0[i]} out of range for ${T.typeName(ct)}`); break;
      case Op.Shuffle: {
        const m = f.constants[f.iImm0[i]];
        if (m === undefined || m.length !== 16) this.instErr(i, 'shuffle mask must be a 16-byte constant');
        else if (m.some((x) => x >= 32)) this.instErr(i, 'shuffle mask index >= 32');
        break;
      }
      default: break;
    }
    switch (fmt) {
      case Fmt.Load: case Fmt.Store: case Fmt.LoadNoOffset: case Fmt.StoreNoOffset: case Fmt.AtomicRmw: case Fmt.AtomicCas:
        if ((f.iImm0[i] & (MF_BIG | MF_LITTLE)) === (MF_BIG | MF_LITTLE)) this.instErr(i, 'memory flags say both little and big');
        break;
      case Fmt.UnaryConst: case Fmt.Shuffle: {
        const c = f.constants[f.iImm0[i]];
        if (c === undefined) this.instErr(i, `undefined constant const${f.iImm0[i]}`);
        else if (op === Op.Vconst && c.length > T.bytes(ct)) this.instErr(i, `constant of ${c.length} bytes for ${T.typeName(ct)}`);
        break;
      }
      case Fmt.Trap: case Fmt.CondTrap: case Fmt.IntAddTrap:
        if (f.iImm0[i] < 1 || f.iImm0[i] > 255) this.instErr(i, `invalid trap code ${f.iImm0[i]}`);
        break;
      case Fmt.StackAddr: if (f.stackSlots[f.iImm0[i]] === undefined || f.stackSlots[f.iImm0[i]].kind === '') this.instErr(i, `undefined stack slot ss${f.iImm0[i]}`); break;
      case Fmt.FuncAddr: if (f.extFuncs[f.iImm0[i]] === undefined) this.instErr(i, `undefined function fn${f.iImm0[i]}`); break;
      case Fmt.UnaryGlobalValue: if (f.globalValues[f.iImm0[i]] === undefined) this.instErr(i, `undefined global value gv${f.iImm0[i]}`); break;
      case Fmt.Jump: this.checkBlockCall(b, i, f.iImm0[i]); break;
      case Fmt.Brif: this.checkBlockCall(b, i, f.iImm0[i]); this.checkBlockCall(b, i, f.iImm1[i]); break;
      case Fmt.BranchTable: {
        const j = f.iImm0[i];
        if (j >= f.jtCount) { this.instErr(i, `undefined jump table ${j}`); break; }
        for (let k = 0; k < f.jtLen[j]; k++) this.checkBlockCall(b, i, f.pool[f.jtStart[j] + k]);
        break;
      }
      case Fmt.MultiAry: this.checkList(i, types, f.sig.returns.map((p) => p.type), 'return value'); break;
      case Fmt.TryCall: case Fmt.TryCallIndirect: {
        const sig = f.sigs[f.iImm1[i]];
        if (sig === undefined) { this.instErr(i, `undefined signature sig${f.iImm1[i]}`); break; }
        if (fmt === Fmt.TryCall && f.extFuncs[f.iImm0[i]] === undefined) { this.instErr(i, `undefined function fn${f.iImm0[i]}`); break; }
        const first = fmt === Fmt.TryCallIndirect ? 1 : 0;
        this.checkList(i, types.slice(first), sig.params.map((p) => p.type), 'call argument');
        const j = f.iImm2[i];
        for (let k = 0; k < f.jtLen[j]; k++) this.checkBlockCall(b, i, f.pool[f.jtStart[j] + k], sig);
        break;
      }
      case Fmt.Call: case Fmt.CallIndirect: {
        const sigIdx = fmt === Fmt.Call ? f.extFuncs[f.iImm0[i]]?.sig : f.iImm0[i];
        const sig = sigIdx === undefined ? undefined : f.sigs[sigIdx];
        if (sig === undefined) { this.instErr(i, 'call to an undeclared function or signature'); break; }
        const first = fmt === Fmt.CallIndirect ? 1 : 0;
        if (first === 1 && types[0] !== T.INVALID && types[0] !== T.I64 && types[0] !== T.I32) this.instErr(i, 'callee address must be i32 or i64');
        this.checkList(i, types.slice(first), sig.params.map((p) => p.type), 'call argument');
        if (op === Op.ReturnCall || op === Op.ReturnCallIndirect) {
          this.checkList(i, sig.returns.map((p) => p.type), f.sig.returns.map((p) => p.type), 'tail-call result');
        }
        break;
      }
      default: break;
    }
  }

  private checkList(i: Inst, got: T.Type[], want: T.Type[], what: string): void {
    if (got.length !== want.length) { this.instErr(i, `${got.length} ${what}s, expected ${want.length}`); return; }
    for (let k = 0; k < got.length; k++) {
      if (got[k] !== T.INVALID && got[k] !== want[k]) this.instErr(i, `${what} ${k} has type ${T.typeName(got[k])}, expected ${T.typeName(want[k])}`);
    }
  }
}

