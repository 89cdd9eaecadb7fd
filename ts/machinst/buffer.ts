/**
 * MachBuffer: the machine-code buffer emission writes into. It adds to the encoder's
 * byte sink everything one pass of emission cannot settle by itself:
 *
 *  - labels (bind once, use before or after binding), with aliasing;
 *  - branches to labels as symbolic records, laid out at `finish()` by branch
 *    relaxation: every branch starts short (rel8) and grows to rel32 only when its
 *    displacement does not fit, iterated to a fixpoint. Sizes only grow, and a growth
 *    can only lengthen other branches' spans, so the iteration terminates and gives a
 *    sound layout (the optimistic variant of Szymanski, "Assembling code for machines
 *    with span-dependent instructions", CACM 1978);
 *  - peepholes on the branches at the tail of the code, applied as labels are bound
 *    (after Cranelift's MachBuffer): a branch to the label bound right after it is
 *    deleted; `jcc A; jmp B; A:` becomes `jcc !cc B; A:`; a label bound right before
 *    `jmp L` becomes an alias of L, and such a `jmp` after an unconditional one is
 *    unreachable and dropped;
 *  - RIP-relative 32-bit references to labels (code or constants);
 *  - a constant pool of 4/8/16-byte constants placed after the code, aligned to their
 *    size and deduplicated;
 *  - inline jump tables of 32-bit offsets relative to the table (`br_table`);
 *  - relocations, a trap table (code offset → trap code) and a source-location map.
 *
 * Pipeline position: machinst, the last step of the backend; the x64 emitter calls the
 * encoder (isa/x64/encode.ts) on this sink, and jit/ links the finished result.
 *
 * Positions. Bytes are emitted into a "raw" stream without the branches; a branch is
 * a record at a raw offset. Every position recorded (label, fixup, relocation, trap,
 * call site, source location) is a pair (raw offset, number of branches emitted before
 * it); its final offset is raw + the total size of those branches, known after
 * relaxation. Hence `cur()` during emission is a raw offset, not a final one: use a
 * label to learn where something ends up.
 */

import { CodeSink, RelocKind } from '../isa/x64/encode-sink';
import {
  Amode, AluOp, Cond, fitsI8, aluRI, aluRR, jccRel8, jccRel32, jmpR, jmpRel8, jmpRel32, lea, movsxRM,
  JCC_REL8_SIZE, JCC_REL32_SIZE, JMP_REL8_SIZE, JMP_REL32_SIZE,
} from '../isa/x64/encode';
import { Column } from './column';

/** A label: a dense id from `newLabel()`. */
export type Label = number;

const NONE = -1;
/** labelRaw value of a label that became an alias of another. */
const ALIASED = -2;

const enum BrKind {
  Jmp = 0,
  Jcc = 1,
}

const enum FixKind {
  /** disp32 = target + extra - (field + 4 + bytesAfter) */
  PcRel32 = 0,
  /** 32-bit table entry = target - base label */
  TableEntry = 1,
}

/** The finished function: code, constants, and side tables, all in final offsets. */
export interface MachBufferFinalized {
  /** Code followed by the constant pool. */
  bytes: Uint8Array;
  /** End of the instructions (the pool starts at or after this, aligned). */
  codeSize: number;
  /** Relocations: offset of the patched field, kind (RelocKind), target id, addend. */
  relocOffsets: Int32Array;
  relocKinds: Int32Array;
  relocTargets: Int32Array;
  relocAddends: Int32Array;
  /** Trap table, sorted by offset: offset of the faulting instruction → trap code. */
  trapOffsets: Int32Array;
  trapCodes: Int32Array;
  /** Source locations: [start, end) code ranges → source offset (e.g. wasm bytecode). */
  srclocStarts: Int32Array;
  srclocEnds: Int32Array;
  srclocLocs: Int32Array;
  /** Return addresses of the calls recorded with addCallSite, in emission order. */
  callSites: Int32Array;
  /** Inline jump tables (data inside the code): pairs (offset, number of 4-byte entries). */
  jumpTables: Int32Array;
  /** Final offset of every label (after aliasing); -1 for labels never bound. */
  labelOffsets: Int32Array;
  /** Number of branches emitted short (rel8) and long (rel32): relaxation figures. */
  shortBranches: number;
  longBranches: number;
}

/**
 * Assertions are written `if (!cond) fail(...)` so that the message, often a template
 * string, is only built when the check fails (these run once per emitted instruction).
 */
