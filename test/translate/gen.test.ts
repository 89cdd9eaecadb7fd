/**
 * Seeded generated modules (test/wasm/gen.ts: nested control with multi-value block
 * types, branches of every kind, dead code after unconditional branches, calls,
 * call_indirect, memory, globals, tables, references) through the translator and the
 * verifier: every function translates to valid IR, or — only when it uses SIMD — is
 * rejected with the documented CompileError. A short run; `node
 * dist/test/translate/gen.test.js` is not a runner, use ava.
 */
import test from 'ava';
import { decodeModule } from '../../ts/wasm';
import { FuncTranslator } from '../../ts/translate';
import { Function } from '../../ts/ir/function';
import { tryVerify } from '../../ts/ir/verifier';
import { CompileError } from '../../ts/wasm/errors';
import { generateModule } from '../wasm/gen';
import { rng } from '../wasm/fuzz';

for (const boundsChecks of ['guard', 'explicit'] as const) {
  test(`generated modules translate to valid IR (${boundsChecks})`, (t) => {
    const rand = rng(0x7a11 + (boundsChecks === 'guard' ? 0 : 1));
    const tr = new FuncTranslator({ boundsChecks });
    const f = new Function();
    let translated = 0, simd = 0;
    const failures: string[] = [];
    for (let m = 0; m < 400; m++) {
      const env = decodeModule(generateModule(rand));
      for (let i = env.numImportedFuncs; i < env.funcTypes.length; i++) {
        try {
          tr.translate(env, i, f);
        } catch (e) {
          if (e instanceof CompileError && /SIMD is not supported yet/.test(e.message)) { simd++; continue; }
          failures.push(`module ${m} func ${i}: ${(e as Error).stack}`);
          continue;
        }
        translated++;
        const d = tryVerify(f);
        if (d.length > 0) failures.push(`module ${m} func ${i}: ${d[0].entity}: ${d[0].message}`);
      }
    }
    t.log(`${translated} functions translated and verified, ${simd} rejected for SIMD`);
    t.deepEqual(failures.slice(0, 5), []);
    t.true(translated > 1000);
  });
}
