// Small hand-written programs in the shapes x86-64 lowering produces, shared
// by the golden test (golden.test.ts) and usable from a REPL. Each returns an
// RaFunction; the register names in comments use the x86-64 numbering.

import { FunctionBuilder, RaFunction, RegClass } from '../../ts/regalloc/index';
import { defFixed, defReg, defReuse, useAny, useFixed, useReg } from '../../ts/regalloc/builder';
import { RAX, RCX, RDI, RDX, RSI, R8, sysvClobbers, xmm } from '../../ts/regalloc/fuzzgen';

/** (a + b) * a, returned in rax. */
export function straightLine(): RaFunction {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, b, c, d] = fb.vregs(4);
  fb.begin(b0);
  fb.inst([defFixed(a, RDI), defFixed(b, RSI)]);
  fb.inst([useReg(a), useAny(b), defReuse(c, 0)]);
  fb.inst([useReg(c), useReg(a), defReuse(d, 0)]);
  fb.ret([useFixed(d, RAX)]);
  return fb.finish();
}

/** for (i = 0; i != n; i++) s += i * k; return s */
export function sumLoop(): RaFunction {
  const fb = new FunctionBuilder();
  const [entry, hdr, body, exit] = fb.blocks(4);
  const [n, k, i0, s0, i, s, c, t, s2, i2] = fb.vregs(10);
  fb.begin(entry);
  fb.inst([defFixed(n, RDI), defFixed(k, RSI)]);
  fb.inst([defReg(i0)]);
  fb.inst([defReg(s0)]);
  fb.jump(hdr, [i0, s0]);
  fb.begin(hdr, [i, s]);
  fb.inst([useReg(i), useAny(n), defReg(c)]); // cmp i, n ; setne
  fb.branch([body, exit], [[], []], [useReg(c)]);
  fb.begin(body);
  fb.inst([useReg(i), useAny(k), defReuse(t, 0)]); // t = i * k
  fb.inst([useReg(s), useReg(t), defReuse(s2, 0)]); // s2 = s + t
  fb.inst([useReg(i), defReuse(i2, 0)]); // i2 = i + 1
  fb.jump(hdr, [i2, s2]);
  fb.begin(exit);
  fb.ret([useFixed(s, RAX)]);
  return fb.finish();
}

/** x / y and x % y with x86 idiv, then a shift by the remainder (cl). */
export function divShift(): RaFunction {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [x, y, hi, q, r, z] = fb.vregs(6);
  fb.begin(b0);
  fb.inst([defFixed(x, RDI), defFixed(y, RSI)]);
  fb.inst([useFixed(x, RAX), defFixed(hi, RDX)]); // cqo
  fb.inst([useFixed(x, RAX), useFixed(hi, RDX), useReg(y), defFixed(q, RAX), defFixed(r, RDX)]); // idiv y
  fb.inst([useReg(q), useFixed(r, RCX), defReuse(z, 0)]); // shl q, cl
  fb.ret([useFixed(z, RAX)]);
  return fb.finish();
}

/** Values live across two calls; a float crosses one too (no callee-saved xmm in SysV). */
export function callsAcross(): RaFunction {
  const fb = new FunctionBuilder();
  const [b0] = fb.blocks(1);
  const [a, b, r1, r2, s, t] = fb.vregs(6);
  const f = fb.vreg(RegClass.Float);
  const g = fb.vreg(RegClass.Float);
  const clob = fb.clobberSet(sysvClobbers());
  fb.begin(b0);
  fb.inst([defFixed(a, RDI), defFixed(b, RSI), defFixed(f, xmm(0))]);
  fb.inst([useFixed(b, RDI), useFixed(a, RSI), defFixed(r1, RAX)], 0, clob); // r1 = h(b, a)
  fb.inst([useFixed(r1, RDI), useFixed(a, RSI), useFixed(b, RDX), defFixed(r2, RAX)], 0, clob); // r2 = h(r1, a, b)
  fb.inst([useReg(r2), useReg(a), defReuse(s, 0)]);
  fb.inst([useReg(s), useReg(b), defReuse(t, 0)]);
  fb.inst([useReg(f), useReg(f), defReuse(g, 0)]);
  fb.ret([useFixed(t, RAX), useFixed(g, xmm(0))]);
  return fb.finish();
}

/** Fibonacci-style loop: the two block params swap on the back edge. */
export function swapLoop(): RaFunction {
  const fb = new FunctionBuilder();
  const [entry, hdr, body, exit] = fb.blocks(4);
  const [n, a0, b0, a, b, i, c, t, n2] = fb.vregs(9);
  fb.begin(entry);
  fb.inst([defFixed(n, RDI)]);
  fb.inst([defReg(a0)]);
  fb.inst([defReg(b0)]);
  fb.jump(hdr, [a0, b0, n]);
  fb.begin(hdr, [a, b, i]);
  fb.inst([useReg(i), defReg(c)]);
  fb.branch([body, exit], [[], []], [useReg(c)]);
  fb.begin(body);
  fb.inst([useReg(a), useReg(b), defReuse(t, 0)]); // t = a + b
  fb.inst([useReg(i), defReuse(n2, 0)]); // i - 1
  fb.jump(hdr, [b, t, n2]);
  fb.begin(exit);
  fb.ret([useFixed(a, RAX)]);
  return fb.finish();
}

