// The client contract is checked before allocation: malformed functions are
// rejected with a RegallocError naming the problem.

import test from 'ava';
import { FunctionBuilder, RegallocError, RegisterAllocator, checkAllocation, fillPredecessors } from '../../ts/regalloc/index';
import { randomFunction, defaultGen } from '../../ts/regalloc/fuzzgen';
import { defFixed, defReg, defReuse, useAny, useFixed, useReg } from '../../ts/regalloc/builder';
import { RAX, RDI, x64Env, xmm } from '../../ts/regalloc/fuzzgen';

const env = x64Env();

function rejects(build: (fb: FunctionBuilder) => void, pattern: RegExp): boolean {
  const fb = new FunctionBuilder();
  build(fb);
  try {
    new RegisterAllocator().allocate(fb.finish(), env);
  } catch (e) {
    return e instanceof RegallocError && pattern.test(e.message);
  }
  return false;
}

test('validate: critical edges must be split by the client', (t) => {
  t.true(
    rejects((fb) => {
      const [b0, b1, b2] = fb.blocks(3);
      const [c] = fb.vregs(1);
      fb.begin(b0);
      fb.inst([defReg(c)]);
      fb.branch([b1, b2], [[], []], [useReg(c)]);
      fb.begin(b1);
      fb.branch([b2, b1], [[], []], [useReg(c)]);
      fb.begin(b2);
      fb.ret();
    }, /critical edge block0 -> block[12]: split it/),
  );
});

test('validate: SSA, terminators, arity and classes', (t) => {
  t.true(
    rejects((fb) => {
      const [b0] = fb.blocks(1);
      const [a] = fb.vregs(1);
      fb.begin(b0);
      fb.inst([defReg(a)]);
      fb.inst([defReg(a)]);
      fb.ret();
    }, /v0 defined twice/),
    'double definition',
  );
  t.true(
    rejects((fb) => {
      const [b0, b1] = fb.blocks(2);
      const [a, p] = fb.vregs(2);
      fb.begin(b0);
      fb.inst([defReg(a)]);
      fb.jump(b1, []);
      fb.begin(b1, [p]);
      fb.ret([useAny(p)]);
    }, /wrong number of args/),
    'branch arity',
  );
  t.true(
    rejects((fb) => {
      const [b0] = fb.blocks(1);
      const [a] = fb.vregs(1);
      fb.begin(b0);
      fb.inst([defFixed(a, xmm(0))]);
      fb.ret();
    }, /fixed register of the wrong class/),
    'class of a fixed register',
  );
  t.true(
    rejects((fb) => {
      const [b0] = fb.blocks(1);
      const [a, b] = fb.vregs(2);
      fb.begin(b0);
      fb.inst([defReg(a)]);
      fb.inst([useFixed(a, RDI), defReuse(b, 0)]);
      fb.ret();
    }, /reused input must be Reg or Any/),
    'reuse of a fixed input',
  );
  t.true(
    rejects((fb) => {
      const [b0] = fb.blocks(1);
      const [a, b, c] = fb.vregs(3);
      fb.begin(b0);
      fb.inst([defReg(a)]);
      fb.inst([useReg(a), defReuse(b, 0), defReuse(c, 0)]);
      fb.ret();
    }, /two defs reuse operand 0/),
    'one input reused twice',
  );
  t.true(
    rejects((fb) => {
      const [b0] = fb.blocks(1);
      const [a] = fb.vregs(1);
      fb.begin(b0);
      fb.ret([useFixed(a, RAX)]);
    }, /used without a dominating definition: v0/),
    'use without definition',
  );
});

function loopOnceFunction(depths: number[] | null) {
  // v0 is used once per iteration of the loop; v1..v6 twice each after it.
  // Only loop depth says v0 matters more.
  const fb = new FunctionBuilder();
  const [b0, hdr, latch, exit] = fb.blocks(4);
  const vs = fb.vregs(7);
  const [i0, i, i2, c] = fb.vregs(4);
  fb.begin(b0);
  for (const v of vs) fb.inst([defReg(v)]);
  fb.inst([defReg(i0)]);
  fb.jump(hdr, [i0]);
  fb.begin(hdr, [i]);
  fb.inst([useReg(i), useReg(vs[0]), defReuse(i2, 0)]);
  fb.inst([useReg(i2), defReg(c)]);
  fb.branch([latch, exit], [[], []], [useReg(c)]);
  fb.begin(latch);
  fb.jump(hdr, [i2]);
  fb.begin(exit);
  let acc = i2;
  for (let round = 0; round < 2; round++) {
    for (let k = 1; k < vs.length; k++) {
      const n = fb.vreg();
      fb.inst([useReg(acc), useReg(vs[k]), defReuse(n, 0)]);
      acc = n;
    }
  }
  fb.ret([useFixed(acc, RAX)]);
  return fb.finish(depths);
}

