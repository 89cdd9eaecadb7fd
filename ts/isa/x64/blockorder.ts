/**
 * Block order for lowering (isa/x64): which IR blocks become VCode blocks, in what
 * order, and where critical edges get their own blocks.
 *
 * Pipeline position: the first step of lowering (lower.ts). The order is the
 * reverse postorder of the reachable blocks (so every block comes after its
 * dominators, except cold ones), with cold blocks moved to the end. A critical edge
 * (from a block with several destinations to a block with several incoming edges;
 * edges are counted per destination, so `brif v, b1, b1` has two) gets an edge
 * block placed right after its source: the register allocator forbids critical
 * edges because it places edge moves at the source's end or the target's start.
 * When the IR entry block has predecessors, a synthetic entry block jumps to it
 * (the allocator wants an entry without predecessors or parameters).
 */
import { Function, NONE, BF_COLD } from '../../ir/function';

export const VB_IR = 0;
export const VB_EDGE = 1;
export const VB_ENTRY = 2;

export class BlockOrder {
  /** Number of VCode blocks. */
  count = 0;
  /** VB_* per VCode block. */
  vKind = new Uint8Array(64);
  /** IR block of a VB_IR block; source IR block of an edge block. */
  vIrBlock = new Int32Array(64);
  /** Edge blocks: destination index in the source's terminator. */
  vEdgeDest = new Int32Array(64);
  /** Edge blocks: VCode block of the target. */
  vEdgeTarget = new Int32Array(64);
  /** VCode block of each IR block (-1: unreachable). */
  irToV = new Int32Array(64);
  /** Per IR block: start of its destinations in destV/destEdge. */
  destBase = new Int32Array(64);
  /** The VCode block each terminator destination jumps to (the edge block for critical edges). */
  destV = new Int32Array(64);
  destEdge = new Uint8Array(64);
  /** Incoming edge count per IR block (from reachable blocks). */
  predEdges = new Int32Array(64);
  syntheticEntry = false;
  // reused working storage
  private visited = new Uint8Array(64);
  private post: number[] = [];
  private stackB: number[] = [];
  private stackD: number[] = [];
  private order: number[] = [];

  compute(f: Function): void {
    const nb = f.blockCount;
    if (this.irToV.length < nb) {
      this.irToV = new Int32Array(nb * 2);
      this.destBase = new Int32Array(nb * 2 + 1);
      this.predEdges = new Int32Array(nb * 2);
    }
    this.irToV.fill(-1, 0, nb);
    this.predEdges.fill(0, 0, nb);
    this.count = 0;
    const entry = f.firstBlock;
    // Reverse postorder by an iterative DFS over terminator destinations.
    if (this.visited.length < nb) this.visited = new Uint8Array(nb * 2);
    const visited = this.visited;
    visited.fill(0, 0, nb);
    const post = this.post;
    post.length = 0;
    const stackB = this.stackB;
    const stackD = this.stackD;
    stackB.length = 0;
    stackD.length = 0;
    stackB.push(entry);
    stackD.push(0);
    visited[entry] = 1;
    while (stackB.length > 0) {
      const top = stackB.length - 1;
      const b = stackB[top];
      const term = f.bLast[b];
      const n = term === NONE ? 0 : f.destCount(term);
      if (stackD[top] < n) {
        const t = f.bcBlock[f.dest(term, stackD[top]++)];
        if (visited[t] === 0) {
          visited[t] = 1;
          stackB.push(t);
          stackD.push(0);
        }
      } else {
        post.push(b);
        stackB.pop();
        stackD.pop();
      }
    }
    post.reverse();
    const rpo = post;
    let ndest = 0;
    for (const b of rpo) {
      const term = f.bLast[b];
      const n = term === NONE ? 0 : f.destCount(term);
      for (let d = 0; d < n; d++) this.predEdges[f.bcBlock[f.dest(term, d)]]++;
      ndest += n;
    }
    // Cold blocks last; the entry stays first.
    const order = this.order;
    order.length = 0;
    for (const b of rpo) if (b === entry || (f.bFlags[b] & BF_COLD) === 0) order.push(b);
    for (const b of rpo) if (b !== entry && (f.bFlags[b] & BF_COLD) !== 0) order.push(b);

    const maxBlocks = order.length + ndest + 1;
    if (this.vKind.length < maxBlocks) {
      this.vKind = new Uint8Array(maxBlocks * 2);
      this.vIrBlock = new Int32Array(maxBlocks * 2);
      this.vEdgeDest = new Int32Array(maxBlocks * 2);
      this.vEdgeTarget = new Int32Array(maxBlocks * 2);
    }
    if (this.destV.length < ndest) {
      this.destV = new Int32Array(ndest * 2);
      this.destEdge = new Uint8Array(ndest * 2);
    }
    this.syntheticEntry = this.predEdges[entry] > 0;
    if (this.syntheticEntry) this.push(VB_ENTRY, entry, 0);
    let dpos = 0;
    for (const b of order) {
      this.irToV[b] = this.push(VB_IR, b, 0);
      this.destBase[b] = dpos;
      const term = f.bLast[b];
      const n = term === NONE ? 0 : f.destCount(term);
      for (let d = 0; d < n; d++) {
        const t = f.bcBlock[f.dest(term, d)];
        const critical = n > 1 && this.predEdges[t] > 1;
        this.destEdge[dpos + d] = critical ? 1 : 0;
        this.destV[dpos + d] = critical ? this.push(VB_EDGE, b, d) : -1;
      }
      dpos += n;
    }
    // Resolve targets now that every IR block has its VCode block.
    for (const b of order) {
      const term = f.bLast[b];
      const n = term === NONE ? 0 : f.destCount(term);
      const base = this.destBase[b];
      for (let d = 0; d < n; d++) {
        const tv = this.irToV[f.bcBlock[f.dest(term, d)]];
        if (this.destEdge[base + d] !== 0) this.vEdgeTarget[this.destV[base + d]] = tv;
        else this.destV[base + d] = tv;
      }
    }
  }

  private push(kind: number, irBlock: number, dest: number): number {
    const v = this.count++;
    this.vKind[v] = kind;
    this.vIrBlock[v] = irBlock;
    this.vEdgeDest[v] = dest;
    this.vEdgeTarget[v] = -1;
    return v;
  }
}