/** Sixteen values live at once around a loop that uses four of them, with a call after it. */
export function pressureLoop(): RaFunction {
  const fb = new FunctionBuilder();
  const [entry, hdr, body, exit] = fb.blocks(4);
  const vs = fb.vregs(16);
  const [i0, i, c, i2] = fb.vregs(4);
  const clob = fb.clobberSet(sysvClobbers());
  fb.begin(entry);
  for (const v of vs) fb.inst([defReg(v)]);
  fb.inst([defReg(i0)]);
  fb.jump(hdr, [i0]);
  fb.begin(hdr, [i]);
  fb.inst([useReg(i), defReg(c)]);
  fb.branch([body, exit], [[], []], [useReg(c)]);
  fb.begin(body);
  let acc = i;
  for (let k = 0; k < 4; k++) {
    const n = fb.vreg();
    fb.inst([useReg(acc), useReg(vs[k]), defReuse(n, 0)]);
    acc = n;
  }
  fb.inst([useReg(acc), defReuse(i2, 0)]);
  fb.jump(hdr, [i2]);
  fb.begin(exit);
  const r = fb.vreg();
  fb.inst([useFixed(i, RDI), useFixed(vs[15], RSI), useFixed(vs[14], R8), defFixed(r, RAX)], 0, clob);
  let sum = r;
  for (const v of vs) {
    const n = fb.vreg();
    fb.inst([useReg(sum), useAny(v), defReuse(n, 0)]);
    sum = n;
  }
  fb.ret([useFixed(sum, RAX)]);
  return fb.finish();
}

/** A loop that calls a function each iteration: its live values belong in callee-saved registers. */
export function callInLoop(): RaFunction {
  const fb = new FunctionBuilder();
  const [entry, hdr, body, exit] = fb.blocks(4);
  const [vmctx, n, i0, acc0, i, acc, c, r, acc2, i2] = fb.vregs(10);
  const clob = fb.clobberSet(sysvClobbers());
  fb.begin(entry);
  fb.inst([defFixed(vmctx, RDI), defFixed(n, RSI)]);
  fb.inst([defReg(i0)]);
  fb.inst([defReg(acc0)]);
  fb.jump(hdr, [i0, acc0]);
  fb.begin(hdr, [i, acc]);
  fb.inst([useReg(i), useAny(n), defReg(c)]);
  fb.branch([body, exit], [[], []], [useReg(c)]);
  fb.begin(body);
  fb.inst([useFixed(vmctx, RDI), useFixed(i, RSI), defFixed(r, RAX)], 0, clob); // r = g(vmctx, i)
  fb.inst([useReg(acc), useReg(r), defReuse(acc2, 0)]);
  fb.inst([useReg(i), defReuse(i2, 0)]);
  fb.jump(hdr, [i2, acc2]);
  fb.begin(exit);
  fb.ret([useFixed(acc, RAX)]);
  return fb.finish();
}

/** br_table with three targets (critical edges split by the client) joining with a param. */
export function brTable(): RaFunction {
  const fb = new FunctionBuilder();
  const [entry, e0, e1, e2, t0, t1, join] = fb.blocks(7);
  const [x, k, a, b, p] = fb.vregs(5);
  fb.begin(entry);
  fb.inst([defFixed(x, RDI), defFixed(k, RSI)]);
  fb.branch([e0, e1, e2], [[], [], []], [useReg(k)]);
  fb.begin(e0); // edge block to t0
  fb.jump(t0);
  fb.begin(e1); // edge block to t1
  fb.jump(t1);
  fb.begin(e2); // default: straight to the join with x
  fb.jump(join, [x]);
  fb.begin(t0);
  fb.inst([useReg(x), defReuse(a, 0)]);
  fb.jump(join, [a]);
  fb.begin(t1);
  fb.inst([useReg(x), useReg(x), defReuse(b, 0)]);
  fb.jump(join, [b]);
  fb.begin(join, [p]);
  fb.ret([useFixed(p, RAX)]);
  return fb.finish();
}

export const PROGRAMS: [string, () => RaFunction][] = [
  ['straight-line', straightLine],
  ['sum-loop', sumLoop],
  ['div-shift', divShift],
  ['calls-across', callsAcross],
  ['swap-loop', swapLoop],
  ['pressure-loop', pressureLoop],
  ['call-in-loop', callInLoop],
  ['br-table', brTable],
];