test('client-supplied loop depths replace the computed ones and steer spilling', (t) => {
  const small = { preferred: [env.preferred[0].slice(0, 4), []], nonPreferred: [env.nonPreferred[0].slice(0, 2), []], scratch: env.scratch };
  const ra = new RegisterAllocator();
  const loopEdits = (f: ReturnType<typeof loopOnceFunction>, out: ReturnType<RegisterAllocator['allocate']>) => {
    let n = 0;
    for (let e = 0; e < out.numEdits; e++) if (out.editInst[e] >= f.blockInstStart[1] && out.editInst[e] < f.blockInstStart[3]) n++;
    return n;
  };
  const f1 = loopOnceFunction(null);
  const computed = ra.allocate(f1, small);
  checkAllocation(f1, small, computed);
  t.deepEqual(ra.allocate(loopOnceFunction([0, 1, 1, 0]), small), computed);
  t.is(loopEdits(f1, computed), 0, 'no spill code inside the loop');
  // Claim there is no loop: v0's single use now weighs less than the others'
  // two, so v0 is the one spilled, and reloaded inside the loop.
  const f2 = loopOnceFunction([0, 0, 0, 0]);
  const flat = ra.allocate(f2, small);
  checkAllocation(f2, small, flat);
  t.true(loopEdits(f2, flat) > 0);
});

test('fillPredecessors rebuilds the builder\'s predecessor lists', (t) => {
  for (let seed = 1; seed <= 30; seed++) {
    const f = randomFunction(seed, defaultGen);
    const p = fillPredecessors(f.numBlocks, f.blockSuccStart, f.succPool);
    t.deepEqual(Array.from(p.blockPredStart), Array.from(f.blockPredStart));
    t.deepEqual(Array.from(p.predPool), Array.from(f.predPool));
  }
});

test('validate: the machine environment and the scratch registers', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a] = fb.vregs(1);
  fb.begin(b0);
  fb.inst([defFixed(a, env.scratch[0])]);
  fb.ret([useFixed(a, RAX)]);
  const f = fb.finish();
  const err = (e: unknown) => (e as Error).message;
  t.regex(err(t.throws(() => new RegisterAllocator().allocate(f, env))), /fixed to the scratch register/);
  const dup = { ...env, preferred: [[RAX, RAX], env.preferred[1]] };
  const g = straight();
  t.regex(err(t.throws(() => new RegisterAllocator().allocate(g, dup))), /listed twice/);
  const scratchAlloc = { ...env, preferred: [[RAX, env.scratch[0]], env.preferred[1]] };
  t.regex(err(t.throws(() => new RegisterAllocator().allocate(g, scratchAlloc))), /scratch register .* is also allocatable/);
});

function straight() {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a] = fb.vregs(1);
  fb.begin(b0);
  fb.inst([defReg(a)]);
  fb.ret([useFixed(a, RAX)]);
  return fb.finish();
}

test('unreachable blocks (even ones jumping into live code) are allocated without harm', (t) => {
  const fb = new FunctionBuilder();
  const [b0, dead, join] = fb.blocks(3);
  const [x, y, z, p] = fb.vregs(4);
  fb.begin(b0);
  fb.inst([defFixed(x, RDI)]);
  fb.jump(join, [x]);
  fb.begin(dead); // no predecessors
  fb.inst([defReg(y)]);
  fb.inst([useReg(y), useReg(x), defReuse(z, 0)]);
  fb.jump(join, [z]);
  fb.begin(join, [p]);
  fb.ret([useFixed(p, RAX), useAny(x)]);
  const f = fb.finish();
  const out = new RegisterAllocator().allocate(f, env);
  checkAllocation(f, env, out);
  t.is(out.stats.spills, 0);
  t.is(out.opAlloc[f.instOpStart[f.numInsts - 1]], RAX);
});
