// Register allocator, phase 4: resolution — operand allocations and edits.
//
// After linear scan every interval child has a location. This phase
//  - gives each operand its allocation, adding fix-up moves where the
//    operand's constraint differs from where its interval lives (fixed
//    registers, stack operands, reused inputs);
//  - connects split children inside blocks (a move in the gap at the split);
//  - connects locations across CFG edges, including block-param/branch-arg
//    pairs (Wimmer & Franz 2010 §5 "resolveDataFlow", with SSA phis as block
//    params), placing edge moves before the terminator of a single-successor
//    predecessor, else at the start of the (single-predecessor) successor;
//  - stores a spilled value into its slot once, right after its definition,
//    when that is cheaper (by loop depth) than the stores at every spill
//    point — valid because in SSA the definition dominates the whole live
//    range, so the slot never needs rewriting;
//  - groups all moves by program point and sequentialises each group as a
//    parallel move (moves.ts).
//
// The gap before instruction i executes, in order:
//   0 edge moves into i's block (when i starts a block whose predecessor
//     branches several ways)
//   1 fix-ups of instruction i-1's defs (fixed/stack def -> interval location)
//   2 split connections and reuse copies (sources read before the gap)
//   3 fix-ups of instruction i's uses (interval location -> fixed/stack)
//   4 edge moves out of i's block (when i is the terminator of a block with a
//     single successor)
// Each step is one parallel move. The ordering is what makes them safe: a
// fixed register written in step 3 is blocked for every other interval at i,
// and a def's fixed register is read in step 1 before anything else can
// overwrite it.

import { CfgInfo } from './cfg';
import {
  ALLOC_STACK_BIT,
  MachineEnv,
  NUM_CLASSES,
  OperandConstraint as C,
  RaFunction,
  RaOutput,
  allocIsReg,
  allocToString,
  assert,
  opConstraint,
  opIsDef,
  opIsLate,
  opPayload,
  INST_MOVE,
  fail,
} from './interface';
import { LinearScan } from './linearscan';
import { Liveness } from './liveness';
import { ParallelMoves } from './moves';
import { DEPTH_WEIGHT, LiveRanges } from './ranges';

const P_EDGE_IN = 0;
const P_DEF = 1;
const P_SPLIT = 2;
const P_USE = 3;
const P_EDGE_OUT = 4;

function growI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

export class Resolver {
  private mKey = new Float64Array(256);
  private mFrom = new Int32Array(256);
  private mTo = new Int32Array(256);
  private mCls = new Uint8Array(256);
  private nm = 0;
  private gCount = new Int32Array(0);
  private sorted = new Float64Array(0);
  private pm = new ParallelMoves();
  private eInst = new Int32Array(256);
  private eFrom = new Int32Array(256);
  private eTo = new Int32Array(256);
  private eCls = new Uint8Array(256);
  private ne = 0;

  private lr!: LiveRanges;
  private cfg!: CfgInfo;
  // Slot stores awaiting placement (see addSlotStore).
  private sV = new Int32Array(64);
  private sInst = new Int32Array(64);
  private sPhase = new Int32Array(64);
  private sFrom = new Int32Array(64);
  private ns = 0;
  private vStoreCost = new Float64Array(0);
  private vStoreMode = new Uint8Array(0);
  /** Where v's value is right after its definition, and the instruction whose gap that is. */
  private vDefAlloc = new Int32Array(0);
  private vDefInst = new Int32Array(0);

  private addMove(inst: number, phase: number, cls: number, from: number, to: number): void {
    if (from === to) return;
    const k = this.nm++;
    if (k >= this.mFrom.length) {
      const m = k * 2;
      const key = new Float64Array(m);
      key.set(this.mKey);
      this.mKey = key;
      this.mFrom = growI32(this.mFrom, m);
      this.mTo = growI32(this.mTo, m);
      const c = new Uint8Array(m);
      c.set(this.mCls);
      this.mCls = c;
    }
    // key: program point (inst, phase), then class, then insertion order.
    this.mKey[k] = ((inst * 8 + phase) * 2 + cls) * 4194304 + k;
    this.mFrom[k] = from;
    this.mTo[k] = to;
    this.mCls[k] = cls;
  }