function fail(msg: string): never {
  throw new Error(`MachBuffer: ${msg}`);
}

export class MachBuffer extends CodeSink {
  // Labels
  private labelRaw = new Column();
  private labelBr = new Column();
  private labelAlias = new Column();
  /** Constant index for pool labels, else NONE. */
  private labelConst = new Column();
  /** Event count when the label was bound (see `events`). */
  private labelEvents = new Column();
  /** Labels bound at raw offset `tailRaw` (the current end when it equals `len`). */
  private tailLabels: number[] = [];
  private tailRaw = -1;

  // Branches
  private brRaw = new Column();
  private brKind = new Column();
  private brCond = new Column();
  private brLabel = new Column();
  private brEvents = new Column();

  // Label fixups (RIP-relative disp32 and jump-table entries)
  private fixRaw = new Column();
  private fixBr = new Column();
  private fixKind = new Column();
  private fixLabel = new Column();
  private fixAux = new Column();
  private fixExtra = new Column();

  // Relocations
  private relRaw = new Column();
  private relBr = new Column();
  private relKind = new Column();
  private relTarget = new Column();
  private relAddend = new Column();

  // Traps
  private trapRaw = new Column();
  private trapBr = new Column();
  private trapCode = new Column();

  // Call sites (return addresses)
  private csRaw = new Column();
  private csBr = new Column();

  // Source locations
  private slStartRaw = new Column();
  private slStartBr = new Column();
  private slEndRaw = new Column();
  private slEndBr = new Column();
  private slLoc = new Column();
  private curSrcloc = NONE;
  private curSrclocRaw = 0;
  private curSrclocBr = 0;

  // Jump tables: base label and entry count
  private jtLabel = new Column();
  private jtCount = new Column();

  // Constant pool
  private constData: Uint8Array[] = [];
  private constLabel: number[] = [];
  private constKeys = new Map<string, number>();

  /**
   * Records other than labels made since the start; a branch is only rewritten by a
   * peephole if nothing (a trap, a fixup, a relocation) was recorded after it.
   */
  private events = 0;

  /** Forget everything, keeping allocations (one buffer per compilation context). */
  reset(): void {
    this.clear();
    for (const c of [this.labelRaw, this.labelBr, this.labelAlias, this.labelConst, this.labelEvents,
      this.brRaw, this.brKind, this.brCond, this.brLabel, this.brEvents,
      this.fixRaw, this.fixBr, this.fixKind, this.fixLabel, this.fixAux, this.fixExtra,
      this.relRaw, this.relBr, this.relKind, this.relTarget, this.relAddend,
      this.trapRaw, this.trapBr, this.trapCode,
      this.slStartRaw, this.slStartBr, this.slEndRaw, this.slEndBr, this.slLoc,
      this.jtLabel, this.jtCount, this.csRaw, this.csBr]) c.clear();
    this.tailLabels.length = 0;
    this.tailRaw = -1;
    this.curSrcloc = NONE;
    this.constData.length = 0;
    this.constLabel.length = 0;
    this.constKeys.clear();
    this.events = 0;
  }

  /** The raw bytes have no branches in them: the code is only available from finish(). */
  override bytes(): Uint8Array {
    return fail('MachBuffer.bytes(): the code exists only after finish()');
  }

  // ---- Labels ----------------------------------------------------------------------

  newLabel(): Label {
    this.labelRaw.push(NONE);
    this.labelBr.push(0);
    this.labelAlias.push(NONE);
    this.labelConst.push(NONE);
    return this.labelEvents.push(0);
  }

  get numLabels(): number {
    return this.labelRaw.len;
  }

  /** Follow aliases to the label that is actually bound. */
  resolve(l: Label): Label {
    let n = 0;
    while (this.labelAlias.get(l) !== NONE) {
      l = this.labelAlias.get(l);
      if (!(++n <= this.labelAlias.len)) fail('alias cycle');
    }
    return l;
  }

  isBound(l: Label): boolean {
    const r = this.labelRaw.get(l);
    return r !== NONE || this.labelConst.get(l) !== NONE;
  }

  /** Bind `l` to the current position, first applying the tail-branch peepholes. */
  bindLabel(l: Label): void {
    if (!(l >= 0 && l < this.labelRaw.len)) fail(`bad label ${l}`);
    if (!(this.labelRaw.get(l) === NONE && this.labelConst.get(l) === NONE)) fail(`label ${l} bound twice`);
    this.optimizeTail(l);
    this.labelRaw.set(l, this.len);
    this.labelBr.set(l, this.brRaw.len);
    this.labelEvents.set(l, this.events);
    this.tails().push(l);
  }

