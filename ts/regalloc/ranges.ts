// Register allocator, phase 2: live intervals, use positions, fixed ranges.
//
// Program points (cfg.ts): instruction i has an early point p = instPos[i]
// and a late point p+1; each block also has a header slot before its first
// instruction, where params and live-ins begin. Moves inserted "before i" sit
// in the gap between p-1 and p, so intervals are only split at even
// positions. A range [from, to) is half-open.
//   use early at i      -> live up to p+1 (exclusive)
//   use late at i       -> live up to p+2 (conflicts with defs of i)
//   def late at i       -> live from p+1
//   def early / reuse   -> live from p (conflicts with every input of i)
//   reused input at i   -> live up to p: it is consumed by a move in the gap,
//                          so a dying input can share the def's register
//
// Intervals are built in one reverse scan over blocks and instructions with
// exact live-out sets (Wimmer & Franz, "Linear Scan Register Allocation on SSA
// Form", CGO 2010, §4 BuildIntervals — without their loop-end trick, which
// exact liveness makes unnecessary). Every vreg starts as one interval; the
// allocator splits intervals into children that share the vreg's sorted use
// list by index range. Hot data lives in growable typed-array columns owned
// by a `LiveRanges` object that is reused from function to function.
//
// Fixed ranges block a physical register for the operands constrained to it
// and for clobbers; each carries its owner vreg (-1 for clobbers) because a
// vreg may sit in the register its own fixed operand names.

import { CfgInfo } from './cfg';
import {
  NUM_CLASSES,
  OperandConstraint as C,
  RaFunction,
  opConstraint,
  opIsDef,
  opIsLate,
  opPayload,
  fail,
} from './interface';
import { Liveness, isLiveIn } from './liveness';

export const INF = 0x7fffffff;
/** Use flag: the use requires a register at its position. */
export const USE_MUST_REG = 1;