  /**
   * A move of v's own value into v's spill slot. Collected per vreg so that
   * `placeSlotStores` can replace them all by one store after the definition
   * (SSA: once stored, the slot stays valid wherever v is live, because the
   * definition dominates all of v's live range).
   */
  private addSlotStore(v: number, inst: number, phase: number, cls: number, from: number, to: number): void {
    if (from === to) return;
    if (to !== this.lr.vSlot[v]) {
      this.addMove(inst, phase, cls, from, to);
      return;
    }
    const k = this.ns++;
    if (k >= this.sV.length) {
      const m = k * 2;
      this.sV = growI32(this.sV, m);
      this.sInst = growI32(this.sInst, m);
      this.sPhase = growI32(this.sPhase, m);
      this.sFrom = growI32(this.sFrom, m);
    }
    this.sV[k] = v;
    this.sInst[k] = inst;
    this.sPhase[k] = phase;
    this.sFrom[k] = from;
    const d = this.cfg.depth[this.cfg.instBlock[inst]];
    this.vStoreCost[v] += DEPTH_WEIGHT[d < 4 ? d : 4];
  }

  /** Decides, per vreg, between the collected slot stores and one store at the definition. */
  private placeSlotStores(f: RaFunction): void {
    const lr = this.lr;
    const cfg = this.cfg;
    const mode = this.vStoreMode; // 0 keep all, 1 drop all (slot written at def), 2 drop all + store at def
    for (let v = 0; v < f.numVRegs; v++) {
      mode[v] = 0;
      if (this.vStoreCost[v] === 0) continue;
      const da = this.vDefAlloc[v];
      if (da === lr.vSlot[v]) {
        mode[v] = 1;
        continue;
      }
      const di = this.vDefInst[v];
      const d = cfg.depth[cfg.instBlock[di]];
      if (DEPTH_WEIGHT[d < 4 ? d : 4] <= this.vStoreCost[v]) mode[v] = 2;
    }
    for (let k = 0; k < this.ns; k++) {
      const v = this.sV[k];
      if (mode[v] === 0) this.addMove(this.sInst[k], this.sPhase[k], f.vregClass[v], this.sFrom[k], lr.vSlot[v]);
    }
    for (let v = 0; v < f.numVRegs; v++) {
      if (mode[v] === 2) this.addMove(this.vDefInst[v], P_DEF, f.vregClass[v], this.vDefAlloc[v], lr.vSlot[v]);
    }
  }

  private loc(v: number, pos: number): number {
    const c = this.lr.childAt(v, pos);
    if (!(c >= 0)) fail(`v${v} has no location at position ${pos}`);
    const l = this.lr.ivLoc[c];
    if (!(l !== -1)) fail(`v${v} unassigned at position ${pos}`);
    return l;
  }

  private slot(v: number): number {
    const s = this.lr.vSlot[v];
    if (!(s !== -1)) fail(`v${v} has no spill slot`);
    return s;
  }

