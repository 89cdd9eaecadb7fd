/**
 * FunctionBuilder / SSA construction / Switch: each scenario builds a function,
 * verifies it, compares its printed IR with a golden file under
 * test/clif/builder/ (rewrite them with DERRICK_BLESS=1), and runs it in the
 * interpreter on a few inputs with exact expected results.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../util/shared';
import { Function } from '../../ts/ir/function';
import { Op } from '../../ts/ir/opcodes';
import { IntCC } from '../../ts/ir/immediates';
import * as T from '../../ts/ir/types';
import { printFunction } from '../../ts/ir/printer';
import { tryVerify } from '../../ts/ir/verifier';
import { parseClif } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { FunctionBuilder } from '../../ts/frontend/builder';
import { Switch } from '../../ts/frontend/switch';

const goldenDir = path.join(repoRoot, 'test', 'clif', 'builder');
const bless = process.env.DERRICK_BLESS === '1';

function newFunc(name: string, params: T.Type[], rets: T.Type[]): Function {
  const f = new Function();
  f.name = `%${name}`;
  f.sig = { params: params.map((t) => ({ type: t, ext: '', purpose: '' })), returns: rets.map((t) => ({ type: t, ext: '', purpose: '' })), callConv: 'fast' };
  return f;
}

/** Verify, compare with the golden file, check it reparses to the same text, and return a runner. */
function check(t: import('ava').ExecutionContext, name: string, f: Function): (args: number[]) => number[] {
  const diags = tryVerify(f);
  t.deepEqual(diags.map((d) => `${d.entity}: ${d.message}`), []);
  const text = printFunction(f);
  const file = path.join(goldenDir, `${name}.clif`);
  if (bless) fs.writeFileSync(file, text);
  if (!fs.existsSync(file)) { t.fail(`missing golden file ${file} (run with DERRICK_BLESS=1)`); return () => []; }
  t.is(text, fs.readFileSync(file, 'utf8'), `golden ${name}.clif differs (DERRICK_BLESS=1 to rewrite)`);
  const clif = parseClif(text);
  t.is(printFunction(clif.functions[0].func), text);
  return (args) => {
    const slots = new Uint32Array(args.length * 4);
    args.forEach((a, k) => { slots[k * 4] = a >>> 0; });
    const r = new Interpreter().call(clif, 0, slots);
    if (r.kind !== 'ok') throw new Error(`run failed: ${JSON.stringify(r)}`);
    return f.sig.returns.map((_, k) => r.results[k * 4] | 0);
  };
}

test('loop with two variables (sum of 0..n-1)', (t) => {
  const f = newFunc('sum', [T.I32], [T.I32]);
  const b = new FunctionBuilder(f);
  const entry = b.createBlock(), header = b.createBlock(), body = b.createBlock(), exit = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  b.sealBlock(entry);
  const n = b.declareVar(T.I32), i = b.declareVar(T.I32), sum = b.declareVar(T.I32);
  b.defVar(n, b.blockParam(entry, 0));
  b.defVar(i, b.iconst(T.I32, 0));
  b.defVar(sum, b.iconst(T.I32, 0));
  b.jump(header, []);
  b.switchToBlock(header);
  const c = b.icmp(IntCC.Slt, b.useVar(i), b.useVar(n));
  b.brif(c, body, [], exit, []);
  b.switchToBlock(body);
  b.sealBlock(body);
  b.defVar(sum, b.binary(Op.Iadd, b.useVar(sum), b.useVar(i)));
  b.defVar(i, b.binary(Op.Iadd, b.useVar(i), b.iconst(T.I32, 1)));
  b.jump(header, []);
  b.sealBlock(header);
  b.switchToBlock(exit);
  b.sealBlock(exit);
  b.ret([b.useVar(sum)]);
  b.finalize();
  // n is loop-invariant: its header parameter must have been removed as trivial
  t.is(f.bParamLen[header], 2);
  const run = check(t, 'loop-sum', f);
  t.deepEqual(run([0]), [0]);
  t.deepEqual(run([10]), [45]);
  t.deepEqual(run([1000]), [499500]);
});

test('variable defined in one branch only reads as zero on the other path', (t) => {
  const f = newFunc('one_branch', [T.I32], [T.I64]);
  const b = new FunctionBuilder(f);
  const entry = b.createBlock(), then = b.createBlock(), merge = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  b.sealBlock(entry);
  const x = b.declareVar(T.I64);
  b.brif(b.blockParam(entry, 0), then, [], merge, []);
  b.switchToBlock(then);
  b.sealBlock(then);
  b.defVar(x, b.iconst(T.I64, -5));
  b.jump(merge, []);
  b.switchToBlock(merge);
  b.sealBlock(merge);
  b.ret([b.useVar(x)]);
  b.finalize();
  t.is(f.bParamLen[merge], 1);
  const run = check(t, 'one-branch', f);
  const file = parseClif(printFunction(f));
  const r = new Interpreter().call(file, 0, new Uint32Array([1, 0, 0, 0]));
  t.deepEqual(r.kind === 'ok' ? [...r.results.subarray(0, 2)] : r, [0xfffffffb, 0xffffffff]);
  t.deepEqual(run([0]), [0]);
});

