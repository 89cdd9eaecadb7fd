// Register allocator, phase 3b: spill-slot assignment with sharing.
//
// Linear scan gives every spilled vreg a virtual stack location
// (ALLOC_STACK_BIT | vreg). Here, between allocation and resolution, real
// slots of the spill area are assigned: a vreg's slot must hold its value
// wherever the vreg is live (the value is stored once, possibly at the
// definition, see resolve.ts), so two vregs of a class may share a slot when
// their whole extents [first start, last end) are disjoint. Greedy interval
// colouring by start position with a min-heap of slot release positions
// (the linear-scan idea applied to slots, Poletto & Sarkar 1999). Block
// params are written by edge moves at the end of predecessors, outside
// their own extent, so they never share.
//
// Sizes: an int slot is one 8-byte word, a float/vector slot two words,
// 2-word aligned.

import { ALLOC_STACK_BIT, NUM_CLASSES, OperandConstraint as C, RaFunction, RegClass, allocIsStack, opConstraint } from './interface';
import { LiveRanges } from './ranges';

export class SlotAssigner {
  private need = new Uint8Array(256);
  private isParam = new Uint8Array(256);
  private keys = new Float64Array(256);
  // Per-class min-heaps of (release position, slot word), and free lists.
  private heapPos: number[][] = [];
  private heapWord: number[][] = [];
  private free: number[][] = [];
  spillWords = 0;

  constructor() {
    for (let c = 0; c < NUM_CLASSES; c++) {
      this.heapPos.push([]);
      this.heapWord.push([]);
      this.free.push([]);
    }
  }

  run(f: RaFunction, lr: LiveRanges): void {
    const nv = f.numVRegs;
    if (this.need.length < nv) {
      this.need = new Uint8Array(nv * 2);
      this.isParam = new Uint8Array(nv * 2);
    }
    const need = this.need;
    need.fill(0, 0, nv);
    this.isParam.fill(0, 0, nv);
    for (let k = 0; k < f.paramPool.length; k++) this.isParam[f.paramPool[k]] = 1;
    for (let iv = 0; iv < lr.numIntervals; iv++) if (allocIsStack(lr.ivLoc[iv])) need[lr.ivVReg[iv]] = 1;
    for (let o = 0; o < f.opVReg.length; o++) if (opConstraint(f.opInfo[o]) === C.Stack) need[f.opVReg[o]] = 1;
    // Order by extent start.
    let n = 0;
    for (let v = 0; v < nv; v++) if (need[v] && lr.vFirstIv[v] >= 0) n++;
    if (this.keys.length < n) this.keys = new Float64Array(n * 2);
    const keys = this.keys;
    n = 0;
    for (let v = 0; v < nv; v++) {
      if (need[v] && lr.vFirstIv[v] >= 0) keys[n++] = lr.ivStart[lr.vFirstIv[v]] * 16777216 + v;
    }
    const sorted = keys.subarray(0, n).sort();
    this.spillWords = 0;
    for (let c = 0; c < NUM_CLASSES; c++) {
      this.heapPos[c].length = 0;
      this.heapWord[c].length = 0;
      this.free[c].length = 0;
    }
    for (let k = 0; k < n; k++) {
      const v = sorted[k] % 16777216;
      const start = Math.floor(sorted[k] / 16777216);
      let last = lr.vFirstIv[v];
      while (lr.ivNext[last] >= 0) last = lr.ivNext[last];
      const end = lr.ivEnd[last];
      const c = f.vregClass[v];
      let word: number;
      if (this.isParam[v]) {
        word = this.newSlot(c);
      } else {
        this.release(c, start);
        const fl = this.free[c];
        word = fl.length > 0 ? (fl.pop() as number) : this.newSlot(c);
        this.heapPush(c, end, word);
      }
      lr.vSlot[v] = ALLOC_STACK_BIT | word;
    }
    for (let iv = 0; iv < lr.numIntervals; iv++) {
      if (allocIsStack(lr.ivLoc[iv])) lr.ivLoc[iv] = lr.vSlot[lr.ivVReg[iv]];
    }
  }

  private newSlot(c: number): number {
    if (c === RegClass.Int) return this.spillWords++;
    const w = (this.spillWords + 1) & ~1;
    this.spillWords = w + 2;
    return w;
  }

  /** Moves slots whose occupant ended at or before pos to the free list. */
  private release(c: number, pos: number): void {
    const hp = this.heapPos[c];
    const hw = this.heapWord[c];
    while (hp.length > 0 && hp[0] <= pos) {
      this.free[c].push(hw[0]);
      const lp = hp.pop() as number;
      const lw = hw.pop() as number;
      if (hp.length === 0) break;
      // Sift the last element down from the root.
      let i = 0;
      for (;;) {
        let ch = 2 * i + 1;
        if (ch >= hp.length) break;
        if (ch + 1 < hp.length && hp[ch + 1] < hp[ch]) ch++;
        if (hp[ch] >= lp) break;
        hp[i] = hp[ch];
        hw[i] = hw[ch];
        i = ch;
      }
      hp[i] = lp;
      hw[i] = lw;
    }
  }

  private heapPush(c: number, pos: number, word: number): void {
    const hp = this.heapPos[c];
    const hw = this.heapWord[c];
    let i = hp.length;
    hp.push(pos);
    hw.push(word);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hp[p] <= pos) break;
      hp[i] = hp[p];
      hw[i] = hw[p];
      i = p;
    }
    hp[i] = pos;
    hw[i] = word;
  }
}
