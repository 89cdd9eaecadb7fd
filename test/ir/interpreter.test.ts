/**
 * Hand-written interpreter edge cases: shifts by >= width, MIN / -1, division
 * traps, NaN propagation and payloads, fmin/fmax of ±0, float-to-int traps,
 * exact fma, i64 without loss, memory traps. Each case is CLIF text with run
 * lines, executed through the same runner as the shared runtests.
 */
import test from 'ava';
import { parseClif } from '../../ts/ir/parser';
import { Interpreter } from '../../ts/ir/interpreter';
import { runClifFile } from '../../ts/tools/clif-run';
import { parseRunComment } from '../../ts/ir/runtest';
import { TRAP_INT_DIVZ, TRAP_INT_OVF, TRAP_BAD_TOINT, TRAP_HEAP_OOB, TRAP_STK_OVF } from '../../ts/ir/immediates';

function runAll(t: import('ava').ExecutionContext, src: string, expectLines: number): void {
  const { summary, failures } = runClifFile('inline.clif', src, new Interpreter());
  for (const f of failures) t.fail(`line ${f.line}: ${f.text}: ${f.message}`);
  t.is(summary.passed, expectLines);
}

/** Run function `name` with `args` (run-line syntax) and return the trap code or -1. */
function trapOf(src: string, args: string): number {
  const file = parseClif(src);
  const cmd = parseRunComment(`; run: %f(${args}) == 0`, 1, file.functions[0].func.sig);
  const r = new Interpreter().call(file, 0, cmd.args);
  return r.kind === 'trap' ? r.code : -1;
}

test('shifts and rotates mask the amount to the type width', (t) => {
  runAll(t, `
function %shl8(i8, i32) -> i8 {
block0(v0: i8, v1: i32):
    v2 = ishl v0, v1
    return v2
}
; run: %shl8(1, 8) == 1
; run: %shl8(1, 9) == 2
; run: %shl8(1, 7) == 0x80
function %sshr64(i64, i64) -> i64 {
block0(v0: i64, v1: i64):
    v2 = sshr v0, v1
    return v2
}
; run: %sshr64(0x80000000_00000000, 64) == 0x80000000_00000000
; run: %sshr64(0x80000000_00000000, 63) == -1
; run: %sshr64(-2, 65) == -1
function %rotr32(i32, i8) -> i32 {
block0(v0: i32, v1: i8):
    v2 = rotr v0, v1
    return v2
}
; run: %rotr32(1, 33) == 0x80000000
; run: %rotr32(0x12345678, 32) == 0x12345678
function %ushr_vec(i16x8, i32) -> i16x8 {
block0(v0: i16x8, v1: i32):
    v2 = ushr v0, v1
    return v2
}
; run: %ushr_vec([0x8000 1 2 3 4 5 6 0xffff], 17) == [0x4000 0 1 1 2 2 3 0x7fff]
`, 9);
});

test('integer division: MIN / -1 traps int_ovf, srem gives 0, zero divisors trap int_divz', (t) => {
  const sdiv = 'function %f(i64, i64) -> i64 {\nblock0(v0: i64, v1: i64):\n    v2 = sdiv v0, v1\n    return v2\n}\n';
  const srem = sdiv.replace('sdiv', 'srem');
  const udiv = sdiv.replace('sdiv', 'udiv');
  t.is(trapOf(sdiv, '0x80000000_00000000, -1'), TRAP_INT_OVF);
  t.is(trapOf(sdiv, '5, 0'), TRAP_INT_DIVZ);
  t.is(trapOf(srem, '5, 0'), TRAP_INT_DIVZ);
  t.is(trapOf(udiv, '5, 0'), TRAP_INT_DIVZ);
  t.is(trapOf(srem, '0x80000000_00000000, -1'), -1);
  runAll(t, sdiv.replace('%f', '%sdiv') + `; run: %sdiv(-7, 2) == -3
; run: %sdiv(0x80000000_00000000, 2) == 0xc0000000_00000000
` + srem.replace('%f', '%srem') + `; run: %srem(0x80000000_00000000, -1) == 0
; run: %srem(-7, 2) == -1
` + udiv.replace('%f', '%udiv') + `; run: %udiv(-1, 3) == 0x55555555_55555555
`, 5);
});

