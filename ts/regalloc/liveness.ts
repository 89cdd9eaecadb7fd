// Register allocator, phase 1: exact liveness by bitset dataflow over blocks.
//
// Classic backwards dataflow (Kildall 1973; Appel, "Modern Compiler
// Implementation", §10.1): liveIn(b) = gen(b) ∪ (liveOut(b) \ kill(b)),
// liveOut(b) = ∪ over successors s of liveIn(s) ∪ args(b→s). Block params
// are definitions at the start of their block; branch arguments are uses at
// the end of the predecessor. One bit per vreg, `words` 32-bit words per block.
// The result feeds the live-range builder (ranges.ts) and edge resolution.

import { RaFunction, assert, opIsDef } from './interface';

export interface Liveness {
  words: number;
  liveIn: Uint32Array;
  liveOut: Uint32Array;
}

export function computeLiveness(f: RaFunction, order: Int32Array | null = null): Liveness {
  const nb = f.numBlocks;
  const W = (f.numVRegs + 31) >>> 5;
  const gen = new Uint32Array(nb * W);
  const kill = new Uint32Array(nb * W);
  const liveIn = new Uint32Array(nb * W);
  const liveOut = new Uint32Array(nb * W);
  for (let b = 0; b < nb; b++) {
    const base = b * W;
    for (let k = f.blockParamStart[b]; k < f.blockParamStart[b + 1]; k++) {
      const v = f.paramPool[k];
      kill[base + (v >>> 5)] |= 1 << (v & 31);
    }
    for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
      const o1 = f.instOpStart[i + 1];
      for (let o = f.instOpStart[i]; o < o1; o++) {
        if (opIsDef(f.opInfo[o])) continue;
        const v = f.opVReg[o];
        const w = base + (v >>> 5);
        const bit = 1 << (v & 31);
        if ((kill[w] & bit) === 0) gen[w] |= bit;
      }
      for (let o = f.instOpStart[i]; o < o1; o++) {
        if (!opIsDef(f.opInfo[o])) continue;
        const v = f.opVReg[o];
        kill[base + (v >>> 5)] |= 1 << (v & 31);
      }
    }
  }
  // Iterate to a fixed point, visiting blocks in reverse layout order (a good
  // approximation of postorder for reducible, RPO-laid-out code).
  let changed = true;
  while (changed) {
    changed = false;
    for (let bi = nb - 1; bi >= 0; bi--) {
      const b = order === null ? bi : order[bi];
      const base = b * W;
      for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
        const sbase = f.succPool[k] * W;
        for (let w = 0; w < W; w++) liveOut[base + w] |= liveIn[sbase + w];
        for (let a = f.succArgStart[k]; a < f.succArgStart[k + 1]; a++) {
          const v = f.argPool[a];
          liveOut[base + (v >>> 5)] |= 1 << (v & 31);
        }
      }
      for (let w = 0; w < W; w++) {
        const x = (gen[base + w] | (liveOut[base + w] & ~kill[base + w])) >>> 0;
        if (x !== liveIn[base + w]) {
          liveIn[base + w] = x;
          changed = true;
        }
      }
    }
  }
  for (let w = 0; w < W; w++) {
    assert(liveIn[w] === 0, `vreg(s) used without a dominating definition: v${w * 32 + 31 - Math.clz32(liveIn[w])}`);
  }
  return { words: W, liveIn, liveOut };
}

export function bitTest(set: Uint32Array, base: number, v: number): boolean {
  return (set[base + (v >>> 5)] & (1 << (v & 31))) !== 0;
}
