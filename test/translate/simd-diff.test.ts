/**
 * Generated SIMD programs (gen-simd.ts: every Wasm 2.0 SIMD operator, random lane
 * types, v128 through locals, blocks, ifs and selects) give the same memory on V8, on
 * derrick's native code and in the IR interpreter (simd-diff.ts). A short seeded run;
 * `node dist/test/translate/simd-diff.js [count] [seed]` for long ones.
 */
import test from 'ava';
import { runSimdDiff } from './simd-diff';
import { genSimdModule } from './gen-simd';
import { decodeModule } from '../../ts/wasm';
import { FuncTranslator } from '../../ts/translate';
import { Function } from '../../ts/ir/function';
import { tryVerify } from '../../ts/ir/verifier';
import { rng } from '../wasm/fuzz';

test('generated SIMD programs: V8, derrick native and the IR interpreter agree', (t) => {
  const r = runSimdDiff(400, 0x51d0);
  for (const f of r.failures.slice(0, 3)) t.log(`seed ${f.seed}: ${f.message}`);
  t.log(`${r.passed} passed, ${r.failures.length} failed`);
  t.deepEqual(r.failures.map((f) => f.seed), []);
});

test('generated SIMD programs translate to valid IR in both bounds-check modes', (t) => {
  const failures: string[] = [];
  const f = new Function();
  for (const boundsChecks of ['guard', 'explicit'] as const) {
    const tr = new FuncTranslator({ boundsChecks });
    for (let s = 0; s < 200; s++) {
      const env = decodeModule(genSimdModule(rng(0x900d + s), 16));
      tr.translate(env, 0, f);
      const d = tryVerify(f);
      if (d.length > 0) failures.push(`${boundsChecks} seed ${0x900d + s}: ${d[0].entity}: ${d[0].message}`);
    }
  }
  t.deepEqual(failures.slice(0, 5), []);
});
