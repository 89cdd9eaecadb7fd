/**
 * Control-flow graph and dominator tree of an IR function (ir/), used by the
 * verifier and later by the optimiser and lowering.
 *
 * The CFG is stored as CSR arrays (successor/predecessor lists per block, one
 * flat Uint32Array each). Dominators use the iterative algorithm of Cooper,
 * Harvey and Kennedy ("A Simple, Fast Dominance Algorithm", 2001) over reverse
 * postorder, with an explicit stack for the DFS (no recursion).
 */
import { Function, NONE, Block } from './function';

export class ControlFlowGraph {
  succStart: Uint32Array;
  succ: Uint32Array;
  predStart: Uint32Array;
  pred: Uint32Array;

  constructor(readonly f: Function) {
    const nb = f.blockCount;
    const succCount = new Uint32Array(nb + 1);
    const predCount = new Uint32Array(nb + 1);
    const edges: number[] = [];
    for (let b = f.firstBlock; b !== NONE; b = f.bNext[b]) {
      for (let i = f.bFirst[b]; i !== NONE; i = f.iNext[i]) {
        const n = f.destCount(i);
        for (let d = 0; d < n; d++) {
          const t = f.bcBlock[f.dest(i, d)];
          // keep one edge per (b, t) pair, even when several destinations coincide
          let dup = false;
          for (let k = edges.length - 2; k >= 0 && edges[k] === b; k -= 2) if (edges[k + 1] === t) { dup = true; break; }
          if (dup) continue;
          edges.push(b, t);
          succCount[b]++;
          predCount[t]++;
        }
      }
    }
    this.succStart = new Uint32Array(nb + 1);
    this.predStart = new Uint32Array(nb + 1);
    for (let b = 0; b < nb; b++) {
      this.succStart[b + 1] = this.succStart[b] + succCount[b];
      this.predStart[b + 1] = this.predStart[b] + predCount[b];
    }
    this.succ = new Uint32Array(edges.length / 2);
    this.pred = new Uint32Array(edges.length / 2);
    const sf = this.succStart.slice(0, nb), pf = this.predStart.slice(0, nb);
    for (let k = 0; k < edges.length; k += 2) {
      const a = edges[k], t = edges[k + 1];
      this.succ[sf[a]++] = t;
      this.pred[pf[t]++] = a;
    }
  }

  /** Successors of `b` (a view; hot loops should index succ[succStart[b] .. succStart[b+1]) directly). */
  succs(b: Block): Uint32Array { return this.succ.subarray(this.succStart[b], this.succStart[b + 1]); }
  preds(b: Block): Uint32Array { return this.pred.subarray(this.predStart[b], this.predStart[b + 1]); }
}

export class DominatorTree {
  /** Immediate dominator per block (NONE for the entry and unreachable blocks). */
  idom: Uint32Array;
  /** Reverse-postorder number per block (NONE if unreachable). */
  rpoNum: Uint32Array;
  /** Reachable blocks in reverse postorder. */
  rpo: Block[];

  constructor(readonly f: Function, readonly cfg: ControlFlowGraph = new ControlFlowGraph(f)) {
    const nb = f.blockCount;
    this.idom = new Uint32Array(nb).fill(NONE);
    this.rpoNum = new Uint32Array(nb).fill(NONE);
    const post: Block[] = [];
    const entry = f.firstBlock;
    if (entry === NONE) { this.rpo = []; return; }
    // iterative DFS: stack of (block, next successor index)
    const visited = new Uint8Array(nb);
    const stackB: number[] = [entry], stackI: number[] = [0];
    visited[entry] = 1;
    while (stackB.length > 0) {
      const top = stackB.length - 1;
      const b = stackB[top];
      const s0 = cfg.succStart[b], n = cfg.succStart[b + 1] - s0;
      if (stackI[top] < n) {
        const s = cfg.succ[s0 + stackI[top]++];
        if (!visited[s]) { visited[s] = 1; stackB.push(s); stackI.push(0); }
      } else {
        post.push(b);
        stackB.pop(); stackI.pop();
      }
    }
    this.rpo = post.reverse();
    this.rpo.forEach((b, k) => { this.rpoNum[b] = k; });
    this.idom[entry] = entry;
    let changed = true;
    while (changed) {
      changed = false;
      for (let k = 1; k < this.rpo.length; k++) {
        const b = this.rpo[k];
        let nd = NONE;
        for (let e = cfg.predStart[b]; e < cfg.predStart[b + 1]; e++) {
          const p = cfg.pred[e];
          if (this.idom[p] === NONE) continue;
          nd = nd === NONE ? p : this.intersect(p, nd);
        }
        if (nd !== this.idom[b]) { this.idom[b] = nd; changed = true; }
      }
    }
    this.idom[entry] = NONE;
  }

  private intersect(a: Block, b: Block): Block {
    const entry = this.f.firstBlock;
    while (a !== b) {
      while (this.rpoNum[a] > this.rpoNum[b]) a = this.idom[a] === NONE ? entry : this.idom[a];
      while (this.rpoNum[b] > this.rpoNum[a]) b = this.idom[b] === NONE ? entry : this.idom[b];
    }
    return a;
  }

  isReachable(b: Block): boolean { return this.rpoNum[b] !== NONE; }

  /** Does block `a` dominate block `b`? (Every block dominates itself.) */
  dominates(a: Block, b: Block): boolean {
    if (!this.isReachable(b)) return false;
    while (b !== a) {
      const d = this.idom[b];
      if (d === NONE) return false;
      b = d;
    }
    return true;
  }
}
