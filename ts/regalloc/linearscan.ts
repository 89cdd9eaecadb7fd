// Register allocator, phase 3: linear scan with interval splitting.
//
// Wimmer & Mössenböck, "Optimized Interval Splitting in a Linear Scan
// Register Allocator" (VEE 2005), on SSA intervals with lifetime holes
// (Wimmer & Franz, CGO 2010). Intervals are taken by increasing start from a
// binary heap; `tryAllocateFree` gives the register that stays free longest
// (whole interval first: caller-saved, then callee-saved already in use, then
// a fresh callee-saved one; else split where the register gets busy);
// `allocateBlocked` compares spill weights — loop-weighted use counts per
// unit of length, Ion-style — and either spills the current interval until
// its next must-register use or evicts the cheapest active occupant (split
// and spill). Split positions are moved to block boundaries of the lowest
// loop depth between the legal bounds (Wimmer & Mössenböck §4.3), so spill
// and reload moves leave loops.
//
// Fixed registers (fixed operands, call clobbers) are per-register range
// lists (ranges.ts); an interval may occupy its own fixed operand's register.
// Values live across a call therefore cannot stay in a clobbered register and
// end up in a callee-saved register or on the stack. Hints (the fixed
// register of the def or of most fixed uses, the register of a move/param/
// reuse partner, the previous child's register) are tried first.
//
// Speed: the active/inactive sets of the classic algorithm are kept per
// register and brought up to date lazily, only for the registers a decision
// inspects; inactive intervals carry their next range start so most are
// dismissed with one comparison.
//
// Output: `LiveRanges.ivLoc` per interval: a register, or a virtual stack
// location (ALLOC_STACK_BIT | vreg) that slots.ts maps to a shared slot.

import { CfgInfo } from './cfg';
import {
  ALLOC_STACK_BIT,
  MachineEnv,
  NUM_CLASSES,
  RaFunction,
  RegallocError,
  pregClass,
  fail,
} from './interface';
import { Liveness } from './liveness';
import { INF, LiveRanges } from './ranges';

const NPREG = NUM_CLASSES * 32;

export class LinearScan {
  private heap = new Int32Array(256);
  private heapSize = 0;
  /** Inactive intervals (in a lifetime hole) per register. */
  private inact: Int32Array<ArrayBuffer>[] = [];
  /** Parallel to `inact`: start of each interval's next range (its cursor's). */
  private inactNext: Int32Array<ArrayBuffer>[] = [];
  private inactN = new Int32Array(NPREG);
  /** The active interval of each register, or -1. */
  private activeReg = new Int32Array(NPREG);
  private freeUntil = new Int32Array(NPREG);
  private blockPos = new Int32Array(NPREG);
  private nextUse = new Int32Array(NPREG);
  private cost = new Float64Array(NPREG);
  private evictable = new Uint8Array(NPREG);
  private fixCursor = new Int32Array(NPREG);
  private allocOrder: Int32Array[] = [];
  private isAlloc = new Uint8Array(NPREG);
  readonly isCallee = new Uint8Array(NPREG);
  readonly calleeUsed = new Uint8Array(NPREG);
  splits = 0;

  private f!: RaFunction;
  private cfg!: CfgInfo;
  private lr!: LiveRanges;
  private live!: Liveness;

  constructor() {
    for (let p = 0; p < NPREG; p++) {
      this.inact.push(new Int32Array(16));
      this.inactNext.push(new Int32Array(16));
    }
  }

  private setup(env: MachineEnv): void {
    this.isAlloc.fill(0);
    this.isCallee.fill(0);
    this.calleeUsed.fill(0);
    this.allocOrder.length = 0;
    for (let c = 0; c < NUM_CLASSES; c++) {
      const order: number[] = [];
      for (const p of env.preferred[c] ?? []) order.push(p);
      for (const p of env.nonPreferred[c] ?? []) {
        order.push(p);
        this.isCallee[p] = 1;
      }
      for (const p of order) {
        if (!(pregClass(p) === c && p !== env.scratch[c])) fail(`bad register p${p} in the machine env for class ${c}`);
        this.isAlloc[p] = 1;
      }
      this.allocOrder.push(Int32Array.from(order));
    }
  }