  /** The labels bound at the current end of the raw stream (reset lazily). */
  private tails(): number[] {
    if (this.tailRaw !== this.len) {
      this.tailLabels.length = 0;
      this.tailRaw = this.len;
    }
    return this.tailLabels;
  }

  /** Is branch `k` the very end of the code, with nothing recorded after it? */
  private branchAtTail(k: number): boolean {
    return this.brRaw.get(k) === this.len && this.brEvents.get(k) === this.events;
  }

  /**
   * Does the (resolved) label `t` designate the point right after branch `k`, which
   * is at the tail? `bindingNow` is about to be bound there.
   */
  private pointsAfter(t: Label, k: number, bindingNow: Label): boolean {
    if (t === bindingNow) return true;
    return this.labelRaw.get(t) === this.len && this.labelBr.get(t) > k;
  }

  private optimizeTail(bindingNow: Label): void {
    for (;;) {
      const k = this.brRaw.len - 1;
      if (k < 0 || !this.branchAtTail(k)) return;
      const t = this.resolve(this.brLabel.get(k));
      if (this.pointsAfter(t, k, bindingNow)) {
        // A branch (conditional or not) to the next instruction does nothing.
        this.removeLastBranch();
        continue;
      }
      if (this.brKind.get(k) === BrKind.Jmp && k > 0 && this.branchAtTail(k - 1) &&
          this.brKind.get(k - 1) === BrKind.Jcc &&
          this.pointsAfter(this.resolve(this.brLabel.get(k - 1)), k, bindingNow) &&
          !this.labelBoundBefore(k)) {
        // jcc cc A; jmp B; A:  =>  jcc !cc B; A:
        this.brCond.set(k - 1, this.brCond.get(k - 1) ^ 1);
        this.brLabel.set(k - 1, this.brLabel.get(k));
        this.removeLastBranch();
        continue;
      }
      return;
    }
  }

  /** Is some label bound exactly at branch `k` (so that jumping to it means that branch)? */
  private labelBoundBefore(k: number): boolean {
    const tl = this.tails();
    for (let i = 0; i < tl.length; i++) {
      if (this.labelRaw.get(tl[i]) === this.len && this.labelBr.get(tl[i]) === k) return true;
    }
    return false;
  }

  /** Delete the last branch, which is at the tail; positions after it move back onto it. */
  private removeLastBranch(): void {
    const k = this.brRaw.len - 1;
    this.brRaw.pop();
    this.brKind.pop();
    this.brCond.pop();
    this.brLabel.pop();
    this.brEvents.pop();
    const tl = this.tails();
    for (let i = 0; i < tl.length; i++) {
      if (this.labelBr.get(tl[i]) > k) this.labelBr.set(tl[i], k);
    }
    for (let i = this.slEndRaw.len - 1; i >= 0 && this.slEndRaw.get(i) === this.len; i--) {
      if (this.slEndBr.get(i) > k) this.slEndBr.set(i, k);
      if (this.slStartRaw.get(i) === this.len && this.slStartBr.get(i) > k) this.slStartBr.set(i, k);
    }
    if (this.curSrcloc !== NONE && this.curSrclocRaw === this.len && this.curSrclocBr > k) this.curSrclocBr = k;
  }

  // ---- Branches --------------------------------------------------------------------

  /** Unconditional jump to `l` (rel8 or rel32, decided at finish). */
  jmp(l: Label): void {
    const n = this.brRaw.len;
    // Labels bound right here, with nothing after them, name a block that is only this
    // jump: make them aliases of its target so that every use goes there directly.
    const tl = this.tails();
    let kept = 0;
    const target = this.resolve(l);
    for (let i = 0; i < tl.length; i++) {
      const x = tl[i];
      if (this.labelBr.get(x) === n && this.labelEvents.get(x) === this.events && this.labelConst.get(x) === NONE) {
        if (target !== x) {
          this.labelAlias.set(x, target);
          this.labelRaw.set(x, ALIASED);
          continue;
        }
      }
      tl[kept++] = x;
    }
    tl.length = kept;
    // With no label left pointing here, a jump right after an unconditional jump is
    // unreachable.
    if (n > 0 && this.branchAtTail(n - 1) && this.brKind.get(n - 1) === BrKind.Jmp && !this.labelBoundBefore(n)) {
      return;
    }
    this.addBranch(BrKind.Jmp, 0, l);
  }

