// The checker must reject wrong allocations: hand-written broken outputs
// (each next to a correct variant that passes), and mutations of real
// allocations of fuzzed functions.

import test from 'ava';
import {
  CheckerError,
  FunctionBuilder,
  RaFunction,
  RaOutput,
  RegClass,
  RegisterAllocator,
  allocIsReg,
  allocStack,
  checkAllocation,
  opIsDef,
} from '../../ts/regalloc/index';
import { defFixed, defReg, defReuse, defStack, useAny, useFixed, useLate, useReg } from '../../ts/regalloc/builder';
import { RAX, RBX, RCX, RDI, RDX, RSI, Rng, defaultGen, randomFunction, sysvClobbers, x64Env } from '../../ts/regalloc/fuzzgen';

const env = x64Env();

function output(_f: RaFunction, allocs: number[], edits: [number, number, number][] = [], spillWords = 0): RaOutput {
  return {
    opAlloc: Int32Array.from(allocs),
    numEdits: edits.length,
    editInst: Int32Array.from(edits.map((e) => e[0])),
    editFrom: Int32Array.from(edits.map((e) => e[1])),
    editTo: Int32Array.from(edits.map((e) => e[2])),
    editClass: Uint8Array.from(edits.map(() => RegClass.Int)),
    spillWords,
    calleeSavedUsed: [],
    stats: { spills: 0, reloads: 0, regMoves: 0, stackMoves: 0, splits: 0, intervals: 0, coalescedMoves: 0, weightedEdits: 0 },
  };
}

const rejects = (f: RaFunction, o: RaOutput, pattern: RegExp) => {
  const e = (() => {
    try {
      checkAllocation(f, env, o);
    } catch (x) {
      return x as Error;
    }
    return null;
  })();
  return e instanceof CheckerError && pattern.test(e.message);
};

test('checker: a value overwritten before its use', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, b] = fb.vregs(2);
  fb.begin(b0);
  fb.inst([defReg(a)]);
  fb.inst([defReg(b)]);
  fb.ret([useFixed(a, RAX), useAny(b)]);
  const f = fb.finish();
  t.true(rejects(f, output(f, [RAX, RAX, RAX, RAX]), /reads r0, which holds \{v1\}/));
  t.notThrows(() => checkAllocation(f, env, output(f, [RAX, RCX, RAX, RCX])));
});

test('checker: a value live across a call in a clobbered register, and its spill/reload', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, r] = fb.vregs(2);
  const clob = fb.clobberSet(sysvClobbers());
  fb.begin(b0);
  fb.inst([defReg(a)]);
  fb.inst([defFixed(r, RAX)], 0, clob);
  fb.ret([useFixed(a, RAX)]);
  const f = fb.finish();
  // a in rcx across the call: clobbered.
  t.true(rejects(f, output(f, [RCX, RAX, RAX], [[2, RCX, RAX]]), /reads r0, which holds \{\}/));
  // Spilled before, reloaded after: fine.
  const s = allocStack(0);
  t.notThrows(() => checkAllocation(f, env, output(f, [RCX, RAX, RAX], [[1, RCX, s], [2, s, RAX]], 1)));
  // In rbx (callee-saved, not clobbered): fine, if rbx is reported for the prologue.
  const inRbx = output(f, [RBX, RAX, RAX], [[2, RBX, RAX]]);
  t.true(rejects(f, inRbx, /writes callee-saved r3, missing from calleeSavedUsed/));
  inRbx.calleeSavedUsed = [RBX];
  t.notThrows(() => checkAllocation(f, env, inRbx));
});

