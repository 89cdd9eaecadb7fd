// Hand-made functions: each is allocated, proved by the checker, and held to
// quality properties (no spills when pressure fits, coalesced block params,
// values across calls in callee-saved registers, ...).

import test, { ExecutionContext } from 'ava';
import {
  FunctionBuilder,
  MachineEnv,
  RaFunction,
  RaOutput,
  RegClass,
  RegisterAllocator,
  allocIsReg,
  allocIsStack,
  checkAllocation,
} from '../../ts/regalloc/index';
import {
  defFixed,
  defReg,
  defReuse,
  useAny,
  useFixed,
  useReg,
} from '../../ts/regalloc/builder';
import { RAX, RBX, RCX, RDI, RDX, RSI, R8, R9, R10, R11, R12, sysvClobbers, x64Env, xmm } from '../../ts/regalloc/fuzzgen';
import { formatFunction } from '../../ts/regalloc/print';

function run(t: ExecutionContext, f: RaFunction, env: MachineEnv = x64Env()): RaOutput {
  const out = new RegisterAllocator().allocate(f, env);
  try {
    checkAllocation(f, env, out);
  } catch (e) {
    t.log(formatFunction(f, out));
    throw e;
  }
  return out;
}

/** Edits placed before instructions of the given blocks. */
function editsIn(f: RaFunction, out: RaOutput, blocks: number[]): number {
  let n = 0;
  for (let e = 0; e < out.numEdits; e++) {
    const i = out.editInst[e];
    for (const b of blocks) if (i >= f.blockInstStart[b] && i < f.blockInstStart[b + 1]) n++;
  }
  return n;
}

/** The allocation of operand k of instruction i. */
function allocOf(f: RaFunction, out: RaOutput, i: number, k: number): number {
  return out.opAlloc[f.instOpStart[i] + k];
}

const noCallee = (): MachineEnv => {
  const e = x64Env();
  return { preferred: e.preferred, nonPreferred: [[], []], scratch: e.scratch };
};