  /** Conditional jump to `l` when `cc` holds. */
  jcc(cc: Cond, l: Label): void {
    this.addBranch(BrKind.Jcc, cc, l);
  }

  private addBranch(kind: BrKind, cc: number, l: Label): void {
    if (!(l >= 0 && l < this.labelRaw.len && this.labelConst.get(l) === NONE)) fail(`bad branch target ${l}`);
    this.brRaw.push(this.len);
    this.brKind.push(kind);
    this.brCond.push(cc);
    this.brLabel.push(l);
    this.brEvents.push(this.events);
  }

  get numBranches(): number {
    return this.brRaw.len;
  }

  // ---- Fixups, relocations, traps, source locations -------------------------------

  /** RIP-relative disp32 to a label (see CodeSink). */
  override useLabelDisp32(label: number, bytesAfter: number, extra: number): void {
    if (!(label >= 0 && label < this.labelRaw.len)) fail(`bad label ${label}`);
    this.addFixup(FixKind.PcRel32, label, bytesAfter, extra);
    this.put4(0);
  }

  private addFixup(kind: FixKind, label: number, aux: number, extra: number): void {
    this.fixRaw.push(this.len);
    this.fixBr.push(this.brRaw.len);
    this.fixKind.push(kind);
    this.fixLabel.push(label);
    this.fixAux.push(aux);
    this.fixExtra.push(extra);
    this.events++;
  }

  /** Record a relocation for the field about to be emitted at the current offset. */
  override addReloc(kind: RelocKind, target: number, addend: number): void {
    this.relRaw.push(this.len);
    this.relBr.push(this.brRaw.len);
    this.relKind.push(kind);
    this.relTarget.push(target);
    this.relAddend.push(addend);
    this.events++;
  }

  /** Record that the instruction about to be emitted may trap with `code`. */
  addTrap(code: number): void {
    this.trapRaw.push(this.len);
    this.trapBr.push(this.brRaw.len);
    this.trapCode.push(code);
    this.events++;
  }

  /**
   * Record a call site: call right after emitting a call, so that the position is its
   * return address (what a frame-pointer walk finds). Not an event: nothing can be
   * recorded after a tail branch without bytes in between, so a later peephole never
   * has to move it.
   */
  addCallSite(): void {
    this.csRaw.push(this.len);
    this.csBr.push(this.brRaw.len);
  }

  /** Code emitted from now until `endSrcloc()` comes from source offset `loc`. */
  startSrcloc(loc: number): void {
    if (!(this.curSrcloc === NONE)) fail('nested source locations');
    this.curSrcloc = loc;
    this.curSrclocRaw = this.len;
    this.curSrclocBr = this.brRaw.len;
  }

  endSrcloc(): void {
    if (!(this.curSrcloc !== NONE)) fail('endSrcloc without startSrcloc');
    if (this.curSrclocRaw !== this.len || this.curSrclocBr !== this.brRaw.len) {
      this.slStartRaw.push(this.curSrclocRaw);
      this.slStartBr.push(this.curSrclocBr);
      this.slEndRaw.push(this.len);
      this.slEndBr.push(this.brRaw.len);
      this.slLoc.push(this.curSrcloc);
    }
    this.curSrcloc = NONE;
  }

  // ---- Constant pool ---------------------------------------------------------------

  /**
   * A label for a 4-, 8- or 16-byte constant in the pool after the code, aligned to
   * its size. Equal constants of equal size share one slot.
   */
  addConstant(data: Uint8Array): Label {
    const n = data.length;
    if (!(n === 4 || n === 8 || n === 16)) fail(`constant of ${n} bytes`);
    let key = `${n}:`;
    for (let i = 0; i < n; i++) key += data[i].toString(16).padStart(2, '0');
    const found = this.constKeys.get(key);
    if (found !== undefined) return found;
    const l = this.newLabel();
    this.labelConst.set(l, this.constData.length);
    this.constData.push(data.slice());
    this.constLabel.push(l);
    this.constKeys.set(key, l);
    return l;
  }

  /** 32-bit constant (e.g. f32 bits). */
  constant32(v: number): Label {
    const d = new Uint8Array(4);
    new DataView(d.buffer).setInt32(0, v | 0, true);
    return this.addConstant(d);
  }