test('unreachable block and a value unchanged across a diamond (no parameters)', (t) => {
  const f = newFunc('diamond', [T.I32, T.I32], [T.I32]);
  const b = new FunctionBuilder(f);
  const entry = b.createBlock(), l = b.createBlock(), r = b.createBlock(), m = b.createBlock(), dead = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  const a = b.declareVar(T.I32), y = b.declareVar(T.I32);
  b.defVar(a, b.blockParam(entry, 0));
  b.defVar(y, b.blockParam(entry, 1));
  b.brif(b.blockParam(entry, 1), l, [], r, []);
  b.switchToBlock(l);
  b.defVar(y, b.binary(Op.Imul, b.useVar(y), b.iconst(T.I32, 3)));
  b.jump(m, []);
  b.switchToBlock(r);
  b.jump(m, []);
  b.switchToBlock(dead);
  // a block nobody branches to: reading `a` there gives a zero constant
  b.ret([b.useVar(a)]);
  b.switchToBlock(m);
  b.ret([b.binary(Op.Iadd, b.useVar(a), b.useVar(y))]);
  b.sealAllBlocks();
  b.finalize();
  t.is(f.bParamLen[m], 1, 'only y needs a parameter at the merge');
  const run = check(t, 'diamond-unreachable', f);
  t.deepEqual(run([10, 2]), [16]);
  t.deepEqual(run([10, 0]), [10]);
});

test('nested loops with late sealing', (t) => {
  // for i in 0..n: for j in 0..i: acc += j ; return acc
  const f = newFunc('nested', [T.I32], [T.I32]);
  const b = new FunctionBuilder(f);
  const entry = b.createBlock(), oh = b.createBlock(), ih = b.createBlock(), ib = b.createBlock(), ol = b.createBlock(), exit = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  const n = b.declareVar(T.I32), i = b.declareVar(T.I32), j = b.declareVar(T.I32), acc = b.declareVar(T.I32);
  b.defVar(n, b.blockParam(entry, 0));
  b.defVar(i, b.iconst(T.I32, 0));
  b.defVar(acc, b.iconst(T.I32, 0));
  b.jump(oh, []);
  b.switchToBlock(oh);
  b.brif(b.icmp(IntCC.Slt, b.useVar(i), b.useVar(n)), ol, [], exit, []);
  b.switchToBlock(ol);
  b.defVar(j, b.iconst(T.I32, 0));
  b.jump(ih, []);
  b.switchToBlock(ih);
  const ii = b.useVar(i);
  b.brif(b.icmp(IntCC.Slt, b.useVar(j), ii), ib, [], oh, []);
  b.switchToBlock(ib);
  b.defVar(acc, b.binary(Op.Iadd, b.useVar(acc), b.useVar(j)));
  b.defVar(j, b.binary(Op.Iadd, b.useVar(j), b.iconst(T.I32, 1)));
  b.jump(ih, []);
  // the inner loop exits to the outer header: increment i there? no: increment before re-entering
  b.switchToBlock(exit);
  b.ret([b.useVar(acc)]);
  b.sealAllBlocks();
  b.finalize();
  t.true(tryVerify(f).length === 0);
  // i is never incremented in this shape, so give the outer loop a real latch instead
  const g = newFunc('nested', [T.I32], [T.I32]);
  const c = new FunctionBuilder(g);
  const e2 = c.createBlock(), oh2 = c.createBlock(), pre = c.createBlock(), ih2 = c.createBlock(), ib2 = c.createBlock(), latch = c.createBlock(), ex2 = c.createBlock();
  c.appendBlockParamsForFunctionParams(e2);
  c.switchToBlock(e2);
  const N = c.declareVar(T.I32), I = c.declareVar(T.I32), J = c.declareVar(T.I32), A = c.declareVar(T.I32);
  c.defVar(N, c.blockParam(e2, 0));
  c.defVar(I, c.iconst(T.I32, 0));
  c.defVar(A, c.iconst(T.I32, 0));
  c.jump(oh2, []);
  c.switchToBlock(oh2);
  c.brif(c.icmp(IntCC.Slt, c.useVar(I), c.useVar(N)), pre, [], ex2, []);
  c.switchToBlock(pre);
  c.defVar(J, c.iconst(T.I32, 0));
  c.jump(ih2, []);
  c.switchToBlock(ih2);
  c.brif(c.icmp(IntCC.Slt, c.useVar(J), c.useVar(I)), ib2, [], latch, []);
  c.switchToBlock(ib2);
  c.defVar(A, c.binary(Op.Iadd, c.useVar(A), c.useVar(J)));
  c.defVar(J, c.binary(Op.Iadd, c.useVar(J), c.iconst(T.I32, 1)));
  c.jump(ih2, []);
  c.switchToBlock(latch);
  c.defVar(I, c.binary(Op.Iadd, c.useVar(I), c.iconst(T.I32, 1)));
  c.jump(oh2, []);
  c.switchToBlock(ex2);
  c.ret([c.useVar(A)]);
  c.sealAllBlocks();
  c.finalize();
  const run = check(t, 'nested-loops', g);
  t.deepEqual(run([0]), [0]);
  t.deepEqual(run([5]), [0 + 0 + 1 + (0 + 1 + 2) + (0 + 1 + 2 + 3)]);
  t.deepEqual(run([100]), [161700]);
});