test('i64 arithmetic is exact beyond 2^53', (t) => {
  runAll(t, `
function %mul(i64, i64) -> i64, i64 {
block0(v0: i64, v1: i64):
    v2 = imul v0, v1
    v3 = umulhi v0, v1
    return v2, v3
}
; run: %mul(0x1_0000_0001, 0x1_0000_0001) == [0x2_0000_0001, 1]
; run: %mul(-1, -1) == [1, 0xffffffff_fffffffe]
; run: %mul(9007199254740993, 1) == [9007199254740993, 0]
`, 3);
});

test('NaN propagation, payloads and fmin/fmax of signed zeros', (t) => {
  runAll(t, `
function %fmin(f64, f64) -> f64 {
block0(v0: f64, v1: f64):
    v2 = fmin v0, v1
    return v2
}
; run: %fmin(0.0, -0.0) == -0.0
; run: %fmin(-0.0, 0.0) == -0.0
; run: %fmin(NaN, 1.0) == NaN
; run: %fmin(1.0, -NaN:0x1) == NaN
function %fmax(f32, f32) -> f32 {
block0(v0: f32, v1: f32):
    v2 = fmax v0, v1
    return v2
}
; run: %fmax(0.0, -0.0) == 0.0
; run: %fmax(-0.0, 0.0) == 0.0
; run: %fmax(-Inf, sNaN:0x1) == NaN
function %neg(f32) -> f32 {
block0(v0: f32):
    v1 = fneg v0
    return v1
}
; run: %neg(sNaN:0x1234) == -sNaN:0x1234
; run: %neg(-NaN:0x3) == +NaN:0x3
function %add(f64, f64) -> f64 {
block0(v0: f64, v1: f64):
    v2 = fadd v0, v1
    return v2
}
; run: %add(+Inf, -Inf) == NaN
; run: %add(0x1.0p-1074, 0x1.0p-1074) == 0x1.0p-1073
; run: %add(-0.0, -0.0) == -0.0
; run: %add(0.0, -0.0) == 0.0
`, 13);
});

test('float to int conversions trap with bad_toint / int_ovf; saturating forms clamp', (t) => {
  const cvt = 'function %f(f32) -> i32 {\nblock0(v0: f32):\n    v1 = fcvt_to_sint.i32 v0\n    return v1\n}\n';
  t.is(trapOf(cvt, 'NaN'), TRAP_BAD_TOINT);
  t.is(trapOf(cvt, '0x1.0p31'), TRAP_INT_OVF);
  t.is(trapOf(cvt, '-0x1.0p31'), -1);
  t.is(trapOf(cvt.replace('sint', 'uint'), '-0x1.0p0'), TRAP_INT_OVF);
  t.is(trapOf(cvt.replace('sint', 'uint'), '-0x1.8p-1'), -1);
  runAll(t, `
function %sat(f64) -> i32 {
block0(v0: f64):
    v1 = fcvt_to_sint_sat.i32 v0
    return v1
}
; run: %sat(NaN) == 0
; run: %sat(+Inf) == 0x7fffffff
; run: %sat(-0x1.0p40) == 0x80000000
; run: %sat(-0x1.fp1) == -3
function %fromu(i64) -> f32 {
block0(v0: i64):
    v1 = fcvt_from_uint.f32 v0
    return v1
}
; run: %fromu(-1) == 0x1.0p64
; run: %fromu(0x0000_0000_0100_0001) == 0x1.0p24
; run: %fromu(0x2000_0020_0000_0001) == 0x1.000002p61
`, 7);
});

test('fma is fused (one rounding)', (t) => {
  runAll(t, `
function %fma(f64, f64, f64) -> f64 {
block0(v0: f64, v1: f64, v2: f64):
    v3 = fma v0, v1, v2
    return v3
}
; run: %fma(0x1.0000000000001p0, 0x1.0000000000001p0, -0x1.0000000000002p0) == 0x1.0p-104
; run: %fma(0x1.0p1000, 0x1.0p1000, -Inf) == -Inf
; run: %fma(0x1.8p0, 0x1.0p1, 0x1.0p0) == 0x1.0p2
`, 3);
});