  /** 64-bit constant as (lo, hi) halves (e.g. f64 bits). */
  constant64(lo: number, hi: number): Label {
    const d = new Uint8Array(8);
    const v = new DataView(d.buffer);
    v.setInt32(0, lo | 0, true);
    v.setInt32(4, hi | 0, true);
    return this.addConstant(d);
  }

  // ---- Jump tables -----------------------------------------------------------------

  /**
   * Emit an inline jump table at the current position, binding `base` to its first
   * byte: one 32-bit entry per target, each `target - base`.
   */
  jumpTable(base: Label, targets: readonly Label[]): void {
    this.bindLabel(base);
    this.jtLabel.push(base);
    this.jtCount.push(targets.length);
    for (let i = 0; i < targets.length; i++) {
      if (!(targets[i] >= 0 && targets[i] < this.labelRaw.len)) fail(`bad jump-table target ${targets[i]}`);
      this.addFixup(FixKind.TableEntry, targets[i], base, 0);
      this.put4(0);
    }
  }

  /**
   * The whole `br_table` sequence: bounds check to `defaultLabel`, then
   *
   *     lea   tmp, [rip + table]
   *     movsxd idx, dword [tmp + idx*4]
   *     add   tmp, idx
   *     jmp   tmp
   *   table: dd target0 - table, ...
   *
   * `idx` holds the 32-bit index zero-extended to 64 bits (any 32-bit definition
   * leaves it so); both `idx` and `tmp` are clobbered.
   */
  brTable(idx: number, tmp: number, targets: readonly Label[], defaultLabel: Label): void {
    aluRI(this, AluOp.Cmp, 4, idx, targets.length);
    this.jcc(Cond.AE, defaultLabel);
    const table = this.newLabel();
    lea(this, 8, tmp, Amode.rip(table, 0));
    movsxRM(this, 4, 8, idx, Amode.bi(tmp, idx, 2, 0));
    aluRR(this, AluOp.Add, 8, tmp, idx);
    jmpR(this, tmp);
    this.jumpTable(table, targets);
  }

  // ---- Finishing -------------------------------------------------------------------

  /** Final offset of a position (raw offset, branch count) given branch-size prefix sums. */
  private static final(raw: number, br: number, prefix: Int32Array): number {
    return raw + prefix[br];
  }

