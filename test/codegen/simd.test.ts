/**
 * Vector lowering: every generated vector case (simd-gen.ts: each opcode and type
 * the x64 backend lowers, shift amounts, lane indices, shuffle patterns, compare
 * conditions, constant operands, fused loads) agrees bit for bit with the
 * interpreter in its x86 NaN mode, under three ISA configurations: the SSE4.1
 * baseline (fallback sequences: no pcmpgtq, no AVX, no FMA), the baseline with
 * SSE4.2 + AVX + FMA (three-operand VEX forms), and the host CPU.
 */
import test from 'ava';
import { BASELINE_FLAGS, hostIsaFlags, IsaFlags } from '../../ts/isa/x64/flags';
import { runSimd } from './simd-run';

const configs: [string, IsaFlags][] = [
  ['baseline SSE4.1', BASELINE_FLAGS],
  ['SSE4.2 + AVX + FMA', { ...BASELINE_FLAGS, sse42: true, avx: true, avx2: true, fma: true }],
  ['host', hostIsaFlags()],
];

for (const [name, isa] of configs) {
  test(`vector ops agree with the interpreter: ${name}`, (t) => {
    const host = hostIsaFlags();
    if ((isa.avx && !host.avx) || (isa.fma && !host.fma) || (isa.sse42 && !host.sse42)) {
      t.log(`skipped: the host CPU lacks part of ${name}`);
      t.pass();
      return;
    }
    const r = runSimd(isa, 12, 1);
    for (const m of r.mismatches.slice(0, 20)) t.log(`${m.what}: ${m.func}(${m.args}): interpreter ${m.interp}, native ${m.native}`);
    t.deepEqual(r.mismatches.map((m) => m.what), []);
    // only fma needs an extension the baseline lacks
    t.deepEqual(r.notCompiled.filter((n) => !(n.what.startsWith('fma.') && !isa.fma)), []);
    t.true(r.compared > r.cases * 8, `${r.compared} calls compared over ${r.cases} cases`);
    t.log(`${r.cases} cases, ${r.compared} calls compared`);
  });
}