function switchFunc(name: string, cases: number[], it: T.Type = T.I32): Function {
  const f = newFunc(name, [it], [T.I32]);
  const b = new FunctionBuilder(f);
  const entry = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  b.sealBlock(entry);
  const sw = new Switch();
  const targets = cases.map((k) => { const blk = b.createBlock(); sw.setEntry(k, blk); return blk; });
  const other = b.createBlock();
  sw.emit(b, b.blockParam(entry, 0), other);
  targets.forEach((blk, k) => {
    b.switchToBlock(blk);
    b.sealBlock(blk);
    b.ret([b.iconst(T.I32, 1000 + cases[k])]);
  });
  b.switchToBlock(other);
  b.sealBlock(other);
  b.ret([b.iconst(T.I32, -1)]);
  b.finalize();
  return f;
}

function countOps(f: Function, op: Op): number {
  let n = 0;
  for (let blk = f.firstBlock; blk !== 0xffffffff; blk = f.bNext[blk]) for (let i = f.bFirst[blk]; i !== 0xffffffff; i = f.iNext[i]) if (f.iOp[i] === op) n++;
  return n;
}

test('switch: dense cases become one br_table', (t) => {
  const cases = [0, 1, 2, 3, 4, 5, 6, 7];
  const f = switchFunc('dense', cases);
  t.is(countOps(f, Op.BrTable), 1);
  const run = check(t, 'switch-dense', f);
  for (const k of [0, 3, 7]) t.deepEqual(run([k]), [1000 + k]);
  t.deepEqual(run([8]), [-1]);
  t.deepEqual(run([-1]), [-1]);
});

test('switch: sparse cases become a compare tree', (t) => {
  const cases = [3, 17, 100, 1000, 5000, 65536, 1 << 30];
  const f = switchFunc('sparse', cases);
  t.is(countOps(f, Op.BrTable), 0);
  t.true(countOps(f, Op.Icmp) >= cases.length);
  const run = check(t, 'switch-sparse', f);
  for (const k of cases) t.deepEqual(run([k]), [1000 + k]);
  for (const k of [0, 4, 999, 1001, 65535, (1 << 30) + 1]) t.deepEqual(run([k]), [-1]);
});

test('switch: mixed runs (table for long runs, compares for the rest)', (t) => {
  const cases = [1, 10, 11, 12, 13, 14, 15, 40, 41, 90];
  const f = switchFunc('mixed', cases);
  t.is(countOps(f, Op.BrTable), 1);
  const run = check(t, 'switch-mixed', f);
  for (const k of cases) t.deepEqual(run([k]), [1000 + k]);
  for (const k of [0, 2, 9, 16, 39, 42, 89, 91]) t.deepEqual(run([k]), [-1]);
});

test('switch on an i64 value reduces the table index to i32 after the range check', (t) => {
  const f = switchFunc('wide', [5, 6, 7, 8, 9], T.I64);
  t.is(countOps(f, Op.BrTable), 1);
  t.is(countOps(f, Op.Ireduce), 1);
  t.deepEqual(tryVerify(f), []);
  const file = parseClif(printFunction(f));
  const run = (lo: number, hi: number): number => {
    const r = new Interpreter().call(file, 0, new Uint32Array([lo, hi, 0, 0]));
    return r.kind === 'ok' ? r.results[0] | 0 : -999;
  };
  t.is(run(7, 0), 1007);
  t.is(run(9, 0), 1009);
  t.is(run(7, 1), -1, 'a high word must not alias a case');
  t.is(run(4, 0), -1);
});