function growI32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}
function growF64(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  if (n <= a.length) return a;
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** Use weight by loop depth: a use inside a loop counts 8x per level (capped). */
export const DEPTH_WEIGHT = [1, 8, 64, 512, 4096];

export class LiveRanges {
  // Range pool (linked lists in position order).
  rFrom = new Int32Array(1024);
  rTo = new Int32Array(1024);
  rNext = new Int32Array(1024);
  numRanges = 0;

  // Intervals (a vreg's first interval or a split child).
  ivVReg = new Int32Array(256);
  ivFirst = new Int32Array(256);
  ivCur = new Int32Array(256);
  ivStart = new Int32Array(256);
  ivEnd = new Int32Array(256);
  /** Allocation: PReg, a stack allocation, or -1 while unassigned. */
  ivLoc = new Int32Array(256);
  ivNext = new Int32Array(256);
  ivUseLo = new Int32Array(256);
  ivUseHi = new Int32Array(256);
  numIntervals = 0;

  // Per vreg.
  vFirstRange = new Int32Array(256);
  vFirstIv = new Int32Array(256);
  vUseStart = new Int32Array(257);
  /** Partner vreg for hints (move, block param/arg, reuse), or -1. */
  vHint = new Int32Array(256);
  /** PReg of the vreg's fixed def, or of its first fixed use, or -1. */
  vFixedHint = new Int32Array(256);
  vFixedDef = new Int32Array(256);
  /** Majority register of the vreg's fixed uses (Boyer-Moore vote) and its vote count. */
  vUseHint = new Int32Array(256);
  vUseHintVotes = new Int32Array(256);
  /** Last register a child of the vreg received (hint for later children). */
  vLastReg = new Int32Array(256);
  /** Spill slot allocation (stack Allocation) or -1. */
  vSlot = new Int32Array(256);
  /** 1 if the vreg is defined by a Stack-constrained operand (its value starts in its slot). */
  vStackDef = new Uint8Array(256);
  /** Definition position (a block start for params). */
  vDefPos = new Int32Array(256);
  /** Scratch column (fill pointers while building the use lists). */
  vCursor = new Int32Array(256);

  // Uses, grouped per vreg (CSR by vUseStart) and sorted by position.
  uPos = new Int32Array(1024);
  uFlags = new Int32Array(1024);
  /** uNextMust[j]: smallest j' >= j in the same vreg with USE_MUST_REG, else the group end. */
  uNextMust = new Int32Array(1024);
  /** Prefix sums of use weights over the whole pool. */
  uPrefix = new Float64Array(1025);
  numUses = 0;

  /** Late positions of instructions with clobbers, ascending, and their clobber sets. */
  callPos = new Int32Array(64);
  callSet = new Int32Array(64);
  numCalls = 0;
  /** Clobber set of the call found by the last `firstCallIn`. */
  foundCallSet = -1;
  vChildStart = new Int32Array(257);
  cOrder = new Int32Array(256);
  /** Per operand: 1 if it is the input of a Reuse def of its instruction. */
  opReused = new Uint8Array(256);

  // Fixed ranges per physical register (index = PReg), in position order.
  fixFrom: Int32Array<ArrayBuffer>[] = [];
  fixTo: Int32Array<ArrayBuffer>[] = [];
  fixOwner: Int32Array<ArrayBuffer>[] = [];
  fixN = new Int32Array(NUM_CLASSES * 32);

  constructor() {
    for (let p = 0; p < NUM_CLASSES * 32; p++) {
      this.fixFrom.push(new Int32Array(16));
      this.fixTo.push(new Int32Array(16));
      this.fixOwner.push(new Int32Array(16));
    }
  }

  private reset(nv: number, nOps: number): void {
    this.numRanges = 0;
    this.numIntervals = 0;
    this.numUses = 0;
    if (this.vFirstRange.length < nv) {
      const n = Math.max(nv, this.vFirstRange.length * 2);
      this.vFirstRange = new Int32Array(n);
      this.vFirstIv = new Int32Array(n);
      this.vUseStart = new Int32Array(n + 1);
      this.vHint = new Int32Array(n);
      this.vFixedHint = new Int32Array(n);
      this.vFixedDef = new Int32Array(n);
      this.vUseHint = new Int32Array(n);
      this.vUseHintVotes = new Int32Array(n);
      this.vLastReg = new Int32Array(n);
      this.vSlot = new Int32Array(n);
      this.vCursor = new Int32Array(n);
      this.vDefPos = new Int32Array(n);
      this.vStackDef = new Uint8Array(n);
    }
    this.vDefPos.fill(-1, 0, nv);
    this.vStackDef.fill(0, 0, nv);
    this.vFirstRange.fill(-1, 0, nv);
    this.vFirstIv.fill(-1, 0, nv);
    this.vHint.fill(-1, 0, nv);
    this.vFixedHint.fill(-1, 0, nv);
    this.vFixedDef.fill(-1, 0, nv);
    this.vUseHint.fill(-1, 0, nv);
    this.vUseHintVotes.fill(0, 0, nv);
    this.vLastReg.fill(-1, 0, nv);
    this.vSlot.fill(-1, 0, nv);
    this.vCursor.fill(-1, 0, nv);
    this.uPos = growI32(this.uPos, nOps);
    this.uFlags = growI32(this.uFlags, nOps);
    this.uNextMust = growI32(this.uNextMust, nOps);
    this.uPrefix = growF64(this.uPrefix, nOps + 1);
    this.fixN.fill(0);
  }

  newRange(from: number, to: number, next: number): number {
    const r = this.numRanges++;
    if (r >= this.rFrom.length) {
      this.rFrom = growI32(this.rFrom, r + 1);
      this.rTo = growI32(this.rTo, r + 1);
      this.rNext = growI32(this.rNext, r + 1);
    }
    this.rFrom[r] = from;
    this.rTo[r] = to;
    this.rNext[r] = next;
    return r;
  }

  newInterval(v: number): number {
    const iv = this.numIntervals++;
    if (iv >= this.ivVReg.length) {
      const n = iv + 1;
      this.ivVReg = growI32(this.ivVReg, n);
      this.ivFirst = growI32(this.ivFirst, n);
      this.ivCur = growI32(this.ivCur, n);
      this.ivStart = growI32(this.ivStart, n);
      this.ivEnd = growI32(this.ivEnd, n);
      this.ivLoc = growI32(this.ivLoc, n);
      this.ivNext = growI32(this.ivNext, n);
      this.ivUseLo = growI32(this.ivUseLo, n);
      this.ivUseHi = growI32(this.ivUseHi, n);
    }
    this.ivVReg[iv] = v;
    this.ivLoc[iv] = -1;
    this.ivNext[iv] = -1;
    return iv;
  }

  /** Prepends [from, to) to v's ranges, merging with an adjacent first range. */
  private addRange(v: number, from: number, to: number): void {
    const r = this.vFirstRange[v];
    if (r >= 0 && this.rFrom[r] <= to) {
      if (from < this.rFrom[r]) this.rFrom[r] = from;
      if (to > this.rTo[r]) this.rTo[r] = to;
      return;
    }
    this.vFirstRange[v] = this.newRange(from, to, r);
  }

  /** A definition at `pos`: trims the first range, or creates a dead range. */
  private defAt(v: number, pos: number): void {
    const r = this.vFirstRange[v];
    if (r >= 0 && this.rFrom[r] <= pos && pos < this.rTo[r]) {
      this.rFrom[r] = pos;
    } else {
      this.vFirstRange[v] = this.newRange(pos, (pos | 1) + 1, r);
    }
  }

  private addFixed(p: number, from: number, to: number, owner: number): void {
    const n = this.fixN[p];
    if (n >= this.fixFrom[p].length) {
      this.fixFrom[p] = growI32(this.fixFrom[p], n + 1);
      this.fixTo[p] = growI32(this.fixTo[p], n + 1);
      this.fixOwner[p] = growI32(this.fixOwner[p], n + 1);
    }
    this.fixFrom[p][n] = from;
    this.fixTo[p][n] = to;
    this.fixOwner[p][n] = owner;
    this.fixN[p] = n + 1;
  }

  build(f: RaFunction, cfg: CfgInfo, live: Liveness): void {
    const nv = f.numVRegs;
    const nOps = f.opVReg.length + f.argPool.length;
    this.reset(nv, nOps);
    this.markReusedInputs(f);
    this.buildUses(f, cfg);
    this.buildFixed(f, cfg);
    for (let b = f.numBlocks - 1; b >= 0; b--) {
      const bs = cfg.blockPos[b];
      const be = cfg.blockPos[b + 1];
      // Live-out = successors' live-ins and the branch args (duplicates merge).
      for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
        const s = f.succPool[k];
        for (let q = live.liveInStart[s]; q < live.liveInStart[s + 1]; q++) this.addRange(live.liveInPool[q], bs, be);
        for (let a = f.succArgStart[k]; a < f.succArgStart[k + 1]; a++) this.addRange(f.argPool[a], bs, be);
      }
      for (let i = f.blockInstStart[b + 1] - 1; i >= f.blockInstStart[b]; i--) {
        const ip = cfg.instPos[i];
        const o0 = f.instOpStart[i];
        const o1 = f.instOpStart[i + 1];
        for (let o = o0; o < o1; o++) {
          const info = f.opInfo[o];
          if (!opIsDef(info)) continue;
          const late = opIsLate(info) && opConstraint(info) !== C.Reuse;
          this.defAt(f.opVReg[o], late ? ip + 1 : ip);
        }
        for (let o = o0; o < o1; o++) {
          const info = f.opInfo[o];
          if (opIsDef(info)) continue;
          this.addRange(f.opVReg[o], bs, useEnd(info, ip, this.opReused[o]));
        }
      }
      // Block params are defined at bs; their ranges already start there.
    }
    this.vCursor.fill(-1, 0, nv);
    // One interval per live vreg.
    for (let v = 0; v < nv; v++) {
      const r0 = this.vFirstRange[v];
      if (r0 < 0) continue;
      const iv = this.newInterval(v);
      this.ivFirst[iv] = r0;
      this.ivCur[iv] = r0;
      this.ivStart[iv] = this.rFrom[r0];
      let r = r0;
      while (this.rNext[r] >= 0) r = this.rNext[r];
      this.ivEnd[iv] = this.rTo[r];
      this.ivUseLo[iv] = this.vUseStart[v];
      this.ivUseHi[iv] = this.vUseStart[v + 1];
      this.vFirstIv[v] = iv;
    }
  }

  private markReusedInputs(f: RaFunction): void {
    const n = f.opVReg.length;
    if (this.opReused.length < n) this.opReused = new Uint8Array(Math.max(n, this.opReused.length * 2));
    const m = this.opReused;
    m.fill(0, 0, n);
    for (let i = 0; i < f.numInsts; i++) {
      const o0 = f.instOpStart[i];
      for (let o = o0; o < f.instOpStart[i + 1]; o++) {
        const info = f.opInfo[o];
        if (opIsDef(info) && opConstraint(info) === C.Reuse) m[o0 + opPayload(info)] = 1;
      }
    }
  }

  /** Use records: positions, must-register flags, weights; plus hints. */
  private buildUses(f: RaFunction, cfg: CfgInfo): void {
    const nv = f.numVRegs;
    const start = this.vUseStart;
    start.fill(0, 0, nv + 1);
    for (let o = 0; o < f.opVReg.length; o++) start[f.opVReg[o] + 1]++;
    for (let a = 0; a < f.argPool.length; a++) start[f.argPool[a] + 1]++;
    for (let v = 0; v < nv; v++) start[v + 1] += start[v];
    const fill = this.vCursor; // temporary fill pointers
    for (let v = 0; v < nv; v++) fill[v] = start[v];
    const pos = this.uPos;
    const flags = this.uFlags;
    for (let b = 0; b < f.numBlocks; b++) {
      const bs = cfg.blockPos[b];
      for (let k = f.blockParamStart[b]; k < f.blockParamStart[b + 1]; k++) this.vDefPos[f.paramPool[k]] = bs;
      for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
        const ip = cfg.instPos[i];
        const o0 = f.instOpStart[i];
        const o1 = f.instOpStart[i + 1];
        for (let o = o0; o < o1; o++) {
          const v = f.opVReg[o];
          const info = f.opInfo[o];
          const c = opConstraint(info);
          const j = fill[v]++;
          let p: number;
          if (opIsDef(info)) {
            p = opIsLate(info) && c !== C.Reuse ? ip + 1 : ip;
            this.vDefPos[v] = p;
            this.vStackDef[v] = c === C.Stack ? 1 : 0;
            if (c === C.Fixed) {
              this.vFixedHint[v] = opPayload(info);
              this.vFixedDef[v] = opPayload(info);
            }
            if (c === C.Reuse) {
              const u = f.opVReg[o0 + opPayload(info)];
              this.vHint[v] = u;
              if (this.vHint[u] < 0) this.vHint[u] = v;
            }
          } else {
            p = useEnd(info, ip, this.opReused[o]) - 1;
            if (c === C.Fixed) {
              const p = opPayload(info);
              if (this.vFixedHint[v] < 0) this.vFixedHint[v] = p;
              if (this.vUseHintVotes[v] === 0) {
                this.vUseHint[v] = p;
                this.vUseHintVotes[v] = 1;
              } else this.vUseHintVotes[v] += this.vUseHint[v] === p ? 1 : -1;
            }
          }
          pos[j] = p;
          // A reused input is read by a move, from wherever it lives.
          const must = c === C.Reuse || (c === C.Reg && (opIsDef(info) || this.opReused[o] === 0));
          flags[j] = must ? USE_MUST_REG : 0;
        }
        if (f.instFlags[i] & 4 /* INST_MOVE */) {
          const src = f.opVReg[o0];
          const dst = f.opVReg[o0 + 1];
          this.vHint[dst] = src;
          if (this.vHint[src] < 0) this.vHint[src] = dst;
        }
      }
      const endPos = cfg.blockPos[b + 1] - 1;
      for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
        const t = f.succPool[k];
        for (let a = f.succArgStart[k]; a < f.succArgStart[k + 1]; a++) {
          const v = f.argPool[a];
          const j = fill[v]++;
          pos[j] = endPos;
          flags[j] = 0;
          const param = f.paramPool[f.blockParamStart[t] + a - f.succArgStart[k]];
          if (this.vHint[param] < 0) this.vHint[param] = v;
          if (this.vHint[v] < 0) this.vHint[v] = param;
        }
      }
    }
    this.numUses = start[nv];
    // Sort each group by position (nearly sorted: insertion sort), then derive
    // next-must-register links and weight prefix sums.
    const nextMust = this.uNextMust;
    const prefix = this.uPrefix;
    for (let v = 0; v < nv; v++) {
      const lo = start[v];
      const hi = start[v + 1];
      for (let j = lo + 1; j < hi; j++) {
        const p = pos[j];
        const fl = flags[j];
        let k = j - 1;
        while (k >= lo && pos[k] > p) {
          pos[k + 1] = pos[k];
          flags[k + 1] = flags[k];
          k--;
        }
        pos[k + 1] = p;
        flags[k + 1] = fl;
      }
      let nm = hi;
      for (let j = hi - 1; j >= lo; j--) {
        if (flags[j] & USE_MUST_REG) nm = j;
        nextMust[j] = nm;
      }
    }
    prefix[0] = 0;
    const depth = cfg.depth;
    for (let j = 0; j < this.numUses; j++) {
      const d = depth[cfg.slotBlock[pos[j] >> 1]];
      prefix[j + 1] = prefix[j] + DEPTH_WEIGHT[d < 4 ? d : 4];
    }
  }

  /** Fixed-register ranges for fixed operands and clobbers, in position order. */
  private buildFixed(f: RaFunction, cfg: CfgInfo): void {
    this.numCalls = 0;
    for (let i = 0; i < f.numInsts; i++) {
      const ip = cfg.instPos[i];
      const o0 = f.instOpStart[i];
      const o1 = f.instOpStart[i + 1];
      // Ranges starting at 2i first, then those starting at 2i+1.
      for (let o = o0; o < o1; o++) {
        const info = f.opInfo[o];
        if (opConstraint(info) !== C.Fixed) continue;
        const p = opPayload(info);
        const v = f.opVReg[o];
        if (!opIsDef(info)) this.addFixed(p, ip, opIsLate(info) ? ip + 2 : ip + 1, v);
        else if (!opIsLate(info)) this.addFixed(p, ip, ip + 2, v);
      }
      for (let o = o0; o < o1; o++) {
        const info = f.opInfo[o];
        if (opConstraint(info) !== C.Fixed || !opIsDef(info) || !opIsLate(info)) continue;
        this.addFixed(opPayload(info), ip + 1, ip + 2, f.opVReg[o]);
      }
      const cs = f.instClobbers[i];
      if (cs < 0) continue;
      if (this.numCalls >= this.callPos.length) {
        this.callPos = growI32(this.callPos, this.numCalls + 1);
        this.callSet = growI32(this.callSet, this.numCalls + 1);
      }
      this.callPos[this.numCalls] = ip + 1;
      this.callSet[this.numCalls++] = cs;
      for (let cls = 0; cls < NUM_CLASSES; cls++) {
        let m = f.clobberMasks[cs * NUM_CLASSES + cls];
        while (m !== 0) {
          const t = m & -m;
          m ^= t;
          const p = cls * 32 + (31 - Math.clz32(t));
          let isDef = false;
          for (let o = o0; o < o1; o++) {
            const info = f.opInfo[o];
            if (opIsDef(info) && opConstraint(info) === C.Fixed && opPayload(info) === p) isDef = true;
          }
          if (!isDef) this.addFixed(p, ip + 1, ip + 2, -1);
        }
      }
    }
  }

  // ---- queries used by the allocator ------------------------------------

  /** Does interval iv cover pos? Advances iv's range cursor (pos must not decrease). */
  covers(iv: number, pos: number): boolean {
    let r = this.ivCur[iv];
    while (r >= 0 && this.rTo[r] <= pos) r = this.rNext[r];
    if (r < 0) return false;
    this.ivCur[iv] = r;
    return this.rFrom[r] <= pos;
  }

  /** First position >= from where intervals a and b both live, or INF. */
  intersect(a: number, b: number): number {
    let ra = this.ivCur[a];
    let rb = this.ivCur[b];
    while (ra >= 0 && rb >= 0) {
      if (this.rTo[ra] <= this.rFrom[rb]) ra = this.rNext[ra];
      else if (this.rTo[rb] <= this.rFrom[ra]) rb = this.rNext[rb];
      else return this.rFrom[ra] > this.rFrom[rb] ? this.rFrom[ra] : this.rFrom[rb];
    }
    return INF;
  }

  /**
   * Position of the first instruction with clobbers that iv lives across
   * (a late position strictly after iv's start inside one of its ranges), or
   * INF; its clobber set is left in `foundCallSet`.
   */
  firstCallIn(iv: number): number {
    const cp = this.callPos;
    const n = this.numCalls;
    const start = this.ivStart[iv];
    for (let r = this.ivCur[iv]; r >= 0; r = this.rNext[r]) {
      const from = this.rFrom[r] > start ? this.rFrom[r] : start + 1;
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cp[mid] < from) lo = mid + 1;
        else hi = mid;
      }
      if (lo >= n) return INF;
      if (cp[lo] < this.rTo[r]) {
        this.foundCallSet = this.callSet[lo];
        return cp[lo];
      }
    }
    return INF;
  }

  /** Index of the first use of iv at position >= pos. */
  firstUseAtOrAfter(iv: number, pos: number): number {
    let lo = this.ivUseLo[iv];
    let hi = this.ivUseHi[iv];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.uPos[mid] < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Position of the first must-register use of iv at or after pos, or INF. */
  nextMustReg(iv: number, pos: number): number {
    const j = this.firstUseAtOrAfter(iv, pos);
    if (j >= this.ivUseHi[iv]) return INF;
    const m = this.uNextMust[j];
    return m < this.ivUseHi[iv] ? this.uPos[m] : INF;
  }

  /** Position of the last use of iv strictly before pos, or -1. */
  lastUseBefore(iv: number, pos: number): number {
    const j = this.firstUseAtOrAfter(iv, pos);
    return j > this.ivUseLo[iv] ? this.uPos[j - 1] : -1;
  }

  /**
   * Spill weight of iv from pos on: loop-weighted use count per unit of
   * length. Linear order hides the uses a loop makes on its next iteration:
   * when iv's vreg is live into the header of the loop around pos (so it is
   * live around the back edge), its uses between the header and pos count
   * as future uses too.
   */
  weight(iv: number, pos: number, cfg: CfgInfo, live: Liveness): number {
    const j = this.firstUseAtOrAfter(iv, pos);
    let w = this.uPrefix[this.ivUseHi[iv]] - this.uPrefix[j];
    const h = cfg.loopHeader[cfg.slotBlock[pos >> 1]];
    const v = this.ivVReg[iv];
    if (h >= 0 && isLiveIn(live, h, v)) {
      const hs = cfg.blockPos[h];
      if (hs < pos) {
        // The vreg's uses in [hs, pos): its whole use list, by binary search.
        let lo = this.vUseStart[v];
        let hi = this.vUseStart[v + 1];
        const end = hi;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.uPos[mid] < hs) lo = mid + 1;
          else hi = mid;
        }
        const first = lo;
        hi = end;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (this.uPos[mid] < pos) lo = mid + 1;
          else hi = mid;
        }
        w += this.uPrefix[lo] - this.uPrefix[first];
      }
    }
    return w / (((this.ivEnd[iv] - pos) >> 1) + 2);
  }

  /**
   * Splits iv at the even position p (start < p < end): iv keeps the ranges
   * before p, the new child (returned) gets the rest and the uses at >= p.
   */
  split(iv: number, p: number): number {
    if (!((p & 1) === 0 && p > this.ivStart[iv] && p < this.ivEnd[iv])) fail(`bad split of interval ${iv} at ${p}`);
    let r = this.ivFirst[iv];
    let prev = -1;
    while (this.rTo[r] <= p) {
      prev = r;
      r = this.rNext[r];
    }
    let childFirst: number;
    let lastOfParent: number;
    if (this.rFrom[r] < p) {
      childFirst = this.newRange(p, this.rTo[r], this.rNext[r]);
      this.rTo[r] = p;
      this.rNext[r] = -1;
      lastOfParent = r;
    } else {
      this.rNext[prev] = -1;
      childFirst = r;
      lastOfParent = prev;
    }
    const v = this.ivVReg[iv];
    const c = this.newInterval(v);
    this.ivFirst[c] = childFirst;
    this.ivCur[c] = childFirst;
    this.ivStart[c] = this.rFrom[childFirst];
    this.ivEnd[c] = this.ivEnd[iv];
    this.ivEnd[iv] = this.rTo[lastOfParent];
    const j = this.firstUseAtOrAfter(iv, p);
    this.ivUseLo[c] = j;
    this.ivUseHi[c] = this.ivUseHi[iv];
    this.ivUseHi[iv] = j;
    this.ivNext[c] = this.ivNext[iv];
    this.ivNext[iv] = c;
    const cur = this.ivCur[iv];
    if (this.rFrom[cur] >= p || cur === childFirst) this.ivCur[iv] = lastOfParent;
    return c;
  }

  /**
   * After allocation: lists every vreg's children contiguously in position
   * order (cOrder[vChildStart[v] .. vChildStart[v+1]]) for `childAt`.
   */
  indexChildren(nv: number): void {
    if (this.vChildStart.length < nv + 1) this.vChildStart = new Int32Array(nv + 1);
    this.cOrder = growI32(this.cOrder, this.numIntervals);
    let n = 0;
    for (let v = 0; v < nv; v++) {
      this.vChildStart[v] = n;
      for (let c = this.vFirstIv[v]; c >= 0; c = this.ivNext[c]) this.cOrder[n++] = c;
    }
    this.vChildStart[nv] = n;
  }

  /** The child of v whose extent contains pos, or -1 (needs `indexChildren`). */
  childAt(v: number, pos: number): number {
    let lo = this.vChildStart[v];
    let hi = this.vChildStart[v + 1];
    // Last child starting at or before pos.
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.ivStart[this.cOrder[mid]] <= pos) lo = mid;
      else hi = mid;
    }
    if (lo >= this.vChildStart[v + 1]) return -1;
    const c = this.cOrder[lo];
    return this.ivStart[c] <= pos && pos < this.ivEnd[c] ? c : -1;
  }
}

/** Exclusive end of the range a use operand contributes. */
function useEnd(info: number, ip: number, reused: number): number {
  if (opIsLate(info)) return ip + 2;
  // A reused input is consumed by the move in the gap before i (there is
  // always a slot before: the previous instruction or the block header).
  if (reused !== 0) return ip;
  return ip + 1;
}
