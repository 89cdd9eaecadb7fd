/**
 * The SIMD extension point works end to end: a vector rule registered with
 * `registerSimdRule` (here vany_true through the FP_PTEST flags producer and
 * iadd.i32x4 through the generic two-address SSE kind) is used for vector-typed
 * instructions, and the code runs with the interpreter's results. (This test file
 * runs in its own process, so its rules do not leak into other tests.)
 */
import test from 'ava';
import { parseClif } from '../../ts/ir/parser';
import { Op } from '../../ts/ir/opcodes';
import { Interpreter } from '../../ts/ir/interpreter';
import { runClifFile } from '../../ts/tools/clif-run';
import { NativeExecutor } from '../../ts/tools/clif-native';
import { CondSpec, registerSimdRule } from '../../ts/isa/x64/lower';
import { DEF_REG, FP_PTEST, K, USE_ANY, USE_REG, defReuse } from '../../ts/isa/x64/inst';
import { Cond, SseOp } from '../../ts/isa/x64/encode';

registerSimdRule(Op.VanyTrue, (cx, i) => {
  const v = cx.put(cx.f.arg(i, 0));
  const c = new CondSpec();
  c.fp = FP_PTEST; c.x = v; c.y = v; c.size = 16; c.imm = 0;
  cx.beginCond(K.Setcc, c, Cond.NE);
  cx.vc.op(cx.def(i), DEF_REG);
  cx.endInst();
});

registerSimdRule(Op.Iadd, (cx, i) => {
  const f = cx.f;
  const a = cx.put(f.arg(i, 0));
  const b = cx.put(f.arg(i, 1));
  cx.vc.begin(K.XRmR, 0, SseOp.PADDD);
  cx.vc.op(a, USE_REG);
  cx.vc.op(b, USE_ANY);
  cx.vc.op(cx.def(i), defReuse(0));
  cx.endInst();
});

const SRC = `test run
target x86_64
function %any(i32x4, i32x4) -> i8 {
block0(v0: i32x4, v1: i32x4):
    v2 = iadd v0, v1
    v3 = vany_true v2
    return v3
}
; run: %any([0 0 0 0], [0 0 0 0]) == 0
; run: %any([1 0 0 0], [0 0 0 0]) == 1
; run: %any([1 2 3 4], [-1 -2 -3 -4]) == 0
; run: %any([0 0 0 0x80000000], [0 0 0 0]) == 1

function %scalar(i32, i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = iadd v0, v1
    return v2
}
; run: %scalar(40, 2) == 42
`;

test('registered SIMD rules lower vector instructions; scalar ones keep their rules', (t) => {
  for (const exec of [new Interpreter(), new NativeExecutor({ check: true })]) {
    const r = runClifFile('simd-hook', SRC, exec);
    for (const f of r.failures) t.log(`${exec.name}: ${f.line}: ${f.message}`);
    t.deepEqual([r.summary.passed, r.summary.failed], [5, 0], exec.name);
  }
  t.is(parseClif(SRC).functions.length, 2);
});