test('checker: a missing block-param move on one incoming edge', (t) => {
  const fb = new FunctionBuilder();
  const [b0, b1, b2, b3] = fb.blocks(4);
  const [k, y, z, p] = fb.vregs(4);
  fb.begin(b0);
  fb.inst([defReg(k)]);
  fb.branch([b1, b2], [[], []], [useReg(k)]);
  fb.begin(b1);
  fb.inst([defReg(y)]);
  fb.jump(b3, [y]);
  fb.begin(b2);
  fb.inst([defReg(z)]);
  fb.jump(b3, [z]);
  fb.begin(b3, [p]);
  fb.ret([useFixed(p, RAX)]);
  const f = fb.finish();
  // y in rax, z in rcx, p read in rax: the b2 edge needs rcx -> rax.
  const allocs = [RDX, RDX, RAX, RCX, RAX];
  t.true(rejects(f, output(f, allocs), /inst 6 operand 0 \(v3\): reads r0/));
  t.notThrows(() => checkAllocation(f, env, output(f, allocs, [[5, RCX, RAX]])));
});

test('checker: constraint violations', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, b, c, d, s] = fb.vregs(5);
  fb.begin(b0);
  fb.inst([defFixed(a, RDI), defFixed(b, RSI)]); // 0
  fb.inst([useReg(a), useReg(b), defReuse(c, 0)]); // 1: c = a + b, reuse a
  fb.inst([useLate(c), useReg(b), defReg(d)]); // 2: d must not share c's register
  fb.inst([useAny(d), defStack(s)]); // 3
  fb.ret([useFixed(d, RAX), useAny(s), useAny(b)]); // 4
  const f = fb.finish();
  const st = allocStack(0);
  const good = [RDI, RSI, RDI, RSI, RDI, RDI, RSI, RCX, RCX, st, RAX, st, RSI];
  const goodEdits: [number, number, number][] = [[4, RCX, RAX]];
  t.notThrows(() => checkAllocation(f, env, output(f, good, goodEdits, 1)));
  const bad = (k: number, a2: number) => {
    const x = good.slice();
    x[k] = a2;
    return output(f, x, goodEdits, 1);
  };
  t.true(rejects(f, bad(0, RCX), /needs r7/), 'fixed def');
  t.true(rejects(f, bad(4, RSI), /must reuse/), 'reuse mismatch');
  t.true(rejects(f, bad(7, RDI), /def overwrites r7 still read by operand 0/), 'late def on a late use');
  t.true(rejects(f, bad(9, RCX), /needs a stack slot/), 'stack def in a register');
  t.true(rejects(f, bad(10, RCX), /needs r0/), 'fixed use');
  t.true(rejects(f, bad(6, allocStack(0)), /needs a register/), 'reg use on the stack');
  t.true(rejects(f, bad(7, preg11()), /scratch/), 'scratch register');
});

function preg11(): number {
  return env.scratch[0];
}

test('checker: mutated allocations of fuzzed functions are rejected', (t) => {
  const ra = new RegisterAllocator();
  const rng = new Rng(99);
  let tried = 0;
  let caught = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const f = randomFunction(seed, defaultGen);
    const out = ra.allocate(f, env);
    t.notThrows(() => checkAllocation(f, env, out));
    // Move one register use to another register of its class.
    const uses: number[] = [];
    for (let o = 0; o < f.opVReg.length; o++) if (!opIsDef(f.opInfo[o]) && allocIsReg(out.opAlloc[o])) uses.push(o);
    if (uses.length === 0) continue;
    const o = uses[rng.int(uses.length)];
    const regs = env.preferred[f.vregClass[f.opVReg[o]]].concat(env.nonPreferred[f.vregClass[f.opVReg[o]]]);
    const other = regs.filter((r) => r !== out.opAlloc[o]);
    const mutated = { ...out, opAlloc: out.opAlloc.slice() };
    mutated.opAlloc[o] = other[rng.int(other.length)];
    tried++;
    try {
      checkAllocation(f, env, mutated);
    } catch (e) {
      if (e instanceof CheckerError) caught++;
    }
  }
  // A mutation escapes only when the other register happens to hold a copy.
  t.true(tried >= 50 && caught >= tried * 0.9, `caught ${caught} of ${tried}`);
});

void RDX;