test('memory: stack slots, widths, out-of-bounds accesses trap with their code', (t) => {
  runAll(t, `
function %mem(i64) -> i64, i32, i16 {
    ss0 = explicit_slot 16
block0(v0: i64):
    v1 = stack_addr.i64 ss0
    store v0, v1+4
    v2 = load.i64 v1+4
    v3 = sload8.i32 v1+4
    v4 = uload8.i16 v1+11
    return v2, v3, v4
}
; run: %mem(0x8877665544332211) == [0x8877665544332211, 0x11, 0x88]
; run: %mem(0xff) == [0xff, -1, 0]
`, 2);
  const oob = 'function %f(i64) -> i64 {\n    ss0 = explicit_slot 8\nblock0(v0: i64):\n    v1 = stack_addr.i64 ss0\n    v2 = load.i64 user7 v1+1\n    return v2\n}\n';
  t.is(trapOf(oob, '0'), 7);
  t.is(trapOf(oob.replace(' user7', ''), '0'), TRAP_HEAP_OOB);
});

test('explicit traps report their code; br_table picks the default past the end', (t) => {
  const src = 'function %f(i32) -> i32 {\nblock0(v0: i32):\n    trapnz v0, user42\n    v1 = iconst.i32 3\n    br_table v0, block1(v1), []\nblock1(v2: i32):\n    return v2\n}\n';
  t.is(trapOf(src, '1'), 42);
  t.is(trapOf(src, '0'), -1);
});

test('relaxed-SIMD helpers with x86 semantics', (t) => {
  runAll(t, `
function %pshufb(i8x16, i8x16) -> i8x16 {
block0(v0: i8x16, v1: i8x16):
    v2 = x86_pshufb v0, v1
    return v2
}
; run: %pshufb([10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25], [0 15 16 31 0x80 0xff 0x7f 1 2 3 4 5 6 7 8 9]) == [10 25 10 25 0 0 25 11 12 13 14 15 16 17 18 19]
function %pmulhrsw(i16x8, i16x8) -> i16x8 {
block0(v0: i16x8, v1: i16x8):
    v2 = x86_pmulhrsw v0, v1
    return v2
}
; run: %pmulhrsw([0x8000 0x4000 -1 1 0 0x7fff 0x8000 100], [0x8000 0x4000 -1 1 5 0x7fff 0x7fff -100]) == [0x8000 0x2000 0 0 0 0x7ffe 0x8001 0]
function %pmaddubsw(i8x16, i8x16) -> i16x8 {
block0(v0: i8x16, v1: i8x16):
    v2 = x86_pmaddubsw v0, v1
    return v2
}
; run: %pmaddubsw([255 255 255 255 1 2 0 0 0 0 0 0 0 0 0 0], [127 127 -128 -128 -3 4 0 0 0 0 0 0 0 0 0 0]) == [32767 -32768 5 0 0 0 0 0]
function %cvtt2dq(f32x4) -> i32x4 {
block0(v0: f32x4):
    v1 = x86_cvtt2dq.i32x4 v0
    return v1
}
; run: %cvtt2dq([-0x1.8p1 NaN 0x1.0p31 -0x1.0p31]) == [-3 0x80000000 0x80000000 0x80000000]
function %blendv(i32x4, i32x4, i32x4) -> i32x4 {
block0(v0: i32x4, v1: i32x4, v2: i32x4):
    v3 = x86_blendv v0, v1, v2
    return v3
}
; run: %blendv([0x80000000 0x7fffffff -1 0], [1 2 3 4], [5 6 7 8]) == [1 6 3 8]
`, 5);
});