  run(f: RaFunction, cfg: CfgInfo, live: Liveness, lr: LiveRanges, env: MachineEnv): void {
    this.f = f;
    this.live = live;
    this.cfg = cfg;
    this.lr = lr;
    this.setup(env);
    this.splits = 0;
    this.heapSize = 0;
    this.inactN.fill(0);
    this.activeReg.fill(-1);
    this.fixCursor.fill(0);
    const n = lr.numIntervals;
    for (let iv = 0; iv < n; iv++) this.push(iv);
    while (this.heapSize > 0) {
      const cur = this.pop();
      const pos = lr.ivStart[cur];
      const cls = f.vregClass[lr.ivVReg[cur]];
      if (lr.vStackDef[lr.ivVReg[cur]] !== 0 && pos === lr.vDefPos[lr.ivVReg[cur]] && this.stayInSlot(cur, pos)) continue;
      if (!this.tryAllocateFree(cur, cls, pos)) this.allocateBlocked(cur, cls, pos);
    }
  }

  // ---- unhandled queue: binary min-heap on (start, id) -------------------

  private less(a: number, b: number): boolean {
    const sa = this.lr.ivStart[a];
    const sb = this.lr.ivStart[b];
    return sa < sb || (sa === sb && a < b);
  }

  private push(iv: number): void {
    if (this.heapSize >= this.heap.length) {
      const h = new Int32Array(this.heap.length * 2);
      h.set(this.heap);
      this.heap = h;
    }
    const h = this.heap;
    let k = this.heapSize++;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.less(iv, h[parent])) break;
      h[k] = h[parent];
      k = parent;
    }
    h[k] = iv;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0];
    const last = h[--this.heapSize];
    let k = 0;
    const n = this.heapSize;
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1], h[c])) c++;
      if (!this.less(h[c], last)) break;
      h[k] = h[c];
      k = c;
    }
    if (n > 0) h[k] = last;
    return top;
  }

  // ---- active / inactive sets --------------------------------------------

  /**
   * Brings register r's active/inactive state up to position pos and
   * returns where r stops being free for cur, ignoring r's active interval
   * (INF if r stays free until cur ends). Lazy: only registers that a
   * decision looks at are refreshed; positions only grow, so a late refresh
   * sees the same state as an eager one. With `stopIfActive`, returns 0 as
   * soon as r turns out to be occupied at pos.
   *
   * An inactive interval cannot meet cur before the start of its next range
   * (the range cursor), so most of them are rejected without a range walk.
   */
  private scanReg(r: number, cur: number, pos: number, stopIfActive: boolean): number {
    const lr = this.lr;
    const a = this.activeReg[r];
    if (a >= 0 && (lr.ivEnd[a] <= pos || !lr.covers(a, pos))) {
      this.activeReg[r] = -1;
      if (lr.ivEnd[a] > pos) this.pushInactive(r, a);
    }
    if (stopIfActive && this.activeReg[r] >= 0) return 0;
    const end = lr.ivEnd[cur];
    let fu = INF;
    const list = this.inact[r];
    const next = this.inactNext[r];
    let ni = this.inactN[r];
    for (let k = 0; k < ni; ) {
      let nf = next[k];
      if (nf <= pos) {
        const it = list[k];
        if (lr.ivEnd[it] <= pos || lr.covers(it, pos)) {
          if (lr.ivEnd[it] > pos) {
            if (!(this.activeReg[r] < 0)) fail(`two active intervals in p${r}`);
            this.activeReg[r] = it;
          }
          list[k] = list[--ni];
          next[k] = next[ni];
          continue;
        }
        nf = next[k] = lr.rFrom[lr.ivCur[it]];
      }
      if (nf < fu && nf < end) {
        const x = lr.intersect(list[k], cur);
        if (x < fu) fu = x;
      }
      k++;
    }
    this.inactN[r] = ni;
    if (stopIfActive && this.activeReg[r] >= 0) return 0;
    const x = this.fixedIntersect(r, cur, pos, fu < end ? fu : end);
    return x < fu ? x : fu;
  }

  private pushInactive(r: number, it: number): void {
    let list = this.inact[r];
    let next = this.inactNext[r];
    const n = this.inactN[r];
    if (n >= list.length) {
      const g = new Int32Array(n * 2);
      g.set(list);
      this.inact[r] = list = g;
      const h = new Int32Array(n * 2);
      h.set(next);
      this.inactNext[r] = next = h;
    }
    list[n] = it;
    next[n] = this.lr.rFrom[this.lr.ivCur[it]];
    this.inactN[r] = n + 1;
  }

  /** First position from which r is not free for cur (0 if occupied now), or INF. */
  private regFree(r: number, cur: number, pos: number): number {
    return this.scanReg(r, cur, pos, true);
  }

  // ---- helpers -------------------------------------------------------------

  /**
   * First position where p's fixed ranges (not owned by cur's vreg) meet
   * cur, or INF; positions at or after `limit` are not looked for.
   */
  private fixedIntersect(p: number, cur: number, pos: number, limit: number): number {
    const lr = this.lr;
    const from = lr.fixFrom[p];
    const to = lr.fixTo[p];
    const owner = lr.fixOwner[p];
    const n = lr.fixN[p];
    let k = this.fixCursor[p];
    while (k < n && to[k] <= pos) k++;
    this.fixCursor[p] = k;
    const v = lr.ivVReg[cur];
    let r = lr.ivCur[cur];
    while (k < n && r >= 0) {
      const rf = lr.rFrom[r];
      if (from[k] >= limit || rf >= limit) return INF;
      if (to[k] <= rf && k + 8 < n && to[k + 8] <= rf) {
        // Far behind cur's range: binary search (fixed ranges are at most 2
        // positions long, so `from` sorted bounds `to`).
        let lo = k + 8;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (from[mid] + 2 <= rf) lo = mid + 1;
          else hi = mid;
        }
        k = lo;
        continue;
      }
      if (owner[k] === v || to[k] <= rf) k++;
      else if (lr.rTo[r] <= from[k]) r = lr.rNext[r];
      else return from[k] > lr.rFrom[r] ? from[k] : lr.rFrom[r];
    }
    return INF;
  }

  /**
   * An even split position s with lo < s <= hi, preferring the latest block
   * boundary of the lowest loop depth (a move at a block start executes on
   * the entry edges, hence `entryDepth`).
   */
  private chooseSplit(lo: number, hi: number): number {
    if (!((hi & 1) === 0 && hi > lo)) fail(`bad split window (${lo}, ${hi}]`);
    const cfg = this.cfg;
    let b = cfg.slotBlock[hi >> 1];
    let best = hi;
    let bestDepth = cfg.blockPos[b] === hi ? cfg.entryDepth[b] : cfg.depth[b];
    if (bestDepth === 0) return best;
    for (let steps = 0; steps < 64 && b >= 0; steps++, b--) {
      const s = cfg.blockPos[b];
      if (s <= lo) break;
      if (cfg.entryDepth[b] < bestDepth) {
        best = s;
        bestDepth = cfg.entryDepth[b];
        if (bestDepth === 0) break;
      }
    }
    return best;
  }

  /**
   * The vreg's stack location during allocation: a virtual slot per vreg;
   * slots.ts maps them to shared spill-area words afterwards.
   */
  private slotOf(v: number): number {
    return ALLOC_STACK_BIT | v;
  }

  private assign(cur: number, r: number): void {
    const lr = this.lr;
    if (!(this.activeReg[r] < 0)) fail(`register p${r} is already active`);
    lr.ivLoc[cur] = r;
    lr.vLastReg[lr.ivVReg[cur]] = r;
    if (this.isCallee[r]) this.calleeUsed[r] = 1;
    this.activeReg[r] = cur;
  }

  private splitAndPush(iv: number, s: number): number {
    const c = this.lr.split(iv, s);
    this.splits++;
    this.push(c);
    return c;
  }

  private hintFor(cur: number): number {
    const lr = this.lr;
    const v = lr.ivVReg[cur];
    let h = -1;
    // A vreg used twice or more in one fixed register is best defined there
    // (one move at the definition instead of one per use).
    if (cur === lr.vFirstIv[v] && lr.vUseHintVotes[v] >= 2) h = lr.vUseHint[v];
    else if (cur === lr.vFirstIv[v] && lr.vFixedDef[v] >= 0) h = lr.vFixedDef[v];
    else if (lr.vLastReg[v] >= 0) h = lr.vLastReg[v];
    else if (lr.vHint[v] >= 0 && lr.vLastReg[lr.vHint[v]] >= 0) h = lr.vLastReg[lr.vHint[v]];
    else if (lr.vFixedHint[v] >= 0) h = lr.vFixedHint[v];
    else if (lr.vHint[v] >= 0) h = lr.vFixedHint[lr.vHint[v]];
    return h >= 0 && this.isAlloc[h] ? h : -1;
  }

  // ---- allocation ----------------------------------------------------------

  /**
   * A value defined straight into its slot stays there until it is needed in
   * a register (a reload at a use beats a reload at the definition that may
   * never pay off). Returns false when the first use already needs a register.
   */
  private stayInSlot(cur: number, pos: number): boolean {
    const lr = this.lr;
    const q = lr.nextMustReg(cur, pos);
    if (q !== INF && (q & ~1) <= pos) return false;
    if (q !== INF) this.splitAndPush(cur, this.chooseSplit(pos, q & ~1));
    lr.ivLoc[cur] = this.slotOf(lr.ivVReg[cur]);
    return true;
  }

  /**
   * Registers are examined lazily in preference order (hint, caller-saved,
   * callee-saved in use, fresh callee-saved) and the first that is free for
   * the whole interval wins; only when none is does every register's free
   * span get computed, to keep the longest.
   */
  private tryAllocateFree(cur: number, cls: number, pos: number): boolean {
    const lr = this.lr;
    const regs = this.allocOrder[cls];
    const fu = this.freeUntil;
    const end = lr.ivEnd[cur];
    const hint = this.hintFor(cur);
    let hintFree = -1;
    if (hint >= 0) {
      hintFree = this.regFree(hint, cur, pos);
      if (hintFree >= end) {
        this.assign(cur, hint);
        return true;
      }
    }
    // Registers clobbered by a call that cur lives across cannot hold all of
    // cur: skip them in the first pass (their exact free span is computed
    // only if no register fits).
    let skip = 0;
    if (this.f.instClobbers.length > 0 && lr.numCalls > 0 && lr.firstCallIn(cur) < end) {
      skip = this.f.clobberMasks[lr.foundCallSet * NUM_CLASSES + cls];
    }
    let best = -1;
    let bestRank = 3;
    for (let k = 0; k < regs.length; k++) {
      const r = regs[k];
      if ((skip & (1 << (r & 31))) !== 0) {
        fu[r] = -1;
        continue;
      }
      const x = r === hint ? hintFree : this.regFree(r, cur, pos);
      fu[r] = x;
      if (x >= end) {
        const rank = this.isCallee[r] ? (this.calleeUsed[r] ? 1 : 2) : 0;
        if (rank === 0) {
          this.assign(cur, r);
          return true;
        }
        if (rank < bestRank) {
          bestRank = rank;
          best = r;
        }
      }
    }
    if (best >= 0) {
      this.assign(cur, best);
      return true;
    }
    let maxReg = -1;
    let maxFree = -1;
    for (let k = 0; k < regs.length; k++) {
      const r = regs[k];
      let x = fu[r];
      if (x === -1) {
        x = fu[r] = r === hint ? hintFree : this.regFree(r, cur, pos);
        // The call may be cur's own definition, whose fixed result register
        // is not clobbered for it.
        if (x >= end) {
          this.assign(cur, r);
          return true;
        }
      }
      if (x > maxFree) {
        maxFree = x;
        maxReg = r;
      }
    }
    if (hint >= 0 && hintFree === maxFree) maxReg = hint;
    const sp = maxFree & ~1;
    if (maxReg < 0 || sp <= pos) return false;
    // The register is free for a prefix only: keep it there, queue the rest.
    this.splitAndPush(cur, this.chooseSplit(pos, sp));
    this.assign(cur, maxReg);
    return true;
  }

  private allocateBlocked(cur: number, cls: number, pos: number): void {
    const lr = this.lr;
    const regs = this.allocOrder[cls];
    const gap = pos & ~1;
    const bp = this.blockPos;
    const nu = this.nextUse;
    const cost = this.cost;
    const ev = this.evictable;
    for (let k = 0; k < regs.length; k++) {
      const r = regs[k];
      bp[r] = INF;
      nu[r] = INF;
      cost[r] = 0;
      ev[r] = 1;
    }
    const fu = this.freeUntil;
    for (let k = 0; k < regs.length; k++) {
      const r = regs[k];
      // tryAllocateFree (which just failed) left the exact free span of
      // every register that is not occupied now; only occupied ones need
      // their span beyond the occupant.
      bp[r] = fu[r] > 0 ? fu[r] : this.scanReg(r, cur, pos, false);
      const it = this.activeReg[r];
      if (it < 0) continue;
      if (lr.nextMustReg(it, gap) < gap + 2) {
        ev[r] = 0;
      } else {
        cost[r] = lr.weight(it, pos, this.cfg, this.live);
        const j = lr.firstUseAtOrAfter(it, pos);
        nu[r] = j < lr.ivUseHi[it] ? lr.uPos[j] : INF;
      }
    }
    let best = -1;
    for (let k = 0; k < regs.length; k++) {
      const r = regs[k];
      if (!ev[r] || (bp[r] & ~1) <= pos) continue;
      if (best < 0 || cost[r] < cost[best] || (cost[r] === cost[best] && nu[r] > nu[best])) best = r;
    }
    const firstMust = lr.nextMustReg(cur, pos);
    const needsReg = firstMust < gap + 2;
    if (!needsReg && (best < 0 || lr.weight(cur, pos, this.cfg, this.live) <= cost[best])) {
      // Spill cur up to its next must-register use.
      const v = lr.ivVReg[cur];
      if (firstMust !== INF) this.splitAndPush(cur, this.chooseSplit(pos, firstMust & ~1));
      lr.ivLoc[cur] = this.slotOf(v);
      return;
    }
    if (best < 0) {
      throw new RegallocError(
        `no register of class ${cls} available for v${lr.ivVReg[cur]} at position ${pos} (instruction ${this.cfg.slotInst[pos >> 1]}); ` +
          `active: ${Array.from(regs).map((r) => `p${r}:v${this.activeReg[r] < 0 ? '-' : lr.ivVReg[this.activeReg[r]]}`).join(' ')}; ` +
          `blocked until: ${Array.from(regs).map((r) => `p${r}:${bp[r]}`).join(" ")}`,
      );
    }
    if (this.activeReg[best] >= 0) this.evict(this.activeReg[best], pos);
    if (bp[best] < lr.ivEnd[cur]) this.splitAndPush(cur, this.chooseSplit(pos, bp[best] & ~1));
    this.assign(cur, best);
  }

  /** Spills active interval `a` from (about) pos on; requeues its part from its next must-register use. */
  private evict(a: number, pos: number): void {
    const lr = this.lr;
    const gap = pos & ~1;
    this.activeReg[lr.ivLoc[a]] = -1;
    let x = a;
    if (lr.ivStart[a] < gap) {
      const last = lr.lastUseBefore(a, gap);
      const lo = last > lr.ivStart[a] ? last : lr.ivStart[a];
      x = lr.split(a, this.chooseSplit(lo, gap));
      this.splits++;
    }
    lr.ivLoc[x] = this.slotOf(lr.ivVReg[x]);
    const q = lr.nextMustReg(x, lr.ivStart[x]);
    if (q !== INF) {
      const lo = lr.ivStart[x] > pos ? lr.ivStart[x] : pos;
      this.splitAndPush(x, this.chooseSplit(lo, q & ~1));
    }
  }
}
