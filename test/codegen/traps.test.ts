/**
 * Traps, frames and source locations of native code: the prologue's stack-limit
 * check turns runaway recursion into stk_ovf (through the thread context's
 * StackLimit slot, as the runtime will wire it), large frames are probed and run,
 * faulting loads report their memory flags' trap code, divisions report int_divz
 * and int_ovf, and trap pcs map back to the IR instruction's source location.
 */
import test from 'ava';
import { parseClif } from '../../ts/ir/parser';
import { TRAP_HEAP_OOB, TRAP_INT_DIVZ, TRAP_INT_OVF, TRAP_STK_OVF } from '../../ts/ir/immediates';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { compileFunction, srclocAt, trapCodeAt } from '../../ts/codegen/compile';
import { ctxAddress } from '../../ts/native/addon';

function slots(...vals: (number | bigint)[]): Uint32Array {
  const out = new Uint32Array(4 * vals.length);
  vals.forEach((v, k) => {
    const b = BigInt.asUintN(64, BigInt(v));
    out[4 * k] = Number(b & 0xffffffffn);
    out[4 * k + 1] = Number(b >> 32n);
  });
  return out;
}

const SRC = `
function %rec(i64 vmctx, i64) -> i64 {
    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0+80
    stack_limit = gv1
    fn0 = %rec(i64 vmctx, i64) -> i64
block0(v0: i64, v1: i64):
    brif v1, block1, block2
block1:
    v2 = iconst.i64 1
    v3 = isub v1, v2
    v4 = call fn0(v0, v3)
    v5 = iadd v4, v2
    return v5
block2:
    return v1
}

function %bigframe(i64 vmctx, i32) -> i32 {
    gv0 = vmctx
    gv1 = load.i64 notrap aligned gv0+80
    stack_limit = gv1
    ss0 = explicit_slot 1000000
block0(v0: i64, v1: i32):
    v2 = stack_addr.i64 ss0
    store v1, v2+999996
    store v1, v2
    v3 = load.i32 v2+999996
    v4 = load.i32 v2
    v5 = iadd v3, v4
    return v5
}

function %load(i64) -> i32 {
block0(v0: i64):
    v1 = load.i32 v0+16
    return v1
}

function %load_user(i64) -> i32 {
block0(v0: i64):
    v1 = load.i32 user9 v0
    return v1
}

function %div(i64, i64) -> i64, i64 {
block0(v0: i64, v1: i64):
    v2 = sdiv v0, v1
    v3 = srem v0, v1
    return v2, v3
}
`;

test('stack limit, large frames, memory and division traps through the addon', (t) => {
  const file = parseClif(SRC);
  const ex = new NativeExecutor({ check: true });
  t.is(ex.prepare(file), undefined);
  const ok = (k: number, args: Uint32Array): Uint32Array => {
    const r = ex.call(file, k, args);
    if (r.kind !== 'ok') throw new Error(`expected results, got ${JSON.stringify(r)}`);
    return r.results;
  };
  t.is(ok(0, slots(ctxAddress, 1000))[0], 1000);
  t.deepEqual(ex.call(file, 0, slots(ctxAddress, 100_000_000)), { kind: 'trap', code: TRAP_STK_OVF });
  // still usable after the trap
  t.is(ok(0, slots(ctxAddress, 7))[0], 7);
  t.is(ok(1, slots(ctxAddress, 21))[0], 42);
  t.deepEqual(ex.call(file, 2, slots(0)), { kind: 'trap', code: TRAP_HEAP_OOB });
  t.deepEqual(ex.call(file, 3, slots(8)), { kind: 'trap', code: 9 });
  t.deepEqual(ex.call(file, 4, slots(7, 0)), { kind: 'trap', code: TRAP_INT_DIVZ });
  t.deepEqual(ex.call(file, 4, slots(-(2n ** 63n), -1)), { kind: 'trap', code: TRAP_INT_OVF });
  const r = ok(4, slots(-7, 2));
  t.deepEqual([r[0], r[1], r[4], r[5]], [0xfffffffd, 0xffffffff, 0xffffffff, 0xffffffff]);
  ex.release(file);
});

test('trap pcs map to trap codes and to the IR instruction source locations', (t) => {
  const f = parseClif(SRC).functions[4].func;
  // source locations: the parser's line numbers
  const cf = compileFunction(f);
  const lines = SRC.split('\n');
  const sdiv = lines.findIndex((l) => l.includes('sdiv v0, v1')) + 1;
  const srem = lines.findIndex((l) => l.includes('srem v0, v1')) + 1;
  t.true(cf.trapOffsets.length >= 3);
  let divz = 0;
  for (let k = 0; k < cf.trapOffsets.length; k++) {
    const off = cf.trapOffsets[k];
    t.is(trapCodeAt(cf, off), cf.trapCodes[k]);
    const line = srclocAt(cf, off);
    t.true(line === sdiv || line === srem, `trap at 0x${off.toString(16)} has line ${line}`);
    if (cf.trapCodes[k] === TRAP_INT_DIVZ) divz++;
  }
  t.is(divz, 2);
  t.is(trapCodeAt(cf, 0), -1);
});
