// The parallel-move resolver, exhaustively: every assignment of sources
// (or none) to five destinations among three registers and two stack words,
// executed on a concrete store and compared with the parallel semantics.

import test from 'ava';
import { ParallelMoves } from '../../ts/regalloc/moves';
import { RegClass, allocIsStack, allocStack, preg } from '../../ts/regalloc/interface';

const LOCS = [preg(RegClass.Int, 0), preg(RegClass.Int, 1), preg(RegClass.Int, 2), allocStack(0), allocStack(1)];
const SCRATCH = preg(RegClass.Int, 11);
const CYCLE = allocStack(7);

/** Number of cycles among the moves (each costs one extra copy). */
function countCycles(src: number[], dst: number[]): number {
  const seen = new Set<number>();
  let cycles = 0;
  for (let k = 0; k < src.length; k++) {
    if (seen.has(k)) continue;
    const path: number[] = [];
    let j = k;
    while (j >= 0 && !path.includes(j) && !seen.has(j)) {
      path.push(j);
      // The move that overwrites the source of move j, if any.
      j = dst.indexOf(src[j]);
    }
    if (j >= 0 && path.includes(j)) cycles++;
    for (const x of path) seen.add(x);
  }
  return cycles;
}

test('parallel moves: all 6^5 source assignments over 3 registers and 2 stack words', (t) => {
  const pm = new ParallelMoves();
  let cases = 0;
  let withCycles = 0;
  const n = LOCS.length;
  for (let code = 0; code < 6 ** n; code++) {
    const src: number[] = [];
    const dst: number[] = [];
    let c = code;
    for (let d = 0; d < n; d++) {
      const s = c % 6;
      c = Math.floor(c / 6);
      if (s < n && s !== d) {
        src.push(LOCS[s]);
        dst.push(LOCS[d]);
      }
    }
    pm.reset();
    for (let k = 0; k < src.length; k++) pm.add(src[k], dst[k]);
    pm.resolve(SCRATCH, CYCLE);
    const mem = new Map<number, number>();
    for (const l of LOCS) mem.set(l, 1000 + l);
    mem.set(SCRATCH, -1);
    mem.set(CYCLE, -2);
    for (let e = 0; e < pm.outN; e++) {
      const from = pm.outFrom[e];
      const to = pm.outTo[e];
      if (allocIsStack(from) && allocIsStack(to)) {
        t.fail(`case ${code}: stack-to-stack copy emitted`);
        return;
      }
      mem.set(to, mem.get(from) as number);
    }
    for (const l of LOCS) {
      const k = dst.indexOf(l);
      const want = k >= 0 ? 1000 + src[k] : 1000 + l;
      if (mem.get(l) !== want) {
        t.fail(`case ${code}: ${l} holds ${mem.get(l)}, want ${want}`);
        return;
      }
    }
    // Cost: one copy per move, one save per cycle, one extra copy per
    // stack-to-stack move (through the scratch register); the save of a
    // cycle through the cycle slot may itself be stack-to-stack.
    const cyc = countCycles(src, dst);
    if (cyc > 0) withCycles++;
    let stackStack = 0;
    for (let k = 0; k < src.length; k++) if (allocIsStack(src[k]) && allocIsStack(dst[k])) stackStack++;
    const lower = src.length + cyc + stackStack;
    if (pm.outN < lower || pm.outN > lower + 2 * cyc) {
      t.fail(`case ${code}: ${pm.outN} copies for ${src.length} moves, ${cyc} cycles, ${stackStack} stack-to-stack`);
      return;
    }
    cases++;
  }
  t.is(cases, 6 ** n);
  t.true(withCycles > 1000, `only ${withCycles} cases with cycles`);
});

test('parallel moves: a register swap costs three copies through the scratch register', (t) => {
  const pm = new ParallelMoves();
  pm.reset();
  pm.add(LOCS[0], LOCS[1]);
  pm.add(LOCS[1], LOCS[0]);
  pm.resolve(SCRATCH, CYCLE);
  t.is(pm.outN, 3);
  t.false(pm.usedCycleSlot);
  t.deepEqual([pm.outFrom[0], pm.outTo[0]], [LOCS[1], SCRATCH]);
});

test('parallel moves: a stack swap uses the cycle slot, never two stack operands', (t) => {
  const pm = new ParallelMoves();
  pm.reset();
  pm.resetStats();
  pm.add(LOCS[3], LOCS[4]);
  pm.add(LOCS[4], LOCS[3]);
  pm.resolve(SCRATCH, CYCLE);
  t.true(pm.usedCycleSlot);
  t.is(pm.stackMoves, 3);
  t.is(pm.outN, 6);
});

test('parallel moves: writing one destination from two sources is a bug', (t) => {
  const pm = new ParallelMoves();
  pm.reset();
  pm.add(LOCS[0], LOCS[2]);
  t.throws(() => pm.add(LOCS[1], LOCS[2]));
});
