// Register allocator, phase 1: exact live-in sets per block.
//
// Path exploration on SSA (Brandner, Boissinot, Darte, Dupont de Dinechin &
// Rastello, "Computing Liveness Sets for SSA-Form Programs", INRIA RR-7503,
// 2011, Algorithms 4 and 5): from every upward-exposed use of v, walk the
// CFG backwards marking v live-in, stopping at v's defining block. The sets
// equal the fixed point of the classic bitset dataflow (Kildall 1973; the
// test compares them) but the work is proportional to the size of the live
// sets, not to blocks × vregs × iterations.
//
// Block params are definitions at the start of their block; branch arguments
// are uses at the end of the predecessor (live-out there).
//
// Representation: sparse, because a large wasm function can have ~10^4
// blocks and ~10^5 vregs (bitsets would need over 100 MB). Vregs are explored
// one at a time (a per-block stamp array dedupes), which yields (block, vreg)
// pairs in vreg order; a counting sort by block turns them into CSR lists,
// each sorted by vreg: liveIn(b) = liveInPool[liveInStart[b] .. liveInStart[b+1]].
// Live-out sets are derived where needed (union of the successors' live-ins
// and the branch args). Consumers: ranges.ts (intervals), resolve.ts (edge
// moves), the spill weights (`isLiveIn`).

import { RaFunction, fail, opIsDef } from './interface';

export interface Liveness {
  liveInStart: Int32Array;
  liveInPool: Int32Array;
}

/** Working storage reused from one function to the next (the result aliases it). */
export class LivenessBuffers {
  defBlock = new Int32Array(0);
  defInst = new Int32Array(0);
  stack = new Int32Array(0);
  stamp = new Int32Array(0);
  // Upward-exposed use blocks per vreg (CSR by vreg).
  useStart = new Int32Array(0);
  useBlock = new Int32Array(0);
  // (block, vreg) pairs in vreg order, then the CSR by block.
  pairB = new Int32Array(0);
  pairV = new Int32Array(0);
  liveInStart = new Int32Array(0);
  liveInPool = new Int32Array(0);
}

function grow(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  return a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2));
}

export function computeLiveness(f: RaFunction, buf: LivenessBuffers = new LivenessBuffers()): Liveness {
  const nb = f.numBlocks;
  const nv = f.numVRegs;
  buf.defBlock = grow(buf.defBlock, nv);
  buf.defInst = grow(buf.defInst, nv);
  buf.stack = grow(buf.stack, nb);
  buf.stamp = grow(buf.stamp, nb);
  buf.useStart = grow(buf.useStart, nv + 1);
  const nUses = f.opVReg.length + f.argPool.length;
  buf.useBlock = grow(buf.useBlock, nUses);
  buf.liveInStart = grow(buf.liveInStart, nb + 1);
  // Defining block and instruction of each vreg (-1 for block params).
  const defBlock = buf.defBlock;
  const defInst = buf.defInst;
  defBlock.fill(-1, 0, nv);
  defInst.fill(-1, 0, nv);
  for (let b = 0; b < nb; b++) {
    for (let k = f.blockParamStart[b]; k < f.blockParamStart[b + 1]; k++) defBlock[f.paramPool[k]] = b;
    for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
      for (let o = f.instOpStart[i]; o < f.instOpStart[i + 1]; o++) {
        if (!opIsDef(f.opInfo[o])) continue;
        defBlock[f.opVReg[o]] = b;
        defInst[f.opVReg[o]] = i;
      }
    }
  }
  // Upward-exposed uses, grouped by vreg (two passes: count, fill).
  const useStart = buf.useStart;
  const useBlock = buf.useBlock;
  useStart.fill(0, 0, nv + 1);
  for (let pass = 0; pass < 2; pass++) {
    for (let b = 0; b < nb; b++) {
      for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
        for (let o = f.instOpStart[i]; o < f.instOpStart[i + 1]; o++) {
          if (opIsDef(f.opInfo[o])) continue;
          const v = f.opVReg[o];
          // Upward exposed unless defined earlier in this block (or a param of it).
          if (defBlock[v] === b && defInst[v] < i) continue;
          if (pass === 0) useStart[v + 1]++;
          else useBlock[useStart[v]++] = b;
        }
      }
      for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
        for (let a = f.succArgStart[k]; a < f.succArgStart[k + 1]; a++) {
          const v = f.argPool[a];
          if (defBlock[v] === b) continue;
          if (pass === 0) useStart[v + 1]++;
          else useBlock[useStart[v]++] = b;
        }
      }
    }
    if (pass === 0) {
      for (let v = 0; v < nv; v++) useStart[v + 1] += useStart[v];
    } else {
      // Fill pointers ended at each group's end: shift back to starts.
      for (let v = nv; v > 0; v--) useStart[v] = useStart[v - 1];
      useStart[0] = 0;
    }
  }
  // Explore one vreg at a time; stamp[b] === v + 1 marks "v live-in at b".
  const stamp = buf.stamp;
  stamp.fill(0, 0, nb);
  const stack = buf.stack;
  let np = 0;
  for (let v = 0; v < nv; v++) {
    const d = defBlock[v];
    const tag = v + 1;
    for (let u = useStart[v]; u < useStart[v + 1]; u++) {
      const b0 = useBlock[u];
      if (stamp[b0] === tag) continue;
      stamp[b0] = tag;
      np = pushPair(buf, np, b0, v);
      let sp = 0;
      stack[sp++] = b0;
      while (sp > 0) {
        const x = stack[--sp];
        for (let k = f.blockPredStart[x]; k < f.blockPredStart[x + 1]; k++) {
          const p = f.predPool[k];
          if (p !== d && stamp[p] !== tag) {
            stamp[p] = tag;
            np = pushPair(buf, np, p, v);
            stack[sp++] = p;
          }
        }
      }
    }
  }
  // Transpose to CSR by block; a stable counting sort keeps vregs ascending.
  const start = buf.liveInStart;
  start.fill(0, 0, nb + 1);
  for (let k = 0; k < np; k++) start[buf.pairB[k] + 1]++;
  for (let b = 0; b < nb; b++) start[b + 1] += start[b];
  buf.liveInPool = grow(buf.liveInPool, np);
  const pool = buf.liveInPool;
  for (let k = 0; k < np; k++) pool[start[buf.pairB[k]]++] = buf.pairV[k];
  for (let b = nb; b > 0; b--) start[b] = start[b - 1];
  start[0] = 0;
  if (start[1] !== 0) fail(`vreg used without a dominating definition: v${pool[0]}`);
  return { liveInStart: start, liveInPool: pool };
}

function pushPair(buf: LivenessBuffers, np: number, b: number, v: number): number {
  if (np >= buf.pairB.length) {
    const m = Math.max(256, np * 2);
    const nb2 = new Int32Array(m);
    nb2.set(buf.pairB);
    buf.pairB = nb2;
    const nv2 = new Int32Array(m);
    nv2.set(buf.pairV);
    buf.pairV = nv2;
  }
  buf.pairB[np] = b;
  buf.pairV[np] = v;
  return np + 1;
}

/** Is v live on entry to block b? (binary search in b's sorted list) */
export function isLiveIn(live: Liveness, b: number, v: number): boolean {
  let lo = live.liveInStart[b];
  let hi = live.liveInStart[b + 1];
  const pool = live.liveInPool;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = pool[mid];
    if (x === v) return true;
    if (x < v) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
