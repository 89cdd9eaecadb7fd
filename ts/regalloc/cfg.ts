// Register allocator, phase 0: CFG facts and input validation.
//
// Checks the client contract of interface.ts (layout, SSA single definition,
// terminators, no critical edges, branch-argument arity), maps instructions
// to blocks, and computes loop depths when the client did not supply them:
// back edges from an iterative DFS, natural loop bodies by a backwards walk
// from each latch (Aho, Sethi, Ullman §10.4); one depth level per loop header.

import {
  INST_BRANCH,
  INST_MOVE,
  INST_RET,
  MachineEnv,
  NUM_CLASSES,
  OperandConstraint as C,
  RaFunction,
  assert,
  opConstraint,
  opIsDef,
  opIsLate,
  opPayload,
  pregClass,
  fail,
} from './interface';

/**
 * Program points. Every block has a header slot followed by one slot per
 * instruction; slot s has an early position 2s and a late position 2s+1.
 * Block b's header slot is `blockInstStart[b] + b`, instruction i's slot is
 * `i + block(i) + 1`. The header slot is where params and live-ins begin, so
 * the gap before a block's first instruction is distinct from its entry.
 */
export interface CfgInfo {
  /** Block of each instruction. */
  instBlock: Int32Array;
  /** Early position of each instruction (2 * slot). */
  instPos: Int32Array;
  /** Start position of each block (its header slot); numBlocks + 1 entries. */
  blockPos: Int32Array;
  /** Instruction of each slot, -1 for block header slots. */
  slotInst: Int32Array;
  /** Block of each slot. */
  slotBlock: Int32Array;
  /**
   * Reverse postorder of the reachable blocks, then the unreachable ones:
   * the backwards liveness dataflow visits it from the end (postorder).
   */
  rpo: Int32Array;
  /** Loop depth per block (the client's, or computed). */
  depth: Uint8Array;
  /** Header of the innermost natural loop containing each block, or -1. */
  loopHeader: Int32Array;
  /**
   * Loop depth at which a move placed at the start of each block executes
   * (the minimum over the block and its predecessors: a split at a loop
   * header costs a move on the entry edge, not inside the loop).
   */
  entryDepth: Uint8Array;
}

export function validateFunction(f: RaFunction): void {
  const nb = f.numBlocks;
  assert(nb > 0, 'function has no blocks');
  assert(f.blockInstStart[0] === 0 && f.blockInstStart[nb] === f.numInsts, 'bad block instruction ranges');
  assert(f.blockParamStart[1] - f.blockParamStart[0] === 0, 'entry block has params');
  assert(f.blockPredStart[1] - f.blockPredStart[0] === 0, 'entry block has predecessors');
  const defined = new Uint8Array(f.numVRegs);
  for (let b = 0; b < nb; b++) {
    for (let k = f.blockParamStart[b]; k < f.blockParamStart[b + 1]; k++) {
      const v = f.paramPool[k];
      if (!(v >= 0 && v < f.numVRegs && defined[v] === 0)) fail(`block ${b}: param v${v} defined twice`);
      defined[v] = 1;
    }
  }
  for (let b = 0; b < nb; b++) {
    const s = f.blockInstStart[b];
    const e = f.blockInstStart[b + 1];
    if (!(e > s)) fail(`block ${b} is empty`);
    for (let i = s; i < e; i++) {
      const fl = f.instFlags[i];
      const isTerm = (fl & INST_BRANCH) !== 0;
      if (!(isTerm === (i === e - 1))) fail(`inst ${i}: terminator must be exactly the last instruction of block ${b}`);
      const o0 = f.instOpStart[i];
      const o1 = f.instOpStart[i + 1];
      if ((fl & INST_MOVE) !== 0) {
        if (!(o1 - o0 === 2 && !opIsDef(f.opInfo[o0]) && opIsDef(f.opInfo[o0 + 1]))) fail(`inst ${i}: bad move operands`);
        if (!(f.vregClass[f.opVReg[o0]] === f.vregClass[f.opVReg[o0 + 1]])) fail(`inst ${i}: move across classes`);
      }
      for (let o = o0; o < o1; o++) {
        const v = f.opVReg[o];
        const info = f.opInfo[o];
        if (!(v >= 0 && v < f.numVRegs)) fail(`inst ${i}: bad vreg ${v}`);
        const c = opConstraint(info);
        if (c === C.Fixed) {
          if (!(pregClass(opPayload(info)) === f.vregClass[v])) fail(`inst ${i}: fixed register of the wrong class for v${v}`);
        }
        if (opIsDef(info)) {
          if (!(!isTerm)) fail(`inst ${i}: terminators cannot define values`);
          if (!(defined[v] === 0)) fail(`v${v} defined twice`);
          defined[v] = 1;
          if (c === C.Reuse) {
            const k = opPayload(info);
            if (!(k < o1 - o0 && !opIsDef(f.opInfo[o0 + k]))) fail(`inst ${i}: reuse of a non-use operand`);
            if (!(f.vregClass[f.opVReg[o0 + k]] === f.vregClass[v])) fail(`inst ${i}: reuse across classes`);
            const kc = opConstraint(f.opInfo[o0 + k]);
            if (!(kc === C.Reg || kc === C.Any)) fail(`inst ${i}: reused input must be Reg or Any`);
            if (opIsLate(f.opInfo[o0 + k])) fail(`inst ${i}: reused input must be an early use`);
            for (let o2 = o0; o2 < o; o2++) {
              const i2 = f.opInfo[o2];
              if (opIsDef(i2) && opConstraint(i2) === C.Reuse && opPayload(i2) === k) {
                fail(`inst ${i}: two defs reuse operand ${k}`);
              }
            }
          }
        } else {
          if (!(c !== C.Reuse)) fail(`inst ${i}: reuse constraint on a use`);
        }
      }
    }
    const ns = f.blockSuccStart[b + 1] - f.blockSuccStart[b];
    const last = e - 1;
    if ((f.instFlags[last] & INST_RET) !== 0) if (!(ns === 0)) fail(`block ${b}: return with successors`);
    if (ns === 1) {
      if (!(f.instOpStart[last + 1] === f.instOpStart[last])) fail(`block ${b}: single-successor terminator has operands`);
    }
    for (let k = f.blockSuccStart[b]; k < f.blockSuccStart[b + 1]; k++) {
      const t = f.succPool[k];
      if (!(t > 0 && t < nb)) fail(`block ${b}: bad successor ${t}`);
      const np = f.blockPredStart[t + 1] - f.blockPredStart[t];
      if (!(ns === 1 || np === 1)) fail(`critical edge block${b} -> block${t}: split it`);
      const na = f.succArgStart[k + 1] - f.succArgStart[k];
      if (!(na === f.blockParamStart[t + 1] - f.blockParamStart[t])) fail(`block ${b}: wrong number of args to block ${t}`);
      for (let a = 0; a < na; a++) {
        const av = f.argPool[f.succArgStart[k] + a];
        const pv = f.paramPool[f.blockParamStart[t] + a];
        if (!(av >= 0 && av < f.numVRegs && f.vregClass[av] === f.vregClass[pv])) fail(`block ${b}: bad arg v${av}`);
      }
    }
  }
}

