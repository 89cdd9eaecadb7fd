// Register allocator, phase 1: exact liveness sets per block.
//
// Path exploration on SSA (Brandner, Boissinot, Darte, Dupont de Dinechin &
// Rastello, "Computing Liveness Sets for SSA-Form Programs", INRIA RR-7503,
// 2011, Algorithm 4/5): from every upward-exposed use of v, walk the CFG
// backwards marking v live-in, stopping at v's defining block. The result is
// the same as the classic bitset dataflow fixed point (Kildall 1973) but the
// work is proportional to the size of the live sets, not to
// blocks × vregs × iterations. Block params are definitions at the start of
// their block; branch arguments are uses at the end of the predecessor (so
// they are live-out there). Sets are bitsets: `words` 32-bit words per block.
// The result feeds the live-range builder (ranges.ts) and edge resolution.

import { RaFunction, fail, opIsDef } from './interface';

/**
 * Live-in sets only: live-out sets are derived per block when needed
 * (`liveOutOf`), which halves the memory of the largest structure here.
 */
export interface Liveness {
  words: number;
  liveIn: Uint32Array;
}

/** Working storage reused from one function to the next (the result aliases it). */
export class LivenessBuffers {
  liveIn = new Uint32Array(0);
  defBlock = new Int32Array(0);
  defInst = new Int32Array(0);
  stack = new Int32Array(0);
}

export function computeLiveness(f: RaFunction, buf: LivenessBuffers = new LivenessBuffers()): Liveness {
  const nb = f.numBlocks;
  const nv = f.numVRegs;
  const W = (nv + 31) >>> 5;
  if (buf.liveIn.length < nb * W) buf.liveIn = new Uint32Array(nb * W);
  if (buf.defBlock.length < nv) {
    buf.defBlock = new Int32Array(nv);
    buf.defInst = new Int32Array(nv);
  }
  if (buf.stack.length < nb) buf.stack = new Int32Array(nb);
  const liveIn = buf.liveIn.subarray(0, nb * W);
  liveIn.fill(0);
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
  const stack = buf.stack;
  for (let b = 0; b < nb; b++) {
    for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
      for (let o = f.instOpStart[i]; o < f.instOpStart[i + 1]; o++) {
        if (opIsDef(f.opInfo[o])) continue;
        const v = f.opVReg[o];
        // Upward exposed unless defined earlier in this block (or a param of it).
        if (defBlock[v] === b && defInst[v] < i) continue;
        walkUp(f, W, liveIn, defBlock, stack, v, b);
      }
    }
    for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
      for (let a = f.succArgStart[k]; a < f.succArgStart[k + 1]; a++) {
        const v = f.argPool[a];
        if (defBlock[v] !== b) walkUp(f, W, liveIn, defBlock, stack, v, b);
      }
    }
  }
  for (let w = 0; w < W; w++) {
    if (!(liveIn[w] === 0)) fail(`vreg(s) used without a dominating definition: v${w * 32 + 31 - Math.clz32(liveIn[w])}`);
  }
  return { words: W, liveIn };
}

/** Marks v live-in at b0 and propagates to predecessors up to v's defining block. */
function walkUp(
  f: RaFunction,
  W: number,
  liveIn: Uint32Array,
  defBlock: Int32Array,
  stack: Int32Array,
  v: number,
  b0: number,
): void {
  const w = v >>> 5;
  const bit = 1 << (v & 31);
  if ((liveIn[b0 * W + w] & bit) !== 0) return;
  liveIn[b0 * W + w] |= bit;
  let sp = 0;
  stack[sp++] = b0;
  const d = defBlock[v];
  while (sp > 0) {
    const x = stack[--sp];
    for (let k = f.blockPredStart[x]; k < f.blockPredStart[x + 1]; k++) {
      const p = f.predPool[k];
      if (d !== p && (liveIn[p * W + w] & bit) === 0) {
        liveIn[p * W + w] |= bit;
        stack[sp++] = p;
      }
    }
  }
}

/** Writes block b's live-out set (successors' live-ins plus branch args) to out[0..W). */
export function liveOutOf(f: RaFunction, live: Liveness, b: number, out: Uint32Array): void {
  const W = live.words;
  out.fill(0, 0, W);
  for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
    const base = f.succPool[k] * W;
    for (let w = 0; w < W; w++) out[w] |= live.liveIn[base + w];
    for (let a = f.succArgStart[k]; a < f.succArgStart[k + 1]; a++) {
      const v = f.argPool[a];
      out[v >>> 5] |= 1 << (v & 31);
    }
  }
}

export function bitTest(set: Uint32Array, base: number, v: number): boolean {
  return (set[base + (v >>> 5)] & (1 << (v & 31))) !== 0;
}