  run(
    f: RaFunction,
    cfg: CfgInfo,
    live: Liveness,
    lr: LiveRanges,
    ls: LinearScan,
    slotWords: number,
    env: MachineEnv,
  ): RaOutput {
    this.lr = lr;
    this.cfg = cfg;
    this.nm = 0;
    this.ns = 0;
    const nv = f.numVRegs;
    if (this.vStoreCost.length < nv) {
      this.vStoreCost = new Float64Array(nv);
      this.vStoreMode = new Uint8Array(nv);
      this.vDefAlloc = new Int32Array(nv);
      this.vDefInst = new Int32Array(nv);
    }
    this.vStoreCost.fill(0, 0, nv);
    this.vDefAlloc.fill(-1, 0, nv);
    // Block params: their value is at the block start, stored in the first gap.
    for (let b = 0; b < f.numBlocks; b++) {
      for (let k = f.blockParamStart[b]; k < f.blockParamStart[b + 1]; k++) {
        const v = f.paramPool[k];
        if (lr.vFirstIv[v] < 0) continue;
        this.vDefAlloc[v] = this.loc(v, cfg.blockPos[b]);
        this.vDefInst[v] = f.blockInstStart[b];
      }
    }
    this.ne = 0;
    this.pm.resetStats();
    const opAlloc = new Int32Array(f.opVReg.length).fill(-1);
    let coalesced = 0;

    // 1. Operands.
    for (let b = 0; b < f.numBlocks; b++) {
      const first = f.blockInstStart[b];
      for (let i = first; i < f.blockInstStart[b + 1]; i++) {
        const ip = cfg.instPos[i];
        const o0 = f.instOpStart[i];
        const o1 = f.instOpStart[i + 1];
        for (let o = o0; o < o1; o++) {
          const info = f.opInfo[o];
          if (opIsDef(info)) continue;
          const v = f.opVReg[o];
          const cls = f.vregClass[v];
          if (lr.opReused[o] !== 0) continue; // allocated with its def
          const pos = opIsLate(info) ? ip + 1 : ip;
          const l = this.loc(v, pos);
          switch (opConstraint(info)) {
            case C.Any:
              opAlloc[o] = l;
              break;
            case C.Reg:
              if (!(allocIsReg(l))) fail(`inst ${i}: v${v} must be in a register, is in ${allocToString(l)}`);
              opAlloc[o] = l;
              break;
            case C.Stack: {
              const s = this.slot(v);
              opAlloc[o] = s;
              this.addSlotStore(v, i, P_USE, cls, l, s);
              break;
            }
            case C.Fixed: {
              const p = opPayload(info);
              opAlloc[o] = p;
              this.addMove(i, P_USE, cls, l, p);
              break;
            }
          }
        }
        for (let o = o0; o < o1; o++) {
          const info = f.opInfo[o];
          if (!opIsDef(info)) continue;
          const v = f.opVReg[o];
          const cls = f.vregClass[v];
          const c = opConstraint(info);
          const pos = opIsLate(info) && c !== C.Reuse ? ip + 1 : ip;
          const l = this.loc(v, pos);
          // A def that is the vreg's only use record is dead: no fix-up move.
          const dead = lr.vUseStart[v + 1] - lr.vUseStart[v] === 1;
          switch (c) {
            case C.Any:
              opAlloc[o] = l;
              break;
            case C.Reg:
              if (!(allocIsReg(l))) fail(`inst ${i}: def v${v} must be in a register, is in ${allocToString(l)}`);
              opAlloc[o] = l;
              break;
            case C.Stack: {
              const s = this.slot(v);
              opAlloc[o] = s;
              if (!dead) this.addMove(i + 1, P_DEF, cls, s, l);
              break;
            }
            case C.Fixed: {
              const p = opPayload(info);
              opAlloc[o] = p;
              if (!dead) this.addMove(i + 1, P_DEF, cls, p, l);
              break;
            }
            case C.Reuse: {
              if (!(allocIsReg(l))) fail(`inst ${i}: reuse def v${v} must be in a register, is in ${allocToString(l)}`);
              opAlloc[o] = l;
              const k = opPayload(info);
              const u = f.opVReg[o0 + k];
              opAlloc[o0 + k] = l;
              const src = this.loc(u, ip - 1);
              this.addMove(i, P_SPLIT, cls, src, l);
              break;
            }
          }
        }
        for (let o = o0; o < o1; o++) {
          if (!opIsDef(f.opInfo[o])) continue;
          this.vDefAlloc[f.opVReg[o]] = opAlloc[o];
          this.vDefInst[f.opVReg[o]] = i + 1;
        }
        if ((f.instFlags[i] & INST_MOVE) !== 0 && opAlloc[o0] === opAlloc[o0 + 1]) coalesced++;
      }
    }

    // 2. Split connections inside blocks.
    for (let v = 0; v < f.numVRegs; v++) {
      let c = lr.vFirstIv[v];
      if (c < 0) continue;
      const cls = f.vregClass[v];
      for (let n = lr.ivNext[c]; n >= 0; c = n, n = lr.ivNext[n]) {
        const s = lr.ivStart[n];
        if (cfg.blockPos[cfg.slotBlock[s >> 1]] === s || s === lr.vDefPos[v]) continue;
        const i = cfg.slotInst[s >> 1];
        if (!(lr.ivEnd[c] === s && (s & 1) === 0)) fail(`v${v}: split child at ${s} not connected`);
        this.addSlotStore(v, i, P_SPLIT, cls, lr.ivLoc[c], lr.ivLoc[n]);
      }
    }

    // 3. Edges.
    for (let b = 0; b < f.numBlocks; b++) {
      const first = f.blockInstStart[b];
      const bs = cfg.blockPos[b];
      for (let pk = f.blockPredStart[b]; pk < f.blockPredStart[b + 1]; pk++) {
        const p = f.predPool[pk];
        let k = f.blockSuccStart[p];
        while (f.succPool[k] !== b) k++;
        const term = f.blockInstStart[p + 1] - 1;
        const pe = cfg.blockPos[p + 1] - 1;
        const single = f.blockSuccStart[p + 1] - f.blockSuccStart[p] === 1;
        const inst = single ? term : first;
        const phase = single ? P_EDGE_OUT : P_EDGE_IN;
        for (let q = live.liveInStart[b]; q < live.liveInStart[b + 1]; q++) {
          const v = live.liveInPool[q];
          // A vreg never split has one location everywhere: no move.
          if (lr.vChildStart[v + 1] - lr.vChildStart[v] === 1) continue;
          this.addSlotStore(v, inst, phase, f.vregClass[v], this.loc(v, pe), this.loc(v, bs));
        }
        const a0 = f.succArgStart[k];
        const pp0 = f.blockParamStart[b];
        for (let j = 0; j < f.blockParamStart[b + 1] - pp0; j++) {
          const param = f.paramPool[pp0 + j];
          if (lr.vFirstIv[param] < 0) continue; // dead param
          const arg = f.argPool[a0 + j];
          this.addMove(inst, phase, f.vregClass[param], this.loc(arg, pe), this.loc(param, bs));
        }
      }
    }

    this.placeSlotStores(f);

    // 4. Sequentialise per (point, class).
    const n = this.nm;
    assert(n < 4194304, 'too many moves');
    const keys = this.sortMoves(n, f.numInsts * 16);
    const cyc0 = slotWords | ALLOC_STACK_BIT;
    const cyc1 = ((slotWords + 2) & ~1) | ALLOC_STACK_BIT;
    const pm = this.pm;
    for (let g = 0; g < n; ) {
      const group = Math.floor(keys[g] / 4194304);
      pm.reset();
      let h = g;
      for (; h < n && Math.floor(keys[h] / 4194304) === group; h++) {
        const k = keys[h] % 4194304;
        pm.add(this.mFrom[k], this.mTo[k]);
      }
      const cls = group & 1;
      const inst = Math.floor(group / 16);
      pm.resolve(env.scratch[cls], cls === 0 ? cyc0 : cyc1);
      for (let e = 0; e < pm.outN; e++) this.edit(inst, pm.outFrom[e], pm.outTo[e], cls);
      g = h;
    }
    let spillWords = slotWords;
    if (pm.usedCycleSlot) spillWords = ((slotWords + 2) & ~1) + 2;

    // 5. Callee-saved registers written.
    const used = new Uint8Array(NUM_CLASSES * 32);
    for (let o = 0; o < opAlloc.length; o++) {
      if (opIsDef(f.opInfo[o]) && allocIsReg(opAlloc[o])) used[opAlloc[o]] = 1;
    }
    for (let e = 0; e < this.ne; e++) if (allocIsReg(this.eTo[e])) used[this.eTo[e]] = 1;
    for (let iv = 0; iv < lr.numIntervals; iv++) if (allocIsReg(lr.ivLoc[iv])) used[lr.ivLoc[iv]] = 1;
    const calleeSavedUsed: number[] = [];
    for (let p = 0; p < used.length; p++) if (used[p] && ls.isCallee[p]) calleeSavedUsed.push(p);

    return {
      opAlloc,
      numEdits: this.ne,
      editInst: this.eInst.slice(0, this.ne),
      editFrom: this.eFrom.slice(0, this.ne),
      editTo: this.eTo.slice(0, this.ne),
      editClass: this.eCls.slice(0, this.ne),
      spillWords,
      calleeSavedUsed,
      stats: {
        spills: pm.spills,
        reloads: pm.reloads,
        regMoves: pm.regMoves,
        stackMoves: pm.stackMoves,
        splits: ls.splits,
        intervals: lr.numIntervals,
        coalescedMoves: coalesced,
        weightedEdits: this.weightedEdits(cfg),
      },
    };
  }