export function analyzeCfg(f: RaFunction): CfgInfo {
  const nb = f.numBlocks;
  const instBlock = new Int32Array(f.numInsts);
  const instPos = new Int32Array(f.numInsts);
  const blockPos = new Int32Array(nb + 1);
  const nslots = f.numInsts + nb;
  const slotInst = new Int32Array(nslots);
  const slotBlock = new Int32Array(nslots);
  for (let b = 0; b < nb; b++) {
    const hs = f.blockInstStart[b] + b;
    blockPos[b] = 2 * hs;
    slotInst[hs] = -1;
    slotBlock[hs] = b;
    for (let i = f.blockInstStart[b]; i < f.blockInstStart[b + 1]; i++) {
      instBlock[i] = b;
      instPos[i] = 2 * (i + b + 1);
      slotInst[i + b + 1] = i;
      slotBlock[i + b + 1] = b;
    }
  }
  blockPos[nb] = 2 * nslots;
  const loops = computeLoops(f);
  const depth = f.blockLoopDepth !== null ? f.blockLoopDepth : loops.depth;
  const entryDepth = new Uint8Array(nb);
  for (let b = 0; b < nb; b++) {
    let d = depth[b];
    for (let k = f.blockPredStart[b]; k < f.blockPredStart[b + 1]; k++) {
      const pd = depth[f.predPool[k]];
      if (pd < d) d = pd;
    }
    entryDepth[b] = d;
  }
  return {
    instBlock,
    instPos,
    blockPos,
    slotInst,
    slotBlock,
    rpo: reversePostorder(f),
    depth,
    entryDepth,
    loopHeader: loops.header,
  };
}

/** Natural-loop nesting depth per block (unreachable blocks get 0). */
export function computeLoopDepth(f: RaFunction): Uint8Array {
  return computeLoops(f).depth;
}