test('straight line: no spills, result computed in rax', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, b, c, d] = fb.vregs(4);
  fb.begin(b0);
  fb.inst([defFixed(a, RDI), defFixed(b, RSI)]);
  fb.inst([useReg(a), useAny(b), defReuse(c, 0)]); // c = a + b
  fb.inst([useReg(c), useReg(a), defReuse(d, 0)]); // d = c * a
  const ret = fb.ret([useFixed(d, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  t.is(out.stats.spills + out.stats.reloads, 0);
  t.is(allocOf(f, out, ret, 0), RAX);
  t.is(out.spillWords, 0);
  t.deepEqual(out.calleeSavedUsed, []);
  // a is live after c's def, so c cannot simply take a's register: exactly
  // one copy for that, and d lands in rax (no fix-up before the return).
  t.is(out.numEdits, 1, formatFunction(f, out));
});

test('diamond with a join param: no spills, params coalesced', (t) => {
  const fb = new FunctionBuilder();
  const [b0, b1, b2, b3] = fb.blocks(4);
  const [x, y, z, p, k] = fb.vregs(5);
  fb.begin(b0);
  fb.inst([defFixed(x, RDI), defFixed(k, RSI)]);
  fb.branch([b1, b2], [[], []], [useReg(k)]);
  fb.begin(b1);
  fb.inst([useReg(x), defReuse(y, 0)]);
  fb.jump(b3, [y]);
  fb.begin(b2);
  fb.inst([useReg(x), defReuse(z, 0)]);
  fb.jump(b3, [z]);
  fb.begin(b3, [p]);
  fb.ret([useFixed(p, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  t.is(out.stats.spills + out.stats.reloads, 0);
  t.is(editsIn(f, out, [1, 2]), 0, formatFunction(f, out));
  // x arrives in rdi and leaves in rax: one move, at the return.
  t.is(out.numEdits, 1, formatFunction(f, out));
});

function countingLoop(): { f: RaFunction; body: number[] } {
  // i = 0; n = arg; loop: i2 = i + 1; if i2 < n goto loop(i2) else exit
  const fb = new FunctionBuilder();
  const [b0, hdr, latch, exit] = fb.blocks(4);
  const [n, i0, i, i2, c] = fb.vregs(5);
  fb.begin(b0);
  fb.inst([defFixed(n, RDI)]);
  fb.inst([defReg(i0)]);
  fb.jump(hdr, [i0]);
  fb.begin(hdr, [i]);
  fb.inst([useReg(i), defReuse(i2, 0)]);
  fb.inst([useReg(i2), useAny(n), defReg(c)]);
  fb.branch([latch, exit], [[], []], [useReg(c)]);
  fb.begin(latch);
  fb.jump(hdr, [i2]);
  fb.begin(exit);
  fb.ret([useFixed(i2, RAX)]);
  return { f: fb.finish(), body: [hdr, latch] };
}

test('loop: induction variable coalesced, no moves inside the loop', (t) => {
  const { f, body } = countingLoop();
  const out = run(t, f);
  t.is(out.stats.spills + out.stats.reloads, 0);
  t.is(editsIn(f, out, body), 0, formatFunction(f, out));
});

test('loop depth is computed: header and latch at depth 1', (t) => {
  const { f } = countingLoop();
  const { computeLoopDepth } = require('../../ts/regalloc/cfg') as typeof import('../../ts/regalloc/cfg');
  t.deepEqual(Array.from(computeLoopDepth(f)), [0, 1, 1, 0]);
});

function callAcross(): { f: RaFunction; use: number } {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [x, a, r, s] = fb.vregs(4);
  const clob = fb.clobberSet(sysvClobbers());
  fb.begin(b0);
  fb.inst([defFixed(x, RDI)]);
  fb.inst([defReg(a)]);
  fb.inst([useFixed(a, RDI), defFixed(r, RAX)], 0, clob); // r = call(a); x survives
  const use = fb.inst([useReg(x), useReg(r), defReuse(s, 0)]);
  fb.ret([useFixed(s, RAX)]);
  return { f: fb.finish(), use };
}

test('call: a value live across it goes to a callee-saved register', (t) => {
  const { f, use } = callAcross();
  const out = run(t, f);
  t.is(out.stats.spills + out.stats.reloads, 0);
  const xAlloc = allocOf(f, out, use, 0);
  t.true([RBX, R12].includes(xAlloc) || allocIsReg(xAlloc), 'x in a register');
  t.true(out.calleeSavedUsed.includes(xAlloc), 'x is in a callee-saved register');
  t.is(out.calleeSavedUsed.length, 1);
});

test('call: without callee-saved registers the value is spilled once and reloaded', (t) => {
  const { f } = callAcross();
  const out = run(t, f, noCallee());
  t.is(out.stats.spills, 1);
  t.true(out.stats.reloads >= 1);
  t.is(out.spillWords, 1);
  t.deepEqual(out.calleeSavedUsed, []);
});

test('call: callee-saved registers are not used when nothing crosses a call', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const vs = fb.vregs(6);
  fb.begin(b0);
  for (const v of vs) fb.inst([defReg(v)]);
  let acc = vs[0];
  for (let k = 1; k < vs.length; k++) {
    const n = fb.vreg();
    fb.inst([useReg(acc), useReg(vs[k]), defReuse(n, 0)]);
    acc = n;
  }
  fb.ret([useFixed(acc, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  t.deepEqual(out.calleeSavedUsed, []);
  t.is(out.stats.spills, 0);
});

test('division: dividend in rax/rdx, divisor elsewhere, results fixed', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, hi, d, q, r, s] = fb.vregs(6);
  fb.begin(b0);
  fb.inst([defFixed(a, RDI), defFixed(d, RSI)]);
  fb.inst([defReg(hi)]);
  const div = fb.inst([useFixed(a, RAX), useFixed(hi, RDX), useReg(d), defFixed(q, RAX), defFixed(r, RDX)]);
  fb.inst([useReg(q), useAny(r), useAny(d), defReuse(s, 0)]);
  fb.ret([useFixed(s, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  const dAlloc = allocOf(f, out, div, 2);
  t.true(allocIsReg(dAlloc) && dAlloc !== RAX && dAlloc !== RDX);
  t.is(allocOf(f, out, div, 0), RAX);
  t.is(allocOf(f, out, div, 1), RDX);
  t.is(out.stats.spills, 0);
});

test('shift by cl: amount in rcx, result reuses the shifted register', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [x, n, y] = fb.vregs(3);
  fb.begin(b0);
  fb.inst([defFixed(x, RDI), defFixed(n, RSI)]);
  const sh = fb.inst([useReg(x), useFixed(n, RCX), defReuse(y, 0)]);
  fb.ret([useFixed(y, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  t.is(allocOf(f, out, sh, 1), RCX);
  t.is(allocOf(f, out, sh, 0), allocOf(f, out, sh, 2));
  // x dies at the shift and is shifted in place: only rsi -> rcx and the
  // move of the result into rax remain.
  t.is(out.numEdits, 2, formatFunction(f, out));
});

test('reuse: an input that stays live is copied, not clobbered', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, b, c, d] = fb.vregs(4);
  fb.begin(b0);
  fb.inst([defFixed(a, RDI), defFixed(b, RSI)]);
  const add = fb.inst([useReg(a), useReg(b), defReuse(c, 0)]);
  fb.inst([useReg(c), useReg(a), defReuse(d, 0)]);
  fb.ret([useFixed(d, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  t.not(allocOf(f, out, add, 2), RDI, 'c does not overwrite a (still live)');
  t.is(out.stats.regMoves >= 1, true);
});

test('high pressure: many values live at once spill, and the checker agrees', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const vs = fb.vregs(24);
  fb.begin(b0);
  for (const v of vs) fb.inst([defReg(v)]);
  let acc = fb.vreg();
  fb.inst([defReg(acc)]);
  for (const v of vs) {
    const n = fb.vreg();
    fb.inst([useReg(acc), useReg(v), defReuse(n, 0)]);
    acc = n;
  }
  fb.ret([useFixed(acc, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  // 13 allocatable int registers, 25 values live at the peak: at least 12 spill.
  t.true(out.stats.spills >= 12 && out.stats.spills <= 14, `spills ${out.stats.spills}`);
  t.is(out.stats.reloads, out.stats.spills);
});

test('spill slots are shared by values whose lifetimes do not overlap', (t) => {
  // Two phases, each with 20 values live at once; the second starts after
  // the first is dead, so its spills can reuse the first phase's slots.
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  fb.begin(b0);
  let carry = fb.vreg();
  fb.inst([defReg(carry)]);
  for (let phase = 0; phase < 2; phase++) {
    const vs = fb.vregs(20);
    for (const v of vs) fb.inst([defReg(v)]);
    let acc = carry;
    for (const v of vs) {
      const n = fb.vreg();
      fb.inst([useReg(acc), useReg(v), defReuse(n, 0)]);
      acc = n;
    }
    carry = acc;
  }
  fb.ret([useFixed(carry, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  t.true(out.stats.spills >= 2 * 7, JSON.stringify(out.stats));
  t.true(out.spillWords * 2 <= out.stats.spills + 2, `spill words ${out.spillWords} for ${out.stats.spills} spills`);
});

test('block params swapped around a loop: a register cycle on the back edge', (t) => {
  const fb = new FunctionBuilder();
  const [b0, hdr, latch, exit] = fb.blocks(4);
  const [x0, y0, x, y, c, s] = fb.vregs(6);
  fb.begin(b0);
  fb.inst([defFixed(x0, RDI), defFixed(y0, RSI)]);
  fb.jump(hdr, [x0, y0]);
  fb.begin(hdr, [x, y]);
  fb.inst([useReg(x), useReg(y), defReg(c)]);
  fb.branch([latch, exit], [[], []], [useReg(c)]);
  fb.begin(latch);
  fb.jump(hdr, [y, x]);
  fb.begin(exit);
  fb.inst([useReg(x), useReg(y), defReuse(s, 0)]);
  fb.ret([useFixed(s, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  // The swap needs three moves through the scratch register (r11).
  t.is(editsIn(f, out, [latch]), 3, formatFunction(f, out));
  let viaScratch = 0;
  for (let e = 0; e < out.numEdits; e++) if (out.editTo[e] === R11 || out.editFrom[e] === R11) viaScratch++;
  t.is(viaScratch, 2);
});

test('block params swapped with everything spilled: stack cycle through the cycle slot', (t) => {
  const fb = new FunctionBuilder();
  const [b0, hdr, latch, exit] = fb.blocks(4);
  const [x0, y0, x, y, c] = fb.vregs(5);
  fb.begin(b0);
  fb.inst([defFixed(x0, RDI), defFixed(y0, RSI)]);
  fb.jump(hdr, [x0, y0]);
  fb.begin(hdr, [x, y]);
  fb.inst([useAny(x), useAny(y), defReg(c)]);
  fb.branch([latch, exit], [[], []], [useReg(c)]);
  fb.begin(latch);
  fb.jump(hdr, [y, x]);
  fb.begin(exit);
  fb.ret([useFixed(x, RAX), useFixed(y, RDX)]);
  const f = fb.finish();
  // A single allocatable register: x and y must live on the stack.
  const env: MachineEnv = { preferred: [[RCX], []], nonPreferred: [[], []], scratch: [R11, xmm(15)] };
  const out = run(t, f, env);
  t.true(out.stats.stackMoves >= 2, JSON.stringify(out.stats));
  for (let e = 0; e < out.numEdits; e++) t.false(allocIsStack(out.editFrom[e]) && allocIsStack(out.editTo[e]));
});

test('loop pressure: values unused in the loop are spilled, not the loop values', (t) => {
  // 8 values defined before a loop; the loop uses 2 of them; all 8 are used
  // after. With 6 integer registers, the 6 unused-in-loop values are the ones
  // to spill, outside the loop.
  const fb = new FunctionBuilder();
  const [b0, hdr, latch, exit] = fb.blocks(4);
  const vs = fb.vregs(8);
  const [i0, i, i2, t1, c] = fb.vregs(5);
  fb.begin(b0);
  for (const v of vs) fb.inst([defReg(v)]);
  fb.inst([defReg(i0)]);
  fb.jump(hdr, [i0]);
  fb.begin(hdr, [i]);
  fb.inst([useReg(i), useReg(vs[0]), defReuse(t1, 0)]);
  fb.inst([useReg(t1), useReg(vs[1]), defReuse(i2, 0)]);
  fb.inst([useReg(i2), defReg(c)]);
  fb.branch([latch, exit], [[], []], [useReg(c)]);
  fb.begin(latch);
  fb.jump(hdr, [i2]);
  fb.begin(exit);
  let acc = i2;
  for (const v of vs) {
    const n = fb.vreg();
    fb.inst([useReg(acc), useReg(v), defReuse(n, 0)]);
    acc = n;
  }
  fb.ret([useFixed(acc, RAX)]);
  const f = fb.finish();
  const env: MachineEnv = { preferred: [[RAX, RCX, RDX, RSI], []], nonPreferred: [[RBX, R12], []], scratch: [R11, xmm(15)] };
  const out = run(t, f, env);
  t.is(editsIn(f, out, [hdr, latch]), 0, formatFunction(f, out));
  t.true(out.stats.spills >= 3 && out.stats.spills <= 6, JSON.stringify(out.stats));
});

test('float class: xmm registers, 16-byte spill slots are 2-word aligned', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const a = fb.vreg(RegClass.Int);
  const xs = fb.vregs(4, RegClass.Float);
  fb.begin(b0);
  fb.inst([defReg(a)]);
  for (const x of xs) fb.inst([defReg(x)]);
  let acc = xs[0];
  for (let k = 1; k < xs.length; k++) {
    const n = fb.vreg(RegClass.Float);
    fb.inst([useReg(acc), useReg(xs[k]), defReuse(n, 0)]);
    acc = n;
  }
  fb.ret([useFixed(acc, xmm(0)), useFixed(a, RAX)]);
  const f = fb.finish();
  const env: MachineEnv = { preferred: [[RAX], [xmm(0), xmm(1)]], nonPreferred: [[], []], scratch: [R11, xmm(15)] };
  const out = run(t, f, env);
  t.true(out.stats.spills >= 1);
  for (let e = 0; e < out.numEdits; e++) {
    if (out.editClass[e] === RegClass.Float && allocIsStack(out.editTo[e])) t.is(out.editTo[e] & 1, 0);
  }
});

test('many call arguments in fixed registers, including one reused twice', (t) => {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, b, r] = fb.vregs(3);
  const clob = fb.clobberSet(sysvClobbers());
  fb.begin(b0);
  fb.inst([defFixed(a, RDI), defFixed(b, RSI)]);
  // call(b, a, a, b, a, b): permutation plus fan-out of the argument registers.
  const call = fb.inst(
    [useFixed(b, RDI), useFixed(a, RSI), useFixed(a, RDX), useFixed(b, RCX), useFixed(a, R8), useFixed(b, R9), defFixed(r, RAX)],
    0,
    clob,
  );
  fb.ret([useFixed(r, RAX)]);
  const f = fb.finish();
  const out = run(t, f);
  t.deepEqual(
    [0, 1, 2, 3, 4, 5].map((k) => allocOf(f, out, call, k)),
    [RDI, RSI, RDX, RCX, R8, R9],
  );
  t.is(out.stats.spills, 0);
});

test('a reused allocator gives the same result as a fresh one', (t) => {
  const { randomFunction, defaultGen } = require('../../ts/regalloc/fuzzgen') as typeof import('../../ts/regalloc/fuzzgen');
  const env = x64Env();
  const shared = new RegisterAllocator();
  for (let seed = 1; seed <= 20; seed++) {
    const a = randomFunction(seed * 7919, defaultGen);
    const b = randomFunction(seed, defaultGen);
    shared.allocate(a, env);
    const o1 = shared.allocate(b, env);
    const o2 = new RegisterAllocator().allocate(b, env);
    t.deepEqual(o1, o2, `seed ${seed}`);
  }
});

void R10;
void R12;
void RDX;
