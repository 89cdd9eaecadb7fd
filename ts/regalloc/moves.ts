// Register allocator, phase 5: the parallel-move resolver.
//
// A parallel move is a set of copies src_k -> dst_k that happen at once (all
// reads before any write), with distinct destinations. It is sequentialised
// by repeatedly emitting a copy whose destination no pending copy still reads;
// when none is left, the pending copies form disjoint cycles and one is broken
// by saving the value a cycle member is about to overwrite into a temporary
// (the scratch register, or, when the cycle contains a stack-to-stack copy
// that itself needs the scratch register, a reserved cycle slot on the stack)
// — the classic scheme of Leroy's verified "Tilting at windmills with Coq"
// (2008) parallel-move algorithm, simplified to the cycle-only case.
// Stack-to-stack copies go through the scratch register, which is free
// whenever such a copy is emitted.
//
// Consumed by resolve.ts, which feeds one parallel move per program point
// and class; tested exhaustively on small permutations.

import { allocIsStack, assert, fail } from './interface';

export class ParallelMoves {
  src = new Int32Array(64);
  dst = new Int32Array(64);
  n = 0;
  /** Sequential output: copy outFrom[k] -> outTo[k], in order. */
  outFrom = new Int32Array(64);
  outTo = new Int32Array(64);
  outN = 0;
  /** Logical copies by kind (a stack-to-stack copy counts once in stackMoves). */
  spills = 0;
  reloads = 0;
  regMoves = 0;
  stackMoves = 0;
  /** Set when a cycle needed the reserved cycle slot. */
  usedCycleSlot = false;
  private done = new Uint8Array(64);

  reset(): void {
    this.n = 0;
  }

  resetStats(): void {
    this.spills = 0;
    this.reloads = 0;
    this.regMoves = 0;
    this.stackMoves = 0;
    this.usedCycleSlot = false;
  }

  add(src: number, dst: number): void {
    if (src === dst) return;
    for (let k = 0; k < this.n; k++) {
      if (this.dst[k] === dst) {
        if (!(this.src[k] === src)) fail(`parallel move writes ${dst} twice`);
        return;
      }
    }
    if (this.n >= this.src.length) {
      const m = this.n * 2;
      const s = new Int32Array(m);
      s.set(this.src);
      this.src = s;
      const d = new Int32Array(m);
      d.set(this.dst);
      this.dst = d;
      this.done = new Uint8Array(m);
    }
    this.src[this.n] = src;
    this.dst[this.n] = dst;
    this.n++;
  }

  private out(from: number, to: number): void {
    if (this.outN >= this.outFrom.length) {
      const m = this.outN * 2;
      const a = new Int32Array(m);
      a.set(this.outFrom);
      this.outFrom = a;
      const b = new Int32Array(m);
      b.set(this.outTo);
      this.outTo = b;
    }
    this.outFrom[this.outN] = from;
    this.outTo[this.outN] = to;
    this.outN++;
  }

  private copy(from: number, to: number, scratch: number): void {
    const fs = allocIsStack(from);
    const ts = allocIsStack(to);
    if (fs && ts) {
      this.stackMoves++;
      this.out(from, scratch);
      this.out(scratch, to);
      return;
    }
    if (fs) this.reloads++;
    else if (ts) this.spills++;
    else this.regMoves++;
    this.out(from, to);
  }

  /**
   * Sequentialises the pending moves into outFrom/outTo (cleared first).
   * `cycleSlot` is a stack allocation reserved for cycles that contain a
   * stack-to-stack copy.
   */
  resolve(scratch: number, cycleSlot: number): void {
    this.outN = 0;
    const n = this.n;
    const src = this.src;
    const dst = this.dst;
    const done = this.done;
    done.fill(0, 0, n);
    let left = n;
    while (left > 0) {
      let progress = false;
      for (let k = 0; k < n; k++) {
        if (done[k]) continue;
        const d = dst[k];
        let blocked = false;
        for (let j = 0; j < n; j++) {
          if (!done[j] && j !== k && src[j] === d) {
            blocked = true;
            break;
          }
        }
        if (blocked) continue;
        this.copy(src[k], d, scratch);
        done[k] = 1;
        left--;
        progress = true;
      }
      if (left === 0 || progress) continue;
      // Only cycles remain. Walk the one through the first pending move.
      let k0 = 0;
      while (done[k0]) k0++;
      let stackStack = false;
      let k = k0;
      for (let guard = 0; guard <= n; guard++) {
        if (allocIsStack(src[k]) && allocIsStack(dst[k])) stackStack = true;
        let next = -1;
        for (let j = 0; j < n; j++) {
          if (!done[j] && src[j] === dst[k]) {
            next = j;
            break;
          }
        }
        assert(next >= 0, 'parallel move: broken cycle');
        k = next;
        if (k === k0) break;
      }
      const tmp = stackStack ? cycleSlot : scratch;
      if (stackStack) this.usedCycleSlot = true;
      const d0 = dst[k0];
      this.copy(d0, tmp, scratch);
      for (let j = 0; j < n; j++) if (!done[j] && src[j] === d0) src[j] = tmp;
    }
  }
}