test('a reset Function builds B exactly as a fresh one; layout edits keep the list consistent', (t) => {
  const fresh = switchFunc('dense', [0, 1, 2, 3, 4]);
  const reused = switchFunc('other', [10, 200, 3000]);
  reused.reset();
  t.is(reused.instCount, 0);
  // rebuild "dense" into the reused object
  const b = new FunctionBuilder(reused);
  reused.name = '%dense';
  reused.sig = fresh.sig;
  const entry = b.createBlock();
  b.appendBlockParamsForFunctionParams(entry);
  b.switchToBlock(entry);
  b.sealBlock(entry);
  const sw = new Switch();
  const cases = [0, 1, 2, 3, 4];
  const targets = cases.map((k) => { const blk = b.createBlock(); sw.setEntry(k, blk); return blk; });
  const other = b.createBlock();
  sw.emit(b, b.blockParam(entry, 0), other);
  targets.forEach((blk, k) => { b.switchToBlock(blk); b.sealBlock(blk); b.ret([b.iconst(T.I32, 1000 + cases[k])]); });
  b.switchToBlock(other); b.sealBlock(other); b.ret([b.iconst(T.I32, -1)]);
  b.finalize();
  t.is(printFunction(reused), printFunction(fresh));
  // move the last block after the entry, then take it out again
  const last = reused.lastBlock;
  reused.removeBlockFromLayout(last);
  reused.insertBlockAfter(last, reused.firstBlock);
  t.is(reused.bNext[reused.firstBlock], last);
  t.deepEqual(tryVerify(reused), []);
  const order: number[] = [];
  for (let blk = reused.firstBlock; blk !== 0xffffffff; blk = reused.bNext[blk]) order.push(blk);
  const back: number[] = [];
  for (let blk = reused.lastBlock; blk !== 0xffffffff; blk = reused.bPrev[blk]) back.push(blk);
  t.deepEqual(back.reverse(), order);
  t.is(order.length, 9);
});

test('declarations: signatures, imported functions, stack slots, vector constants, indirect calls', (t) => {
  const callee = newFunc('sq', [T.I64], [T.I64]);
  {
    const b = new FunctionBuilder(callee);
    const e = b.createBlock();
    b.appendBlockParamsForFunctionParams(e);
    b.switchToBlock(e); b.sealBlock(e);
    b.ret([b.binary(Op.Imul, b.blockParam(e, 0), b.blockParam(e, 0))]);
    b.finalize();
  }
  const f = newFunc('caller', [T.I64], [T.I64, T.I32X4]);
  const b = new FunctionBuilder(f);
  const sig = b.importSignature({ params: [{ type: T.I64, ext: '', purpose: '' }], returns: [{ type: T.I64, ext: '', purpose: '' }], callConv: 'fast' });
  const fn = b.importFunction('%sq', sig);
  const ss = b.createStackSlot(16, 8);
  const e = b.createBlock();
  b.appendBlockParamsForFunctionParams(e);
  b.switchToBlock(e); b.sealBlock(e);
  const x = b.blockParam(e, 0);
  const direct = f.firstResult(b.call(fn, [x]));
  const addr = b.val(Op.FuncAddr, T.I64, [], fn);
  const indirect = f.firstResult(b.callIndirect(sig, addr, [direct]));
  const slot = b.val(Op.StackAddr, T.I64, [], ss, 8);
  b.store(0, indirect, slot, 0);
  const back = b.load(T.I64, 0, slot, 0);
  const bytes = new Uint8Array(16);
  bytes.forEach((_, k) => { bytes[k] = k; });
  const vec = b.vconst(T.I32X4, bytes);
  b.ret([back, vec]);
  b.finalize();
  const diags = tryVerify(f);
  t.deepEqual(diags, []);
  const text = printFunction(f);
  t.is(text, `function %caller(i64) -> i64, i32x4 {
    ss0 = explicit_slot 16, align = 8
    sig0 = (i64) -> i64
    fn0 = %sq sig0

block0(v0: i64):
    v1 = call fn0(v0)
    v2 = func_addr.i64 fn0
    v3 = call_indirect sig0, v2(v1)
    v4 = stack_addr.i64 ss0+8
    store v3, v4
    v5 = load.i64 v4
    v6 = vconst.i32x4 [0x3020100 0x7060504 0xb0a0908 0xf0e0d0c]
    return v5, v6
}
`);
  const file = parseClif(text + '\n' + printFunction(callee));
  const r = new Interpreter().call(file, 0, new Uint32Array([3, 0, 0, 0]));
  t.deepEqual(r.kind === 'ok' ? [...r.results] : r, [81, 0, 0, 0, 0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c]);
});