test('f16 arithmetic rounds once to half precision; borrow-in subtraction; pinned register', (t) => {
  runAll(t, `
function %add16(f16, f16) -> f16 {
block0(v0: f16, v1: f16):
    v2 = fadd v0, v1
    return v2
}
; run: %add16(0x1.0p0, 0x1.0p-11) == 0x1.0p0
; run: %add16(0x1.0p0, 0x1.8p-11) == 0x1.004p0
; run: %add16(0x1.ffcp15, 0x1.0p4) == +Inf
function %demote16(f32) -> f16 {
block0(v0: f32):
    v1 = fdemote.f16 v0
    return v1
}
; run: %demote16(0x1.ffep15) == +Inf
; run: %demote16(0x1.ffcp15) == 0x1.ffcp15
; run: %demote16(-0x1.0p-25) == -0.0
function %promote16(f16) -> f32 {
block0(v0: f16):
    v1 = fpromote.f32 v0
    return v1
}
; run: %promote16(0x0.004p-14) == 0x1.0p-24
; run: %promote16(-Inf) == -Inf
function %sbb(i8, i8, i8) -> i8, i8 {
block0(v0: i8, v1: i8, v2: i8):
    v3, v4 = ssub_overflow_bin v0, v1, v2
    return v3, v4
}
; run: %sbb(-128, 0, 1) == [127, 1]
; run: %sbb(5, 3, 7) == [1, 0]
function %pinned(i64) -> i64 {
block0(v0: i64):
    set_pinned_reg v0
    v1 = get_pinned_reg.i64
    return v1
}
; run: %pinned(0x1234_5678_9abc_def0) == 0x1234_5678_9abc_def0
`, 11);
});

test('unbounded recursion traps with stk_ovf; deep but bounded recursion works', (t) => {
  const src = `function %f(i32) -> i32 {
    fn0 = %f(i32) -> i32
block0(v0: i32):
    brif v0, block1, block2
block1:
    v1 = iconst.i32 1
    v2 = isub v0, v1
    v3 = call fn0(v2)
    v4 = iadd v3, v1
    return v4
block2:
    return v0
}
`;
  t.is(trapOf(src, '-1'), TRAP_STK_OVF);
  runAll(t, src.replace(/%f/g, '%depth') + '; run: %depth(5000) == 5000\n', 1);
});

test('NaN modes: canonical by default; x86 mode propagates the first NaN operand or the negative default NaN', (t) => {
  const src = `function %f(f32, f32) -> f32, f32, f32, f32 {
block0(v0: f32, v1: f32):
    v2 = fadd v0, v1
    v3 = sqrt v0
    v4 = fmin v0, v1
    v5 = fmax v0, v1
    return v2, v3, v4, v5
}
`;
  const file = parseClif(src);
  const bits = (mode: 'canonical' | 'x86', a: number, b: number): number[] => {
    const r = new Interpreter({ nan: mode }).call(file, 0, new Uint32Array([a, 0, 0, 0, b, 0, 0, 0]));
    if (r.kind !== 'ok') throw new Error('trap');
    return [r.results[0], r.results[4], r.results[8], r.results[12]];
  };
  const SNAN_NEG = 0xff800001, QNAN_PAYLOAD = 0x7fc00042, NEG_ONE = 0xbf800000, ONE = 0x3f800000, INF = 0x7f800000, NINF = 0xff800000;
  // canonical: every arithmetic NaN is +NaN (0x7fc00000)
  t.deepEqual(bits('canonical', SNAN_NEG, ONE), [0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7fc00000]);
  t.deepEqual(bits('canonical', NEG_ONE, QNAN_PAYLOAD), [0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7fc00000]);
  // x86: first NaN operand quietened (the signalling -NaN:0x1 becomes 0xffc00001) ...
  t.deepEqual(bits('x86', SNAN_NEG, QNAN_PAYLOAD), [0xffc00001, 0xffc00001, 0xffc00000, 0xffc00000]);
  t.deepEqual(bits('x86', ONE, QNAN_PAYLOAD), [0x7fc00042, ONE, 0xffc00000, 0x7fc00000]);
  // ... else the negative default NaN (inf - inf, sqrt(-1))
  t.deepEqual(bits('x86', INF, NINF).slice(0, 1), [0xffc00000]);
  t.deepEqual(bits('x86', NEG_ONE, ONE).slice(1, 2), [0xffc00000]);
});