  /**
   * The pending move keys in program-point order (stable): a counting sort
   * on the group (instruction, phase, class), since there are far fewer
   * groups than a comparison sort would pay for.
   */
  private sortMoves(n: number, groups: number): Float64Array {
    if (this.gCount.length < groups + 1) this.gCount = new Int32Array(groups + 1);
    if (this.sorted.length < n) this.sorted = new Float64Array(n * 2);
    const cnt = this.gCount;
    cnt.fill(0, 0, groups + 1);
    const key = this.mKey;
    for (let k = 0; k < n; k++) cnt[Math.floor(key[k] / 4194304) + 1]++;
    for (let g = 0; g < groups; g++) cnt[g + 1] += cnt[g];
    const out = this.sorted;
    for (let k = 0; k < n; k++) out[cnt[Math.floor(key[k] / 4194304)]++] = key[k];
    return out;
  }

  private weightedEdits(cfg: CfgInfo): number {
    let w = 0;
    for (let e = 0; e < this.ne; e++) {
      const d = cfg.depth[cfg.instBlock[this.eInst[e]]];
      w += DEPTH_WEIGHT[d < 4 ? d : 4];
    }
    return w;
  }

  private edit(inst: number, from: number, to: number, cls: number): void {
    const k = this.ne++;
    if (k >= this.eInst.length) {
      const m = k * 2;
      this.eInst = growI32(this.eInst, m);
      this.eFrom = growI32(this.eFrom, m);
      this.eTo = growI32(this.eTo, m);
      const c = new Uint8Array(m);
      c.set(this.eCls);
      this.eCls = c;
    }
    this.eInst[k] = inst;
    this.eFrom[k] = from;
    this.eTo[k] = to;
    this.eCls[k] = cls;
  }
}