  finish(): MachBufferFinalized {
    if (!(this.curSrcloc === NONE)) fail('unterminated source location');
    const nBr = this.brRaw.len;
    const nLabels = this.labelRaw.len;

    // Resolve every branch target to a bound code label.
    const brTarget = new Int32Array(nBr);
    for (let i = 0; i < nBr; i++) {
      const t = this.resolve(this.brLabel.get(i));
      if (!(this.labelRaw.get(t) >= 0)) fail(`branch to unbound label ${this.brLabel.get(i)}`);
      brTarget[i] = t;
    }

    // Relaxation: all short, grow to a fixpoint.
    const long = new Uint8Array(nBr);
    const prefix = new Int32Array(nBr + 1);
    for (;;) {
      let acc = 0;
      for (let i = 0; i < nBr; i++) {
        prefix[i] = acc;
        acc += this.brSize(i, long[i] !== 0);
      }
      prefix[nBr] = acc;
      let changed = false;
      for (let i = 0; i < nBr; i++) {
        if (long[i] !== 0) continue;
        const end = this.brRaw.get(i) + prefix[i] + this.brSize(i, false);
        const t = brTarget[i];
        const dest = this.labelRaw.get(t) + prefix[this.labelBr.get(t)];
        if (!fitsI8(dest - end)) {
          long[i] = 1;
          changed = true;
        }
      }
      if (!changed) break;
    }
    const codeSize = this.len + prefix[nBr];

    // Constant pool after the code, each constant aligned to its size.
    const nConst = this.constData.length;
    const constOff = new Int32Array(nConst);
    let end = codeSize;
    // Largest first, so that alignment padding is only needed once.
    const order: number[] = [];
    for (let i = 0; i < nConst; i++) order.push(i);
    order.sort((a, b) => this.constData[b].length - this.constData[a].length || a - b);
    for (const i of order) {
      const sz = this.constData[i].length;
      end = (end + sz - 1) & ~(sz - 1);
      constOff[i] = end;
      end += sz;
    }

    // Label offsets.
    const labelOffsets = new Int32Array(nLabels).fill(-1);
    for (let l = 0; l < nLabels; l++) {
      const t = this.resolve(l);
      const c = this.labelConst.get(t);
      if (c !== NONE) labelOffsets[l] = constOff[c];
      else if (this.labelRaw.get(t) >= 0) labelOffsets[l] = MachBuffer.final(this.labelRaw.get(t), this.labelBr.get(t), prefix);
    }

    // Copy the raw stream, inserting branches.
    const out = new Uint8Array(end);
    // Alignment padding before and between constants reads as int3, should anything
    // ever run into it.
    out.fill(0xcc, codeSize);
    const sink = new CodeSink(0);
    sink.data = out;
    let raw = 0;
    let shortN = 0;
    for (let i = 0; i <= nBr; i++) {
      const upto = i < nBr ? this.brRaw.get(i) : this.len;
      out.set(this.data.subarray(raw, upto), raw + prefix[i]);
      raw = upto;
      if (i === nBr) break;
      sink.len = raw + prefix[i];
      const disp = labelOffsets[brTarget[i]] - (sink.len + this.brSize(i, long[i] !== 0));
      this.emitBranch(sink, i, long[i] !== 0, disp);
      if (long[i] === 0) shortN++;
    }
    for (let i = 0; i < nConst; i++) out.set(this.constData[i], constOff[i]);

    // Label fixups.
    for (let i = 0; i < this.fixRaw.len; i++) {
      const at = MachBuffer.final(this.fixRaw.get(i), this.fixBr.get(i), prefix);
      const target = labelOffsets[this.fixLabel.get(i)];
      if (!(target >= 0)) fail(`reference to unbound label ${this.fixLabel.get(i)}`);
      let v: number;
      if (this.fixKind.get(i) === FixKind.PcRel32) {
        v = target + this.fixExtra.get(i) - (at + 4 + this.fixAux.get(i));
      } else {
        v = target - labelOffsets[this.fixAux.get(i)];
      }
      sink.patch4(at, v);
    }

    const relocOffsets = new Int32Array(this.relRaw.len);
    for (let i = 0; i < this.relRaw.len; i++) relocOffsets[i] = MachBuffer.final(this.relRaw.get(i), this.relBr.get(i), prefix);
    const trapOffsets = new Int32Array(this.trapRaw.len);
    for (let i = 0; i < this.trapRaw.len; i++) trapOffsets[i] = MachBuffer.final(this.trapRaw.get(i), this.trapBr.get(i), prefix);
    const nSl = this.slLoc.len;
    const srclocStarts = new Int32Array(nSl);
    const srclocEnds = new Int32Array(nSl);
    for (let i = 0; i < nSl; i++) {
      srclocStarts[i] = MachBuffer.final(this.slStartRaw.get(i), this.slStartBr.get(i), prefix);
      srclocEnds[i] = MachBuffer.final(this.slEndRaw.get(i), this.slEndBr.get(i), prefix);
    }

    const callSites = new Int32Array(this.csRaw.len);
    for (let i = 0; i < this.csRaw.len; i++) callSites[i] = MachBuffer.final(this.csRaw.get(i), this.csBr.get(i), prefix);
    const jumpTables = new Int32Array(2 * this.jtLabel.len);
    for (let i = 0; i < this.jtLabel.len; i++) {
      jumpTables[2 * i] = labelOffsets[this.jtLabel.get(i)];
      jumpTables[2 * i + 1] = this.jtCount.get(i);
    }

    return {
      bytes: out,
      callSites,
      jumpTables,
      codeSize,
      relocOffsets,
      relocKinds: this.relKind.toArray(),
      relocTargets: this.relTarget.toArray(),
      relocAddends: this.relAddend.toArray(),
      trapOffsets,
      trapCodes: this.trapCode.toArray(),
      srclocStarts,
      srclocEnds,
      srclocLocs: this.slLoc.toArray(),
      labelOffsets,
      shortBranches: shortN,
      longBranches: nBr - shortN,
    };
  }

  private brSize(i: number, isLong: boolean): number {
    if (this.brKind.get(i) === BrKind.Jmp) return isLong ? JMP_REL32_SIZE : JMP_REL8_SIZE;
    return isLong ? JCC_REL32_SIZE : JCC_REL8_SIZE;
  }

  private emitBranch(s: CodeSink, i: number, isLong: boolean, disp: number): void {
    const cc = this.brCond.get(i) as Cond;
    if (this.brKind.get(i) === BrKind.Jmp) {
      if (isLong) jmpRel32(s, disp); else jmpRel8(s, disp);
    } else if (isLong) {
      jccRel32(s, cc, disp);
    } else {
      jccRel8(s, cc, disp);
    }
  }
}