/** Loop depth and innermost loop header per block. */
export function computeLoops(f: RaFunction): { depth: Uint8Array; header: Int32Array } {
  const nb = f.numBlocks;
  const state = new Uint8Array(nb); // 0 unvisited, 1 on stack, 2 done
  const stackB = new Int32Array(nb);
  const stackK = new Int32Array(nb);
  // Back edges grouped per header: latches[] with header marks.
  const isHeader = new Uint8Array(nb);
  const latchOf: number[] = [];
  const headerOf: number[] = [];
  let sp = 0;
  stackB[0] = 0;
  stackK[0] = f.blockSuccStart[0];
  state[0] = 1;
  sp = 1;
  while (sp > 0) {
    const b = stackB[sp - 1];
    const k = stackK[sp - 1];
    if (k < f.blockSuccStart[b + 1]) {
      stackK[sp - 1] = k + 1;
      const s = f.succPool[k];
      if (state[s] === 0) {
        state[s] = 1;
        stackB[sp] = s;
        stackK[sp] = f.blockSuccStart[s];
        sp++;
      } else if (state[s] === 1) {
        isHeader[s] = 1;
        latchOf.push(b);
        headerOf.push(s);
      }
    } else {
      state[b] = 2;
      sp--;
    }
  }
  const depth = new Uint8Array(nb);
  const header = new Int32Array(nb).fill(-1);
  const bodySize = new Int32Array(nb);
  const inLoop = new Int32Array(nb).fill(-1); // header id last marked with
  const work: number[] = [];
  for (let h = 0; h < nb; h++) {
    if (isHeader[h] === 0) continue;
    // Union of the natural loops of all back edges into h.
    inLoop[h] = h;
    const body: number[] = [h];
    for (let e = 0; e < latchOf.length; e++) {
      if (headerOf[e] !== h) continue;
      const l = latchOf[e];
      if (inLoop[l] !== h) {
        inLoop[l] = h;
        body.push(l);
        work.push(l);
      }
    }
    while (work.length > 0) {
      const x = work.pop() as number;
      for (let k = f.blockPredStart[x]; k < f.blockPredStart[x + 1]; k++) {
        const p = f.predPool[k];
        if (inLoop[p] !== h && state[p] === 2) {
          inLoop[p] = h;
          body.push(p);
          work.push(p);
        }
      }
    }
    bodySize[h] = body.length;
    for (const b of body) {
      if (depth[b] < 255) depth[b]++;
      // Nested bodies are subsets: the smallest body is the innermost loop.
      if (header[b] < 0 || bodySize[header[b]] > body.length) header[b] = h;
    }
  }
  return { depth, header };
}

/** Reverse postorder from the entry (iterative DFS), unreachable blocks appended. */
export function reversePostorder(f: RaFunction): Int32Array {
  const nb = f.numBlocks;
  const out = new Int32Array(nb);
  const seen = new Uint8Array(nb);
  const stackB = new Int32Array(nb);
  const stackK = new Int32Array(nb);
  let n = nb; // filled from the end: postorder reversed
  let sp = 1;
  stackB[0] = 0;
  stackK[0] = f.blockSuccStart[0];
  seen[0] = 1;
  while (sp > 0) {
    const b = stackB[sp - 1];
    const k = stackK[sp - 1];
    if (k < f.blockSuccStart[b + 1]) {
      stackK[sp - 1] = k + 1;
      const s = f.succPool[k];
      if (seen[s] === 0) {
        seen[s] = 1;
        stackB[sp] = s;
        stackK[sp] = f.blockSuccStart[s];
        sp++;
      }
    } else {
      out[--n] = b;
      sp--;
    }
  }
  // Reachable blocks occupy out[n..nb); move them to the front, then append the rest.
  const reach = nb - n;
  out.copyWithin(0, n, nb);
  let m = reach;
  for (let b = 0; b < nb; b++) if (seen[b] === 0) out[m++] = b;
  return out;
}

/**
 * Predecessor lists (CSR) from successor lists, for clients that only track
 * successors. Predecessors of a block appear in increasing block order.
 */
export function fillPredecessors(
  numBlocks: number,
  blockSuccStart: Int32Array,
  succPool: Int32Array,
): { blockPredStart: Int32Array; predPool: Int32Array } {
  const blockPredStart = new Int32Array(numBlocks + 1);
  for (let k = 0; k < blockSuccStart[numBlocks]; k++) blockPredStart[succPool[k] + 1]++;
  for (let b = 0; b < numBlocks; b++) blockPredStart[b + 1] += blockPredStart[b];
  const fillAt = blockPredStart.slice(0, numBlocks);
  const predPool = new Int32Array(blockSuccStart[numBlocks]);
  for (let b = 0; b < numBlocks; b++) {
    for (let k = blockSuccStart[b]; k < blockSuccStart[b + 1]; k++) predPool[fillAt[succPool[k]]++] = b;
  }
  return { blockPredStart, predPool };
}

/** Checks the machine environment against the function: no fixed operand may name a scratch register. */
export function validateEnv(f: RaFunction, env: MachineEnv): void {
  const seen = new Uint8Array(NUM_CLASSES * 32);
  for (let c = 0; c < NUM_CLASSES; c++) {
    const lists = [env.preferred[c] ?? [], env.nonPreferred[c] ?? []];
    for (const list of lists) {
      for (const p of list) {
        if (p < 0 || p >= seen.length || pregClass(p) !== c) fail(`machine env: p${p} listed for class ${c}`);
        if (seen[p]) fail(`machine env: p${p} listed twice`);
        if (p === env.scratch[c]) fail(`machine env: scratch register p${p} is also allocatable`);
        seen[p] = 1;
      }
    }
  }
  for (let o = 0; o < f.opInfo.length; o++) {
    const info = f.opInfo[o];
    if (opConstraint(info) !== C.Fixed) continue;
    const p = opPayload(info);
    if (p === env.scratch[pregClass(p)]) fail(`operand ${o} is fixed to the scratch register p${p}`);
  }
}
